/**
 * `report`'s one pass over a checkpoint: every tensor some column
 * fake-quantizes is read once, in chunks of whole rows, and every column's
 * kernel runs on a copy of each chunk (report-chunks.ts) on the main thread
 * and the worker pool together. Tensors no column targets are never read.
 * The chunk statistics are merged in chunk order into one accumulator per
 * tensor and column (assemble.ts turns them into the report).
 */
import { tmpdir } from "node:os";
import type { Checkpoint } from "../checkpoint/types.js";
import { explainShrunkInput } from "../checkpoint/shrunk-input.js";
import { spillTensor } from "../checkpoint/spill.js";
import type { TorchaoVersion } from "../config/types.js";
import { LIBRARY_WORDS, type CallerWords } from "../caller-words.js";
import { FqcError } from "../errors.js";
import { checkCheckpoint, checkCount, checkFunction, checkKernel, checkReadableValue, checkSignal, checkString, checkTorchao, checkWholeNumber, kindOf, optionNames, optionsObject } from "../library-args.js";
import { InputFiles } from "../apply/input-files.js";
import { plural } from "../plural.js";
import type { AbortSignalLike, WorkerSupply } from "../host-types.js";
import type { WorkerPool } from "../parallel/pool.js";
import { shareWork, yieldEvery } from "../parallel/share-work.js";
import { checkThreads, resolveThreads } from "../parallel/thread-count.js";
import { kernelFor, type KernelChoice } from "../quant/kernel.js";
import type { QuantPlan } from "../quant/plan.js";
import { PlanCache } from "../quant/plan-cache.js";
import { laidOutInFortranOrder } from "../npy/fortran.js";
import { assembleReport, type SumsOf } from "./assemble.js";
import { CellPlans } from "./cell-plans.js";
import {
  REPORT_CHUNK_ELEMENTS, REPORT_CONTROL, ReportRunner, rowsPerChunkFor, runSpilledTensor, runStreamedTensor,
  type ReportTask, type ReportTensorWork,
} from "./report-chunks.js";
import { mergeStats, SLOTS, statSums } from "./stats.js";
import type { ColumnInput, Report } from "./types.js";

/** Every option reportCheckpoint takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<ReportOptions>()(["torchao", "threads", "kernel", "chunkElements", "worst", "onProgress", "signal", "startedWorkers", "spillDir"]);

export interface ReportOptions {
  /** torchao version whose numerics to reproduce (default 0.12). */
  torchao?: TorchaoVersion;
  /** Threads that compute, the main thread included; "auto" (default): one per core for large work. */
  threads?: number | "auto";
  kernel?: KernelChoice;
  /** Elements per chunk (tests use small values to exercise chunking); never depends on the thread count. */
  chunkElements?: number;
  /** How many tensors each column's summary lists as worst (default 5). */
  worst?: number;
  onProgress?: (chunksDone: number, chunksTotal: number) => void;
  signal?: AbortSignalLike;
  startedWorkers?: WorkerSupply;
  /** Where a deflated Fortran-order member is inflated before it is read (an unnamed file, spill.ts); default: os.tmpdir() ($TMPDIR). */
  spillDir?: string;
}

const PROGRESS_MS = 100;

export function reportCheckpoint(checkpoint: Checkpoint, columns: readonly ColumnInput[], opts: ReportOptions = {}): Promise<Report> {
  return reportCheckpointAs(checkpoint, columns, opts, LIBRARY_WORDS);
}

