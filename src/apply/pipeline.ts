/**
 * One tensor on two threads as a pipeline: the main thread reads each chunk
 * into a slot of shared wasm memory and writes it out once the worker has
 * fake-quantized it there, in place. The kernel then runs beside the reads and
 * writes instead of between them. On two cores, two threads that each read,
 * compute and write their own chunks measured slower than one (the copies of
 * the reads and writes compete; Node's own read+write floor is slower on two
 * threads too), while this keeps the I/O on one thread, as the floor's
 * fastest form does. Until the worker has started (~50 ms for a new thread),
 * the main thread computes chunks itself, so a late worker costs nothing.
 * The results are the chunk loop's (apply-chunks.ts): same kernel, same
 * rows per chunk, same readers and writers.
 */
import { CONTROL, raw16Item, type ChunkTask, type QuantItem } from "../apply-chunks.js";
import { toComputeDtype } from "../quant/float.js";
import { fakeQuantizeRows, kernelFor, type KernelChoice } from "../quant/kernel.js";
import type { QuantPlan } from "../quant/plan.js";
import { bindSharedChunkMemory, sharedChunkMemory } from "../quant/wasm/kernel-wasm.js";
import { needsRounding } from "./quantize-bytes.js";
import { rowReaderFor, valueWriterFor } from "./tensor-io.js";

/** What the worker runs: the compute side of the pipeline. */
export interface PipelineTask {
  kind: "pipeline";
  plan: QuantPlan;
  kernel: KernelChoice;
  /** The values read are rounded to the compute dtype first (a float32 file computed in 16 bits). */
  round: boolean;
  shared: { memory: object; module: object };
  layout: SlotLayout;
  rowsPerChunk: number;
  chunkCount: number;
  /** Int32 slots over a SharedArrayBuffer, indexed by PIPE. */
  control: Int32Array;
}

/** Slots of PipelineTask.control. */
export const PIPE = {
  /** Chunks read and handed over: the worker may compute chunk k once POSTED > k. */
  POSTED: 0,
  /** Chunks the worker has computed: chunk k is done once COMPUTED > k. */
  COMPUTED: 1,
  /** 1 + the first chunk the worker computes (0: not decided yet); the main thread computed those before it. */
  FIRST: 2,
  /** Non-zero once the worker has taken the task. */
  READY: 3,
  /** Non-zero: stop (an abort, or a failure elsewhere). */
  STOP: 4,
  /** Non-zero: the worker failed; the main thread stops waiting for it. */
  FAILED: 5,
} as const;

/** Where slot s lies in the shared memory: values at s × slotBytes, then the scales and zero points of its groups (float64). */
interface SlotLayout {
  slots: number;
  slotBytes: number;
  scaleAt: number;
  zeroPointAt: number;
}

/** Two slots: one the worker computes in while the main thread reads into or writes from the other. */
const SLOTS = 2;
/** Polls of a control slot before a thread sleeps on it: a wake-up from Atomics.wait costs more than the wait, most times. */
const SPINS = 2000;

/**
 * The worker's task when `task` can run as a pipeline on `workers` (one
 * worker; one tensor fake-quantized by the wasm kernel on float32 values,
 * qparams computed, no statistics), with its shared memory; else null (the
 * chunk loop runs it).
 */
export function pipelineFor(task: ChunkTask, workers: number): PipelineTask | null {
  if (workers !== 1 || task.items.length !== 1) return null;
  const item = task.items[0];
  if (item.kind !== "quantize" || item.mode !== "compute" || item.given || item.stats || item.input.dtype === "F64") return null;
  const { plan } = item;
  const chunkCount = Math.ceil(plan.rows / item.rowsPerChunk);
  // A raw16 item stays 16-bit through the chunk loop, which the pipeline's float32 slots would undo.
  if (chunkCount < 2 || kernelFor(plan, "compute", task.kernel) !== "wasm" || raw16Item(item)) return null;
  const elements = Math.min(item.rowsPerChunk, plan.rows) * plan.rowLength;
  const groups = Math.min(item.rowsPerChunk, plan.rows) * plan.groupsPerRow;
  const scaleAt = Math.ceil(elements / 2) * 8;
  const zeroPointAt = scaleAt + groups * 8;
  const slotBytes = zeroPointAt + groups * 8;
  const shared = sharedChunkMemory(SLOTS * slotBytes);
  if (!shared) return null;
  return {
    kind: "pipeline", plan, kernel: task.kernel, round: needsRounding(item.input.dtype, plan.compute), shared,
    layout: { slots: SLOTS, slotBytes, scaleAt, zeroPointAt }, rowsPerChunk: item.rowsPerChunk, chunkCount,
    control: new Int32Array(new SharedArrayBuffer(6 * Int32Array.BYTES_PER_ELEMENT)),
  };
}

/** Chunk k's rows and its arrays in its slot. */
function chunkViews(buffer: ArrayBufferLike, pipe: PipelineTask, k: number) {
  const { plan, rowsPerChunk, layout } = pipe;
  const start = k * rowsPerChunk;
  const count = Math.min(rowsPerChunk, plan.rows - start);
  const at = (k % layout.slots) * layout.slotBytes;
  const groups = count * plan.groupsPerRow;
  return {
    start, count,
    values: new Float32Array(buffer, at, count * plan.rowLength),
    scale: new Float64Array(buffer, at + layout.scaleAt, groups),
    zeroPoint: new Float64Array(buffer, at + layout.zeroPointAt, groups),
  };
}

