/**
 * The part of `apply` every thread runs: claim a chunk from a shared
 * counter, read it, fake-quantize it, and write the result (and the qparams)
 * at the chunk's own position in the output files. A task is a list of
 * items — tensors to fake-quantize by chunks of whole rows, and byte ranges
 * to copy as they are — numbered by one counter across all items, so every
 * thread stays busy until the last chunk of the last tensor.
 * File descriptors are process-wide, so workers use the main thread's; reads
 * and writes are positional and chunks disjoint, so the threads share nothing
 * else. Each thread therefore reads, computes and writes at the same time as
 * the others, and the byte copies of I/O are spread over all cores.
 */
import type { FloatTensorDtype } from "./checkpoint/tensor-values.js";
import type { ByteOrder } from "./npy/dtype.js";
import { readFully, writeFully } from "./npy/positional.js";
import { fakeQuantizeBytes, needsRounding } from "./apply/quantize-bytes.js";
import { rowReaderFor, valueWriterFor, type RowReader, type TensorInput, type TensorOutput, type ValueWriter } from "./apply/tensor-io.js";
import { toComputeDtype } from "./quant/float.js";
import { fakeQuantizeRows, kernelFor, type KernelChoice, type QparamMode } from "./quant/kernel.js";
import type { QuantPlan } from "./quant/plan.js";
import { fakeQuantizeRaw16 } from "./quant/raw16.js";
import { raw16Applies, wasmChunkViews } from "./quant/wasm/kernel-wasm.js";
import { accumulateChunkStats } from "./report/chunk-stats.js";
import { SLOTS } from "./report/stats.js";

/** A tensor fake-quantized in chunks of `rowsPerChunk` whole rows. */
export interface QuantItem {
  kind: "quantize";
  plan: QuantPlan;
  mode: QparamMode;
  input: TensorInput;
  output: TensorOutput;
  scaleOut?: TensorOutput;
  zeroPointOut?: TensorOutput;
  /** Static qparams of the whole tensor, one float64 per group (mode "given"); shared memory in workers. */
  given?: { scale: Float64Array; zeroPoint: Float64Array };
  rowsPerChunk: number;
  /**
   * `apply --report`: error statistics of each chunk (x as read, y as
   * written) into `partials` at slot (firstSlot + chunk) × SLOTS, as
   * `report` computes them (shared memory in workers; float32 compute only).
   */
  stats?: { partials: Float64Array; firstSlot: number };
}

/** Bytes copied as they are, in chunks of `bytesPerChunk`. */
export interface CopyItem {
  kind: "copy";
  from: { file: string; fd: number; offset: number };
  to: { file: string; fd: number; offset: number };
  byteLength: number;
  bytesPerChunk: number;
}

/**
 * Small whole tensors stored back to back, in the input and in the output
 * alike (a checkpoint of many small tensors): one chunk, one read and one
 * write for all of them, instead of a read, a write and a chunk each.
 */
export interface SpanItem {
  kind: "span";
  from: { file: string; fd: number; offset: number };
  to: { file: string; fd: number; offset: number };
  byteLength: number;
  /** In order, covering the span exactly; a part without `quant` is copied as it is. */
  parts: SpanPart[];
  /**
   * `--qparams-out`: where the parts' scales and zero points lie back to back in the qparams file, so
   * they are gathered and written at once; null when they do not (each part writes its own).
   */
  qparams?: { file: string; fd: number; offset: number; byteLength: number } | null;
}

/** One tensor of a span: its bytes are [at, at + byteLength) of the span. */
export interface SpanPart {
  at: number;
  byteLength: number;
  /** Fake-quantized in one chunk (compute mode, C order): all its rows fit one. */
  quant?: {
    plan: QuantPlan;
    dtype: FloatTensorDtype;
    byteOrder: ByteOrder;
    scaleOut?: TensorOutput;
    zeroPointOut?: TensorOutput;
    stats?: QuantItem["stats"];
  };
}

export type ChunkItem = QuantItem | CopyItem | SpanItem;

