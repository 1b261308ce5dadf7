/**
 * Where a tensor's bytes are, in the form every thread of `apply` can use:
 * an open descriptor, the absolute offset of the first data byte, the item
 * type and byte order. The same description serves a .npy file, a tensor of
 * a safetensors file and a stored .npz member; each thread makes its own
 * row reader and value writers over it (descriptors are process-wide).
 */
import type { TensorDtype } from "../checkpoint/types.js";
import { decodeTensorValues, encodeTensorValues } from "../checkpoint/tensor-values.js";
import { parseDescr, type ByteOrder, type NpyDtype } from "../npy/dtype.js";
import type { NpyHeader } from "../npy/header.js";
import { bytesOf, readFully, writeFully } from "../npy/positional.js";
import { NpyRowReader } from "../npy/reader.js";
import { NpyValueWriter } from "../npy/value-writer.js";

/** Item types a chunk reads (the floats fqc computes on; F64 from .npy files only). */
export type InputDtype = "F16" | "F32" | "BF16" | "F64";
/** Item types a chunk writes: values, and the qparams (scale, zero point). */
export type OutputDtype = InputDtype | "I8" | "I16" | "I32" | "I64" | "U8";

/** A tensor to read by whole rows. */
export interface TensorInput {
  /** Named in messages. */
  file: string;
  fd: number;
  dataOffset: number;
  dtype: InputDtype;
  byteOrder: ByteOrder;
  shape: readonly number[];
  fortranOrder: boolean;
}

/** Where values go: element k of the tensor at dataOffset + k × item size (C order). */
export interface TensorOutput {
  file: string;
  fd: number;
  dataOffset: number;
  dtype: OutputDtype;
  byteOrder: ByteOrder;
}

/** Reads rows [start, start + count) in C order into dest (float32 values, or float64 for F64 inputs). */
export interface RowReader {
  readRows(start: number, count: number, dest: Float32Array | Float64Array): void;
  close(): void;
}

/** Writes src[0 .. count) as elements [at, at + count). */
export interface ValueWriter {
  writeAt(at: number, src: Float32Array | Float64Array, count: number): void;
}

const NPY_NAME: Record<Exclude<OutputDtype, "BF16">, { npy: NpyDtype; kind: string; size: number }> = {
  F16: { npy: "float16", kind: "f", size: 2 },
  F32: { npy: "float32", kind: "f", size: 4 },
  F64: { npy: "float64", kind: "f", size: 8 },
  I8: { npy: "int8", kind: "i", size: 1 },
  I16: { npy: "int16", kind: "i", size: 2 },
  I32: { npy: "int32", kind: "i", size: 4 },
  I64: { npy: "int64", kind: "i", size: 8 },
  U8: { npy: "uint8", kind: "u", size: 1 },
};

export const ITEM_BYTES: Record<OutputDtype, number> = { F16: 2, F32: 4, F64: 8, BF16: 2, I8: 1, I16: 2, I32: 4, I64: 8, U8: 1 };

/** The .npy descr of a dtype (BF16 has none). */
export function descrOf(dtype: Exclude<OutputDtype, "BF16">, byteOrder: ByteOrder): string {
  const n = NPY_NAME[dtype];
  return `${n.size === 1 ? "|" : byteOrder === "big" ? ">" : "<"}${n.kind}${n.size}`;
}

/** The tensor dtype of a .npy descr that fqc reads or writes here; undefined for the rest. */
export function dtypeOfDescr(descr: string): { dtype: OutputDtype; byteOrder: ByteOrder } | undefined {
  const parsed = parseDescr(descr);
  if (!parsed.ok) return undefined;
  const found = (Object.keys(NPY_NAME) as Array<keyof typeof NPY_NAME>).find((k) => NPY_NAME[k].npy === parsed.info.dtype);
  return found && { dtype: found, byteOrder: parsed.info.byteOrder };
}

/** Whether a checkpoint tensor's dtype is one a chunk can write (the qparams' and the floats'). */
export function isOutputDtype(d: TensorDtype): d is OutputDtype {
  return d in ITEM_BYTES;
}

