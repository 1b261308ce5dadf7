/**
 * The part of `report` every thread runs: claim a chunk of whole rows of one
 * tensor from a shared counter, read and decode it once, then for each column
 * fake-quantize a copy with that column's plan (the kernel apply runs) and
 * add the error statistics into the chunk's own slots of a shared array.
 *
 * Chunks are cut by a fixed element budget, never by the thread count, and
 * every chunk writes only its own slots: the main thread merges them in chunk
 * order afterwards, so the float64 sums are the same for 1 or N threads.
 */
import { decodeTensorValues, ITEM_SIZE, type FloatTensorDtype } from "../checkpoint/tensor-values.js";
import { ReadAhead } from "../npy/read-ahead.js";
import { rowReaderFor, type RowReader } from "../apply/tensor-io.js";
import { fakeQuantizeRows, type KernelChoice } from "../quant/kernel.js";
import type { QuantPlan } from "../quant/plan.js";
import { sumSquaresWasm, wasmChunkViews, widenBf16SumSquaresWasm } from "../quant/wasm/kernel-wasm.js";
import { accumulateChunkStats } from "./chunk-stats.js";
import { SLOTS } from "./stats.js";

/** One tensor some column fake-quantizes, as the threads see it (plain data: posted to workers). */
export interface ReportTensorWork {
  /** The tensor's index in the checkpoint. */
  index: number;
  /** The file and where its data starts; null: the bytes can only be streamed (the main thread does those). */
  file: string;
  fd: number | null;
  dataOffset: number | null;
  dtype: FloatTensorDtype;
  /** Items are big-endian (a '>' .npy): swapped after reading. */
  swap: boolean;
  /**
   * The tensor's shape when its bytes are in Fortran order (a .npy or stored .npz member saved with
   * fortran_order True): rows are then gathered by the .npy row reader (fortran.ts's plan, bounded scratch)
   * and decoded to float32 values, which the columns see exactly as those of the C-order copy. null otherwise.
   */
  fortranShape: number[] | null;
  rows: number;
  rowLength: number;
  rowsPerChunk: number;
  /** Index of this tensor's first chunk among all chunks of the task. */
  firstChunk: number;
  chunks: number;
  /** One plan per column; null where that column leaves the tensor alone. */
  plans: (QuantPlan | null)[];
}

export interface ReportTask {
  kind: "report";
  tensors: ReportTensorWork[];
  columns: number;
  /** Chunks of tensors threads may read positionally (they come first in `tensors`). */
  positionalChunks: number;
  kernel: KernelChoice;
  /** chunks × columns × SLOTS float64 accumulators (shared memory with workers). */
  partials: Float64Array;
  /** Int32 slots over a SharedArrayBuffer, indexed by REPORT_CONTROL. */
  control: Int32Array;
}

/** Slots of ReportTask.control: next chunk to claim, stop request, chunks finished. */
export const REPORT_CONTROL = { NEXT: 0, STOP: 1, DONE: 2 } as const;

/** Elements per chunk: 1 Mi (4 MiB of float32 per buffer), as apply's chunks. Never depends on the thread count. */
export const REPORT_CHUNK_ELEMENTS = 1 << 20;

export function rowsPerChunkFor(rowLength: number, chunkElements = REPORT_CHUNK_ELEMENTS): number {
  return Math.max(1, Math.floor(chunkElements / Math.max(1, rowLength)));
}

/** Per-thread buffers, grown to the largest chunk seen: the raw bytes, and the values of the JS path. */
class Buffers {
  raw = new Uint8Array(0);
  x = new Float32Array(0);
  y = new Float32Array(0);
  scale = new Float64Array(0);
  zeroPoint = new Float64Array(0);

  ensure(elements: number, itemSize: number): void {
    if (this.raw.length < elements * itemSize) this.raw = new Uint8Array(elements * 4);
  }

  /** The JS path's arrays (the wasm path keeps its values in wasm memory instead). */
  ensureValues(elements: number, groups: number): void {
    if (this.x.length < elements) {
      this.x = new Float32Array(elements);
      this.y = new Float32Array(elements);
    }
    if (this.scale.length < groups) {
      this.scale = new Float64Array(groups);
      this.zeroPoint = new Float64Array(groups);
    }
  }
}

/** One chunk's arrays in this thread's wasm memory: y (the kernel runs on it in place), x and the qparams. */
interface WasmReportViews {
  x: Float32Array;
  y: Float32Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
}

function wasmReportViews(n: number, groups: number): WasmReportViews | null {
  // x starts on 16 bytes, after y.
  const xAt = Math.ceil(n / 4) * 4;
  const v = wasmChunkViews(xAt + n, groups);
  if (!v) return null;
  return { y: v.values.subarray(0, n), x: v.values.subarray(xAt, xAt + n), scale: v.scale, zeroPoint: v.zeroPoint };
}

