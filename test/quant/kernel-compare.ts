/** Running a plan through a kernel and comparing two runs bit for bit: shared by the SIMD-vs-JS kernel tests. */
import { expect } from "vitest";
import { fakeQuantizeRows, type KernelChoice } from "../../src/quant/kernel.js";
import type { QuantPlan } from "../../src/quant/plan.js";

export interface KernelResult { out: Float32Array; scale: Float64Array; zeroPoint: Float64Array }

/** All rows of `x` through `kernel` (fresh output arrays). */
export function runKernel(plan: QuantPlan, x: Float32Array, kernel: KernelChoice): KernelResult {
  const nq = plan.rows * plan.groupsPerRow;
  const out = new Float32Array(x.length);
  const scale = new Float64Array(nq);
  const zeroPoint = new Float64Array(nq);
  fakeQuantizeRows(plan, x, out, plan.rows, scale, zeroPoint, "compute", kernel);
  return { out, scale, zeroPoint };
}

/** The same rows through the default kernel, `rowsPerCall` rows per call (row 0 of a call is row 0 of its qparams). */
export function runInRowChunks(plan: QuantPlan, x: Float32Array, rowsPerCall: number): KernelResult {
  const nq = plan.rows * plan.groupsPerRow;
  const out = new Float32Array(x.length);
  const scale = new Float64Array(nq);
  const zeroPoint = new Float64Array(nq);
  const n = plan.rowLength;
  const gpr = plan.groupsPerRow;
  for (let r0 = 0; r0 < plan.rows; r0 += rowsPerCall) {
    const r1 = Math.min(plan.rows, r0 + rowsPerCall);
    fakeQuantizeRows(plan, x.subarray(r0 * n, r1 * n), out.subarray(r0 * n, r1 * n), r1 - r0,
      scale.subarray(r0 * gpr, r1 * gpr), zeroPoint.subarray(r0 * gpr, r1 * gpr), "compute");
  }
  return { out, scale, zeroPoint };
}

/** First difference in bit patterns, NaNs included, float32 and float64 alike. */
export function diffBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): string | null {
  if (a.length !== b.length) return "length";
  const ua = a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = b instanceof Float32Array ? new Uint32Array(b.buffer, b.byteOffset, b.length) : new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (ua[i] !== ub[i]) return `[${i}] ${ua[i].toString(16)} vs ${ub[i].toString(16)} (${a[i]} vs ${b[i]})`;
  }
  return null;
}

/** Scales, zero points and outputs with the same bits. */
export function expectSameBits(got: KernelResult, want: KernelResult, what: string): void {
  expect(diffBits(got.scale, want.scale), `${what} scale`).toBeNull();
  expect(diffBits(got.zeroPoint, want.zeroPoint), `${what} zero point`).toBeNull();
  expect(diffBits(got.out, want.out), `${what} output`).toBeNull();
}

/** Deterministic values in about [-2.7, 3.3). */
export function pseudoRandom(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 2 ** 32 - 0.45) * 6;
  }
  return x;
}
