/**
 * `apply`: stream a .npy tensor through the fake-quant kernel.
 *
 * The main thread checks everything that can be checked up front (header,
 * shapes, torchao's forward errors, static qparams), creates the temp outputs
 * and hands the chunk loop (apply-chunks.ts) to the worker pool, or runs it
 * inline for small tensors. Each thread reads, computes and writes its own
 * chunks of whole rows, so memory is bounded by threads × chunk size, not the
 * file size. The temp files are renamed over the targets only when all
 * chunks succeeded.
 */
import type { CanonicalConfig, ScalePrecision, TorchaoVersion } from "./config/types.js";
import { LIBRARY_WORDS, type CallerWords, type FileOption } from "./caller-words.js";
import { FqcError } from "./errors.js";
import { resolveComputeDtype } from "./input-dtype.js";
import { checkNpyOutForm, checkOutputForm } from "./apply/output-form.js";
import { readNpyHeader } from "./npy/header.js";
import { NpyRowReader } from "./npy/reader.js";
import { checkPaths, type PathCheck, type PathUse } from "./npy/path-check.js";
import { AtomicNpyWriter } from "./npy/writer.js";
import { kernelFor, type KernelChoice, type QparamMode } from "./quant/kernel.js";
import { forwardProblems, makePlan, type ComputeDtype } from "./quant/plan.js";
import { newControl, type ChunkTask } from "./apply-chunks.js";
import { runChunkTask } from "./apply/run-task.js";
import { dtypeOfDescr, type InputDtype, type TensorOutput } from "./apply/tensor-io.js";
import type { SharedNpyTarget } from "./npy/writer.js";
import type { NpyDtype } from "./npy/dtype.js";
import type { AbortSignalLike, WorkerSupply } from "./host-types.js";
import type { WorkerPool } from "./parallel/pool.js";
import { qparamDescr } from "./qparams-io.js";
import { loadGivenQparams } from "./static-qparams.js";
import { checkThreads, resolveThreads } from "./parallel/thread-count.js";
import {
  checkComputeDtype, checkCount, checkFunction, checkKernel, checkSignal, checkString, checkTorchao, optionNames, optionsObject,
} from "./library-args.js";
import { checkCanonicalConfig } from "./config/canonical-check.js";

/** Every option applyFile takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<ApplyOptions>()(["input", "output", "config", "computeDtype", "torchao", "threads", "scaleIn", "zeroPointIn", "scaleOut", "zeroPointOut", "configFile", "force", "fsync", "kernel", "chunkElements", "onProgress", "signal", "onCommitted", "startedWorkers"]);

export interface ApplyOptions {
  input: string;
  output: string;
  config: CanonicalConfig;
  /** Dtype the arithmetic runs in; default: the tensor's own dtype (float64 is refused unless set). */
  computeDtype?: ComputeDtype;
  /** torchao version whose numerics to reproduce (they differ only in the default eps). */
  torchao?: TorchaoVersion;
  /**
   * Threads that compute, the main thread included (N → N − 1 workers; 0 or 1:
   * the main thread alone); "auto" = one per core, the main thread alone for
   * tensors whose work is shorter than starting a worker (INLINE_LIMIT, by kernel).
   */
  threads?: number | "auto";
  /** Static qparams to use instead of computing them (is_dynamic: false configs). */
  scaleIn?: string;
  zeroPointIn?: string;
  /** Where to write the qparams that were used. */
  scaleOut?: string;
  zeroPointOut?: string;
  /** The file the config was read from, if any: protected from every output like the other inputs. */
  configFile?: string;
  /** Allow the output (and only it) to replace the input tensor, a file with several hard links, or a read-only file. */
  force?: boolean;
  /** fsync outputs before renaming them into place (survives power loss; slower). */
  fsync?: boolean;
  /** "auto": WebAssembly SIMD where it applies, else JS; "js": the JS kernel only (same results). */
  kernel?: KernelChoice;
  /** Elements per chunk buffer (tests use small values to exercise chunking). */
  chunkElements?: number;
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  signal?: AbortSignalLike;
  /**
   * Called once every output has been committed (renamed into place), before the call settles: what is left
   * (stopping the workers) changes no file. The CLI then lets a signal finish the run instead of reporting it interrupted.
   */
  onCommitted?: () => void;
  /** Worker threads already started (the CLI starts them while it loads); the pool takes what it needs from here first. */
  startedWorkers?: WorkerSupply;
}