/**
 * Where a chunk's bytes can be read so that decoding needs no copy: x itself
 * for float32, the upper half of x's room for bfloat16 (where the in-place
 * widening expects them; kernel-wasm.ts widenBf16Wasm). null for float16
 * (decoded by a JS loop from a buffer of its own) or when wasm cannot run.
 */
function rawInWasm(work: ReportTensorWork, n: number, groups: number): Uint8Array | null {
  if (work.dtype === "F16") return null;
  const views = wasmReportViews(n, groups);
  if (!views) return null;
  const { x } = views;
  return work.dtype === "F32" ? new Uint8Array(x.buffer, x.byteOffset, 4 * n) : new Uint8Array(x.buffer, x.byteOffset + 2 * n, 2 * n);
}

/**
 * Computes the statistics of one chunk (`count` rows from row `start` of
 * `work`, whose raw bytes are `raw`) for every column into `partials`.
 *
 * Where wasm runs (not under `--kernel js`), the chunk is decoded once into
 * wasm memory and stays there: Σx² is summed once for all columns, and each
 * column's kernel and error sums run in wasm (chunk-stats.ts, which takes
 * the careful JS loop for a chunk holding a NaN or ±inf).
 */
export function processReportChunk(
  work: ReportTensorWork, chunk: number, raw: Uint8Array, count: number,
  task: Pick<ReportTask, "columns" | "kernel" | "partials">, bufs: Buffers,
): void {
  const n = count * work.rowLength;
  if (work.swap) swapItems(raw, ITEM_SIZE[work.dtype], n);
  const views = task.kernel === "js" ? null : wasmReportViews(n, maxGroups(work, count));
  if (!views) {
    processChunkJs(work, chunk, raw, count, task, bufs);
    return;
  }
  const { x, y, scale, zeroPoint } = views;
  // bfloat16 bytes read straight into wasm memory (rawInWasm) are widened and Σx² summed in one pass;
  // float32 bytes read there are x already.
  let sumX2 = work.dtype === "BF16" ? widenBf16SumSquaresWasm(raw, n, x) : null;
  if (sumX2 === null) {
    if (raw.buffer !== x.buffer || raw.byteOffset !== x.byteOffset || work.dtype !== "F32") decodeTensorValues(raw, work.dtype, n, x);
    sumX2 = sumSquaresWasm(x, n);
  }
  for (let c = 0; c < task.columns; c++) {
    const plan = work.plans[c];
    if (!plan) continue;
    y.set(x);
    fakeQuantizeRows(plan, y, y, count, scale, zeroPoint, "compute", task.kernel);
    accumulateChunkStats(x, y, n, task.partials, ((work.firstChunk + chunk) * task.columns + c) * SLOTS, task.kernel, sumX2);
  }
}

/** The same chunk with plain arrays: what `--kernel js` runs (JS throughout), and where the wasm memory cannot grow. */
function processChunkJs(
  work: ReportTensorWork, chunk: number, raw: Uint8Array, count: number,
  task: Pick<ReportTask, "columns" | "kernel" | "partials">, bufs: Buffers,
): void {
  const n = count * work.rowLength;
  bufs.ensureValues(n, maxGroups(work, count));
  const x = bufs.x.subarray(0, n);
  decodeTensorValues(raw, work.dtype, n, x);
  for (let c = 0; c < task.columns; c++) {
    const plan = work.plans[c];
    if (!plan) continue;
    const y = bufs.y.subarray(0, n);
    y.set(x);
    fakeQuantizeRows(plan, y, y, count, bufs.scale, bufs.zeroPoint, "compute", task.kernel);
    accumulateChunkStats(x, y, n, task.partials, ((work.firstChunk + chunk) * task.columns + c) * SLOTS, task.kernel);
  }
}

function swapItems(raw: Uint8Array, size: number, n: number): void {
  for (let i = 0; i < n * size; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = raw[a];
      raw[a] = raw[b];
      raw[b] = t;
    }
  }
}

/** The tensor whose chunks include global chunk `i` (tensors sorted by firstChunk). */
function tensorOfChunk(tensors: readonly ReportTensorWork[], i: number): ReportTensorWork {
  let lo = 0;
  let hi = tensors.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tensors[mid].firstChunk <= i) lo = mid;
    else hi = mid - 1;
  }
  return tensors[lo];
}

/**
 * One thread's side of a report task over positionally readable tensors:
 * `next()` claims and processes one chunk; false when none is left or a stop
 * was requested.
 */
export class ReportRunner {
  readonly #task: ReportTask;
  readonly #bufs = new Buffers();
  readonly #reads = new ReadAhead();
  /** The row reader of the last Fortran-order tensor this thread read, and its rows' values. */
  #fortran: { work: ReportTensorWork; reader: RowReader; values: Float32Array } | null = null;
  processed = 0;

  constructor(task: ReportTask) {
    this.#task = task;
  }