export interface ChunkTask {
  kernel: KernelChoice;
  /** Processed in this order (chunks are claimed item after item). */
  items: ChunkItem[];
  /** Int32 slots over a SharedArrayBuffer, indexed by CONTROL. */
  control: Int32Array;
}

/** Slots of ChunkTask.control: next chunk to claim, stop request (non-zero), chunks finished. */
export const CONTROL = { NEXT: 0, STOP: 1, DONE: 2 } as const;

export function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

export function itemChunkCount(item: ChunkItem): number {
  if (item.kind === "span") return 1;
  return item.kind === "quantize" ? Math.ceil(item.plan.rows / item.rowsPerChunk) : Math.ceil(item.byteLength / item.bytesPerChunk);
}

export function chunkCountOf(task: Pick<ChunkTask, "items">): number {
  let n = 0;
  for (const item of task.items) n += itemChunkCount(item);
  return n;
}

/** Elements and groups of the largest quantize chunk (or span part), and the largest copy chunk and span, of a task. */
function bufferNeeds(items: readonly ChunkItem[]): { elements: number; groups: number; copyBytes: number; staging: number; spanBytes: number; spanQparamBytes: number } {
  let spanBytes = 0;
  let spanQparamBytes = 0;
  let elements = 0;
  let groups = 0;
  let copyBytes = 0;
  let staging = 0;
  for (const item of items) {
    if (item.kind === "copy") {
      copyBytes = Math.max(copyBytes, Math.min(item.bytesPerChunk, item.byteLength));
      continue;
    }
    if (item.kind === "span") {
      spanBytes = Math.max(spanBytes, item.byteLength);
      spanQparamBytes = Math.max(spanQparamBytes, item.qparams?.byteLength ?? 0);
      for (const { quant } of item.parts) {
        if (!quant) continue;
        elements = Math.max(elements, quant.plan.rows * quant.plan.rowLength);
        groups = Math.max(groups, quant.plan.rows * quant.plan.groupsPerRow);
      }
      continue;
    }
    const rows = Math.min(item.rowsPerChunk, item.plan.rows);
    elements = Math.max(elements, rows * item.plan.rowLength);
    groups = Math.max(groups, rows * item.plan.groupsPerRow);
    if (item.input.dtype === "F64" && item.plan.compute !== "float64") staging = Math.max(staging, rows * item.plan.rowLength);
  }
  return { elements, groups, copyBytes, staging, spanBytes, spanQparamBytes };
}

/** One item's readers and writers on this thread, made when the thread first claims one of its chunks. */
interface ItemIo {
  reader: RowReader;
  out: ValueWriter;
  scaleOut?: ValueWriter;
  zeroPointOut?: ValueWriter;
  /** This item's chunks run the wasm kernel: its values go through the kernel's own memory. */
  inWasm: boolean;
  /**
   * Its chunks stay 16-bit: BF16/F16 bytes (little-endian, C order) computed in their own dtype
   * and written as the same dtype are read into the kernel's memory, fake-quantized there by
   * the fused kernel and written from it (no float32 values, no decode/encode passes).
   */
  raw16: boolean;
}

/**
 * One thread's side of a task: `next()` claims and processes one chunk and
 * returns false when no chunk is left or a stop was requested. A worker loops
 * on it; the main thread yields to its event loop between chunks (signals,
 * progress). `close()` when done: it closes this thread's readers, not the shared files.
 */
export class ChunkRunner {
  readonly #task: ChunkTask;
  readonly #chunkCount: number;
  /** First global chunk number of each item, and one past the last. */
  readonly #starts: number[];
  readonly #elements: number;
  readonly #groups: number;
  readonly #copyBytes: number;
  readonly #stagingElements: number;
  readonly #spanBytes: number;
  readonly #spanQparamBytes: number;
  readonly #io = new Map<number, ItemIo>();
  #wasmUsable = true;
  #js?: { f32: Float32Array; f64?: Float64Array; scale: Float64Array; zeroPoint: Float64Array };
  /** The chunk's input values, kept for `stats` while the kernel overwrites them. */
  #statsX?: Float32Array;
  #staging?: Float64Array;
  #copyBuffer?: Uint8Array;
  /** A span's bytes, and an aligned place for one part's (span offsets need not be aligned). */
  #spanBuffer?: Uint8Array;
  #partBuffer?: Uint8Array;
  /** A span's qparams, gathered to be written at once. */
  #qparamBuffer?: Uint8Array;
  #item = 0;
  /** Chunks this thread processed. */
  processed = 0;

