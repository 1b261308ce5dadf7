/**
 * Fake-quantize the targeted tensors of an opened checkpoint into a writer of
 * the same layout, copying every other tensor byte for byte.
 *
 * Everything that can fail without data is checked first (dtypes, layouts,
 * torchao's forward errors for every targeted tensor's shape), before any
 * output exists. Then tensors are begun in checkpoint order; those whose
 * bytes can be read and written positionally (safetensors, stored .npz
 * members) are gathered into one chunk task that the main thread and the
 * worker pool share, so the threads stay busy across tensor boundaries.
 * A tensor that must be streamed (a deflated .npz member, or an output that
 * only appends) is processed on the main thread, in checkpoint order, after
 * the task gathered so far has run; a fake-quantized deflated member in
 * Fortran order is first inflated into a spill file beside the output, then
 * read from it row by row in C order. Memory stays bounded by the chunk
 * buffers of each thread, whatever the tensor sizes.
 */
import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import { LIBRARY_WORDS, type CallerWords } from "../caller-words.js";
import { FqcError } from "../errors.js";
import { checkCanonicalConfig } from "../config/canonical-check.js";
import { checkCheckpoint, checkCount, checkFunction, checkKernel, checkReadableValue, checkSignal, checkString, checkTorchao, kindOf, optionNames, optionsObject } from "../library-args.js";
import { checkThreads } from "../parallel/thread-count.js";
import { newControl, type ChunkItem, type ChunkTask, type QuantItem, type SpanItem, type SpanPart } from "../apply-chunks.js";
import { ITEM_BYTES as ITEM_BYTES_OUT } from "./tensor-io.js";
import { COMPUTE_DTYPE, isFloatTensorDtype, ITEM_SIZE, type FloatTensorDtype } from "../checkpoint/tensor-values.js";
import type { Checkpoint, CheckpointTensor, CheckpointWriter, TensorSink } from "../checkpoint/types.js";
import { explainShrunkInput } from "../checkpoint/shrunk-input.js";
import type { AbortSignalLike, WorkerSupply } from "../host-types.js";
import type { WorkerPool } from "../parallel/pool.js";
import { resolveThreads } from "../parallel/thread-count.js";
import { kernelFor, type KernelChoice, type KernelKind } from "../quant/kernel.js";
import type { ComputeDtype, QuantPlan } from "../quant/plan.js";
import { PlanCache } from "../quant/plan-cache.js";
import { yieldEvery, yieldToEventLoop } from "../parallel/share-work.js";
import { chunkElementsFor } from "../apply.js";
import { QparamsFile } from "./qparams-file.js";
import { runChunkTask } from "./run-task.js";
import { InputFiles } from "./input-files.js";
import { streamTensor } from "./stream-tensor.js";
import { REPORT_CHUNK_ELEMENTS } from "../report/report-chunks.js";
import { mergeStats, SLOTS } from "../report/stats.js";
import { AtomicFile } from "../npy/atomic.js";
import { laidOutInFortranOrder } from "../npy/fortran.js";
import { layoutRefusal } from "../checkpoint/layout-refusal.js";
import { spillTensor, type SpilledTensor } from "../checkpoint/spill.js";
import { resolveTarget } from "../npy/path-check.js";

/** Bytes per chunk of a copied tensor (what bench/io-floor.mjs moves per read and write). */
export const COPY_CHUNK_BYTES = 4 << 20;

/**
 * Tensors of at most this many bytes, stored back to back, share one chunk
 * (a span: one read and one write, up to the copy chunk's size). Per tensor,
 * a chunk of its own costs two system calls and its readers and writers,
 * ~10–30 µs: more than moving 64 KiB. A 300,000-tensor checkpoint went from
 * 10 s to under 4 s.
 */
export const SPAN_PART_BYTES = 64 << 10;

/**
 * Tensors gathered into one task at most. A task's items live until it ran,
 * long enough to be promoted to V8's old space: on 300,000 tiny tensors
 * (one thread) 16,384 per task peaked at 585 MiB, 1,024 at 336 MiB, at the same speed.
 */
const BATCH_TENSORS = 1 << 10;