/** reportCheckpoint whose messages name the caller's options in `words` (the CLI's flags: CLI_WORDS). */
export async function reportCheckpointAs(checkpoint: Checkpoint, columns: readonly ColumnInput[], opts: ReportOptions, words: CallerWords): Promise<Report> {
  opts = optionsObject<ReportOptions>(opts, "reportCheckpoint", false, OPTION_NAMES);
  const torchao = checkTorchao(opts.torchao, "reportCheckpoint: options.torchao") ?? "0.12";
  checkKernel(opts.kernel, "reportCheckpoint: options.kernel");
  checkCount(opts.chunkElements, "reportCheckpoint: options.chunkElements");
  checkThreads(opts.threads, "reportCheckpoint: options.threads");
  checkWholeNumber(opts.worst, "reportCheckpoint: options.worst");
  checkFunction(opts.onProgress, "reportCheckpoint: options.onProgress");
  checkSignal(opts.signal, "reportCheckpoint: options.signal");
  checkString(opts.spillDir, "reportCheckpoint: options.spillDir", true);
  checkCheckpoint(checkpoint, "reportCheckpoint: checkpoint");
  checkReadableValue(columns, "reportCheckpoint: columns", 2);
  if (!Array.isArray(columns)) throw new FqcError("USAGE", `reportCheckpoint: columns must be an array of { name, source, kind, targets }, not ${kindOf(columns)}`);
  const names = new Set<string>();
  for (const c of columns) {
    // JSON and CSV cells name their column: two alike could not be told apart.
    if (c !== null && typeof c === "object" && names.has(c.name)) {
      throw new FqcError("USAGE", `reportCheckpoint: two columns are named ${JSON.stringify(c.name)}`, { hint: "Give each column its own name." });
    }
    names.add(c?.name);
    if (c === null || typeof c !== "object" || !Array.isArray(c.targets) || c.targets.length !== checkpoint.tensors.length) {
      throw new FqcError("USAGE", `reportCheckpoint: column ${String(c?.name)}: ${Array.isArray(c?.targets) ? c.targets.length : "no"} targets for ${plural(checkpoint.tensors.length, "tensor")}`, {
        hint: "Make each column's targets with configTargets(checkpoint, config) or recipeTargets(checkpoint, recipe) for this checkpoint.",
      });
    }
  }
  const cells = new CellPlans(checkpoint.tensors, columns, torchao, new PlanCache());
  const chunkElements = opts.chunkElements ?? REPORT_CHUNK_ELEMENTS;
  const works = buildWorks(checkpoint, columns.length, cells, chunkElements);
  // One buffer, tensor by tensor and column by column: an array or a view per cell costs ~150 bytes each (300,000 cells: ~46 MB).
  const flat = new Float64Array(checkpoint.tensors.length * columns.length * SLOTS);
  const at = (index: number, c: number) => (index * columns.length + c) * SLOTS;
  // Holds the checkpoint's descriptors until closed below.
  const files = new InputFiles(checkpoint);
  try {
    for (const work of works) {
      if (work.dataOffset === null) continue;
      work.fd = files.fd(work.file);
    }
    const totalChunks = works.reduce((n, w) => n + w.chunks, 0);
    if (totalChunks > 0) {
      const partials = await runPass(checkpoint, works, columns.length, totalChunks, opts, words);
      files.checkUnchanged();
      for (const work of works) {
        for (let c = 0; c < columns.length; c++) {
          if (!work.plans[c]) continue;
          for (let k = 0; k < work.chunks; k++) mergeStats(flat, at(work.index, c), partials, ((work.firstChunk + k) * columns.length + c) * SLOTS);
        }
      }
    }
  } finally {
    files.close();
  }
  return assembleReport(checkpoint, columns, cells, (index, c) => statSums(flat, at(index, c)), { torchao, worst: opts.worst ?? 5 });
}

/**
 * A report from statistics gathered elsewhere in the same way (`apply
 * --report`: the apply pass itself), `sumsOf(tensor, column)` (read only
 * where the column fake-quantizes the tensor).
 */
export function reportFromSums(
  checkpoint: Checkpoint, columns: readonly ColumnInput[], sumsOf: SumsOf, opts: { torchao?: TorchaoVersion; worst?: number } = {},
): Report {
  const torchao = opts.torchao ?? "0.12";
  const cells = new CellPlans(checkpoint.tensors, columns, torchao, new PlanCache());
  return assembleReport(checkpoint, columns, cells, sumsOf, { torchao, worst: opts.worst ?? 5 });
}

/** The tensors to read, positional ones first (threads share them), then those that can only be streamed. */
function buildWorks(checkpoint: Checkpoint, columns: number, cells: CellPlans, chunkElements: number): ReportTensorWork[] {
  const positional: ReportTensorWork[] = [];
  const streamed: ReportTensorWork[] = [];
  const plansOf = sharedPlans();
  for (const t of checkpoint.tensors) {
    const plans = plansOf(cells, t.index, columns);
    const first = plans.find((p): p is QuantPlan => p !== null);
    if (!first || first.rows === 0) continue;
    const fortran = laidOutInFortranOrder(t);
    const rowsPerChunk = rowsPerChunkFor(first.rowLength, chunkElements);
    const work: ReportTensorWork = {
      index: t.index,
      file: t.file,
      fd: null,
      dataOffset: t.dataOffset,
      dtype: t.dtype as ReportTensorWork["dtype"],
      swap: t.byteOrder === "big",
      fortranShape: fortran ? [...t.shape] : null,
      rows: first.rows,
      rowLength: first.rowLength,
      rowsPerChunk,
      firstChunk: 0,
      chunks: Math.ceil(first.rows / rowsPerChunk),
      plans,
    };
    (t.dataOffset === null ? streamed : positional).push(work);
  }
  const works = positional.concat(streamed);
  let next = 0;
  for (const w of works) {
    w.firstChunk = next;
    next += w.chunks;
  }
  return works;
}

/**
 * The columns' plans of a tensor, as one array shared by every tensor with the same plans (the plan cache gives
 * tensors of one shape and config the same plan): an array per tensor was ~60 bytes each, and each was copied to
 * every worker.
 */