/**
 * A reader of `input` for this thread. Little-endian C-order BF16 (the
 * safetensors case) is read straight into the destination's bytes and widened
 * in place; every other layout goes through the .npy row reader (byte order,
 * Fortran order, float16 and float64 decoding).
 */
export function rowReaderFor(input: TensorInput): RowReader {
  if (input.dtype === "BF16") return new Bf16RowReader(input);
  const descr = descrOf(input.dtype, input.byteOrder);
  const parsed = parseDescr(descr);
  if (!parsed.ok) throw new Error(`${input.file}: ${parsed.what}`);
  const elementCount = input.shape.reduce((a, b) => a * b, 1);
  const header: NpyHeader = {
    version: [1, 0],
    descr,
    dtype: parsed.info.dtype,
    byteOrder: input.byteOrder,
    itemSize: parsed.info.itemSize,
    fortranOrder: input.fortranOrder,
    shape: [...input.shape],
    dataOffset: input.dataOffset,
    elementCount,
    dataBytes: elementCount * parsed.info.itemSize,
  };
  return NpyRowReader.overDescriptor(input.file, input.fd, header);
}

class Bf16RowReader implements RowReader {
  readonly #input: TensorInput;
  readonly #rowLength: number;

  constructor(input: TensorInput) {
    if (input.byteOrder !== "little" || input.fortranOrder) {
      throw new Error(`${input.file}: bfloat16 tensors are read little-endian and in C order only`);
    }
    this.#input = input;
    this.#rowLength = input.shape.length === 0 ? 1 : input.shape[input.shape.length - 1];
  }

  readRows(start: number, count: number, dest: Float32Array | Float64Array): void {
    if (!(dest instanceof Float32Array)) throw new Error(`${this.#input.file}: bfloat16 rows are read into float32 values`);
    const n = count * this.#rowLength;
    if (n === 0) return;
    // The 2n raw bytes land in the upper half of the 4n-byte destination; widening them forward
    // never overwrites a raw item before it is read (item k is written at 4k, read from 2n + 2k).
    const raw = bytesOf(dest).subarray(2 * n, 4 * n);
    readFully(this.#input.fd, raw, this.#input.dataOffset + start * this.#rowLength * 2, this.#input.file);
    decodeTensorValues(raw, "BF16", n, dest);
  }

  close(): void { /* the descriptor belongs to the caller */ }
}

/**
 * A writer of values into `output` for this thread. BF16 values are
 * narrowed in place (they are exact bfloat16 values after a bfloat16
 * computation) and written from the caller's buffer: the caller must not
 * need them afterwards. Other dtypes go through the .npy value writer
 * (rounding floats, refusing inexact integers).
 */
export function valueWriterFor(
  output: TensorOutput, maxElements: number,
  sink: (bytes: Uint8Array, position: number) => void = (bytes, position) => writeFully(output.fd, bytes, position, output.file),
): ValueWriter {
  if (output.dtype === "BF16") {
    if (output.byteOrder !== "little") throw new Error(`${output.file}: bfloat16 values are written little-endian only`);
    return {
      writeAt(at, src, count) {
        if (count === 0) return;
        if (src instanceof Float32Array) {
          const out = bytesOf(src, 2 * count);
          encodeTensorValues(src, "BF16", count, out);
          sink(out, output.dataOffset + at * 2);
          return;
        }
        // float64 qparams holding bfloat16 values: narrow through a small float32 buffer.
        const block = new Float32Array(Math.min(count, 1 << 16));
        for (let done = 0; done < count; done += block.length) {
          const k = Math.min(block.length, count - done);
          block.set(src.subarray(done, done + k));
          const out = bytesOf(block, 2 * k);
          encodeTensorValues(block, "BF16", k, out);
          sink(out, output.dataOffset + (at + done) * 2);
        }
      },
    };
  }
  const parsed = parseDescr(descrOf(output.dtype, output.byteOrder));
  if (!parsed.ok) throw new Error(`${output.file}: ${parsed.what}`);
  return new NpyValueWriter(output.file, sink, output.dataOffset, parsed.info, maxElements);
}
