/** Starting one apply worker thread: the pool's and the early start's (early-workers.ts) one way of doing it. */
import type { Worker } from "node:worker_threads";
import { createRequire } from "node:module";
import type { WorkerStart } from "./protocol.js";
import { WORKER_SOURCE } from "./worker-source.generated.js";

/**
 * A worker running worker-entry.ts. worker_threads is required here, on first
 * use, so a run that starts no thread never loads it (~3 ms). The worker's
 * stdout and stderr are not piped into this process's streams by Node, which
 * would build both streams at once (~2-3 ms); anything a worker prints is
 * passed on when it arrives (fqc's workers print nothing).
 *
 * `kernel`: the wasm kernel module compiled by this thread (compiledKernel),
 * which the worker adopts instead of compiling its own copy.
 */
export function spawnWorker(kernel?: object | null): Worker {
  const { Worker: WorkerClass } = createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
  const workerData: WorkerStart | undefined = kernel ? { kernel } : undefined;
  const w = new WorkerClass(WORKER_SOURCE, { eval: true, stdout: true, stderr: true, workerData });
  w.stdout.on("data", (d: Buffer) => process.stdout.write(d));
  w.stderr.on("data", (d: Buffer) => process.stderr.write(d));
  return w;
}