export interface CheckpointRunOptions {
  /** The output as the user named it (in messages). */
  output: string;
  torchao?: TorchaoVersion;
  /** As ApplyOptions.threads. */
  threads?: number | "auto";
  kernel?: KernelChoice;
  /** Write the scale and zero point of every fake-quantized tensor to this .safetensors. */
  qparamsOut?: string;
  /** Paths the qparams output must not be (the inputs, the output). */
  protect?: readonly string[];
  fsync?: boolean;
  /** Elements per chunk buffer (tests use small values to exercise chunking). */
  chunkElements?: number;
  /** Bytes per copied chunk (tests use small values). */
  copyChunkBytes?: number;
  /** Bytes of tensor data processed so far, of the checkpoint's total. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignalLike;
  /** As ApplyOptions.onCommitted. */
  onCommitted?: () => void;
  startedWorkers?: WorkerSupply;
  /**
   * Where a deflated Fortran-order member is inflated before it is read (an unnamed file, spill.ts).
   * Default: the output's directory (the one its temp file is in), which must have room for the output anyway.
   */
  spillDir?: string;
}

/**
 * runCheckpointWithStats' options: runCheckpoint's and `apply --report`'s, whose statistics are raw sums in
 * report/stats.ts' slot layout and whose file is filled through an internal AtomicFile, of no use to a library caller.
 */
export interface CheckpointStatsRunOptions extends CheckpointRunOptions {
  /**
   * Gather `report`'s error statistics in the same pass (`apply --report`):
   * chunks are then cut as `report` cuts them (1 Mi elements, whatever the
   * thread count), so the figures are the ones `fqc report` gives.
   */
  stats?: boolean;
  /** A file made from the statistics (`apply --report`; implies `stats`), created and committed with the outputs (StatsOutput). */
  statsOutput?: StatsOutput;
  /** How messages name the caller's options (runCheckpoint: LIBRARY_WORDS; the CLI: CLI_WORDS). */
  words?: CallerWords;
}

/**
 * A file written from the run's statistics (`apply --report`). Its temp file
 * is created with the outputs, before any tensor is read, so a path that
 * cannot be written (a missing directory, a directory, a device) is refused
 * before anything is written; `fill` writes it after the last tensor and
 * before anything is committed, and it is committed last. A failure anywhere
 * removes it with the other temp files.
 */
export interface StatsOutput {
  path: string;
  /** Paths it must not be (the inputs, the outputs, the files the caller reads). */
  protect?: readonly string[];
  /** Writes the file from the statistics; `checkpoint` is the run's own (open), so its header is not read again. */
  fill: (file: AtomicFile, stats: ReadonlyArray<Float64Array | null>, checkpoint: Checkpoint) => void;
}

const OPTION_NAMES = optionNames<CheckpointRunOptions>()([
  "output", "torchao", "threads", "kernel", "qparamsOut", "protect", "fsync", "chunkElements", "copyChunkBytes", "onProgress", "signal",
  "onCommitted", "startedWorkers", "spillDir",
]);
const STATS_OPTION_NAMES = [...OPTION_NAMES, ...optionNames<Omit<CheckpointStatsRunOptions, keyof CheckpointRunOptions>>()(["stats", "statsOutput", "words"])];

/** What a JavaScript caller passes to runCheckpoint (the types say the same to TypeScript). */
function checkRunArguments<T extends CheckpointRunOptions>(checkpoint: unknown, configs: unknown, openWriter: unknown, opts: T, names: readonly string[]): T {
  const o = optionsObject<Record<string, unknown>>(opts, "runCheckpoint", true, names);
  checkCheckpoint(checkpoint, "runCheckpoint: checkpoint");
  const count = (checkpoint as Checkpoint).tensors.length;
  checkReadableValue(configs, "runCheckpoint: configs", 1);
  if (!Array.isArray(configs) || configs.length !== count) {
    throw new FqcError("USAGE", `runCheckpoint: configs must be an array of one canonical config or null per tensor (${count}), not ${Array.isArray(configs) ? `${configs.length} of them` : kindOf(configs)}`);
  }
  // Each distinct config once: a checkpoint's tensors share a handful.
  const seen = new Set<unknown>();
  configs.forEach((c: unknown, i) => {
    if (c === null || seen.has(c)) return;
    seen.add(c);
    checkCanonicalConfig(c, `runCheckpoint: configs[${i}]`);
  });
  if (typeof openWriter !== "function") throw new FqcError("USAGE", `runCheckpoint: openWriter must be a function (layout) => CheckpointWriter, not ${kindOf(openWriter)}`);
  checkString(o.output, "runCheckpoint: options.output");
  checkString(o.qparamsOut, "runCheckpoint: options.qparamsOut", true);
  checkString(o.spillDir, "runCheckpoint: options.spillDir", true);
  checkTorchao(o.torchao, "runCheckpoint: options.torchao");
  checkKernel(o.kernel, "runCheckpoint: options.kernel");
  checkThreads(o.threads, "runCheckpoint: options.threads");
  checkCount(o.chunkElements, "runCheckpoint: options.chunkElements");
  checkCount(o.copyChunkBytes, "runCheckpoint: options.copyChunkBytes");
  checkFunction(o.onProgress, "runCheckpoint: options.onProgress");
  checkFunction(o.onCommitted, "runCheckpoint: options.onCommitted");
  checkSignal(o.signal, "runCheckpoint: options.signal");
  return o as unknown as T;
}