  constructor(task: ChunkTask) {
    this.#task = task;
    this.#starts = [0];
    for (const item of task.items) this.#starts.push(this.#starts[this.#starts.length - 1] + itemChunkCount(item));
    this.#chunkCount = this.#starts[this.#starts.length - 1];
    const needs = bufferNeeds(task.items);
    this.#elements = needs.elements;
    this.#groups = needs.groups;
    this.#copyBytes = needs.copyBytes;
    this.#stagingElements = needs.staging;
    this.#spanBytes = needs.spanBytes;
    this.#spanQparamBytes = needs.spanQparamBytes;
  }

  next(): boolean {
    const { control } = this.#task;
    if (Atomics.load(control, CONTROL.STOP) !== 0) return false;
    const i = Atomics.add(control, CONTROL.NEXT, 1);
    if (i >= this.#chunkCount) return false;
    // Chunks are claimed in increasing order, so this thread's item index only moves forward.
    while (this.#starts[this.#item + 1] <= i) {
      // Done with that item on this thread: free its reader's scratch memory.
      this.#io.get(this.#item)?.reader.close();
      this.#io.delete(this.#item);
      this.#item++;
    }
    const item = this.#task.items[this.#item];
    const k = i - this.#starts[this.#item];
    if (item.kind === "copy") this.#copy(item, k);
    else if (item.kind === "span") this.#span(item);
    else this.#quantize(item, this.#item, k);
    this.processed++;
    Atomics.add(control, CONTROL.DONE, 1);
    return true;
  }

  #copy(item: CopyItem, k: number): void {
    const at = k * item.bytesPerChunk;
    const n = Math.min(item.bytesPerChunk, item.byteLength - at);
    const buf = this.#copyBuf().subarray(0, n);
    readFully(item.from.fd, buf, item.from.offset + at, item.from.file);
    writeFully(item.to.fd, buf, item.to.offset + at, item.to.file);
  }

