/**
 * Small safetensors files written by hand in tests (8-byte LE header length,
 * JSON header {name: {dtype, shape, data_offsets}}, data), and a Checkpoint
 * over them built from what the test wrote (no reader involved), with values
 * kept as float32 for recomputing figures in the test.
 */
import { halfBitsToNumber } from "./fixtures.js";
import { readFileSync, writeFileSync } from "node:fs";
import type { Checkpoint, CheckpointTensor, TensorDtype } from "../../src/checkpoint/types.js";

export interface TestTensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** Values for F32/F16/BF16 (rounded to the dtype here: BF16 to nearest even, F16 via Math.fround + half); raw bytes for others. */
  values?: ArrayLike<number>;
  raw?: Uint8Array;
}

/** bfloat16 bits of a float32 value, round to nearest even (NaN kept quiet). */
export function bf16Bits(v: number): number {
  const u = new Uint32Array(new Float32Array([v]).buffer)[0];
  if (Number.isNaN(v)) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Half bits of a value (round to nearest even), independent of src/. */
export function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -24 / 2) return sign;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (e < -14) {
    const m = roundEven(a / 2 ** -24);
    return sign | m;
  }
  let m = roundEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) { m = 0; e++; }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

export function tensorBytes(t: TestTensor): Uint8Array {
  if (t.raw) return t.raw;
  const v = t.values!;
  if (t.dtype === "F32") return new Uint8Array(Float32Array.from(v).buffer);
  if (t.dtype === "BF16") return new Uint8Array(Uint16Array.from(Array.from(v, bf16Bits)).buffer);
  if (t.dtype === "F16") return new Uint8Array(Uint16Array.from(Array.from(v, halfBits)).buffer);
  if (t.dtype === "I64") return new Uint8Array(BigInt64Array.from(Array.from(v, (x) => BigInt(x))).buffer);
  throw new Error(`no test encoding for ${t.dtype}`);
}

/** The values as stored (after rounding to the dtype), as float32. */
export function storedValues(t: TestTensor): Float32Array {
  const b = tensorBytes(t);
  if (t.dtype === "F32") return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const h = new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer);
  if (t.dtype === "BF16") h.forEach((x, i) => (bits[i] = x << 16));
  else h.forEach((x, i) => (out[i] = halfBitsToNumber(x)));
  return out;
}

/** Writes `tensors` (in this order) as a safetensors file; returns each tensor's absolute data offset. */
export function writeSafetensors(file: string, tensors: readonly TestTensor[], metadata?: Record<string, string>): number[] {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const datas = tensors.map(tensorBytes);
  let at = 0;
  tensors.forEach((t, i) => {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + datas[i].length] };
    at += datas[i].length;
  });
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  const offsets: number[] = [];
  for (const d of datas) {
    offsets.push(p);
    out.set(d, p);
    p += d.length;
  }
  writeFileSync(file, out);
  return offsets;
}

/**
 * A Checkpoint over a file written by writeSafetensors, from what the test
 * knows of it. `streamOnly` names tensors to present as streamable only
 * (dataOffset null), as a deflated .npz member is.
 */
export function testCheckpoint(file: string, tensors: readonly TestTensor[], opts: { streamOnly?: string[]; pieceBytes?: number } = {}): Checkpoint {
  const offsets = writeSafetensors(file, tensors);
  const list: CheckpointTensor[] = tensors.map((t, index) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    byteLength: tensorBytes(t).length,
    index,
    file,
    dataOffset: opts.streamOnly?.includes(t.name) ? null : offsets[index],
    byteOrder: "little",
    fortranOrder: false,
  }));
  return {
    path: file,
    format: "safetensors",
    tensors: list,
    metadata: null,
    *stream(t: CheckpointTensor, maxBytes: number) {
      const all = readFileSync(file).subarray(offsets[t.index], offsets[t.index] + t.byteLength);
      // Odd piece sizes: the reader may hand out any split.
      const step = Math.max(1, Math.min(maxBytes, opts.pieceBytes ?? 1000));
      for (let i = 0; i < all.length; i += step) yield all.subarray(i, Math.min(all.length, i + step));
    },
    close() {},
  };
}

/** Deterministic pseudo-random normal-ish values (sum of uniforms), with a few outliers. */
export function weights(n: number, seed: number, scale = 0.02): Float32Array {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (rnd() + rnd() + rnd() - 1.5) * 2 * scale;
    out[i] = i % 97 === 5 ? v * 20 : v;
  }
  return out;
}
