/**
 * The main thread's side of a task the workers share: it runs its own share
 * while the workers run theirs, a failure on either side (or an abort) asks
 * everyone to stop, and once its share is done it keeps reporting the
 * workers' progress until they finish. Used by apply and report alike.
 */
import type { AbortSignalLike } from "../host-types.js";

export interface ShareWorkOptions {
  /** The workers' run, settled to their first failure (or undefined): never left rejected while the main thread works. */
  workers: Promise<{ error: unknown } | undefined> | undefined;
  /** Asks every thread to stop after its current chunk. */
  stop: () => void;
  signal?: AbortSignalLike;
  /** Reports progress; polled every `pollMs` while the workers finish, when given. */
  poll?: () => void;
  pollMs: number;
}

/** How often the signal is looked at while threads work: the longest an abort waits before the threads are asked to stop. */
export const ABORT_POLL_MS = 5;

/**
 * Runs `mainShare` beside the workers; throws the first failure of either side once no thread still works.
 *
 * The signal is polled, not listened to: a host that shares one signal among many concurrent calls (one
 * cancel for a batch) would otherwise get Node's MaxListenersExceededWarning printed past 10 calls.
 */
export async function shareWork(mainShare: () => Promise<void>, opts: ShareWorkOptions): Promise<void> {
  const { signal } = opts;
  const watch = signal && setInterval(() => { if (signal.aborted) opts.stop(); }, ABORT_POLL_MS);
  let poll: ReturnType<typeof setInterval> | undefined;
  let failure: { error: unknown } | undefined;
  try {
    try {
      await mainShare();
    } catch (error) {
      opts.stop();
      failure = { error };
    }
    if (signal?.aborted) opts.stop();
    // Out of chunks here; the workers finish theirs. Awaited after a failure here too (`failure ??= await` would
    // not): the caller's cleanup must not start while a worker still writes.
    if (opts.poll) poll = setInterval(opts.poll, opts.pollMs);
    const theirs = await opts.workers;
    failure ??= theirs;
  } finally {
    if (poll) clearInterval(poll);
    if (watch) clearInterval(watch);
  }
  if (failure) throw failure.error;
}

/** Longest run of chunks between two turns of the event loop. */
export const YIELD_MS = 5;

/**
 * Lets the event loop run (signals, progress) between two chunks, and before
 * outputs are renamed into place: a signal that came during synchronous work
 * (rendering a report of 100,000s of tensors takes seconds) is handled then,
 * so the run it stops leaves no output.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A yield for between chunks that lets the event loop run only when `ms` have
 * passed since it last did: yielding after every chunk cost ~7 µs each, seconds
 * on a checkpoint of 300,000 tiny tensors, while a signal waits at most `ms` more.
 */
export function yieldEvery(ms = YIELD_MS): () => Promise<void> {
  // Date.now, not performance.now: the global `performance` loads node:perf_hooks, which a small apply does not need.
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < ms) return Promise.resolve();
    last = now;
    return yieldToEventLoop();
  };
}
