/**
 * `apply`: stream a .npy tensor through the fake-quant kernel.
 *
 * Rows (the last dimension) are read in chunks into shared memory, computed by
 * the worker pool (or inline for small tensors), and written to a temp file
 * that is renamed over the target only when everything succeeded. Two chunk
 * buffers alternate so that reading/writing one overlaps computing the other;
 * memory is bounded by the chunk size, not the file size.
 */
import os from "node:os";
import type { CanonicalConfig, TorchaoVersion } from "./config/types.js";
import { FqcError } from "./errors.js";
import { resolveComputeDtype } from "./input-dtype.js";
import { readNpyHeader } from "./npy/header.js";
import { NpyRowReader } from "./npy/reader.js";
import { AtomicNpyWriter } from "./npy/writer.js";
import { fakeQuantizeRows, type KernelChoice, type QparamMode } from "./quant/kernel.js";
import { forwardProblems, makePlan, type ComputeDtype, type QuantPlan } from "./quant/plan.js";
import { toComputeDtype } from "./quant/float.js";
import { WorkerPool } from "./parallel/pool.js";
import { qparamDescr } from "./qparams-io.js";
import { loadGivenQparams, type GivenQparams } from "./static-qparams.js";

export interface ApplyOptions {
  input: string;
  output: string;
  config: CanonicalConfig;
  /** Dtype the arithmetic runs in; default: the tensor's own dtype (float64 is refused unless set). */
  computeDtype?: ComputeDtype;
  /** torchao version whose numerics to reproduce (they differ only in the default eps). */
  torchao?: TorchaoVersion;
  /** Worker threads; "auto" = one per core, none for small tensors (starting threads would cost more). */
  threads?: number | "auto";
  /** Static qparams to use instead of computing them (is_dynamic: false configs). */
  scaleIn?: string;
  zeroPointIn?: string;
  /** Where to write the qparams that were used. */
  scaleOut?: string;
  zeroPointOut?: string;
  /** Allow the output to replace the input file. */
  force?: boolean;
  /** fsync outputs before renaming them into place (survives power loss; slower). */
  fsync?: boolean;
  /** "auto": WebAssembly SIMD where it applies, else JS; "js": the JS kernel only (same results). */
  kernel?: KernelChoice;
  /** Elements per chunk buffer (tests use small values to exercise chunking). */
  chunkElements?: number;
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
  signal?: AbortSignal;
}

export interface ApplyResult {
  shape: number[];
  inputDtype: string;
  computeDtype: ComputeDtype;
  qparamShape: number[];
  qparams: "computed" | "given";
  elements: number;
  threads: number;
  chunks: number;
  seconds: number;
}

const DEFAULT_CHUNK_ELEMENTS = 4 * 1024 * 1024;
/** Below this many elements, starting threads costs more than it saves. */
const INLINE_LIMIT = 1 << 20;

