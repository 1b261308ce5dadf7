/** How many threads apply computes with (shared by apply and the early start of workers). */
import { availableParallelism } from "node:os";
import { FqcError } from "../errors.js";

/** Below this many elements, starting threads costs more than it saves. */
export const INLINE_LIMIT = 1 << 20;

export function resolveThreads(requested: number | "auto" | undefined, elements: number): number {
  if (requested === undefined || requested === "auto") {
    return elements < INLINE_LIMIT ? 0 : Math.max(1, availableParallelism());
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
