/** Messages between the pool and its workers. Buffers are shared, so a job carries only offsets. */
import type { QuantPlan } from "../quant/plan.js";
import type { KernelChoice, QparamMode } from "../quant/kernel.js";

export interface JobBuffers {
  /** Input rows, compute-dtype values (Float32 or Float64 elements). */
  data: SharedArrayBuffer;
  /** Scales and zero points, one Float64 per group. */
  scale: SharedArrayBuffer;
  zeroPoint: SharedArrayBuffer;
  /** true → data holds Float64 elements (float64 compute). */
  wide: boolean;
}

export interface Job {
  id: number;
  plan: QuantPlan;
  buffers: JobBuffers;
  /** First row of this job inside the buffers, and row count. */
  rowStart: number;
  rowCount: number;
  mode: QparamMode;
  kernel: KernelChoice;
}

export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; message: string };
