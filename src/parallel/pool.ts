/**
 * A fixed pool of worker threads running the fake-quant kernel over shared
 * buffers. Each call splits a block of rows into one contiguous range per
 * worker (whole rows, so whole groups and tokens), which keeps results
 * independent of the thread count.
 */
import { Worker } from "node:worker_threads";
import { WORKER_SOURCE } from "./worker-source.generated.js";
import type { Job, JobBuffers, WorkerReply } from "./protocol.js";
import type { QuantPlan } from "../quant/plan.js";
import type { KernelChoice, QparamMode } from "../quant/kernel.js";

export class WorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
    this.size = size;
    this.workers = Array.from({ length: size }, () => this.spawn());
  }

  private spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on("message", (r: WorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve();
      else p.reject(new Error(r.message));
    });
    w.on("error", (e) => this.failAll(e));
    // A worker must never exit while the pool is open; if one does, fail its jobs rather than hang.
    w.on("exit", (code) => {
      if (!this.closed) this.failAll(new Error(`worker thread exited unexpectedly (code ${code})`));
    });
    return w;
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /** Runs the kernel over rows [0, rowCount) of `buffers`, split across the workers. */
  run(plan: QuantPlan, buffers: JobBuffers, rowCount: number, mode: QparamMode, kernel: KernelChoice = "auto"): Promise<void> {
    if (this.closed) return Promise.reject(new Error("worker pool is closed"));
    const parts = Math.min(this.size, rowCount);
    const jobs: Promise<void>[] = [];
    let start = 0;
    for (let i = 0; i < parts; i++) {
      // Balanced split: the first (rowCount % parts) ranges get one extra row.
      const count = Math.floor(rowCount / parts) + (i < rowCount % parts ? 1 : 0);
      const job: Job = { id: this.nextId++, plan, buffers, rowStart: start, rowCount: count, mode, kernel };
      start += count;
      jobs.push(
        new Promise<void>((resolve, reject) => {
          this.pending.set(job.id, { resolve, reject });
          this.workers[i].postMessage(job);
        }),
      );
    }
    return Promise.all(jobs).then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new Error("worker pool closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
