/**
 * `applyCheckpoint`: fake-quantize a whole checkpoint (safetensors, sharded,
 * .npz) into one of the same layout. Opens the checkpoint (headers only),
 * decides each tensor's config, refuses every planning problem, and only
 * then creates the output and runs the tensors through the pool
 * (checkpoint-run.ts).
 */
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import { checkOutputDirectory } from "../checkpoint/directory-output.js";
import { checkpointFiles, checkpointOutputTargets, createCheckpointWriterAs, openCheckpoint } from "../checkpoint/open.js";
import { checkNotShadowed } from "../checkpoint/safetensors-writer.js";
import { checkAtomicTarget, checkCanCreateIn } from "../npy/atomic.js";
import { checkHeapNeed, HEAP_PER_TENSOR } from "../checkpoint/heap-need.js";
import { checkPaths, resolveTarget, type PathUse } from "../npy/path-check.js";
import { dirname, isAbsolute, relative } from "node:path";
import type { Checkpoint, CheckpointFormat } from "../checkpoint/types.js";
import type { AbortSignalLike, WorkerSupply } from "../host-types.js";
import type { KernelChoice } from "../quant/kernel.js";
import { LIBRARY_WORDS, type CallerWords } from "../caller-words.js";
import { FqcError } from "../errors.js";
import { checkOutputForm } from "./output-form.js";
import { checkThreads } from "../parallel/thread-count.js";
import { checkFunction, checkKernel, checkSignal, checkString, checkTorchao, optionNames, optionsObject } from "../library-args.js";
import { checkPlanSource } from "../config/canonical-check.js";
import { planSteps, unmatchedSteps, type PlanSource, type TensorPlanEntry } from "../tensor-plan/plan-tensors.js";
import { runStepsYielding } from "../steps.js";
import { runCheckpointWithStats, type CheckpointRunResult, type CheckpointStatsRunResult, type StatsOutput } from "./checkpoint-run.js";

/** Every option applyCheckpoint takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<ApplyCheckpointOptions>()(["input", "output", "select", "torchao", "threads", "kernel", "qparamsOut", "force", "fsync", "chunkElements", "onProgress", "signal", "onCommitted", "startedWorkers"]);
/** The same, with the CLI's own (applyCheckpointWithStats). */
const RUN_OPTION_NAMES = [...OPTION_NAMES, ...optionNames<Omit<ApplyCheckpointRunOptions, keyof ApplyCheckpointOptions>>()(["reads", "writes", "words", "stats", "statsOutput"])];

/**
 * Which tensors get which config: `{ config }` for every 2-D floating tensor
 * named `*.weight` (torchao's default targets Linear weights), `{ recipe }`
 * by torchao's FqnToConfig rules (planTensors).
 */
export type CheckpointSelection = PlanSource;

export interface ApplyCheckpointOptions {
  /** A .safetensors file, a sharded checkpoint's index or its directory, an .npz. */
  input: string;
  /** Same form as the input (a directory for a sharded checkpoint). */
  output: string;
  select: CheckpointSelection;
  torchao?: TorchaoVersion;
  /** As ApplyOptions.threads: threads that compute, the main thread included, or "auto". */
  threads?: number | "auto";
  kernel?: KernelChoice;
  /** Write every fake-quantized tensor's scale and zero point to this .safetensors. */
  qparamsOut?: string;
  /** Allow the output to replace an input file. */
  force?: boolean;
  fsync?: boolean;
  chunkElements?: number;
  /** Bytes of tensor data done, of the total. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignalLike;
  /** As ApplyOptions.onCommitted. */
  onCommitted?: () => void;
  startedWorkers?: WorkerSupply;
}

/**
 * What `fqc apply` passes beyond the public options: paths spoken of by their flags, and `--report`'s statistics,
 * whose raw sums only fqc's report writers read. Not exported from the package.
 */