function sharedPlans(): (cells: CellPlans, index: number, columns: number) => (QuantPlan | null)[] {
  const ids = new Map<QuantPlan, number>();
  const arrays = new Map<string, (QuantPlan | null)[]>();
  const id = (p: QuantPlan | null) => (p === null ? "-" : String(ids.get(p) ?? ids.set(p, ids.size).get(p)));
  let last: (QuantPlan | null)[] | null = null;
  return (cells, index, columns) => {
    // Neighbours mostly share their plans: compared first, without building a key.
    let same = last !== null;
    for (let c = 0; same && c < columns; c++) same = cells.plan(index, c) === last![c];
    if (same) return last!;
    const plans = Array.from({ length: columns }, (_, c) => cells.plan(index, c));
    const key = plans.map(id).join(",");
    return (last = arrays.get(key) ?? arrays.set(key, plans).get(key)!);
  };
}

async function runPass(
  checkpoint: Checkpoint, works: ReportTensorWork[], columns: number, totalChunks: number, opts: ReportOptions, words: CallerWords,
): Promise<Float64Array> {
  const positional = works.filter((w) => w.dataOffset !== null);
  const positionalChunks = positional.reduce((n, w) => n + w.chunks, 0);
  const allPlans = new Set(works.flatMap((w) => w.plans.filter((p): p is QuantPlan => p !== null)));
  const kernel = opts.kernel ?? "auto";
  const anyJs = [...allPlans].some((p) => kernelFor(p, "compute", kernel) === "js");
  const elements = positional.reduce((n, w) => n + w.rows * w.rowLength * w.plans.filter(Boolean).length, 0);
  const threads = Math.min(resolveThreads(opts.threads, elements, anyJs ? "js" : "wasm"), Math.max(positionalChunks, 1));
  let pool: WorkerPool | undefined;
  try {
    if (threads > 1) pool = new (await import("../parallel/pool.js")).WorkerPool(threads - 1, opts.startedWorkers?.take(threads - 1), words);
    const buffer = pool ? new SharedArrayBuffer(totalChunks * columns * SLOTS * 8) : new ArrayBuffer(totalChunks * columns * SLOTS * 8);
    const partials = new Float64Array(buffer);
    const control = new Int32Array(pool ? new SharedArrayBuffer(12) : new ArrayBuffer(12));
    const task: ReportTask = { kind: "report", tensors: positional, columns, positionalChunks, kernel, partials, control };
    await runTask(checkpoint, task, works.filter((w) => w.dataOffset === null), totalChunks, pool, opts);
    return partials;
  } catch (e) {
    await pool?.close();
    throw explainShrunkInput(e, checkpoint.tensors);
  } finally {
    await pool?.close();
  }
}

/** The main thread works too (streamed tensors first, then positional chunks), yielding between chunks for signals and progress. */
async function runTask(
  checkpoint: Checkpoint, task: ReportTask, streamed: ReportTensorWork[], totalChunks: number,
  pool: WorkerPool | undefined, opts: ReportOptions,
): Promise<void> {
  const { control } = task;
  const interrupted = () => new FqcError("INTERRUPTED", `interrupted; no report was written for ${checkpoint.path}`);
  if (opts.signal?.aborted) throw interrupted();
  const stop = () => Atomics.store(control, REPORT_CONTROL.STOP, 1);
  let streamedDone = 0;
  let reported = -1;
  const report = () => {
    const done = Atomics.load(control, REPORT_CONTROL.DONE) + streamedDone;
    if (done !== reported) opts.onProgress?.((reported = done), totalChunks);
  };
  const workers = pool && task.positionalChunks > 0 ? pool.runOnAll(task, stop).then(() => undefined, (error: unknown) => ({ error })) : undefined;
  await shareWork(async () => {
    const stopped = () => Atomics.load(control, REPORT_CONTROL.STOP) !== 0;
    const pause = yieldEvery();
    for (const work of streamed) {
      if (stopped()) break;
      const t = checkpoint.tensors[work.index];
      if (work.fortranShape !== null) {
        // A deflated member in Fortran order: read in C order from an inflated copy (spill.ts).
        const between = async () => { await pause(); if (stopped()) throw interrupted(); };
        const spill = await spillTensor(checkpoint, t, opts.spillDir ?? tmpdir(), { between });
        try {
          await runSpilledTensor(work, spill.fd, task, stopped, pause);
        } finally {
          spill.close();
        }
      } else {
        await runStreamedTensor(work, checkpoint.stream(t, work.rowsPerChunk * work.rowLength * 4), task, stopped, pause);
      }
      streamedDone += work.chunks;
      report();
      await pause();
    }
    const runner = new ReportRunner(task);
    while (runner.next()) {
      report();
      await pause();
    }
  }, { workers, stop, signal: opts.signal, poll: opts.onProgress && report, pollMs: PROGRESS_MS });
  if (Atomics.load(control, REPORT_CONTROL.STOP) !== 0 || Atomics.load(control, REPORT_CONTROL.DONE) + streamedDone < totalChunks) throw interrupted();
  report();
}
