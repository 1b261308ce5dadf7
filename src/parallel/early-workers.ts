/**
 * Worker threads started before the CLI has loaded. A worker takes ~25-35 ms
 * to start here, as long as loading fqc and parsing the arguments; `fqc apply`
 * on a large tensor needs its workers, so the launcher (bin/fqc.js, through
 * dist/fqc-early.cjs) starts them first and apply adopts them (WorkerPool).
 * The guess reads only the arguments, the .npy headers and the sizes of the
 * checkpoint files they name. A wrong
 * guess costs a little time, never a result: apply takes what it needs and the
 * rest stop; a failure to start them is left for apply to meet and report.
 */
import type { Worker } from "node:worker_threads";
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { readNpyHeader } from "../npy/header.js";
import { spawnWorker } from "./spawn-worker.js";
import { INLINE_LIMIT } from "./thread-count.js";

import type { WorkerSupply } from "../host-types.js";

export interface EarlyWorkers extends WorkerSupply {
  /** Stop the workers nobody took. */
  release(): Promise<void>;
}

/** What the guess needs of a .npy file: its values, and the rows apply could split it into at most (all dimensions but the last). */
export interface TensorSize {
  elements: number;
  rows: number;
}

/**
 * How many workers `fqc <args>` will use, as far as the arguments tell: for
 * apply, `--threads N` (or -j) gives N − 1, "auto" one per extra core, both
 * capped by the rows of the largest .npy argument; "auto" starts none for a
 * tensor apply keeps on the main thread. Never more than the cores minus the
 * main thread: apply starts the rest when it asks.
 */
export function earlyWorkerCount(args: readonly string[], cores: number, tensorOf: (file: string) => TensorSize | undefined): number {
  if (args[0] !== "apply" || cores < 2) return 0;
  if (args.some((a) => a === "--help" || a === "-h" || a === "--version" || a === "-v" || a === "--dry-run")) return 0;
  const threads = threadsArgument(args);
  // One thread asked for: no file needs reading to know (~4 ms of a header read saved).
  if (typeof threads === "number" && threads <= 1) return 0;
  let largest: TensorSize | undefined;
  for (const a of args) {
    const t = /\.(npy|safetensors|npz)$/i.test(a) ? tensorOf(a) : undefined;
    if (t && (!largest || t.elements > largest.elements)) largest = t;
  }
  if (!largest) return 0;
  // The config is not read yet, so "auto" assumes the SIMD kernel, the usual case; a config on the JS
  // kernel gets workers from a smaller size on, which apply then starts itself (~25 ms later).
  const wanted = threads === undefined || threads === "auto" ? (largest.elements < INLINE_LIMIT.wasm ? 0 : cores) : threads;
  return Math.max(0, Math.min(wanted, cores, largest.rows) - 1);
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

/** Starts the workers `args` call for; they do not keep the process alive until taken. Never throws. */
export function startEarlyWorkers(args: readonly string[], spawn: () => Worker = spawnWorker): EarlyWorkers {
  const started: Worker[] = [];
  try {
    const count = earlyWorkerCount(args, availableParallelism(), tensorSize);
    while (started.length < count) started.push(spawn());
  } catch {
    // Out of threads or memory, say: apply starts its workers itself, and reports what fails then.
    for (const w of started) void w.terminate();
    return supplyOf([]);
  }
  return supplyOf(started);
}

function tensorSize(file: string): TensorSize | undefined {
  if (!/\.npy$/i.test(file)) {
    // A checkpoint file: its size alone (as 2-byte values, the usual bf16), to read nothing before the CLI loads.
    try {
      const elements = Math.floor(statSync(file).size / 2);
      return { elements, rows: elements };
    } catch {
      return undefined;
    }
  }
  try {
    const { shape, elementCount } = readNpyHeader(file);
    return { elements: elementCount, rows: shape.slice(0, -1).reduce((a, b) => a * b, 1) };
  } catch {
    return undefined; // not a readable .npy: apply will say why
  }
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
