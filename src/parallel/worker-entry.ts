/**
 * Worker thread entry. Bundled by scripts/gen-sources.mjs into a string and
 * started with `new Worker(source, { eval: true })`, so the same code runs
 * from src, dist and inside the single-file binary. It only maps shared
 * buffers and calls the kernel.
 */
import { parentPort } from "node:worker_threads";
import { fakeQuantizeRows } from "../quant/kernel.js";
import type { Job, WorkerReply } from "./protocol.js";

if (!parentPort) throw new Error("worker-entry must run in a worker thread");
const port = parentPort;

port.on("message", (job: Job) => {
  let reply: WorkerReply;
  try {
    const { plan, buffers, rowStart, rowCount } = job;
    const n = plan.rowLength;
    const g = plan.groupsPerRow;
    const data = buffers.wide
      ? new Float64Array(buffers.data, rowStart * n * 8, rowCount * n)
      : new Float32Array(buffers.data, rowStart * n * 4, rowCount * n);
    const scale = new Float64Array(buffers.scale, rowStart * g * 8, rowCount * g);
    const zeroPoint = new Float64Array(buffers.zeroPoint, rowStart * g * 8, rowCount * g);
    fakeQuantizeRows(plan, data, data, rowCount, scale, zeroPoint, job.mode, job.kernel);
    reply = { id: job.id, ok: true };
  } catch (e) {
    reply = { id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
