/**
 * Run a chunk task (apply-chunks.ts) on the main thread and the pool's
 * workers together. The main thread yields to its event loop between chunks,
 * so Ctrl-C and progress are handled while it computes.
 */
import { ChunkRunner, chunkCountOf, CONTROL, type ChunkTask } from "../apply-chunks.js";
import type { AbortSignalLike } from "../host-types.js";
import type { WorkerPool } from "../parallel/pool.js";
import { shareWork, yieldEvery } from "../parallel/share-work.js";

/** How often the main thread reports workers' progress. */
const PROGRESS_MS = 100;

export interface RunTaskOptions {
  signal?: AbortSignalLike;
  /** Chunks finished so far (of chunkCountOf(task)). */
  onProgress?: (chunksDone: number, chunksTotal: number) => void;
  /** The error a stop request ends with (it names what was not written). */
  interrupted: () => Error;
  /** No task follows on this pool: its workers end their threads once done (WorkerPool.runOnAll). */
  last?: boolean;
}

/** Returns the number of chunks; throws the first failure once no thread still writes. */
export async function runChunkTask(task: ChunkTask, pool: WorkerPool | undefined, opts: RunTaskOptions): Promise<number> {
  const { control } = task;
  const chunkCount = chunkCountOf(task);
  if (opts.signal?.aborted) throw opts.interrupted();
  if (chunkCount === 0) return 0;
  const stop = () => Atomics.store(control, CONTROL.STOP, 1);
  let reported = 0;
  const report = () => {
    const done = Atomics.load(control, CONTROL.DONE);
    if (done !== reported) opts.onProgress?.((reported = done), chunkCount);
  };
  // Settles to the workers' failure (or undefined) so that a rejection is never left unhandled while the main thread works.
  const workers = pool?.runOnAll(task, stop, opts.last).then(() => undefined, (error: unknown) => ({ error }));
  await shareWork(async () => {
    const runner = new ChunkRunner(task);
    const pause = yieldEvery();
    try {
      while (runner.next()) {
        report();
        await pause();
      }
    } finally {
      runner.close();
    }
  }, { workers, stop, signal: opts.signal, poll: opts.onProgress && report, pollMs: PROGRESS_MS });
  // A stop request leaves chunks unclaimed: the output is incomplete and must not be committed. An abort that came
  // while the last chunks ran leaves none unclaimed, but the caller still asked for no output.
  if (opts.signal?.aborted || Atomics.load(control, CONTROL.DONE) < chunkCount) throw opts.interrupted();
  report();
  return chunkCount;
}
