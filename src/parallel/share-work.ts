/**
 * The main thread's side of a task the workers share: it runs its own share
 * while the workers run theirs, a failure on either side (or an abort) asks
 * everyone to stop, and once its share is done it keeps reporting the
 * workers' progress until they finish. Used by apply and report alike.
 */

export interface ShareWorkOptions {
  /** The workers' run, settled to their first failure (or undefined): never left rejected while the main thread works. */
  workers: Promise<{ error: unknown } | undefined> | undefined;
  /** Asks every thread to stop after its current chunk. */
  stop: () => void;
  signal?: AbortSignal;
  /** Reports progress; polled every `pollMs` while the workers finish, when given. */
  poll?: () => void;
  pollMs: number;
}

/** Runs `mainShare` beside the workers; throws the first failure of either side once no thread still works. */
export async function shareWork(mainShare: () => Promise<void>, opts: ShareWorkOptions): Promise<void> {
  opts.signal?.addEventListener("abort", opts.stop);
  let poll: ReturnType<typeof setInterval> | undefined;
  let failure: { error: unknown } | undefined;
  try {
    try {
      await mainShare();
    } catch (error) {
      opts.stop();
      failure = { error };
    }
    // Out of chunks here; the workers finish theirs.
    if (opts.poll) poll = setInterval(opts.poll, opts.pollMs);
    failure ??= await opts.workers;
  } finally {
    if (poll) clearInterval(poll);
    opts.signal?.removeEventListener("abort", opts.stop);
  }
  if (failure) throw failure.error;
}

/** Lets the event loop run (signals, progress) between two chunks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