/** What happened to one tensor. */
export interface TensorOutcome {
  name: string;
  dtype: string;
  shape: readonly number[];
  action: "fake-quantized" | "copied";
  /** For fake-quantized tensors. */
  computeDtype?: ComputeDtype;
  qparamShape?: number[];
}

export interface CheckpointRunResult {
  tensors: TensorOutcome[];
  /** Tensors fake-quantized, and their elements. */
  quantized: number;
  quantizedElements: number;
  copied: number;
  /** Bytes of tensor data read and written. */
  bytes: number;
  threads: number;
  chunks: number;
}

export interface CheckpointStatsRunResult extends CheckpointRunResult {
  /** With `stats`: per tensor (checkpoint order) the merged statistics (report/stats.ts slots), null for copied tensors. */
  stats?: Array<Float64Array | null>;
}

/**
 * The plan of every targeted tensor, or the first problem (naming the
 * checkpoint, the tensor and the fix) before anything is written.
 * `configs[i]` is the config for `checkpoint.tensors[i]`, null to copy it.
 */
export function planCheckpointTensors(
  checkpoint: Checkpoint, configs: ReadonlyArray<CanonicalConfig | null>, torchao: TorchaoVersion,
): Array<QuantPlan | null> {
  if (configs.length !== checkpoint.tensors.length) {
    throw new RangeError(`${configs.length} configs for the ${checkpoint.tensors.length} tensors of ${checkpoint.path}`);
  }
  const problems: FqcError[] = [];
  const cache = new PlanCache();
  const plans = checkpoint.tensors.map((t, i): QuantPlan | null => {
    const config = configs[i];
    if (!config) return null;
    try {
      return planTensor(checkpoint, t, config, torchao, cache);
    } catch (e) {
      if (!(e instanceof FqcError)) throw e;
      problems.push(e);
      return null;
    }
  });
  if (problems.length > 0) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more tensor${problems.length > 2 ? "s" : ""} with problems)` : "";
    throw new FqcError(first.code, `${first.message}${more}`, { hint: first.hint, file: first.file, cause: first });
  }
  return plans;
}

function describe(checkpoint: Checkpoint, t: CheckpointTensor): string {
  return `${checkpoint.path}: tensor ${t.name} (${t.shape.join("×") || "scalar"} ${t.dtype})`;
}

function planTensor(checkpoint: Checkpoint, t: CheckpointTensor, config: CanonicalConfig, torchao: TorchaoVersion, cache: PlanCache): QuantPlan {
  const what = describe(checkpoint, t);
  if (!isFloatTensorDtype(t.dtype)) {
    throw new FqcError("FORWARD", `${what}: fqc fake-quantizes F32, F16 and BF16 tensors only`, {
      file: t.file,
      hint: "Leave it out of the recipe (a null value, or a re: key that does not match it); it is then copied as it is.",
    });
  }
  const refusal = layoutRefusal(t);
  if (refusal) throw new FqcError("NPY", `${what}: is ${refusal.what}`, { file: t.file, ...(refusal.hint ? { hint: refusal.hint } : {}) });
  if (t.shape.length === 0) {
    throw new FqcError("FORWARD", `${what}: a 0-d tensor has no last dimension to quantize along`, {
      file: t.file,
      hint: "Leave scalars out of the recipe.",
    });
  }
  if (t.shape[t.shape.length - 1] === 0) {
    throw new FqcError("FORWARD", `${what}: the last dimension is empty; torchao's min/max reductions fail on it`, { file: t.file });
  }
  try {
    return cache.plan(config, t.shape, { compute: COMPUTE_DTYPE[t.dtype], torchao });
  } catch (e) {
    if (e instanceof FqcError) throw new FqcError(e.code, `${what}: ${e.message}`, { hint: e.hint, file: t.file, cause: e });
    throw e;
  }
}

