/**
 * Synchronous work cut into steps, so that one body serves both a caller that
 * wants the answer at once and one that must stay responsive: the body is a
 * generator that yields between two steps (a batch of regex tests), runSteps
 * runs it straight through, and runStepsYielding lets the event loop in every
 * few milliseconds, so that a signal is handled then and not minutes later.
 */
import type { AbortSignalLike } from "./host-types.js";
import { yieldEvery } from "./parallel/share-work.js";

export type Steps<T> = Generator<void, T, undefined>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** What stops a yielding run between two steps: an abort of `signal`, which rejects with `error()`. */
export interface StepsAbort {
  signal: AbortSignalLike | undefined;
  error: () => Error;
}

export async function runStepsYielding<T>(steps: Steps<T>, abort?: StepsAbort): Promise<T> {
  const pause = yieldEvery();
  for (;;) {
    if (abort?.signal?.aborted) throw abort.error();
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
}