export interface ApplyResult {
  shape: number[];
  inputDtype: string;
  computeDtype: ComputeDtype;
  /** The dtype the scales were held in (and --scale-out written in): scale_precision, or the compute dtype when it is null. */
  scaleDtype: ScalePrecision;
  qparamShape: number[];
  qparams: "computed" | "given";
  elements: number;
  threads: number;
  chunks: number;
  seconds: number;
}

const DEFAULT_CHUNK_ELEMENTS = 1024 * 1024;
const MIN_CHUNK_ELEMENTS = 256 * 1024;
/** All threads' chunk buffers together: 64 MiB of float32. */
const TOTAL_CHUNK_ELEMENTS = 16 * 1024 * 1024;

export function applyFile(opts: ApplyOptions): Promise<ApplyResult> {
  return applyFileAs(opts, LIBRARY_WORDS);
}

/** applyFile whose messages name the caller's options in `words` (the CLI's flags: CLI_WORDS). */
export async function applyFileAs(opts: ApplyOptions, words: CallerWords): Promise<ApplyResult> {
  // The copy checked, not the caller's object: a getter read again could give an output the checks never saw.
  opts = checkApplyOptions(opts);
  try {
    return await applyFileUnlabelled(opts, words);
  } catch (e) {
    throw labelWithInput(e, opts.input);
  }
}

/** What a JavaScript caller passes, checked before any file is touched (the types say the same to TypeScript). */
function checkApplyOptions(opts: unknown): ApplyOptions {
  const o = optionsObject<Record<string, unknown>>(opts, "applyFile", true, OPTION_NAMES);
  checkString(o.input, "applyFile: options.input");
  checkString(o.output, "applyFile: options.output");
  for (const k of ["scaleIn", "zeroPointIn", "scaleOut", "zeroPointOut", "configFile"]) checkString(o[k], `applyFile: options.${k}`, true);
  checkCanonicalConfig(o.config, "applyFile: options.config");
  checkComputeDtype(o.computeDtype, "applyFile: options.computeDtype");
  checkTorchao(o.torchao, "applyFile: options.torchao");
  checkKernel(o.kernel, "applyFile: options.kernel");
  checkCount(o.chunkElements, "applyFile: options.chunkElements");
  checkThreads(o.threads, "applyFile: options.threads");
  checkFunction(o.onProgress, "applyFile: options.onProgress");
  checkFunction(o.onCommitted, "applyFile: options.onCommitted");
  checkSignal(o.signal, "applyFile: options.signal");
  return o as unknown as ApplyOptions;
}

/** Prefix torchao's forward errors with the tensor they are about (its messages name no file). */
function labelWithInput(e: unknown, input: string): unknown {
  if (!(e instanceof FqcError) || e.code !== "FORWARD" || e.message.startsWith(input)) return e;
  let what = input;
  try {
    const h = readNpyHeader(input);
    what = `${input} (${h.shape.join(", ")}) ${h.dtype}`;
  } catch { /* the header was readable a moment ago; keep the bare name */ }
  return new FqcError("FORWARD", `${what}: ${e.message}`, { hint: e.hint, file: input, cause: e });
}

