/**
 * Fake quantization of raw 16-bit checkpoint values (BF16 or F16 bytes,
 * little-endian) in the wasm kernel's chunk memory, without a float32 copy:
 * the fused kernel widens, quantizes and narrows in registers, and the rare
 * groups it leaves (a non-finite input, scale or reciprocal) are widened here
 * one at a time, run by the JS kernel and narrowed back. The bytes equal
 * decoding, fakeQuantizeRows and encoding the chunk (tensor-values.ts).
 */
import { float32ToHalves, halfToFloat32Bits } from "../npy/float16.js";
import { fakeQuantizeRows } from "./kernel.js";
import type { QuantPlan } from "./plan.js";
import { fakeQuantizeRaw16Wasm } from "./wasm/kernel-wasm.js";

/**
 * Fake-quantizes rowCount rows of `raw` in place (plan.compute is the
 * values' own dtype: "bfloat16" for BF16 bytes, "float16" for F16), with
 * scale and zeroPoint views of the same chunk memory (wasmChunkViews).
 * false, having touched nothing, when the fused kernel does not take this
 * plan or these arrays (raw16Applies): the caller then decodes and runs
 * fakeQuantizeRows.
 */
export function fakeQuantizeRaw16(plan: QuantPlan, raw: Uint8Array, rowCount: number, scale: Float64Array, zeroPoint: Float64Array): boolean {
  if (plan.compute !== "bfloat16" && plan.compute !== "float16") return false;
  const left = fakeQuantizeRaw16Wasm(plan, raw, rowCount, scale, zeroPoint);
  if (left < 0) return false;
  if (left > 0) runLeftGroups(plan, raw, rowCount, scale, zeroPoint);
  return true;
}

function runLeftGroups(plan: QuantPlan, raw: Uint8Array, rowCount: number, scale: Float64Array, zeroPoint: Float64Array): void {
  const g = plan.groupSize;
  const half = plan.compute === "float16";
  const one: QuantPlan = { ...plan, rows: 1, rowLength: g, groupsPerRow: 1, shape: [1, g], qparamShape: [1, 1] };
  const values = new Float32Array(g);
  const bits = new Uint32Array(values.buffer);
  const table = half ? halfToFloat32Bits() : null;
  for (let k = 0; k < rowCount * plan.groupsPerRow; k++) {
    const s = scale[k];
    const r = Math.fround(1 / s);
    if (Number.isFinite(s) && Number.isFinite(r)) continue;
    const h = new Uint16Array(raw.buffer, raw.byteOffset + 2 * k * g, g);
    for (let i = 0; i < g; i++) bits[i] = table ? table[h[i]] : h[i] << 16;
    fakeQuantizeRows(one, values, values, 1, scale.subarray(k, k + 1), zeroPoint.subarray(k, k + 1), "compute", "js");
    if (table) float32ToHalves(values, 0, g, h);
    else for (let i = 0; i < g; i++) h[i] = bits[i] >>> 16;
  }
}