/** What the output's writer must know of the run before any tensor is begun. */
export interface OutputLayout {
  /**
   * The Fortran-order tensors that are fake-quantized: their rows are written in C order, so their header
   * must say so (pass it to createCheckpointWriter as CheckpointWriterOptions.cOrder).
   */
  cOrder: ReadonlySet<number>;
}

/**
 * Run: `openWriter` creates the output (called once, after every check
 * passed); the writer is committed only when every tensor was written, and
 * aborted otherwise (failure, Ctrl-C), so no output and no temp file remain.
 */
export async function runCheckpoint(
  checkpoint: Checkpoint,
  configs: ReadonlyArray<CanonicalConfig | null>,
  openWriter: (layout: OutputLayout) => CheckpointWriter,
  opts: CheckpointRunOptions,
): Promise<CheckpointRunResult> {
  // The copy checked, not the caller's object: a getter read again could give a value the checks never saw.
  return run(checkpoint, configs, openWriter, checkRunArguments(checkpoint, configs, openWriter, opts, OPTION_NAMES));
}

/** runCheckpoint with `apply --report`'s statistics (CheckpointStatsRunOptions). */
export async function runCheckpointWithStats(
  checkpoint: Checkpoint,
  configs: ReadonlyArray<CanonicalConfig | null>,
  openWriter: (layout: OutputLayout) => CheckpointWriter,
  opts: CheckpointStatsRunOptions,
): Promise<CheckpointStatsRunResult> {
  return run(checkpoint, configs, openWriter, checkRunArguments(checkpoint, configs, openWriter, opts, STATS_OPTION_NAMES));
}