  #span(item: SpanItem): void {
    const buf = (this.#spanBuffer ??= new Uint8Array(this.#spanBytes)).subarray(0, item.byteLength);
    readFully(item.from.fd, buf, item.from.offset, item.from.file);
    const q = item.qparams;
    const region = q ? (this.#qparamBuffer ??= new Uint8Array(this.#spanQparamBytes)).subarray(0, q.byteLength) : undefined;
    // Each part's qparams land in the region at their place in the file.
    const sink = q && region ? (bytes: Uint8Array, position: number) => region.set(bytes, position - q.offset) : undefined;
    for (const part of item.parts) if (part.quant) this.#quantizePart(part, buf, sink);
    if (q && region) writeFully(q.fd, region, q.offset, q.file);
    writeFully(item.to.fd, buf, item.to.offset, item.to.file);
  }

  /** One whole tensor of a span, fake-quantized in place in the span's bytes (as #quantize does one chunk). */
  #quantizePart(part: SpanPart, buf: Uint8Array, qparamSink?: (bytes: Uint8Array, position: number) => void): void {
    const { plan, dtype, byteOrder, stats, scaleOut, zeroPointOut } = part.quant!;
    // A copy, aligned: span offsets need not be. A float32 part of the most elements is the longest one.
    const raw = (this.#partBuffer ??= new Uint8Array(4 * this.#elements)).subarray(0, part.byteLength);
    raw.set(buf.subarray(part.at, part.at + part.byteLength));
    const arrays = this.#arrays(kernelFor(plan, "compute", this.#task.kernel) === "wasm", false);
    if (stats && (!this.#statsX || this.#statsX.length < this.#elements)) this.#statsX = new Float32Array(this.#elements);
    fakeQuantizeBytes({
      bytes: raw, dtype, byteOrder, rows: plan.rows, plan, kernel: this.#task.kernel,
      values: arrays.values as Float32Array, scale: arrays.scale, zeroPoint: arrays.zeroPoint,
      stats: stats && { x: this.#statsX!, partials: stats.partials, slot: stats.firstSlot * SLOTS },
    });
    const groups = plan.rows * plan.groupsPerRow;
    if (scaleOut) valueWriterFor(scaleOut, groups, qparamSink).writeAt(0, arrays.scale, groups);
    if (zeroPointOut) valueWriterFor(zeroPointOut, groups, qparamSink).writeAt(0, arrays.zeroPoint, groups);
    buf.set(raw, part.at);
  }

  /**
   * A buffer for copies: the wasm kernel's memory when it is there (page-aligned
   * memory measured ~30% faster to read into and write from than a plain
   * ArrayBuffer), else a buffer of its own.
   */
  #copyBuf(): Uint8Array {
    if (this.#wasmUsable) {
      const views = wasmChunkViews(Math.max(this.#elements, Math.ceil(this.#copyBytes / 4)), this.#groups);
      if (views) return new Uint8Array(views.values.buffer, 0, this.#copyBytes);
      this.#wasmUsable = false;
    }
    return (this.#copyBuffer ??= new Uint8Array(this.#copyBytes));
  }

  #ioOf(item: QuantItem, index: number): ItemIo {
    let io = this.#io.get(index);
    if (!io) {
      const rows = Math.min(item.rowsPerChunk, item.plan.rows);
      const elements = rows * item.plan.rowLength;
      const groups = rows * item.plan.groupsPerRow;
      io = {
        reader: rowReaderFor(item.input),
        out: valueWriterFor(item.output, elements),
        scaleOut: item.scaleOut && valueWriterFor(item.scaleOut, groups),
        zeroPointOut: item.zeroPointOut && valueWriterFor(item.zeroPointOut, groups),
        inWasm: kernelFor(item.plan, item.mode, this.#task.kernel) === "wasm",
        raw16: false,
      };
      io.raw16 = io.inWasm && raw16Item(item);
      this.#io.set(index, io);
    }
    return io;
  }

  /**
   * This chunk's arrays: in the wasm kernel's own memory when it will run, so
   * data is read straight into it. Taken anew for every chunk: another runner
   * on this thread (two applyFile calls at once) may have grown that memory
   * meanwhile, which detaches older views. next() is synchronous, so nothing
   * else runs on this thread while the views are in use.
   */
  #arrays(inWasm: boolean, f64: boolean): { values: Float32Array | Float64Array; scale: Float64Array; zeroPoint: Float64Array } {
    if (inWasm && this.#wasmUsable && !f64) {
      const views = wasmChunkViews(Math.max(this.#elements, Math.ceil(this.#copyBytes / 4)), this.#groups);
      if (views) return views;
      this.#wasmUsable = false; // the memory cannot grow: plain arrays from now on (same results)
    }
    const js = (this.#js ??= { f32: new Float32Array(0), scale: new Float64Array(this.#groups), zeroPoint: new Float64Array(this.#groups) });
    if (f64) return { values: (js.f64 ??= new Float64Array(this.#elements)), scale: js.scale, zeroPoint: js.zeroPoint };
    if (js.f32.length === 0) js.f32 = new Float32Array(this.#elements);
    return { values: js.f32, scale: js.scale, zeroPoint: js.zeroPoint };
  }

  #quantize(item: QuantItem, index: number, k: number): void {
    const { plan, rowsPerChunk, mode, given } = item;
    const io = this.#ioOf(item, index);
    if (io.raw16 && this.#wasmUsable && this.#quantizeRaw16(item, io, k)) return;
    const n = plan.rowLength;
    const g = plan.groupsPerRow;
    const arrays = this.#arrays(io.inWasm, plan.compute === "float64");
    const start = k * rowsPerChunk;
    const count = Math.min(rowsPerChunk, plan.rows - start);
    const values = arrays.values.subarray(0, count * n);
    if (item.input.dtype === "F64" && plan.compute !== "float64") {
      // A float64 file computed in float32/16: the cast rounds like torch's `x.float()`.
      const staging = (this.#staging ??= new Float64Array(this.#stagingElements));
      io.reader.readRows(start, count, staging);
      for (let j = 0; j < values.length; j++) values[j] = staging[j];
    } else {
      io.reader.readRows(start, count, values);
    }
    // Values decoded from the compute dtype itself are already exact in it (BF16 → bfloat16, F16 → float16).
    if (needsRounding(item.input.dtype, plan.compute)) toComputeDtype(values as Float32Array, plan.compute as "float16" | "bfloat16");
    if (given) {
      arrays.scale.set(given.scale.subarray(start * g, (start + count) * g));
      arrays.zeroPoint.set(given.zeroPoint.subarray(start * g, (start + count) * g));
    }
    const stats = item.stats && values instanceof Float32Array ? item.stats : undefined;
    let x: Float32Array | undefined;
    if (stats) {
      if (!this.#statsX || this.#statsX.length < this.#elements) this.#statsX = new Float32Array(this.#elements);
      x = this.#statsX.subarray(0, values.length);
      x.set(values);
    }
    fakeQuantizeRows(plan, values, values, count, arrays.scale, arrays.zeroPoint, mode, this.#task.kernel);
    if (stats && x) accumulateChunkStats(x, values as Float32Array, values.length, stats.partials, (stats.firstSlot + k) * SLOTS, this.#task.kernel);
    // float64 results into a float16 file: torch's `.half()` narrows through float32 (c10::Half is built from a
    // float), as the input side's cast of a float64 file to float16 does; one rounding straight to half can differ.
    if (values instanceof Float64Array && item.output.dtype === "F16") for (let j = 0; j < values.length; j++) values[j] = Math.fround(values[j]);
    // Qparams first: a BF16 output narrows the values in place.
    io.scaleOut?.writeAt(start * g, arrays.scale, count * g);
    io.zeroPointOut?.writeAt(start * g, arrays.zeroPoint, count * g);
    io.out.writeAt(start * n, values, values.length);
  }

  /** A chunk of a raw16 item: false (nothing done) when the chunk memory cannot be had. */
  #quantizeRaw16(item: QuantItem, io: ItemIo, k: number): boolean {
    const { plan, rowsPerChunk, input, output } = item;
    const views = wasmChunkViews(Math.max(this.#elements, Math.ceil(this.#copyBytes / 4)), this.#groups);
    if (!views) {
      this.#wasmUsable = false;
      return false;
    }
    const n = plan.rowLength;
    const g = plan.groupsPerRow;
    const start = k * rowsPerChunk;
    const count = Math.min(rowsPerChunk, plan.rows - start);
    const raw = new Uint8Array(views.values.buffer, 0, 2 * count * n);
    readFully(input.fd, raw, input.dataOffset + 2 * start * n, input.file);
    if (!fakeQuantizeRaw16(plan, raw, count, views.scale, views.zeroPoint)) throw new Error(`${input.file}: the 16-bit kernel declined a chunk it was chosen for`);
    io.scaleOut?.writeAt(start * g, views.scale, count * g);
    io.zeroPointOut?.writeAt(start * g, views.zeroPoint, count * g);
    writeFully(output.fd, raw, output.dataOffset + 2 * start * n, output.file);
    return true;
  }

  close(): void {
    for (const io of this.#io.values()) io.reader.close(); // leaves the shared descriptors open
    this.#io.clear();
  }
}

/** Whether an item's chunks can stay 16-bit from read to write (ItemIo.raw16), its kernel being wasm. */
function raw16Item(item: QuantItem): boolean {
  const { input, output, plan } = item;
  const dtype = input.dtype;
  return (dtype === "BF16" ? plan.compute === "bfloat16" : dtype === "F16" && plan.compute === "float16")
    && output.dtype === dtype && input.byteOrder === "little" && output.byteOrder === "little" && !input.fortranOrder
    && item.mode === "compute" && item.given === undefined && item.stats === undefined && raw16Applies(plan);
}

/** A worker's whole share of a task; returns the number of chunks it processed. */
export function runChunks(task: ChunkTask): number {
  const runner = new ChunkRunner(task);
  try {
    while (runner.next());
    return runner.processed;
  } finally {
    runner.close();
  }
}
