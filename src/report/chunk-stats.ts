/**
 * One chunk's error statistics, as `report` and `apply --report` add them:
 * by WebAssembly SIMD where it runs (fq.wat, "report statistics"), and by
 * the JS loop of stats.ts (the reference) under `--kernel js`, where wasm is
 * unavailable, and for a chunk holding a NaN or ±inf in x or y, so non-finite
 * values are counted exactly as stats.ts documents. Both paths add the same
 * float64 terms; only their summation order differs, and it is fixed for a
 * chunk: the figures depend on the chunk's values alone, not on the thread or
 * on where the arrays live.
 */
import type { KernelChoice } from "../quant/kernel.js";
import { errorStatsWasm, sumSquaresWasm } from "../quant/wasm/kernel-wasm.js";
import { accumulateStats, addFiniteStats } from "./stats.js";

/**
 * Adds the statistics of x[0..n) → y[0..n) into `acc` at slot offset `at`.
 * `sumX2` is Σx² of this chunk when the caller has it already (sumSquaresWasm:
 * `report` sums it once for all its columns).
 */
export function accumulateChunkStats(
  x: Float32Array, y: Float32Array, n: number, acc: Float64Array, at: number,
  kernel: KernelChoice, sumX2: number | null = kernel === "js" ? null : sumSquaresWasm(x, n),
): void {
  // Σx² is not finite when some x is NaN or ±inf, and Σ(x − y)² when some y is.
  if (kernel !== "js" && sumX2 !== null && sumX2 - sumX2 === 0) {
    const e = errorStatsWasm(x, y, n);
    if (e && e.sumE2 - e.sumE2 === 0) {
      addFiniteStats(acc, at, n, sumX2, e.sumE2, e.maxAbsError, e.zeroed);
      return;
    }
  }
  accumulateStats(x, y, n, acc, at);
}