export interface ApplyCheckpointRunOptions extends ApplyCheckpointOptions {
  /** Other files the caller reads (the config or recipe file): no output may be one of them. */
  reads?: readonly PathUse[];
  /** Other files the caller writes after the run: none may be an input or another output. */
  writes?: readonly PathUse[];
  /** How messages name the caller's options (applyCheckpoint: LIBRARY_WORDS; the CLI: CLI_WORDS). */
  words?: CallerWords;
  /** Gather `fqc report`'s statistics in the same pass (result.stats). */
  stats?: boolean;
  /**
   * A file written from those statistics (`--report`; implies `stats`), created with the outputs and
   * committed after them, so that a path it cannot be written to stops the run before anything is written.
   * `fill` gets the run's plan too: the report's targets come from it, not from matching the recipe again.
   */
  statsOutput?: {
    path: string;
    role: string;
    fill: (...args: [...Parameters<StatsOutput["fill"]>, plan: readonly TensorPlanEntry[]]) => void;
  };
}

export interface ApplyCheckpointResult extends CheckpointRunResult {
  input: string;
  output: string;
  format: CheckpointFormat;
  /** Recipe keys that match no tensor (unmatchedRecipeKeys; torchao ignores them): none under a single config. */
  unmatchedKeys: string[];
  seconds: number;
}

/**
 * Each tensor's config (null: copied), or the plan's first error, naming the
 * checkpoint and the tensor, with how many others have errors.
 */
export function configsOf(checkpoint: Pick<Checkpoint, "path" | "tensors">, plan: readonly TensorPlanEntry[]): Array<CanonicalConfig | null> {
  const failing = plan.filter((e) => e.errors.length > 0);
  if (failing.length > 0) {
    const { tensor: t, errors } = failing[0];
    const issue = errors[0];
    const more = failing.length > 1 ? ` (and ${failing.length - 1} more tensor${failing.length > 2 ? "s" : ""} with problems)` : "";
    const file = (checkpoint.tensors.find((x) => x.name === t.name) as { file?: string } | undefined)?.file ?? checkpoint.path;
    throw new FqcError(issue.torchaoError ? "FORWARD" : "CONFIG", `${checkpoint.path}: tensor ${t.name} (${t.shape.join("×") || "scalar"} ${t.dtype}): ${issue.message}${more}`, {
      hint: issue.hint, file,
    });
  }
  return plan.map((e) => (e.action === "quantize" && e.config ? e.config : null));
}

/** `--qparams-out` is always safetensors: a name promising .npy or .npz would give a file numpy cannot load. */
export function checkQparamsOutForm(qparamsOut: string, words: CallerWords): void {
  const named = [".npy", ".npz"].find((ext) => qparamsOut.toLowerCase().endsWith(ext));
  if (named === undefined) return;
  throw new FqcError("USAGE", `${words.file.qparamsOut} ${qparamsOut}: fqc writes the qparams as one safetensors file, not ${named.slice(1)}`, {
    file: qparamsOut,
    hint: "Name it with .safetensors (safetensors.numpy.load_file reads it into numpy arrays).",
  });
}

/**
 * apply's paths, before anything is read or written: OUT must have the input's form, and no output (OUT,
 * `--qparams-out`, `writes`) may be a file of the checkpoint or one the caller reads, or another output.
 * (`--dry-run` runs it too, so that it refuses what apply would.)
 */
