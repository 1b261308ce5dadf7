/**
 * The part of `apply` every thread runs: claim a chunk of whole rows from a
 * shared counter, read it from the input, fake-quantize it, and write the
 * result (and the qparams) at the chunk's own position in the output files.
 * File descriptors are process-wide, so workers use the main thread's; reads
 * and writes are positional and chunks disjoint, so the threads share nothing
 * else. Each thread therefore reads, computes and writes at the same time as
 * the others, and the byte copies of I/O are spread over all cores.
 */
import { parseDescr } from "./npy/dtype.js";
import type { NpyHeader } from "./npy/header.js";
import { writeFully } from "./npy/positional.js";
import { NpyRowReader } from "./npy/reader.js";
import { NpyValueWriter } from "./npy/value-writer.js";
import type { SharedNpyTarget } from "./npy/writer.js";
import { toComputeDtype } from "./quant/float.js";
import { fakeQuantizeRows, kernelFor, type KernelChoice, type QparamMode } from "./quant/kernel.js";
import type { QuantPlan } from "./quant/plan.js";
import { wasmChunkViews } from "./quant/wasm/kernel-wasm.js";

export interface ChunkTask {
  plan: QuantPlan;
  mode: QparamMode;
  kernel: KernelChoice;
  input: { path: string; fd: number; header: NpyHeader };
  output: SharedNpyTarget;
  scaleOut?: SharedNpyTarget;
  zeroPointOut?: SharedNpyTarget;
  /** Static qparams of the whole tensor, one float64 per group (mode "given"); shared memory in workers. */
  given?: { scale: Float64Array; zeroPoint: Float64Array };
  rowsPerChunk: number;
  /** Int32 slots over a SharedArrayBuffer, indexed by CONTROL. */
  control: Int32Array;
}

/** Slots of ChunkTask.control: next chunk to claim, stop request (non-zero), chunks finished. */
export const CONTROL = { NEXT: 0, STOP: 1, DONE: 2 } as const;

export function newControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

export function chunkCountOf(task: Pick<ChunkTask, "plan" | "rowsPerChunk">): number {
  return Math.ceil(task.plan.rows / task.rowsPerChunk);
}

/**
 * One thread's side of a task: `next()` claims and processes one chunk and
 * returns false when no chunk is left or a stop was requested. A worker loops
 * on it; the main thread yields to its event loop between chunks (signals,
 * progress). `close()` when done: it closes this thread's reader, not the shared files.
 */
export class ChunkRunner {
  readonly #task: ChunkTask;
  readonly #chunkCount: number;
  readonly #bufs: ChunkBuffers;
  readonly #elements: number;
  readonly #groups: number;
  readonly #reader: NpyRowReader;
  readonly #out: NpyValueWriter;
  readonly #scaleOut: NpyValueWriter | undefined;
  readonly #zeroPointOut: NpyValueWriter | undefined;
  /** Chunks this thread processed. */
  processed = 0;

  constructor(task: ChunkTask) {
    this.#task = task;
    this.#chunkCount = chunkCountOf(task);
    this.#elements = task.rowsPerChunk * task.plan.rowLength;
    this.#groups = task.rowsPerChunk * task.plan.groupsPerRow;
    this.#bufs = {
      inWasm: kernelFor(task.plan, task.mode, task.kernel) === "wasm",
      staging: task.input.header.dtype === "float64" && task.plan.compute !== "float64" ? new Float64Array(this.#elements) : undefined,
    };
    this.#reader = NpyRowReader.overDescriptor(task.input.path, task.input.fd, task.input.header);
    this.#out = valueWriter(task.output, this.#elements);
    this.#scaleOut = task.scaleOut && valueWriter(task.scaleOut, this.#groups);
    this.#zeroPointOut = task.zeroPointOut && valueWriter(task.zeroPointOut, this.#groups);
  }

  /**
   * This chunk's arrays: in the wasm kernel's own memory when it will run, so
   * data is read straight into it. Taken anew for every chunk: another runner
   * on this thread (two applyFile calls at once) may have grown that memory
   * meanwhile, which detaches older views. next() is synchronous, so nothing
   * else runs on this thread while the views are in use.
   */
  #arrays(): ChunkArrays {
    const bufs = this.#bufs;
    if (bufs.inWasm) {
      const views = wasmChunkViews(this.#elements, this.#groups);
      if (views) return views;
      bufs.inWasm = false; // the memory cannot grow: plain arrays from now on (same results)
    }
    return (bufs.js ??= {
      values: this.#task.plan.compute === "float64" ? new Float64Array(this.#elements) : new Float32Array(this.#elements),
      scale: new Float64Array(this.#groups),
      zeroPoint: new Float64Array(this.#groups),
    });
  }

  next(): boolean {
    const { plan, control, rowsPerChunk, mode, given } = this.#task;
    if (Atomics.load(control, CONTROL.STOP) !== 0) return false;
    const i = Atomics.add(control, CONTROL.NEXT, 1);
    if (i >= this.#chunkCount) return false;
    const n = plan.rowLength;
    const g = plan.groupsPerRow;
    const arrays = this.#arrays();
    const staging = this.#bufs.staging;
    const start = i * rowsPerChunk;
    const count = Math.min(rowsPerChunk, plan.rows - start);
    const values = arrays.values.subarray(0, count * n);
    if (staging) {
      // A float64 file computed in float32/16: the cast rounds like torch's `x.float()`.
      this.#reader.readRows(start, count, staging);
      for (let k = 0; k < values.length; k++) values[k] = staging[k];
    } else {
      this.#reader.readRows(start, count, values);
    }
    if (plan.compute === "float16" || plan.compute === "bfloat16") toComputeDtype(values as Float32Array, plan.compute);
    if (given) {
      arrays.scale.set(given.scale.subarray(start * g, (start + count) * g));
      arrays.zeroPoint.set(given.zeroPoint.subarray(start * g, (start + count) * g));
    }
    fakeQuantizeRows(plan, values, values, count, arrays.scale, arrays.zeroPoint, mode, this.#task.kernel);
    this.#out.writeAt(start * n, values, values.length);
    this.#scaleOut?.writeAt(start * g, arrays.scale, count * g);
    this.#zeroPointOut?.writeAt(start * g, arrays.zeroPoint, count * g);
    this.processed++;
    Atomics.add(control, CONTROL.DONE, 1);
    return true;
  }

  close(): void {
    this.#reader.close(); // leaves the shared descriptor open
  }
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

interface ChunkArrays {
  values: Float32Array | Float64Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
}

interface ChunkBuffers {
  /** Chunks go through the wasm kernel's memory (wasmChunkViews). */
  inWasm: boolean;
  /** float64 file, narrower compute: the file's values before the cast. */
  staging?: Float64Array;
  /** Plain arrays when wasm does not run. */
  js?: ChunkArrays;
}

function valueWriter(target: SharedNpyTarget, maxElements: number): NpyValueWriter {
  const parsed = parseDescr(target.descr);
  if (!parsed.ok) throw new Error(`${target.file}: ${parsed.what}`); // AtomicNpyWriter.create accepted it already
  return new NpyValueWriter(target.file, (bytes, position) => writeFully(target.fd, bytes, position, target.file), target.dataOffset, parsed.info, maxElements);
}
