/**
 * A fixed pool of worker threads for `apply`. Every worker runs the same
 * chunk task: chunks are claimed from a shared counter, so fast workers take
 * more and results never depend on the thread count (each chunk is whole rows,
 * so whole groups and tokens, computed the same way wherever it runs).
 */
import type { WorkerThread } from "../host-types.js";
import { LIBRARY_WORDS, sentence, type CallerWords } from "../caller-words.js";
import { FqcError } from "../errors.js";
import { compiledKernel } from "../quant/wasm/kernel-wasm.js";
import { spawnWorker } from "./spawn-worker.js";
import type { WorkerFailure, WorkerReply, WorkerTask } from "./protocol.js";

interface Pending {
  resolve: (chunks: number) => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  readonly size: number;
  private readonly workers: WorkerThread[];
  private nextId = 1;
  /** Each worker's job in flight (a worker runs one at a time), keyed by job id. */
  private readonly pending = new Map<number, Pending & { worker: WorkerThread }>();
  private closed = false;
  /** The last job was posted (runOnAll's `last`): workers end by themselves after it. */
  private ended = false;
  /**
   * Workers that failed or exited, with why: a job posted to one later would wait for a reply that never
   * comes (a thread that could not start, out of descriptors, fails before apply posts its first job).
   */
  private readonly gone = new Map<WorkerThread, Error>();

  /** Says in a thread's failure how the caller computes on one thread (its option's name in `words`). */
  private readonly words: CallerWords;

  /** `started`: workers already running worker-entry (early-workers.ts), used before new ones are started. */
  constructor(size: number, started: readonly WorkerThread[] = [], words: CallerWords = LIBRARY_WORDS) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
    if (started.length > size) throw new RangeError(`${started.length} started workers for a pool of ${size}`);
    this.size = size;
    this.words = words;
    // New workers adopt this thread's compiled kernel rather than compile their own (worker-entry.ts).
    const kernel = started.length < size ? compiledKernel() : null;
    this.workers = Array.from({ length: size }, (_, i) => this.watch(started[i] ?? spawnWorker(kernel)));
  }

  private watch(w: WorkerThread): WorkerThread {
    w.on("message", (value) => {
      const r = value as WorkerReply; // worker-entry.ts posts nothing else
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.chunks);
      else p.reject(failureError(r));
    });
    // Only this worker's job fails: the others keep running until they see the stop flag.
    w.on("error", (e) => this.lose(w, threadError(e, this.words)));
    // A worker must never exit while the pool is open; if one does, fail its job rather than hang.
    w.on("exit", (code) => {
      if (!this.closed && !(this.ended && code === 0 && !this.hasJob(w))) this.lose(w, new Error(`worker thread exited unexpectedly (code ${code})`));
    });
    return w;
  }

  private hasJob(w: WorkerThread): boolean {
    for (const p of this.pending.values()) if (p.worker === w) return true;
    return false;
  }

  /** `w` is lost (the first reason stays: an error comes before its exit): its job fails, and any job later posted to it. */
  private lose(w: WorkerThread, e: Error): void {
    if (!this.gone.has(w)) this.gone.set(w, e);
    this.fail(this.gone.get(w)!, w);
  }

  /** Reject the jobs of `worker` (all jobs when none is named). */
  private fail(e: Error, worker?: WorkerThread): void {
    for (const [id, p] of this.pending) {
      if (worker && p.worker !== worker) continue;
      this.pending.delete(id);
      p.reject(e);
    }
  }

  /**
   * Runs `task` on every worker and resolves to the chunks each processed.
   * On the first failure `onFailure` runs (it should set the task's stop flag);
   * the promise rejects with that failure once every worker has stopped, so
   * no worker still writes when the caller cleans up.
   */
  async runOnAll(task: WorkerTask, onFailure: () => void, last = false): Promise<number[]> {
    if (this.closed || this.ended) throw new Error("worker pool is closed");
    // `last`: no job follows, so each worker ends its thread after replying (worker-entry.ts) and
    // close() finds it gone, instead of waiting for a terminate round trip per worker (~10 ms, measured).
    this.ended = last;
    let failed = false;
    const runs = this.workers.map((w) =>
      new Promise<number>((resolve, reject) => {
        const lost = this.gone.get(w);
        if (lost) {
          reject(lost);
          return;
        }
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject, worker: w });
        w.postMessage({ id, task, last });
      }).catch((e: unknown) => {
        if (!failed) {
          failed = true;
          onFailure();
        }
        throw e;
      }),
    );
    const settled = await Promise.allSettled(runs);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<number>).value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error("worker pool closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A thread's own failure as the run's error: one that could not start (Node's ERR_WORKER_INIT_FAILED, e.g. out of
 * file descriptors: each thread needs a few) or ran out of memory is the machine's limit, not a bug in fqc.
 */
function threadError(e: Error, words: CallerWords): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const alone = `${words.set("threads", 1)} to compute on the main thread alone`;
  if (code === "ERR_WORKER_INIT_FAILED") {
    const errno = /\b(E[A-Z]+)$/.exec(e.message)?.[1];
    const why = errno === "EMFILE" ? "too many open files" : errno ?? e.message;
    const hint = errno === "EMFILE" ? `Raise the open-file limit (ulimit -n), or ${alone}.` : `${sentence(alone)}.`;
    return new FqcError("IO", `cannot start a worker thread: ${why}`, { hint, cause: e });
  }
  if (code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new FqcError("IO", "a worker thread ran out of memory", { hint: `${sentence(alone)}, or free memory.`, cause: e });
  }
  return e;
}

/** Rebuild a worker's error: an FqcError keeps its code (hence the exit status), hint and file. */
function failureError(f: WorkerFailure): Error {
  return f.code ? new FqcError(f.code, f.message, { hint: f.hint, file: f.file }) : new Error(f.message);
}