async function applyFileUnlabelled(opts: ApplyOptions, words: CallerWords): Promise<ApplyResult> {
  // hrtime: the performance global loads perf_hooks on first use (~1 ms of start-up).
  const started = process.hrtime.bigint();
  // As for a checkpoint (and as --dry-run says): w_fq.npz or w_fq.safetensors would hold a plain .npy.
  checkOutputForm("npy", opts.input, opts.output);
  checkNpyOutForm(opts.scaleOut, words.file.scaleOut, "scale");
  checkNpyOutForm(opts.zeroPointOut, words.file.zeroPointOut, "zero point");
  checkPaths(applyPaths(opts, words));
  const reader = NpyRowReader.open(opts.input);
  const cleanups: Array<() => void> = [() => reader.close()];
  let pool: WorkerPool | undefined;
  try {
    const { header } = reader;
    const shape = header.shape;
    if (header.dtype === "float64" && !opts.computeDtype) {
      // torchao raises its dtype assertion after the checks that precede it in forward.
      const first = forwardProblems(opts.config, shape, { torchao: opts.torchao })[0];
      if (first) throw new FqcError("FORWARD", first.message, { hint: first.hint, file: opts.input });
    }
    const compute = resolveComputeDtype(header.dtype, opts.computeDtype, opts.input, words);
    if (shape.length === 0) {
      throw new FqcError("FORWARD", `${opts.input}: a 0-d tensor has no last dimension to quantize along`, {
        file: opts.input,
        hint: "Save the value as a 1-D array of one element (np.atleast_1d).",
      });
    }
    if (shape[shape.length - 1] === 0) {
      // torch's min/max cannot reduce over an empty dimension; zero rows of a non-empty one is fine (empty output).
      throw new FqcError("FORWARD", `${opts.input}: the last dimension of shape (${shape.join(", ")}) is empty; torchao's min/max reductions fail on it`, {
        file: opts.input,
      });
    }
    const qparamsGiven = opts.scaleIn !== undefined || opts.zeroPointIn !== undefined;
    const plan = makePlan(opts.config, shape, { compute, torchao: opts.torchao ?? "0.12", qparamsGiven });
    const given = loadGivenQparams(opts, plan, words);
    const mode: QparamMode = given ? "given" : "compute";

    // Work is split by whole rows: more workers than rows would only idle.
    const kernel = kernelFor(plan, mode, opts.kernel ?? "auto");
    const threads = Math.min(resolveThreads(opts.threads, header.elementCount, kernel), Math.max(plan.rows, 1));
    // The main thread computes too; its helpers are started first and boot while it works.
    // worker_threads (and the stream modules it loads, ~3 ms) only when there are helpers.
    if (threads > 1) pool = new (await import("./parallel/pool.js")).WorkerPool(threads - 1, opts.startedWorkers?.take(threads - 1), words);

    // checkPaths above kept outputs apart from inputs and from each other; --force also covers OUT's hard links and permissions.
    // keep: the inputs, which the sweep of killed runs' leftovers beside an output must not take for one.
    const keep = applyPaths(opts, words).reads.map((u) => u.path);
    const out = AtomicNpyWriter.create(opts.output, { descr: header.descr, shape }, { force: opts.force, forceStep: words.set("force", true), durable: opts.fsync, keep });
    cleanups.push(() => out.abort());
    const scaleOut = opts.scaleOut
      ? AtomicNpyWriter.create(opts.scaleOut, { descr: qparamDescr(plan.scalePrecision), shape: plan.qparamShape }, { durable: opts.fsync, keep })
      : undefined;
    if (scaleOut) cleanups.push(() => scaleOut.abort());
    const zpOut = opts.zeroPointOut
      ? AtomicNpyWriter.create(opts.zeroPointOut, { descr: qparamDescr(plan.zeroPointPrecision), shape: plan.qparamShape }, { durable: opts.fsync, keep })
      : undefined;
    if (zpOut) cleanups.push(() => zpOut.abort());

    const rowsPerChunk = Math.max(1, Math.min(plan.rows, Math.floor((opts.chunkElements ?? NPY_CHUNK_ELEMENTS) / plan.rowLength)));
    const task: ChunkTask = {
      kernel: opts.kernel ?? "auto",
      items: [{
        kind: "quantize",
        plan,
        mode,
        input: {
          file: opts.input, fd: reader.fd, dataOffset: header.dataOffset, dtype: npyInputDtype(header.dtype),
          byteOrder: header.byteOrder, shape, fortranOrder: header.fortranOrder,
        },
        output: tensorOutputOf(out.shareWithThreads()),
        scaleOut: scaleOut && tensorOutputOf(scaleOut.shareWithThreads()),
        zeroPointOut: zpOut && tensorOutputOf(zpOut.shareWithThreads()),
        given: given && (pool ? { scale: shared(given.scale), zeroPoint: shared(given.zeroPoint) } : given),
        rowsPerChunk,
      }],
      control: newControl(),
    };
    const progress = opts.onProgress && ((chunksDone: number) => opts.onProgress!(Math.min(plan.rows, chunksDone * rowsPerChunk), plan.rows));
    const interrupted = () => new FqcError("INTERRUPTED", `interrupted; ${opts.output} was not written`);
    const chunks = plan.rows === 0 ? 0 : await runChunkTask(task, pool, { signal: opts.signal, onProgress: progress, interrupted, last: true });
    // Also for a tensor of zero rows, which has no chunk to run: an aborted call writes nothing.
    if (opts.signal?.aborted) throw interrupted();
    reader.checkUnchanged();
    out.recordSharedWrites(out.elementCount);
    scaleOut?.recordSharedWrites(scaleOut.elementCount);
    zpOut?.recordSharedWrites(zpOut.elementCount);

    // All closed before any is renamed (checkpoint-run.ts says why).
    scaleOut?.prepare();
    zpOut?.prepare();
    out.prepare();
    scaleOut?.commit();
    zpOut?.commit();
    out.commit();
    opts.onCommitted?.();
    return {
      shape,
      inputDtype: header.dtype,
      computeDtype: compute,
      scaleDtype: plan.scalePrecision,
      qparamShape: plan.qparamShape,
      qparams: given ? "given" : "computed",
      elements: header.elementCount,
      threads,
      chunks,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    // Workers use the descriptors: stop them before anything is closed.
    await pool?.close();
    // abort() is a no-op after commit, so this only removes temp files of a failed run.
    for (const c of cleanups.reverse()) c();
  }
}

/** apply's inputs and outputs, named as the caller gave them; force lets the output (only) replace the input. */
function applyPaths(opts: ApplyOptions, words: CallerWords): PathCheck {
  const given = (path: string | undefined, option: FileOption, forceable = false): PathUse[] =>
    path === undefined ? [] : [{ path, role: words.file[option], forceable }];
  return {
    reads: [...given(opts.input, "input", true), ...given(opts.configFile, "configFile"), ...given(opts.scaleIn, "scaleIn"), ...given(opts.zeroPointIn, "zeroPointIn")],
    writes: [...given(opts.output, "output", true), ...given(opts.scaleOut, "scaleOut"), ...given(opts.zeroPointOut, "zeroPointOut")],
    force: opts.force,
    forceStep: words.set("force", true),
  };
}

/**
 * Elements per chunk of one `.npy` tensor, whatever the thread count: 256 Ki
 * (1 MiB of float32). Against 1 Mi on a 256 MiB file it measured ~10 ms
 * faster at 1 and 2 threads (fastest runs 222-236 ms against 236-246): each
 * thread's chunk memory is smaller, and a fresh 4 KiB page costs ~15 µs on
 * first touch here (~800 fewer). Checkpoints keep chunkElementsFor: their
 * 16-bit chunks measured no faster at 256 Ki.
 */
export const NPY_CHUNK_ELEMENTS = 256 * 1024;

/**
 * Elements per chunk and thread of a checkpoint's tensors. 1 Mi (4 MiB of float32) measured fastest
 * (256 MiB file, 2 threads: 1 Mi ≈ 256 Ki < 4 Mi by 15-30%: the chunk stays in
 * cache from read to write) while keeping syscalls negligible; with many
 * threads chunks shrink so that all buffers together stay within 64 MiB.
 */
export function chunkElementsFor(threads: number): number {
  return Math.min(DEFAULT_CHUNK_ELEMENTS, Math.max(MIN_CHUNK_ELEMENTS, Math.floor(TOTAL_CHUNK_ELEMENTS / Math.max(1, threads))));
}

function npyInputDtype(d: NpyDtype): InputDtype {
  // resolveComputeDtype refused every other dtype already.
  return d === "float16" ? "F16" : d === "float64" ? "F64" : "F32";
}

function tensorOutputOf(t: SharedNpyTarget): TensorOutput {
  const d = dtypeOfDescr(t.descr);
  if (!d) throw new Error(`${t.file}: no output dtype for descr ${t.descr}`); // fqc chose the descr
  return { file: t.file, fd: t.fd, dataOffset: t.dataOffset, dtype: d.dtype, byteOrder: d.byteOrder };
}

/** A copy in shared memory, so every worker reads the same bytes without a copy per worker. */
function shared(a: Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}