async function run(
  checkpoint: Checkpoint,
  configs: ReadonlyArray<CanonicalConfig | null>,
  openWriter: (layout: OutputLayout) => CheckpointWriter,
  opts: CheckpointStatsRunOptions,
): Promise<CheckpointStatsRunResult> {
  const interrupted = () => new FqcError("INTERRUPTED", `interrupted; ${opts.output} was not written`);
  const torchao = opts.torchao ?? "0.12";
  const kernel = opts.kernel ?? "auto";
  const plans = planCheckpointTensors(checkpoint, configs, torchao);
  if (opts.signal?.aborted) throw interrupted();

  const tensors = checkpoint.tensors;
  const totalBytes = tensors.reduce((a, t) => a + t.byteLength, 0);
  // Threads by the whole checkpoint's work: worth workers when the kernel of the largest share would keep them busy.
  let quantElements = 0;
  let kind: KernelKind = "wasm";
  tensors.forEach((t, i) => {
    const plan = plans[i];
    if (!plan) return;
    quantElements += t.byteLength / ITEM_SIZE[t.dtype as FloatTensorDtype];
    if (kernelFor(plan, "compute", kernel) === "js") kind = "js";
  });
  // Copies cost about what a float32 SIMD chunk does per byte: count them as elements of 4 bytes.
  const work = quantElements + (totalBytes - tensors.reduce((a, t, i) => a + (plans[i] ? t.byteLength : 0), 0)) / 4;
  const threads = resolveThreads(opts.threads, work, kind);
  const wantStats = opts.stats === true || opts.statsOutput !== undefined;
  const chunkElements = opts.chunkElements ?? (wantStats ? REPORT_CHUNK_ELEMENTS : chunkElementsFor(threads));
  // Statistics: one slot range per fake-quantized tensor, one slot per chunk, merged in chunk order afterwards.
  const firstSlot: number[] = [];
  let slots = 0;
  plans.forEach((p, i) => {
    firstSlot[i] = slots;
    if (p) slots += Math.ceil(p.rows / Math.max(1, Math.min(p.rows, Math.floor(chunkElements / p.rowLength))));
  });
  const partials = wantStats ? new Float64Array(new SharedArrayBuffer(Math.max(1, slots) * SLOTS * 8)) : undefined;
  const copyChunkBytes = opts.copyChunkBytes ?? COPY_CHUNK_BYTES;
  // A span is a copy chunk's worth of small tensors; a tensor longer than a copy chunk is not small.
  const spanPartBytes = Math.min(SPAN_PART_BYTES, copyChunkBytes);

  let pool: WorkerPool | undefined;
  let writer: CheckpointWriter | undefined;
  let qparams: QparamsFile | undefined;
  let statsFile: AtomicFile | undefined;
  let stats: Array<Float64Array | null> | undefined;
  const outcomes: TensorOutcome[] = [];
  let chunks = 0;
  let bytesDone = 0;
  const files = new InputFiles(checkpoint);
  let spillDir = opts.spillDir;
  try {
    if (threads > 1) pool = new (await import("../parallel/pool.js")).WorkerPool(threads - 1, opts.startedWorkers?.take(threads - 1), opts.words ?? LIBRARY_WORDS);
    // Stamped before any tensor is read (file-stamp.ts), not as each file's first tensor comes.
    for (const t of tensors) if (t.dataOffset !== null && t.byteLength > 0) files.fd(t.file);
    writer = openWriter({ cOrder: new Set(tensors.flatMap((t, i) => (plans[i] && t.fortranOrder ? [i] : []))) });
    if (opts.qparamsOut) {
      const entries = tensors.flatMap((t, i) => {
        const p = plans[i];
        return p ? [{ tensor: t.name, shape: p.qparamShape, scalePrecision: p.scalePrecision, zeroPointPrecision: p.zeroPointPrecision }] : [];
      });
      qparams = QparamsFile.create(opts.qparamsOut, entries, { protect: opts.protect, durable: opts.fsync });
    }
    if (opts.statsOutput) statsFile = AtomicFile.create(opts.statsOutput.path, { protect: opts.statsOutput.protect, durable: opts.fsync });

    // The task gathered so far: items, their sinks (ended once the task ran) and their bytes.
    let batch: { items: ChunkItem[]; sinks: Array<{ sink: TensorSink; bytes: number }> } = { items: [], sinks: [] };
    const flush = async (last = false) => {
      if (batch.items.length === 0 && batch.sinks.length === 0) return;
      const task: ChunkTask = { kernel, items: batch.items, control: newControl() };
      const batchBytes = batch.sinks.reduce((a, s) => a + s.bytes, 0);
      const base = bytesDone;
      const progress = opts.onProgress && ((done: number, total: number) => opts.onProgress!(base + Math.round((batchBytes * done) / total), totalBytes));
      chunks += await runChunkTask(task, pool, { signal: opts.signal, onProgress: progress, interrupted, last });
      for (const s of batch.sinks) s.sink.end(s.bytes);
      bytesDone += batchBytes;
      batch = { items: [], sinks: [] };
    };

    const pause = yieldEvery();
    // Between a streamed tensor's chunks: signals and the host's other work get their turn.
    const between = async () => {
      await pause();
      if (opts.signal?.aborted) throw interrupted();
    };
    for (let i = 0; i < tensors.length; i++) {
      if (opts.signal?.aborted) throw interrupted();
      const t = tensors[i];
      const plan = plans[i];
      const sink = writer.begin(t);
      const target = qparams?.target(t.name);
      outcomes.push(plan
        ? { name: t.name, dtype: t.dtype, shape: t.shape, action: "fake-quantized", computeDtype: plan.compute, qparamShape: plan.qparamShape }
        : { name: t.name, dtype: t.dtype, shape: t.shape, action: "copied" });
      if (t.dataOffset !== null && sink.positional) {
        batch.sinks.push({ sink, bytes: t.byteLength });
        const input = { fd: files.fd(t.file), dataOffset: t.dataOffset };
        const output = { ...sink.positional, file: sink.positional.file ?? opts.output };
        if (t.byteLength === 0) {
          // Nothing to read or write: its sink is ended with the batch.
        } else if (t.byteLength <= spanPartBytes && (!plan || (fitsOneChunk(plan, chunkElements) && !laidOutInFortranOrder(t)))) {
          // (A span part is fake-quantized in file order: a Fortran-order tensor goes through the row reader.)
          const part: SpanPart = { at: 0, byteLength: t.byteLength };
          if (plan) {
            part.quant = { plan, dtype: t.dtype as FloatTensorDtype, byteOrder: t.byteOrder, scaleOut: target?.scale, zeroPointOut: target?.zeroPoint };
            if (partials) part.quant.stats = { partials, firstSlot: firstSlot[i] };
          }
          addToSpan(batch.items, { file: t.file, ...input }, output, part, copyChunkBytes);
        } else if (plan) {
          const item = quantItem(t, input, plan, output, target, chunkElements);
          if (partials) item.stats = { partials, firstSlot: firstSlot[i] };
          batch.items.push(item);
        } else {
          batch.items.push({
            kind: "copy",
            from: { file: t.file, fd: input.fd, offset: t.dataOffset },
            to: { file: output.file, fd: sink.positional.fd, offset: sink.positional.dataOffset },
            byteLength: t.byteLength,
            bytesPerChunk: copyChunkBytes,
          });
        }
        if (batch.sinks.length >= BATCH_TENSORS) await flush();
        continue;
      }
      // In order: what was gathered before this tensor runs first.
      await flush();
      // A fake-quantized deflated member in Fortran order is read in C order from an inflated copy (spill.ts).
      let spill: SpilledTensor | undefined;
      try {
        if (plan && t.dataOffset === null && laidOutInFortranOrder(t)) spill = await spillTensor(checkpoint, t, spillDir ??= spillDirFor(opts.output), { between });
        chunks += await streamTensor(checkpoint, spill?.tensor ?? t, sink, plan, {
          kernel, chunkElements, copyChunkBytes, scaleOut: target?.scale, zeroPointOut: target?.zeroPoint, output: opts.output, between,
          fd: spill ? spill.fd : t.dataOffset !== null ? files.fd(t.file) : undefined,
          stats: partials && plan ? { partials, firstSlot: firstSlot[i] } : undefined,
        });
      } finally {
        spill?.close();
      }
      bytesDone += t.byteLength;
      opts.onProgress?.(bytesDone, totalBytes);
      await pause(); // let a Ctrl-C in
    }
    await flush(true);
    // An abort during the last tensor (a streamed one, or the last chunks of a batch) still means no output.
    if (opts.signal?.aborted) throw interrupted();
    files.checkUnchanged();
    // Views of one buffer: a Float64Array of its own per tensor costs a backing store each (~60 MB over 300,000 tensors).
    const merged = partials && new Float64Array(plans.length * SLOTS);
    stats = partials && plans.map((p, i) => (p ? mergedStats(merged!, i * SLOTS, partials, firstSlot[i], p.rows, chunkElements, p.rowLength) : null));
    if (statsFile && stats) opts.statsOutput!.fill(statsFile, stats, checkpoint);
    // Every output finished and closed before any is renamed: an error closing one (a full disk, a network file
    // system's deferred write error) leaves every target as it was. Only a failing rename could split them.
    qparams?.prepare();
    writer.prepare?.();
    statsFile?.prepare();
    // The report and the qparams' header are made synchronously (seconds for 100,000s of tensors): an abort or
    // a signal that came meanwhile stops the run here, before any rename, not after every output was written.
    await yieldToEventLoop();
    if (opts.signal?.aborted) throw interrupted();
    qparams?.commit();
    writer.commit();
    statsFile?.commit();
    opts.onCommitted?.();
  } catch (e) {
    // Stop the workers before the files they write are removed.
    await pool?.close();
    statsFile?.abort();
    qparams?.abort();
    writer?.abort();
    throw explainShrunkInput(e, tensors);
  } finally {
    await pool?.close();
    files.close();
  }
  const quantized = outcomes.filter((o) => o.action === "fake-quantized");
  return {
    tensors: outcomes,
    quantized: quantized.length,
    quantizedElements: quantElements,
    copied: outcomes.length - quantized.length,
    bytes: totalBytes,
    threads,
    chunks,
    ...(stats ? { stats } : {}),
  };
}

