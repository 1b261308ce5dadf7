/** How many threads apply computes with (shared by apply and the early start of workers). */
import { availableParallelism } from "node:os";
import { FqcError } from "../errors.js";
import type { KernelKind } from "../quant/kernel.js";

/**
 * "auto" keeps a tensor on the main thread below these many elements, by the
 * kernel that will run: a worker takes 30-40 ms to start here, so it pays off
 * only when the main thread alone would work longer than that. Measured on
 * the bench machine, one thread against two: with the SIMD kernel one thread
 * was faster up to 24 Mi elements (by 13 ms at 8 Mi, 7-13 ms at 24 Mi) and two
 * from 32 Mi on (5-8 ms); the JS kernel is 10-30x slower per element, and two
 * threads were faster already at 8 Mi (by 16 ms).
 */
export const INLINE_LIMIT: Readonly<Record<KernelKind, number>> = { wasm: 32 << 20, js: 1 << 20 };

export function resolveThreads(requested: number | "auto" | undefined, elements: number, kernel: KernelKind = "js"): number {
  if (requested === undefined || requested === "auto") {
    return elements < INLINE_LIMIT[kernel] ? 0 : Math.max(1, availableParallelism());
  }
  if (!Number.isInteger(requested) || requested < 0) {
    throw new FqcError("USAGE", `--threads must be a non-negative integer or "auto", got ${requested}`);
  }
  // Each worker costs ~10 MB and a V8 isolate; thousands of them exhaust memory without going faster.
  const max = Math.max(64, 4 * availableParallelism());
  if (requested > max) {
    throw new FqcError("USAGE", `--threads ${requested} is more than fqc allows on this machine (at most ${max})`, {
      hint: `This machine has ${availableParallelism()} cores; "auto" picks a good number.`,
    });
  }
  return requested;
}
