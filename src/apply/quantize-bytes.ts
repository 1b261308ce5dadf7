/**
 * Fake-quantize whole rows given as a tensor's raw bytes, in place in those
 * bytes: what a chunk read as bytes goes through (a tensor inside a span, a
 * piece of a streamed tensor). Decoded into float32 values, rounded to the
 * compute dtype, the kernel run, encoded back in the tensor's dtype and byte
 * order; the qparams are left in `scale` and `zeroPoint`.
 */
import { decodeTensorValues, encodeTensorValues, ITEM_SIZE, type FloatTensorDtype } from "../checkpoint/tensor-values.js";
import { toFromHostOrder } from "../npy/convert.js";
import type { ByteOrder } from "../npy/dtype.js";
import { toComputeDtype } from "../quant/float.js";
import { fakeQuantizeRows, type KernelChoice } from "../quant/kernel.js";
import type { QuantPlan } from "../quant/plan.js";
import { accumulateChunkStats } from "../report/chunk-stats.js";
import type { TensorInput } from "./tensor-io.js";

/** Whether values read from `input` must be rounded to the compute dtype before the kernel runs. */
export function needsRounding(input: TensorInput["dtype"], compute: QuantPlan["compute"]): boolean {
  if (compute === "float16") return input !== "F16";
  if (compute === "bfloat16") return input !== "BF16";
  return false;
}

export interface BytesChunk {
  /** `rows` whole rows of `dtype` items in `byteOrder`; rewritten in place. */
  bytes: Uint8Array;
  dtype: FloatTensorDtype;
  byteOrder: ByteOrder;
  rows: number;
  plan: QuantPlan;
  kernel: KernelChoice;
  /** Room for the chunk's values (float32; wasm memory where the kernel runs there) and qparams. */
  values: Float32Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
  /** `apply --report`: the chunk's statistics into partials at `slot`; `x` holds the values as read. */
  stats?: { x: Float32Array; partials: Float64Array; slot: number };
}

export function fakeQuantizeBytes(c: BytesChunk): void {
  const size = ITEM_SIZE[c.dtype];
  const count = c.bytes.length / size;
  toFromHostOrder(c.bytes, size, c.byteOrder);
  decodeTensorValues(c.bytes, c.dtype, count, c.values.subarray(0, count));
  fakeQuantizeValues(c);
}

/**
 * fakeQuantizeBytes from the rounding on, for rows already decoded into
 * c.values (a Fortran-order tensor's rows, which the .npy row reader gathers
 * in C order as float32 values, float16 widened exactly): the result is
 * encoded into c.bytes, whose length says how many values there are.
 */
export function fakeQuantizeValues(c: BytesChunk): void {
  const size = ITEM_SIZE[c.dtype];
  const count = c.bytes.length / size;
  const values = c.values.subarray(0, count);
  if (needsRounding(c.dtype, c.plan.compute)) toComputeDtype(values, c.plan.compute as "float16" | "bfloat16");
  const x = c.stats?.x.subarray(0, count);
  x?.set(values);
  fakeQuantizeRows(c.plan, values, values, c.rows, c.scale, c.zeroPoint, "compute", c.kernel);
  if (c.stats && x) accumulateChunkStats(x, values, count, c.stats.partials, c.stats.slot, c.kernel);
  encodeTensorValues(values, c.dtype, count, c.bytes);
  toFromHostOrder(c.bytes, size, c.byteOrder);
}
