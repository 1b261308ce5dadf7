/**
 * Run a chunk task (apply-chunks.ts) on the main thread and the pool's
 * workers together. The main thread yields to its event loop between chunks,
 * so Ctrl-C and progress are handled while it computes.
 */
import { ChunkRunner, chunkCountOf, CONTROL, type ChunkTask, type QuantItem } from "../apply-chunks.js";
import type { AbortSignalLike } from "../host-types.js";
import type { WorkerPool } from "../parallel/pool.js";
import { shareWork, yieldEvery } from "../parallel/share-work.js";
import { PIPE, pipelineFor, runPipelineMain } from "./pipeline.js";

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
  /**
   * A task of one tensor on one worker may run as a pipeline (pipeline.ts): apply's `.npy` path asks for it.
   * A checkpoint's tasks keep the chunk loop, whose threads each read, compute and write (measured at its floor).
   */
  pipeline?: boolean;
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
  // One tensor on one worker runs as a pipeline (pipeline.ts): this thread reads and writes, the worker computes.
  const pipe = pool && opts.pipeline ? pipelineFor(task, pool.size) : null;
  const stopAll = pipe ? () => {
    stop();
    Atomics.store(pipe.control, PIPE.STOP, 1);
    Atomics.notify(pipe.control, PIPE.POSTED);
  } : stop;
  let workerEnded = false;
  // Settles to the workers' failure (or undefined) so that a rejection is never left unhandled while the main thread works.
  const workers = pool?.runOnAll(pipe ?? task, stopAll, opts.last).then(() => undefined, (error: unknown) => ({ error }))
    .finally(() => { workerEnded = true; });
  await shareWork(async () => {
    const pause = yieldEvery();
    if (pipe) {
      await runPipelineMain(task, task.items[0] as QuantItem, pipe, {
        pause: async () => {
          report();
          await pause();
        },
        workerEnded: () => workerEnded,
      });
      return;
    }
    const runner = new ChunkRunner(task);
    try {
      while (runner.next()) {
        report();
        await pause();
      }
    } finally {
      runner.close();
    }
  }, { workers, stop: stopAll, signal: opts.signal, poll: opts.onProgress && report, pollMs: PROGRESS_MS });
  // A stop request leaves chunks unclaimed: the output is incomplete and must not be committed. An abort that came
  // while the last chunks ran leaves none unclaimed, but the caller still asked for no output.
  if (opts.signal?.aborted || Atomics.load(control, CONTROL.DONE) < chunkCount) throw opts.interrupted();
  report();
  return chunkCount;
}
