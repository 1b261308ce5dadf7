/**
 * Writing a checkpoint with the layout of its source: each output file is an
 * atomic temp file (src/npy/atomic.ts) that starts with the source file's
 * header bytes, copied as they are (same names, order, shapes, dtypes,
 * metadata and offsets: the data has the same size), followed by each
 * tensor's bytes at the source's offsets. Sinks hand out the descriptor and
 * offset so threads can write row ranges positionally.
 */
import type { AtomicFile } from "../npy/atomic.js";
import { checkPaths } from "../npy/path-check.js";
import { copySourceBytes, type SourceBytes } from "./source-bytes.js";
import type { CheckpointTensor, CheckpointWriter, TensorSink } from "./types.js";
import type { WriterRunOptions } from "./writer-options.js";

/**
 * The one place outputs are checked against inputs: no output path may be
 * (by device + inode, or resolved path for new files) a file of the source
 * checkpoint or another protected path, nor another output; `force` lets an
 * output replace an input only.
 */
export function outputGuard(targets: readonly string[], inputs: readonly string[], opts: WriterRunOptions): void {
  // The run's other outputs first: an output file is then checked against each of them ("give each output its own path").
  checkPaths({
    reads: [...[...inputs, ...(opts.protect ?? [])].map((path) => ({ path, role: "the input", forceable: true })), ...(opts.others?.reads ?? [])],
    writes: [...(opts.others?.writes ?? []), ...targets.map((path) => ({ path, role: "the output", forceable: true }))],
    force: opts.force,
    forceStep: opts.forceStep,
  });
}

/** One output file: its temp file, the header bytes to copy, and the tensors it holds (absolute offsets as in the source). */
export interface OutputFile {
  readonly file: AtomicFile;
  /** The bytes, or where to copy them from (a safetensors header: the source file's descriptor, undefined once closed). */
  readonly prefix: Uint8Array | { readonly bytes: SourceBytes; readonly fd: number | undefined };
  readonly tensors: readonly CheckpointTensor[];
}

/** A tensor's state in FileLayoutWriter.#state. */
const NOT_BEGUN = 0;
const BEGUN = 1;
const ENDED = 2;

export class FileLayoutWriter implements CheckpointWriter {
  readonly path: string;
  // Per tensor, in checkpoint order: its output file (index into #files) and its state. Flat arrays, not an
  // object per tensor: a checkpoint may hold hundreds of thousands of tensors.
  readonly #files: readonly OutputFile[];
  readonly #tensors: CheckpointTensor[] = [];
  readonly #fileOf: number[] = [];
  readonly #state: Uint8Array;
  readonly #commitAll: () => void;
  readonly #abortAll: () => void;
  #next = 0;
  #status: "open" | "committed" | "aborted" = "open";

  /** Writes every file's header now; `commitAll` renames every file into place, `abortAll` removes every temp file. */
  constructor(path: string, files: readonly OutputFile[], commitAll: () => void, abortAll: () => void) {
    this.path = path;
    this.#files = files;
    this.#commitAll = commitAll;
    this.#abortAll = abortAll;
    files.forEach((out, f) => {
      for (const tensor of out.tensors) {
        this.#tensors.push(tensor);
        this.#fileOf.push(f);
      }
    });
    this.#state = new Uint8Array(this.#tensors.length);
    try {
      for (const out of files) {
        if (out.prefix instanceof Uint8Array) out.file.writeAt(out.prefix, 0);
        else copySourceBytes(out.prefix.bytes, out.prefix.fd, out.file);
      }
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  begin(tensor: CheckpointTensor): TensorSink {
    this.#checkOpen("begin a tensor");
    const index = this.#next;
    const expected = this.#tensors[index];
    if (expected === undefined || tensor.index !== index || tensor.name !== expected.name || tensor.byteLength !== expected.byteLength) {
      const wanted = expected ? `tensor ${index} (${expected.name})` : "no more tensors";
      this.abort();
      throw new Error(`${this.path}: tensors must be begun in checkpoint order: expected ${wanted}, got tensor ${tensor.index} (${tensor.name})`);
    }
    this.#next++;
    this.#state[index] = BEGUN;
    return new LayoutSink(this, index, this.#files[this.#fileOf[index]].file, expected);
  }

  /** For LayoutSink.end: tensor `index` has all its bytes. */
  markEnded(index: number): void {
    this.#state[index] = ENDED;
  }

  /** Check every tensor was written, then prepare each file (AtomicFile.prepare): only the renames are left for commit. */
  prepare(): void {
    this.#checkOpen("commit");
    const missing = this.#state.findIndex((s) => s !== ENDED);
    if (missing >= 0) {
      this.abort();
      throw new Error(`${this.path}: cannot commit: tensor ${missing} (${this.#tensors[missing].name}) was ${this.#state[missing] === NOT_BEGUN ? "never begun" : "not ended"}`);
    }
    try {
      for (const out of this.#files) out.file.prepare();
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  commit(): void {
    this.prepare();
    try {
      this.#commitAll();
    } catch (err) {
      this.abort();
      throw err;
    }
    this.#status = "committed";
  }

  abort(): void {
    if (this.#status !== "open") return;
    this.#status = "aborted";
    this.#abortAll();
  }

  #checkOpen(doing: string): void {
    if (this.#status !== "open") throw new Error(`${this.path}: cannot ${doing}: the output was already ${this.#status}`);
  }
}

/** One tensor's sink: an object with its methods on the prototype (closures per tensor cost ~350 bytes each). */
class LayoutSink implements TensorSink {
  readonly positional: { fd: number; dataOffset: number; file: string };
  readonly #writer: FileLayoutWriter;
  readonly #index: number;
  readonly #file: AtomicFile;
  readonly #tensor: CheckpointTensor;
  #written = 0;
  #ended = false;

  constructor(writer: FileLayoutWriter, index: number, file: AtomicFile, tensor: CheckpointTensor) {
    this.#writer = writer;
    this.#index = index;
    this.#file = file;
    this.#tensor = tensor;
    this.positional = { fd: file.fd, dataOffset: tensor.dataOffset!, file: file.targetPath };
  }

  write(bytes: Uint8Array): void {
    if (this.#ended) this.#fail("write after end");
    if (this.#written + bytes.length > this.#tensor.byteLength) this.#fail(`${this.#written + bytes.length} bytes written, more than its ${this.#tensor.byteLength}`);
    try {
      this.#file.writeAt(bytes, this.positional.dataOffset + this.#written);
    } catch (err) {
      this.#writer.abort();
      throw err;
    }
    this.#written += bytes.length;
  }

  end(writtenPositionally = 0): void {
    if (this.#ended) this.#fail("ended twice");
    if (this.#written + writtenPositionally !== this.#tensor.byteLength) this.#fail(`${this.#written + writtenPositionally} bytes written, expected ${this.#tensor.byteLength}`);
    this.#ended = true;
    this.#writer.markEnded(this.#index);
  }

  #fail(what: string): never {
    this.#writer.abort();
    throw new Error(`${this.#writer.path}: tensor ${this.#tensor.name}: ${what}`);
  }
}