/** The directory the output's temp file goes to: OUT's own when it is one, else the one holding the file it names (links followed). */
function spillDirFor(output: string): string {
  try {
    if (statSync(output).isDirectory()) return output;
  } catch { /* not there yet: the file will be created */ }
  return dirname(resolveTarget(output));
}

/** Whether a plan's tensor is one chunk of float32/16 values (span parts are computed whole, in place). */
function fitsOneChunk(plan: QuantPlan, chunkElements: number): boolean {
  return plan.compute !== "float64" && plan.rows * plan.rowLength <= Math.max(chunkElements, plan.rowLength);
}

/**
 * Adds a small tensor to the last item when that is a span it continues (its
 * bytes follow the span's in the input and in the output, and the span stays
 * within `maxBytes`); else starts a span of its own.
 */
function addToSpan(
  items: ChunkItem[], from: { file: string; fd: number; dataOffset: number }, to: { file: string; fd: number; dataOffset: number },
  part: SpanPart, maxBytes: number,
): void {
  const last = items[items.length - 1];
  let span: SpanItem;
  if (last?.kind === "span" && last.from.fd === from.fd && last.to.fd === to.fd && last.byteLength + part.byteLength <= maxBytes
    && last.from.offset + last.byteLength === from.dataOffset && last.to.offset + last.byteLength === to.dataOffset) {
    span = last;
    part.at = span.byteLength;
    span.parts.push(part);
    span.byteLength += part.byteLength;
  } else {
    span = {
      kind: "span",
      from: { file: from.file, fd: from.fd, offset: from.dataOffset },
      to: { file: to.file, fd: to.fd, offset: to.dataOffset },
      byteLength: part.byteLength,
      parts: [part],
    };
    items.push(span);
  }
  addQparams(span, part);
}