  next(): boolean {
    const { control, tensors, positionalChunks } = this.#task;
    if (Atomics.load(control, REPORT_CONTROL.STOP) !== 0) return false;
    const i = Atomics.add(control, REPORT_CONTROL.NEXT, 1);
    if (i >= positionalChunks) return false;
    const work = tensorOfChunk(tensors, i);
    const chunk = i - work.firstChunk;
    const start = chunk * work.rowsPerChunk;
    const count = Math.min(work.rowsPerChunk, work.rows - start);
    const item = ITEM_SIZE[work.dtype];
    const n = count * work.rowLength;
    if (work.fortranShape !== null) {
      this.#processFortran(work, chunk, start, count);
      return true;
    }
    let raw = this.#task.kernel === "js" ? null : rawInWasm(work, n, maxGroups(work, count));
    if (!raw) {
      this.#bufs.ensure(n, item);
      raw = this.#bufs.raw.subarray(0, n * item);
    }
    this.#reads.read(work.fd!, raw, work.dataOffset! + start * work.rowLength * item, work.file);
    processReportChunk(work, chunk, raw, count, this.#task, this.#bufs);
    this.processed++;
    Atomics.add(control, REPORT_CONTROL.DONE, 1);
    return true;
  }

  /** A chunk of a Fortran-order tensor: its rows in C order as float32 values (float16 widens exactly), then as any chunk. */
  #processFortran(work: ReportTensorWork, chunk: number, start: number, count: number): void {
    if (this.#fortran?.work !== work) {
      this.#fortran?.reader.close();
      this.#fortran = {
        work,
        reader: rowReaderFor({
          file: work.file, fd: work.fd!, dataOffset: work.dataOffset!, dtype: work.dtype, byteOrder: work.swap ? "big" : "little",
          shape: work.fortranShape!, fortranOrder: true,
        }),
        values: new Float32Array(work.rowsPerChunk * work.rowLength),
      };
    }
    const values = this.#fortran.values.subarray(0, count * work.rowLength);
    this.#fortran.reader.readRows(start, count, values);
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    processReportChunk({ ...work, dtype: "F32", swap: false }, chunk, raw, count, this.#task, this.#bufs);
    this.processed++;
    Atomics.add(this.#task.control, REPORT_CONTROL.DONE, 1);
  }
}

function maxGroups(work: ReportTensorWork, count: number): number {
  let g = 0;
  for (const p of work.plans) if (p) g = Math.max(g, count * p.groupsPerRow);
  return g;
}

/** A worker's whole share of a report task; returns the chunks it processed. */
export function runReportChunks(task: ReportTask): number {
  const runner = new ReportRunner(task);
  while (runner.next());
  return runner.processed;
}

/**
 * A Fortran-order tensor inflated into a spill file (a deflated .npz member,
 * spill.ts), its data at offset 0 of `fd`, on the calling thread: the chunks
 * of a one-tensor task, each read by the .npy row reader as a stored
 * Fortran member's are, into the tensor's own slots of `task.partials`.
 */
export async function runSpilledTensor(
  work: ReportTensorWork, fd: number,
  task: Pick<ReportTask, "columns" | "kernel" | "partials">, shouldStop: () => boolean, between: () => Promise<void>,
): Promise<void> {
  const runner = new ReportRunner({
    kind: "report",
    tensors: [{ ...work, fd, dataOffset: 0, firstChunk: 0 }],
    columns: task.columns,
    positionalChunks: work.chunks,
    kernel: task.kernel,
    partials: task.partials.subarray(work.firstChunk * task.columns * SLOTS),
    control: new Int32Array(3),
  });
  while (!shouldStop() && runner.next()) await between();
}

/**
 * A tensor that can only be streamed (a deflated .npz member), on the calling
 * thread: pieces of `stream` are gathered into whole-row chunks of the same
 * size a positional read would take, so the figures do not depend on how the
 * bytes arrive.
 */
export async function runStreamedTensor(
  work: ReportTensorWork, pieces: Iterable<Uint8Array>,
  task: Pick<ReportTask, "columns" | "kernel" | "partials">, shouldStop: () => boolean, between: () => Promise<void>,
): Promise<void> {
  const item = ITEM_SIZE[work.dtype];
  const rowBytes = work.rowLength * item;
  const bufs = new Buffers();
  let chunk = 0;
  let filled = 0;
  let chunkBytes = chunkRows(work, 0) * rowBytes;
  bufs.ensure(work.rowsPerChunk * work.rowLength, item);
  for (const piece of pieces) {
    let at = 0;
    while (at < piece.length) {
      const take = Math.min(piece.length - at, chunkBytes - filled);
      bufs.raw.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === chunkBytes) {
        if (shouldStop()) return;
        processReportChunk(work, chunk, bufs.raw.subarray(0, chunkBytes), chunkRows(work, chunk), task, bufs);
        chunk++;
        filled = 0;
        chunkBytes = chunkRows(work, chunk) * rowBytes;
        // A deflated member can take seconds: the host's event loop (and an abort) get their turn.
        await between();
      }
    }
  }
}

function chunkRows(work: ReportTensorWork, chunk: number): number {
  return Math.max(0, Math.min(work.rowsPerChunk, work.rows - chunk * work.rowsPerChunk));
}
