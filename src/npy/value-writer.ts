/**
 * Convert values to a .npy dtype and write them at element positions of a
 * data section. AtomicNpyWriter appends through it; the threads of `apply`
 * each fill disjoint rows of one output file through the same descriptor.
 * Floats round to nearest-even (float16 incl. subnormals/overflow); integer
 * dtypes accept only exact in-range integers.
 */
import { FqcError } from "../errors.js";
import { encodeFloats, toFromHostOrder, type FloatArray } from "./convert.js";
import { HOST_ORDER, isFloatDtype, type NpyDtypeInfo } from "./dtype.js";
import { encodeInts, type IntDtype } from "./encode-int.js";
import { bytesOf } from "./positional.js";

/** Conversion buffer: memory stays bounded whatever the caller passes. */
export const ENCODE_CHUNK_BYTES = 4 << 20;

/** Writes `bytes` at absolute file offset `position` (all of them, or throws). */
export type PositionalSink = (bytes: Uint8Array, position: number) => void;

export class NpyValueWriter {
  readonly #file: string;
  readonly #sink: PositionalSink;
  readonly #dataOffset: number;
  readonly #info: NpyDtypeInfo;
  readonly #scratchBytes: number;
  #scratch: Uint8Array | null = null;

  /** `file` names the target in messages; `maxElements` only sizes the conversion buffer. */
  constructor(file: string, sink: PositionalSink, dataOffset: number, info: NpyDtypeInfo, maxElements: number) {
    this.#file = file;
    this.#sink = sink;
    this.#dataOffset = dataOffset;
    this.#info = info;
    this.#scratchBytes = Math.min(ENCODE_CHUNK_BYTES, Math.max(8, maxElements * info.itemSize));
  }

  /** Write src[0 .. count) as elements [at, at + count) of the data section. */
  writeAt(at: number, src: ArrayLike<number | bigint>, count: number): void {
    const { itemSize, byteOrder, dtype } = this.#info;
    let position = this.#dataOffset + at * itemSize;
    const isTyped = src instanceof Float32Array || src instanceof Float64Array;
    if (isTyped && isFloatDtype(dtype) && itemSize === src.BYTES_PER_ELEMENT && byteOrder === HOST_ORDER) {
      this.#sink(bytesOf(src, count * itemSize), position); // no conversion: write the caller's bytes
      return;
    }
    // Own buffer (not a pooled one): aligned for any item size.
    const scratch = this.#scratch ??= new Uint8Array(new ArrayBuffer(this.#scratchBytes));
    const perChunk = Math.floor(scratch.length / itemSize);
    const floats: FloatArray | null = isTyped ? src : null;
    for (let done = 0; done < count; done += perChunk) {
      const k = Math.min(perChunk, count - done);
      const out = scratch.subarray(0, k * itemSize);
      if (isFloatDtype(dtype)) {
        encodeFloats(floats ?? Float64Array.from({ length: k }, (_, i) => Number(src[done + i])), floats ? done : 0, k, dtype, out);
      } else {
        const bad = encodeInts(src, done, k, dtype as IntDtype, out);
        if (bad >= 0) {
          throw new FqcError("NPY", `${this.#file}: value ${String(src[bad])} at index ${at + bad} cannot be stored as ${dtype}`, {
            file: this.#file,
            hint: `${dtype} holds whole numbers only, in its range; round or clamp the values first.`,
          });
        }
      }
      toFromHostOrder(out, itemSize, byteOrder);
      this.#sink(out, position);
      position += out.length;
    }
  }
}
