/**
 * Write a .npy tensor sequentially and atomically (see atomic.ts).
 * The header goes first (its size depends only on descr and shape); values
 * are converted to the header's descr in bounded chunks: floats round to
 * nearest-even (float16 incl. subnormals/overflow), integer dtypes accept
 * only exact in-range integers.
 */
import { FqcError } from "../errors.js";
import { AtomicFile, type AtomicOptions } from "./atomic.js";
import { encodeFloats, toFromHostOrder, type FloatArray } from "./convert.js";
import { HOST_ORDER, isFloatDtype, parseDescr, type NpyDtypeInfo } from "./dtype.js";
import { encodeInts, type IntDtype } from "./encode-int.js";
import { encodeNpyHeader } from "./header-encode.js";
import { bytesOf } from "./positional.js";
import { checkShape, shapeRepr } from "./shape.js";

/** Conversion chunk: memory stays bounded whatever the caller passes. */
const CHUNK_BYTES = 4 << 20;

export class AtomicNpyWriter {
  readonly tempPath: string;
  readonly targetPath: string;
  readonly shape: readonly number[];
  readonly elementCount: number;
  #file: AtomicFile;
  #info: NpyDtypeInfo;
  #written = 0;
  #scratch: Uint8Array | null = null;

  private constructor(file: AtomicFile, info: NpyDtypeInfo, shape: readonly number[], elementCount: number) {
    this.#file = file;
    this.#info = info;
    this.shape = [...shape];
    this.tempPath = file.tempPath;
    this.targetPath = file.targetPath;
    this.elementCount = elementCount;
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
    return new AtomicNpyWriter(file, parsed.info, header.shape, counts.elementCount);
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
    if (this.#written + elementCount > this.elementCount) {
      this.abort();
      throw new FqcError("NPY", `${this.targetPath}: ${this.#written + elementCount} values written, but shape ${shapeRepr(this.shape)} holds ${this.elementCount}`, { file: this.targetPath });
    }
    const { itemSize, byteOrder, dtype } = this.#info;
    const isTyped = src instanceof Float32Array || src instanceof Float64Array;
    if (isTyped && isFloatDtype(dtype) && itemSize === src.BYTES_PER_ELEMENT && byteOrder === HOST_ORDER) {
      this.#file.write(bytesOf(src, elementCount * itemSize)); // no conversion: write the caller's bytes
    } else {
      const scratch = this.#scratch ??= new Uint8Array(new ArrayBuffer(Math.min(CHUNK_BYTES, Math.max(8, this.elementCount * itemSize))));
      const perChunk = Math.floor(scratch.length / itemSize);
      const floats: FloatArray | null = isTyped ? src : null;
      for (let done = 0; done < elementCount; done += perChunk) {
        const k = Math.min(perChunk, elementCount - done);
        const out = scratch.subarray(0, k * itemSize);
        if (isFloatDtype(dtype)) {
          encodeFloats(floats ?? Float64Array.from({ length: k }, (_, i) => Number(src[done + i])), floats ? done : 0, k, dtype, out);
        } else {
          const bad = encodeInts(src, done, k, dtype as IntDtype, out);
          if (bad >= 0) {
            this.abort();
            throw new FqcError("NPY", `${this.targetPath}: value ${String(src[bad])} at index ${this.#written + bad} cannot be stored as ${dtype}`, {
              file: this.targetPath,
              hint: `${dtype} holds whole numbers only, in its range; round or clamp the values first.`,
            });
          }
        }
        toFromHostOrder(out, itemSize, byteOrder);
        this.#file.write(out);
      }
    }
    this.#written += elementCount;
  }

  /** Check that the whole shape was written, fsync, rename over the target. */
  commit(): void {
    if (this.#written !== this.elementCount) {
      this.abort();
      throw new FqcError("NPY", `${this.targetPath}: only ${this.#written} of ${this.elementCount} values were written for shape ${shapeRepr(this.shape)}`, { file: this.targetPath });
    }
    this.#file.commit();
  }

  /** Close and delete the temp file; no-op after commit or a previous abort. */
  abort(): void {
    this.#file.abort();
  }
}
