/** Messages between the pool and its workers. Data moves through files and shared memory; messages carry only the task and the outcome. */
import type { ChunkTask } from "../apply-chunks.js";
import type { FqcErrorCode } from "../errors.js";
import type { ReportTask } from "../report/report-chunks.js";

/** A worker's workerData: the wasm kernel module compiled by the thread that started it (structured clone shares it, no copy). */
export interface WorkerStart {
  kernel?: object;
}

/** What a worker runs: apply's chunk loop, or report's (which says so in its `kind`). */
export type WorkerTask = ChunkTask | ReportTask;

export interface Job {
  id: number;
  task: WorkerTask;
  /** The pool's last job: the worker ends its thread once it has replied (see WorkerPool.runOnAll). */
  last?: boolean;
}

/** A failure keeps what the CLI needs to report it like one from the main thread. */
export interface WorkerFailure {
  message: string;
  code?: FqcErrorCode;
  hint?: string;
  file?: string;
}

export type WorkerReply = { id: number; ok: true; chunks: number } | ({ id: number; ok: false } & WorkerFailure);
