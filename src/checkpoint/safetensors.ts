/**
 * One safetensors file as a Checkpoint: the header is validated when the
 * file is opened (safetensors-header.ts); tensors come in data-offset order
 * and are read positionally from the descriptor opened then.
 */
import { closeSync } from "node:fs";
import { HeldDescriptors } from "./held-descriptors.js";
import { openInputFile } from "./input-file.js";
import type { FileStamp } from "../npy/file-stamp.js";
import { streamRange } from "./positional-stream.js";
import { readSafetensorsLayout, type SafetensorsLayout } from "./safetensors-header.js";
import type { SourceBytes } from "./source-bytes.js";
import type { Checkpoint, CheckpointTensor } from "./types.js";

/** An open safetensors file: its descriptor, and what its validated header says. */
export interface SafetensorsFile {
  readonly file: string;
  readonly fd: number;
  readonly size: number;
  readonly metadata: SafetensorsLayout["metadata"];
  /** The length field and header, as a writer copies them. */
  readonly head: SourceBytes;
  /**
   * Its tensors in data-offset order, numbered from the `firstIndex` it was opened with. The parsed header entries
   * are not kept beside them: one object per tensor, not two (~70 bytes each, over 300,000 tensors ~21 MB).
   */
  readonly tensors: readonly CheckpointTensor[];
}

/** Open `file` (a regular file) and validate its header; the caller closes `fd`. */
export function openSafetensorsFile(file: string, heapHeld = 0, firstIndex = 0): SafetensorsFile {
  const { fd, size } = openInputFile(file);
  try {
    const layout = readSafetensorsLayout(fd, size, file, heapHeld);
    return { file, fd, size, metadata: layout.metadata, head: layout.head, tensors: tensorsOf(file, layout, firstIndex) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function tensorsOf(file: string, layout: SafetensorsLayout, firstIndex: number): CheckpointTensor[] {
  return layout.tensors.map((t, i) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    byteLength: t.end - t.begin,
    index: firstIndex + i,
    file,
    dataOffset: layout.dataStart + t.begin,
    byteOrder: "little" as const,
    fortranOrder: false,
  }));
}

/** Checkpoint plumbing shared by the single-file and sharded readers: streams from open descriptors by file. */
export abstract class OpenFilesCheckpoint implements Checkpoint {
  abstract readonly path: string;
  abstract readonly format: Checkpoint["format"];
  abstract readonly tensors: readonly CheckpointTensor[];
  abstract readonly metadata: Readonly<Record<string, string>> | null;
  readonly #fds: HeldDescriptors;

  constructor(fds: Map<string, number>) {
    this.#fds = new HeldDescriptors(fds);
  }

  stream(tensor: CheckpointTensor, maxBytes: number): Iterable<Uint8Array> {
    if (this.tensors[tensor.index] !== tensor) {
      throw new Error(`${this.path}: stream() was given a tensor of another checkpoint (${tensor.name})`);
    }
    if (!this.#fds.open) throw new Error(`${this.path}: the checkpoint is closed`);
    const fd = this.#fds.get(tensor.file)!;
    return streamRange(fd, tensor.file, tensor.name, tensor.dataOffset!, tensor.byteLength, maxBytes);
  }

  descriptor(file: string): number | undefined {
    return this.#fds.get(file);
  }

  hold(): () => void {
    return this.#fds.hold(this.path);
  }

  stamp(file: string): FileStamp | undefined {
    return this.#fds.stamp(file);
  }

  close(): void {
    this.#fds.close();
  }
}

/** A single safetensors file opened as a checkpoint. */
export class SafetensorsCheckpoint extends OpenFilesCheckpoint {
  readonly format = "safetensors" as const;
  readonly path: string;
  readonly tensors: readonly CheckpointTensor[];
  readonly metadata: Readonly<Record<string, string>> | null;
  /** The validated file (its header bytes are what a writer copies). */
  readonly source: SafetensorsFile;
  /** Whether the user named a directory holding the file (an output then takes the same form). */
  readonly viaDirectory: boolean;

  constructor(path: string, source: SafetensorsFile, viaDirectory: boolean) {
    super(new Map([[source.file, source.fd]]));
    this.path = path;
    this.source = source;
    this.viaDirectory = viaDirectory;
    this.tensors = source.tensors;
    this.metadata = source.metadata;
  }
}

/**
 * Open and validate a .safetensors file. Every malformed or hostile header is
 * an FqcError "CHECKPOINT" naming the file (and the tensor); I/O failures are "IO".
 */
export function openSafetensors(path: string, opts: { viaDirectory?: boolean; displayPath?: string } = {}): SafetensorsCheckpoint {
  return new SafetensorsCheckpoint(opts.displayPath ?? path, openSafetensorsFile(path), opts.viaDirectory ?? false);
}

