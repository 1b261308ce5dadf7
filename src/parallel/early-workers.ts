/**
 * Worker threads started before the CLI has loaded. A worker takes ~25-35 ms
 * to start here, as long as loading fqc and parsing the arguments; `fqc apply`
 * on a large tensor needs its workers, so the launcher (bin/fqc.js, through
 * dist/fqc-early.cjs) starts them first and apply adopts them (WorkerPool).
 * The guess reads only the arguments and file sizes. A wrong guess costs a
 * little time, never a result: apply takes what it needs and the rest stop.
 */
import type { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { statSync } from "node:fs";
import { spawnWorker } from "./spawn-worker.js";
import { INLINE_LIMIT } from "./thread-count.js";

/** Workers started early that apply may take. */
export interface WorkerSupply {
  /** Up to `n` live workers, now owned by the caller. */
  take(n: number): Worker[];
}

export interface EarlyWorkers extends WorkerSupply {
  /** Stop the workers nobody took. */
  release(): Promise<void>;
}

/**
 * How many workers `fqc <args>` will use, as far as the arguments tell:
 * `--threads N` (or -j) → N − 1; otherwise one per extra core when a .npy
 * argument is large enough for apply to use threads. Never more than the
 * cores minus the main thread: the rest are started when apply asks.
 */
export function earlyWorkerCount(args: readonly string[], cores: number, sizeOf: (file: string) => number | undefined): number {
  if (args[0] !== "apply" || cores < 2) return 0;
  if (args.some((a) => a === "--help" || a === "-h" || a === "--version" || a === "-v")) return 0;
  const threads = threadsArgument(args);
  if (threads !== undefined && threads !== "auto") return Math.max(0, Math.min(threads, cores) - 1);
  // As a float32 tensor, the usual input (a float16 one of up to twice as many values gets its workers when apply asks).
  const large = args.some((a) => a.endsWith(".npy") && (sizeOf(a) ?? 0) >= INLINE_LIMIT * 4);
  return large ? cores - 1 : 0;
}

/** The last --threads/-j value given (yargs keeps the last), as a count or "auto"; undefined when absent or unreadable. */
function threadsArgument(args: readonly string[]): number | "auto" | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^(?:--threads|-j)(?:=(.*))?$/.exec(a) ?? /^-j(\d+)$/.exec(a);
    if (m) value = m[1] ?? args[++i];
  }
  if (value === "auto") return "auto";
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Starts the workers `args` call for; they do not keep the process alive until taken. */
export function startEarlyWorkers(args: readonly string[]): EarlyWorkers {
  const count = earlyWorkerCount(args, availableParallelism(), (file) => {
    try {
      return statSync(file).size;
    } catch {
      return undefined;
    }
  });
  return supplyOf(Array.from({ length: count }, () => spawnWorker()));
}

/** A supply over started workers: a worker that exits or fails before it is taken is dropped, never handed out. */
export function supplyOf(started: Worker[]): EarlyWorkers {
  let idle = started;
  for (const w of started) {
    w.unref();
    const drop = () => {
      idle = idle.filter((x) => x !== w);
    };
    w.once("exit", drop);
    // Without a listener an error event would crash the process before apply even asked.
    w.once("error", drop);
  }
  return {
    take(n) {
      const taken = idle.slice(0, Math.max(0, n));
      idle = idle.slice(taken.length);
      for (const w of taken) w.ref();
      return taken;
    },
    async release() {
      const rest = idle;
      idle = [];
      await Promise.all(rest.map((w) => w.terminate()));
    },
  };
}