export async function applyFile(opts: ApplyOptions): Promise<ApplyResult> {
  try {
    return await applyFileUnlabelled(opts);
  } catch (e) {
    throw labelWithInput(e, opts.input);
  }
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

async function applyFileUnlabelled(opts: ApplyOptions): Promise<ApplyResult> {
  const started = performance.now();
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
    const compute = resolveComputeDtype(header.dtype, opts.computeDtype, opts.input);
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
    const plan = makePlan(opts.config, shape, { compute, torchao: opts.torchao ?? "0.12" });
    const given = loadGivenQparams(opts, plan);
    const mode: QparamMode = given ? "given" : "compute";

    // Work is split by whole rows: more workers than rows would only idle.
    const threads = Math.min(resolveThreads(opts.threads, header.elementCount), Math.max(plan.rows, 1));
    if (threads > 0) pool = new WorkerPool(threads);

    const protect = [opts.input, opts.scaleIn, opts.zeroPointIn].filter((p): p is string => !!p);
    const out = AtomicNpyWriter.create(opts.output, { descr: header.descr, shape }, { protect, force: opts.force, durable: opts.fsync });
    cleanups.push(() => out.abort());
    const qpOut = [opts.output, ...protect];
    const scaleOut = opts.scaleOut
      ? AtomicNpyWriter.create(opts.scaleOut, { descr: qparamDescr(plan.scalePrecision), shape: plan.qparamShape }, { protect: qpOut, durable: opts.fsync })
      : undefined;
    if (scaleOut) cleanups.push(() => scaleOut.abort());
    const zpOut = opts.zeroPointOut
      ? AtomicNpyWriter.create(opts.zeroPointOut, { descr: qparamDescr(plan.zeroPointPrecision), shape: plan.qparamShape }, { protect: qpOut, durable: opts.fsync })
      : undefined;
    if (zpOut) cleanups.push(() => zpOut.abort());

    const chunks = await streamChunks({ reader, plan, mode, given, pool, out, scaleOut, zpOut, opts });

    scaleOut?.commit();
    zpOut?.commit();
    out.commit();
    return {
      shape,
      inputDtype: header.dtype,
      computeDtype: compute,
      qparamShape: plan.qparamShape,
      qparams: given ? "given" : "computed",
      elements: header.elementCount,
      threads,
      chunks,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    // abort() is a no-op after commit, so this only removes temp files of a failed run.
    for (const c of cleanups.reverse()) c();
    await pool?.close();
  }
}

export function resolveThreads(requested: number | "auto" | undefined, elements: number): number {
  if (requested === undefined || requested === "auto") {
    return elements < INLINE_LIMIT ? 0 : Math.max(1, os.availableParallelism());
  }
  if (!Number.isInteger(requested) || requested < 0) {
    throw new FqcError("USAGE", `--threads must be a non-negative integer or "auto", got ${requested}`);
  }
  // Each worker costs ~10 MB and a V8 isolate; thousands of them exhaust memory without going faster.
  const max = Math.max(64, 4 * os.availableParallelism());
  if (requested > max) {
    throw new FqcError("USAGE", `--threads ${requested} is more than fqc allows on this machine (at most ${max})`, {
      hint: `This machine has ${os.availableParallelism()} cores; "auto" picks a good number.`,
    });
  }
  return requested;
}

interface ChunkBuffers {
  data: SharedArrayBuffer;
  values: Float32Array | Float64Array;
  scale: SharedArrayBuffer;
  scaleValues: Float64Array;
  zeroPoint: SharedArrayBuffer;
  zeroPointValues: Float64Array;
}

function allocChunk(plan: QuantPlan, rowsPerChunk: number): ChunkBuffers {
  const wide = plan.compute === "float64";
  const n = rowsPerChunk * plan.rowLength;
  const g = rowsPerChunk * plan.groupsPerRow;
  const data = new SharedArrayBuffer(n * (wide ? 8 : 4));
  const scale = new SharedArrayBuffer(g * 8);
  const zeroPoint = new SharedArrayBuffer(g * 8);
  return {
    data,
    values: wide ? new Float64Array(data) : new Float32Array(data),
    scale,
    scaleValues: new Float64Array(scale),
    zeroPoint,
    zeroPointValues: new Float64Array(zeroPoint),
  };
}

interface StreamArgs {
  reader: NpyRowReader;
  plan: QuantPlan;
  mode: QparamMode;
  given: GivenQparams | undefined;
  pool: WorkerPool | undefined;
  out: AtomicNpyWriter;
  scaleOut: AtomicNpyWriter | undefined;
  zpOut: AtomicNpyWriter | undefined;
  opts: ApplyOptions;
}

async function streamChunks(a: StreamArgs): Promise<number> {
  const { reader, plan, mode, given, pool, opts } = a;
  const rows = plan.rows;
  const rowsPerChunk = Math.max(1, Math.min(rows, Math.floor((opts.chunkElements ?? DEFAULT_CHUNK_ELEMENTS) / plan.rowLength)));
  const chunkCount = Math.ceil(rows / rowsPerChunk);
  const bufs = chunkCount > 1 ? [allocChunk(plan, rowsPerChunk), allocChunk(plan, rowsPerChunk)] : [allocChunk(plan, rowsPerChunk)];
  // float64 files computed in float32/16 go through a float64 staging buffer: the cast rounds like `x.float()`.
  const staging = reader.header.dtype === "float64" && plan.compute !== "float64" ? new Float64Array(rowsPerChunk * plan.rowLength) : undefined;

  if (rows === 0) return 0; // nothing to read or compute: the writers hold just the headers
  const rowsOf = (i: number) => Math.min(rowsPerChunk, rows - i * rowsPerChunk);
  const load = (i: number, b: ChunkBuffers) => {
    const start = i * rowsPerChunk;
    const count = rowsOf(i);
    const n = count * plan.rowLength;
    if (staging) {
      reader.readRows(start, count, staging);
      for (let k = 0; k < n; k++) b.values[k] = staging[k];
    } else {
      reader.readRows(start, count, b.values);
    }
    if (plan.compute === "float16" || plan.compute === "bfloat16") toComputeDtype(b.values.subarray(0, n) as Float32Array, plan.compute);
    if (given) {
      const g = plan.groupsPerRow;
      b.scaleValues.set(given.scale.subarray(start * g, (start + count) * g));
      b.zeroPointValues.set(given.zeroPoint.subarray(start * g, (start + count) * g));
    }
  };
  const compute = (i: number, b: ChunkBuffers): Promise<void> | void => {
    const count = rowsOf(i);
    if (pool) {
      return pool.run(plan, { data: b.data, scale: b.scale, zeroPoint: b.zeroPoint, wide: plan.compute === "float64" }, count, mode, opts.kernel);
    }
    fakeQuantizeRows(plan, b.values, b.values, count, b.scaleValues, b.zeroPointValues, mode, opts.kernel);
  };
  const store = (i: number, b: ChunkBuffers) => {
    const count = rowsOf(i);
    a.out.writeRows(b.values, count * plan.rowLength);
    a.scaleOut?.writeRows(b.scaleValues, count * plan.groupsPerRow);
    a.zpOut?.writeRows(b.zeroPointValues, count * plan.groupsPerRow);
    opts.onProgress?.(i * rowsPerChunk + count, rows);
  };

  load(0, bufs[0]);
  for (let i = 0; i < chunkCount; i++) {
    if (opts.signal?.aborted) throw new FqcError("INTERRUPTED", `interrupted; ${opts.output} was not written`);
    const cur = bufs[i % bufs.length];
    const pending = compute(i, cur);
    // While the workers compute chunk i, write chunk i-1 and read chunk i+1 into the other buffer.
    if (i > 0) store(i - 1, bufs[(i - 1) % bufs.length]);
    if (i + 1 < chunkCount) load(i + 1, bufs[(i + 1) % bufs.length]);
    await pending;
  }
  store(chunkCount - 1, bufs[(chunkCount - 1) % bufs.length]);
  return chunkCount;
}
