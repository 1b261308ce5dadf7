/** How many threads apply computes with (shared by apply and the early start of workers). */
import { availableParallelism } from "node:os";
import { FqcError } from "../errors.js";
import { kindOf } from "../library-args.js";
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

/**
 * Refuses a thread count that is neither "auto" nor a whole number from 0 to the machine's cap; `what` names
 * the option as its caller spells it (`--threads`, `applyFile: options.threads`).
 */
export function checkThreads(requested: unknown, what: string): void {
  if (requested === undefined || requested === "auto") return;
  if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 0) {
    const got = typeof requested === "number" ? String(requested) : typeof requested === "string" ? JSON.stringify(requested) : kindOf(requested);
    throw new FqcError("USAGE", `${what} must be a whole number ≥ 0 or "auto", not ${got}`, {
      hint: `0 or 1 computes on the calling thread alone; "auto" picks one thread per core for large tensors.`,
    });
  }
  // Each worker costs ~10 MB and a V8 isolate; thousands of them exhaust memory without going faster.
  const max = maxThreads();
  if (requested > max) {
    throw new FqcError("USAGE", `${what} is ${requested}, more than fqc allows on this machine (at most ${max})`, {
      hint: `This machine has ${availableParallelism()} cores; "auto" picks a good number.`,
    });
  }
}

function maxThreads(): number {
  return Math.max(64, 4 * availableParallelism());
}

/** The threads a run computes with; `requested` was checked with checkThreads. */
export function resolveThreads(requested: number | "auto" | undefined, elements: number, kernel: KernelKind = "js"): number {
  if (requested === undefined || requested === "auto") {
    return elements < INLINE_LIMIT[kernel] ? 0 : Math.max(1, availableParallelism());
  }
  checkThreads(requested, "threads");
  return requested;
}