/**
 * Extends the span's qparams region by the part's scale and zero point when they follow it in the
 * qparams file (as QparamsFile lays them out: tensor by tensor, scale then zero point); a part whose
 * qparams lie elsewhere makes every part write its own (null).
 */
function addQparams(span: SpanItem, part: SpanPart): void {
  const q = part.quant;
  if (!q?.scaleOut || !q.zeroPointOut || span.qparams === null) return;
  const groups = q.plan.rows * q.plan.groupsPerRow;
  const scale = q.scaleOut;
  const zeroPoint = q.zeroPointOut;
  const end = zeroPoint.dataOffset + groups * ITEM_BYTES_OUT[zeroPoint.dtype];
  const joined = zeroPoint.fd === scale.fd && zeroPoint.dataOffset === scale.dataOffset + groups * ITEM_BYTES_OUT[scale.dtype];
  if (!joined) span.qparams = null;
  else if (span.qparams === undefined) span.qparams = { file: scale.file, fd: scale.fd, offset: scale.dataOffset, byteLength: end - scale.dataOffset };
  else if (span.qparams.fd === scale.fd && span.qparams.offset + span.qparams.byteLength === scale.dataOffset) span.qparams.byteLength = end - span.qparams.offset;
  else span.qparams = null;
}

/** One tensor's chunk statistics added up in chunk order (the order `report` merges them in). */
function mergedStats(
  into: Float64Array, at: number, partials: Float64Array, first: number, rows: number, chunkElements: number, rowLength: number,
): Float64Array {
  const chunks = Math.ceil(rows / Math.max(1, Math.min(rows, Math.floor(chunkElements / rowLength))));
  for (let k = 0; k < chunks; k++) mergeStats(into, at, partials, (first + k) * SLOTS);
  return into.subarray(at, at + SLOTS);
}

function quantItem(
  t: CheckpointTensor, input: { fd: number; dataOffset: number }, plan: QuantPlan, output: { file: string; fd: number; dataOffset: number },
  qp: { scale: QuantItem["output"]; zeroPoint: QuantItem["output"] } | undefined, chunkElements: number,
): QuantItem {
  const dtype = t.dtype as FloatTensorDtype;
  return {
    kind: "quantize",
    plan,
    mode: "compute",
    input: { file: t.file, fd: input.fd, dataOffset: input.dataOffset, dtype, byteOrder: t.byteOrder, shape: t.shape, fortranOrder: t.fortranOrder },
    output: { file: output.file, fd: output.fd, dataOffset: output.dataOffset, dtype, byteOrder: t.byteOrder },
    scaleOut: qp?.scale,
    zeroPointOut: qp?.zeroPoint,
    rowsPerChunk: Math.max(1, Math.min(plan.rows, Math.floor(chunkElements / plan.rowLength))),
  };
}