/** Fake-quantizes chunk k in its slot (either thread). */
function computeChunk(buffer: ArrayBufferLike, pipe: PipelineTask, k: number): void {
  const { values, scale, zeroPoint, count } = chunkViews(buffer, pipe, k);
  if (pipe.round) toComputeDtype(values, pipe.plan.compute as "float16" | "bfloat16");
  fakeQuantizeRows(pipe.plan, values, values, count, scale, zeroPoint, "compute", pipe.kernel);
}

/** Waits, briefly, for control[index] to leave `value`. */
function waitWhile(control: Int32Array, index: number, value: number, ms: number): void {
  for (let i = 0; i < SPINS; i++) if (Atomics.load(control, index) !== value) return;
  Atomics.wait(control, index, value, ms);
}

/** The worker's side: computes chunks FIRST − 1 … in order as they are posted; returns how many. */
export function runPipelineCompute(pipe: PipelineTask): number {
  const c = pipe.control;
  let computed = 0;
  try {
    const buffer = bindSharedChunkMemory(pipe.shared);
    // Not bound: READY stays 0 and the main thread computes every chunk.
    if (!buffer) return 0;
    Atomics.store(c, PIPE.READY, 1);
    while (Atomics.load(c, PIPE.FIRST) === 0) {
      if (Atomics.load(c, PIPE.STOP) !== 0) return 0;
      waitWhile(c, PIPE.FIRST, 0, 5);
    }
    for (let k = Atomics.load(c, PIPE.FIRST) - 1; k < pipe.chunkCount; k++) {
      for (let posted = Atomics.load(c, PIPE.POSTED); posted <= k; posted = Atomics.load(c, PIPE.POSTED)) {
        if (Atomics.load(c, PIPE.STOP) !== 0) return computed;
        waitWhile(c, PIPE.POSTED, posted, 5);
      }
      computeChunk(buffer, pipe, k);
      computed++;
      Atomics.store(c, PIPE.COMPUTED, k + 1);
      Atomics.notify(c, PIPE.COMPUTED);
    }
    return computed;
  } catch (e) {
    Atomics.store(c, PIPE.FAILED, 1);
    Atomics.notify(c, PIPE.COMPUTED);
    throw e;
  }
}

export interface PipelineMain {
  /** Lets the event loop run now and then (signals, progress, the workers' messages). */
  pause: () => Promise<void>;
  /** True once the worker's run has ended (its reply or its failure arrived): it computes nothing more. */
  workerEnded: () => boolean;
}

/**
 * The main thread's side: reads every chunk, computes those before the
 * worker starts, writes every chunk, counting each written one in the
 * task's CONTROL.DONE. Returns early, leaving chunks unwritten, on a stop
 * request or when the worker failed or ended (the caller reports which).
 */
export async function runPipelineMain(task: ChunkTask, item: QuantItem, pipe: PipelineTask, main: PipelineMain): Promise<void> {
  const c = pipe.control;
  const n = pipe.chunkCount;
  const buffer = bindSharedChunkMemory(pipe.shared);
  if (!buffer) throw new Error("the pipeline's shared memory could not be bound on the main thread");
  const { plan } = item;
  const groupsPerRow = plan.groupsPerRow;
  const elements = Math.min(pipe.rowsPerChunk, plan.rows) * plan.rowLength;
  const groups = Math.min(pipe.rowsPerChunk, plan.rows) * groupsPerRow;
  const reader = rowReaderFor(item.input);
  const out = valueWriterFor(item.output, elements);
  const scaleOut = item.scaleOut && valueWriterFor(item.scaleOut, groups);
  const zeroPointOut = item.zeroPointOut && valueWriterFor(item.zeroPointOut, groups);
  const stopped = () => Atomics.load(task.control, CONTROL.STOP) !== 0 || Atomics.load(c, PIPE.STOP) !== 0 || Atomics.load(c, PIPE.FAILED) !== 0;
  const read = (k: number) => {
    const v = chunkViews(buffer, pipe, k);
    reader.readRows(v.start, v.count, v.values);
  };
  const write = (k: number) => {
    const v = chunkViews(buffer, pipe, k);
    // Qparams first, as the chunk loop writes them.
    scaleOut?.writeAt(v.start * groupsPerRow, v.scale, v.count * groupsPerRow);
    zeroPointOut?.writeAt(v.start * groupsPerRow, v.zeroPoint, v.count * groupsPerRow);
    out.writeAt(v.start * plan.rowLength, v.values, v.count * plan.rowLength);
    Atomics.add(task.control, CONTROL.DONE, 1);
  };
  try {
    let k = 0;
    // Alone until the worker has taken the task.
    for (; k < n && Atomics.load(c, PIPE.READY) === 0; k++) {
      if (stopped()) return;
      read(k);
      computeChunk(buffer, pipe, k);
      write(k);
      await main.pause();
    }
    Atomics.store(c, PIPE.FIRST, k + 1);
    Atomics.notify(c, PIPE.FIRST);
    let posted = k;
    let written = k;
    while (written < n) {
      if (stopped()) return;
      if (written < Atomics.load(c, PIPE.COMPUTED)) {
        write(written++);
        await main.pause();
      } else if (posted < n && posted - written < pipe.layout.slots) {
        read(posted++);
        Atomics.store(c, PIPE.POSTED, posted);
        Atomics.notify(c, PIPE.POSTED);
      } else if (main.workerEnded()) {
        return;
      } else {
        const computed = Atomics.load(c, PIPE.COMPUTED);
        if (computed <= written) waitWhile(c, PIPE.COMPUTED, computed, 1);
        await main.pause();
      }
    }
  } finally {
    reader.close();
  }
}