export function checkApplyPaths(
  checkpoint: Checkpoint, opts: Pick<ApplyCheckpointRunOptions, "input" | "output" | "qparamsOut" | "force" | "reads" | "writes" | "words">,
): void {
  const words = opts.words ?? LIBRARY_WORDS;
  checkOutputForm(checkpoint.format, opts.input, opts.output);
  if (opts.qparamsOut !== undefined) checkQparamsOutForm(opts.qparamsOut, words);
  // OUT and the files the writer will create in it: a directory OUT receives the source's file names, which may be
  // the input's own files (writing into the input's directory).
  const targets = checkpointOutputTargets(checkpoint, opts.output);
  checkPaths({
    reads: [...checkpointFiles(checkpoint).map((path) => ({ path, role: path === opts.input ? words.file.input : `${opts.input}'s file`, forceable: true })), ...(opts.reads ?? [])],
    writes: [
      { path: opts.output, role: words.file.output, forceable: true },
      ...targets.files.filter((path) => path !== opts.output).map((path) => ({ path, role: words.file.output, forceable: true })),
      ...qparamsOutUse(opts.qparamsOut, words),
      ...(opts.writes ?? []),
    ],
    force: opts.force,
    forceStep: words.set("force", true),
  });
  // What creating the output files would refuse (a directory where a file goes, a trailing slash, a file a rename
  // would damage, a directory that is missing or not writable), refused here too, so that --dry-run, which creates
  // nothing, says what apply would.
  const others = [...qparamsOutUse(opts.qparamsOut, words), ...(opts.writes ?? [])];
  if (targets.dir !== null && !checkOutputDirectory(targets.dir)) {
    for (const other of others) checkNotInNewDirectory(other, targets.dir, words);
    // A new OUT directory is filled as a temp directory beside it; nothing is inside a missing directory to check.
    checkCanCreateIn(dirname(resolveTarget(targets.dir)), targets.dir, "create a temporary directory beside it");
  } else {
    for (const file of targets.files) checkAtomicTarget(file, { force: opts.force, forceStep: words.set("force", true) });
  }
  // --qparams-out and the report are created as the run starts, without --force (QparamsFile, the report's file).
  for (const other of others) checkAtomicTarget(other.path);
  checkNotShadowed(targets);
}

/** `--qparams-out` as a path the run writes, if given. */
function qparamsOutUse(qparamsOut: string | undefined, words: CallerWords): PathUse[] {
  return qparamsOut === undefined ? [] : [{ path: qparamsOut, role: words.file.qparamsOut }];
}

/**
 * A new output directory appears only at the end of the run (filled as a temp directory beside it, then renamed),
 * so another output cannot be created inside it: said before the work, not as "no such directory" at its start.
 */
function checkNotInNewDirectory(other: PathUse, dir: string, words: CallerWords): void {
  const inside = relative(resolveTarget(dir), resolveTarget(other.path));
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
  throw new FqcError("IO", `${other.role} ${other.path} is inside ${words.file.output} ${dir}, which does not exist yet: fqc fills a new output directory beside it and renames it into place when everything is written`, {
    file: other.path,
    hint: `Create ${dir} first (then its files are renamed into it one by one), or write ${other.role} elsewhere.`,
  });
}

/** What a JavaScript caller passes, checked before the checkpoint is opened (the types say the same to TypeScript). */
function checkApplyCheckpointOptions<T extends ApplyCheckpointOptions>(opts: T, names: readonly string[]): T {
  const o = optionsObject<Record<string, unknown>>(opts, "applyCheckpoint", true, names);
  checkString(o.input, "applyCheckpoint: options.input");
  checkString(o.output, "applyCheckpoint: options.output");
  checkString(o.qparamsOut, "applyCheckpoint: options.qparamsOut", true);
  checkPlanSource(o.select, "applyCheckpoint: options.select");
  checkTorchao(o.torchao, "applyCheckpoint: options.torchao");
  checkKernel(o.kernel, "applyCheckpoint: options.kernel");
  checkThreads(o.threads, "applyCheckpoint: options.threads");
  checkFunction(o.onProgress, "applyCheckpoint: options.onProgress");
  checkFunction(o.onCommitted, "applyCheckpoint: options.onCommitted");
  checkSignal(o.signal, "applyCheckpoint: options.signal");
  return o as unknown as T;
}

