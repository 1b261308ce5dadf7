/**
 * Write a .npy tensor atomically (see atomic.ts). The header goes first (its
 * size depends only on descr and shape); values are appended in C order and
 * converted to the header's descr by NpyValueWriter. For several threads
 * filling one file, `shareWithThreads` hands out the descriptor and layout.
 */
import { FqcError } from "../errors.js";
import { AtomicFile, type AtomicOptions } from "./atomic.js";
import { parseDescr, type NpyDtypeInfo } from "./dtype.js";
import { encodeNpyHeader } from "./header-encode.js";
import { checkShape, shapeRepr } from "./shape.js";
import { NpyValueWriter } from "./value-writer.js";

/** What another thread needs to write values into this writer's temp file. */
export interface SharedNpyTarget {
  /** The temp file's descriptor: descriptors are process-wide, so workers use it as is. */
  fd: number;
  /** The target path, for messages. */
  file: string;
  dataOffset: number;
  descr: string;
  elementCount: number;
}

export class AtomicNpyWriter {
  readonly tempPath: string;
  readonly targetPath: string;
  readonly shape: readonly number[];
  readonly elementCount: number;
  readonly descr: string;
  readonly dataOffset: number;
  #file: AtomicFile;
  #values: NpyValueWriter;
  #written = 0;

  private constructor(file: AtomicFile, descr: string, info: NpyDtypeInfo, shape: readonly number[], elementCount: number, dataOffset: number) {
    this.#file = file;
    this.descr = descr;
    this.shape = [...shape];
    this.tempPath = file.tempPath;
    this.targetPath = file.targetPath;
    this.elementCount = elementCount;
    this.dataOffset = dataOffset;
    this.#values = new NpyValueWriter(file.targetPath, (bytes, position) => file.writeAt(bytes, position), dataOffset, info, elementCount);
  }

  /** Validate descr/shape, refuse protected targets, create the temp file and write the header. */
  static create(targetPath: string, header: { descr: string; shape: readonly number[] }, opts: AtomicOptions = {}): AtomicNpyWriter {
    const parsed = parseDescr(header.descr);
    if (!parsed.ok) throw new FqcError("NPY", `${targetPath}: cannot write: ${parsed.what}`, { file: targetPath, hint: parsed.hint });
    const counts = checkShape(header.shape, parsed.info.itemSize);
    if (!counts.ok) throw new FqcError("NPY", `${targetPath}: cannot write: ${counts.what}`, { file: targetPath });
    const headerBytes = encodeNpyHeader({ descr: header.descr, shape: header.shape });
    const file = AtomicFile.create(targetPath, opts);
    file.write(headerBytes);
    return new AtomicNpyWriter(file, header.descr, parsed.info, header.shape, counts.elementCount, headerBytes.length);
  }

  /** Number of values written so far. */
  get written(): number {
    return this.#written;
  }

  /** Append src[0 .. elementCount) converted to the header's dtype (C order). */
  writeRows(src: Float32Array | Float64Array, elementCount: number): void {
    this.writeValues(src, elementCount);
  }

  /** Like writeRows for any numbers (used for small integer arrays). */
  writeValues(src: ArrayLike<number | bigint>, elementCount: number): void {
    if (!Number.isSafeInteger(elementCount) || elementCount < 0 || elementCount > src.length) {
      throw new RangeError(`${this.targetPath}: elementCount ${elementCount} is outside 0..${src.length}`);
    }
    this.#checkRoom(elementCount);
    try {
      this.#values.writeAt(this.#written, src, elementCount);
    } catch (err) {
      this.abort();
      throw err;
    }
    this.#written += elementCount;
  }

  /**
   * Hand the temp file to other threads, which write the values at their
   * positions (NpyValueWriter over the same descriptor). Call
   * `recordSharedWrites` with what they wrote before committing.
   */
  shareWithThreads(): SharedNpyTarget {
    return { fd: this.#file.fd, file: this.targetPath, dataOffset: this.dataOffset, descr: this.descr, elementCount: this.elementCount };
  }

  /** Count values that threads wrote through `shareWithThreads`. */
  recordSharedWrites(elementCount: number): void {
    this.#checkRoom(elementCount);
    this.#written += elementCount;
  }

  #checkRoom(elementCount: number): void {
    if (this.#written + elementCount > this.elementCount) {
      this.abort();
      throw new FqcError("NPY", `${this.targetPath}: ${this.#written + elementCount} values written, but shape ${shapeRepr(this.shape)} holds ${this.elementCount}`, { file: this.targetPath });
    }
  }

  /** Check that the whole shape was written; then everything but the rename (AtomicFile.prepare). */
  prepare(): void {
    if (this.#written !== this.elementCount) {
      this.abort();
      throw new FqcError("NPY", `${this.targetPath}: only ${this.#written} of ${this.elementCount} values were written for shape ${shapeRepr(this.shape)}`, { file: this.targetPath });
    }
    this.#file.prepare();
  }

  /** prepare (unless done), rename over the target. */
  commit(): void {
    this.prepare();
    this.#file.commit();
  }

  /** Close and delete the temp file; no-op after commit or a previous abort. */
  abort(): void {
    this.#file.abort();
  }
}
