/**
 * Worker thread entry. Bundled by scripts/gen-sources.mjs into a string and
 * started with `new Worker(source, { eval: true })`, so the same code runs
 * from src, dist and inside the single-file binary. It runs apply's (or
 * report's) chunk loop on the task it is given and reports the outcome.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runChunks } from "../apply-chunks.js";
import { FqcError } from "../errors.js";
import { runReportChunks } from "../report/report-chunks.js";
import { adoptCompiledKernel, wasmAvailable } from "../quant/wasm/kernel-wasm.js";
import type { Job, WorkerReply, WorkerStart } from "./protocol.js";

if (!parentPort) throw new Error("worker-entry must run in a worker thread");
const port = parentPort;

port.on("message", (job: Job) => {
  let reply: WorkerReply;
  try {
    const { task } = job;
    reply = { id: job.id, ok: true, chunks: "kind" in task ? runReportChunks(task) : runChunks(task) };
  } catch (e) {
    reply = e instanceof FqcError
      ? { id: job.id, ok: false, message: e.message, code: e.code, hint: e.hint, file: e.file }
      : { id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  // Nothing more will come: end the thread now, while the main thread finishes its own chunks,
  // rather than when it is terminated at the end (the reply above is delivered first).
  if (job.last) port.close();
});

// A pool's worker gets the module its starting thread compiled. Compiling it in every worker (even when V8
// found the main thread's compiled code in its cache) left a host's memory ~2-3 KiB larger for good per
// worker started: ~8 MiB over 3,000 two-thread applyFile calls, flat with the module handed over
// (bench/host-memory.mjs).
adoptCompiledKernel((workerData as WorkerStart | undefined)?.kernel);
// An early worker (early-workers.ts) compiles its own, now, while the main thread still loads the CLI and
// checks the config, not when the first chunk arrives.
wasmAvailable();