export async function applyCheckpoint(opts: ApplyCheckpointOptions): Promise<ApplyCheckpointResult> {
  // The copy checked, not the caller's object: a getter read again could give an output the checks never saw.
  opts = checkApplyCheckpointOptions(opts, OPTION_NAMES);
  const { stats: _stats, ...result } = await applyChecked(opts);
  return result;
}

/** applyCheckpoint with the CLI's options (ApplyCheckpointRunOptions), and the statistics in the result when asked. */
export async function applyCheckpointWithStats(opts: ApplyCheckpointRunOptions): Promise<ApplyCheckpointResult & Pick<CheckpointStatsRunResult, "stats">> {
  return applyChecked(checkApplyCheckpointOptions(opts, RUN_OPTION_NAMES));
}

async function applyChecked(opts: ApplyCheckpointRunOptions): Promise<ApplyCheckpointResult & Pick<CheckpointStatsRunResult, "stats">> {
  const started = process.hrtime.bigint();
  const words = opts.words ?? LIBRARY_WORDS;
  const checkpoint = openCheckpoint(opts.input);
  try {
    checkHeapNeed(opts.input, checkpoint, HEAP_PER_TENSOR.apply + (opts.stats || opts.statsOutput ? HEAP_PER_TENSOR.report + HEAP_PER_TENSOR.reportColumn : 0), "fake-quantize them");
    const inputs = checkpointFiles(checkpoint);
    // Before any work: the writers check OUT's own files against the inputs again when they create them.
    checkApplyPaths(checkpoint, {
      ...opts,
      writes: [...(opts.writes ?? []), ...(opts.statsOutput ? [{ path: opts.statsOutput.path, role: opts.statsOutput.role }] : [])],
    });
    // Matching a large recipe takes minutes: an abort meanwhile stops it between two batches of regex tests.
    const abort = { signal: opts.signal, error: () => new FqcError("INTERRUPTED", `interrupted; ${opts.output} was not written`) };
    const plan = await runStepsYielding(planSteps("applyCheckpoint", checkpoint.tensors, opts.select, { torchao: opts.torchao, loneTensor: checkpoint.format === "npy" }), abort);
    const configs = configsOf(checkpoint, plan);
    const unmatchedKeys = "recipe" in opts.select ? await runStepsYielding(unmatchedSteps("applyCheckpoint", checkpoint.tensors, opts.select.recipe, plan), abort) : [];
    const statsOutput = opts.statsOutput && { path: opts.statsOutput.path, role: opts.statsOutput.role };
    const writes = [...(opts.writes ?? []), ...(statsOutput ? [statsOutput] : [])];
    const others = { reads: opts.reads ?? [], writes: [...qparamsOutUse(opts.qparamsOut, words), ...writes] };
    const result = await runCheckpointWithStats(
      checkpoint,
      configs,
      ({ cOrder }) => createCheckpointWriterAs(checkpoint, opts.output, { force: opts.force, durable: opts.fsync, others, cOrder }, words),
      {
        output: opts.output,
        torchao: opts.torchao,
        threads: opts.threads,
        kernel: opts.kernel,
        qparamsOut: opts.qparamsOut,
        protect: [...inputs, opts.output, ...[...others.reads, ...writes].map((u) => u.path)],
        fsync: opts.fsync,
        chunkElements: opts.chunkElements,
        onProgress: opts.onProgress,
        signal: opts.signal,
        onCommitted: opts.onCommitted,
        startedWorkers: opts.startedWorkers,
        words,
        stats: opts.stats,
        statsOutput: opts.statsOutput && {
          path: opts.statsOutput.path,
          protect: [...inputs, opts.output, ...[...others.reads, ...others.writes].filter((u) => u !== statsOutput).map((u) => u.path)],
          fill: (file, stats, open) => opts.statsOutput!.fill(file, stats, open, plan),
        },
      },
    );
    return { input: opts.input, output: opts.output, format: checkpoint.format, ...result, unmatchedKeys, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    checkpoint.close();
  }
}
