// Memory of a long-running host that calls the library again and again: runs
// N calls of applyFile on a small .npy (64×256 float32, int4 per_group 32) and
// prints RSS, heap, external and array buffers every K calls, then the growth
// per call. Needs `npm run build` first (it imports dist/index.js).
//
//   node --expose-gc bench/host-memory.mjs [--calls 6000] [--every 500] [--threads 2]
//        [--kernel auto|js] [--mode apply|bare-worker|wasm-worker|module-worker] [--concurrency 1]
//
// --mode bare-worker starts and stops a worker that does nothing (no fqc code) per
// call; wasm-worker one that compiles fqc's wasm kernel (moduleBytes) and
// instantiates it; module-worker one that instantiates a module compiled once by
// the main thread and passed in workerData; each with the same (threads − 1)
// workers per call: they tell the cost of a worker thread itself apart from the
// kernel's compile and from what fqc keeps. With --expose-gc a
// full GC runs before each sample, so the heap figures are live data, not garbage.
// Linux also prints the open file descriptors and smaps_rollup's anonymous memory.
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    calls: { type: "string", default: "6000" },
    every: { type: "string", default: "500" },
    threads: { type: "string", default: "2" },
    kernel: { type: "string", default: "auto" },
    mode: { type: "string", default: "apply" },
    concurrency: { type: "string", default: "1" },
  },
});
const calls = Number(opt.calls);
const every = Number(opt.every);
const threads = Number(opt.threads);
const concurrency = Number(opt.concurrency);

const fqc = await import(path.join(root, "dist/index.js"));
const dir = mkdtempSync(path.join(tmpdir(), "fqc-host-memory-"));
const input = path.join(dir, "w.npy");
writeFileSync(input, npy(64, 256));
const config = fqc.normalize({ dtype: "int4", group_size: 32 });

/** One call of the chosen kind; `slot` keeps concurrent calls' outputs apart. */
async function call(slot) {
  if (opt.mode === "apply") {
    await fqc.applyFile({ input, output: path.join(dir, `out${slot}.npy`), config, threads, kernel: opt.kernel, force: true });
    return;
  }
  const { Worker } = await import("node:worker_threads");
  const code = opt.mode === "bare-worker"
    ? `require("node:worker_threads").parentPort.postMessage(0);`
    : `const { parentPort, workerData } = require("node:worker_threads");
       new WebAssembly.Instance(workerData instanceof WebAssembly.Module ? workerData : new WebAssembly.Module(workerData), {});
       parentPort.postMessage(0);`;
  const data = opt.mode === "bare-worker" ? undefined : await kernelModule();
  await Promise.all(Array.from({ length: threads - 1 }, () => new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: data });
    w.once("message", () => w.terminate().then(resolve));
    w.once("error", reject);
  })));
}

let compiledOnce;
/** The kernel's bytes (wasm-worker: each worker compiles them), or its module compiled once here (module-worker). */
async function kernelModule() {
  const bytes = (await import(path.join(root, "dist/quant/wasm/kernel-wasm.js"))).moduleBytes();
  if (opt.mode === "wasm-worker") return bytes;
  compiledOnce ??= new WebAssembly.Module(bytes);
  return compiledOnce;
}

const MiB = 1 << 20;
const fmt = (b) => (b / MiB).toFixed(1).padStart(7);
function sample(done) {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { done, rss: m.rss, heap: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, fds: fdCount(), anon: anonymous() };
}
function fdCount() {
  try { return readdirSync("/proc/self/fd").length; } catch { return NaN; }
}
function anonymous() {
  try { return Number(/^Anonymous:\s+(\d+) kB/m.exec(readFileSync("/proc/self/smaps_rollup", "utf8"))[1]) * 1024; } catch { return NaN; }
}

console.log(`fqc host memory — ${calls} calls, mode ${opt.mode}, threads ${threads}, kernel ${opt.kernel}, concurrency ${concurrency}, gc ${globalThis.gc ? "forced" : "off (run with --expose-gc)"}`);
console.log("  calls   rss MiB  heap MiB  ext MiB  ab MiB  anon MiB  fds");
const rows = [];
const print = (s) => console.log(`${String(s.done).padStart(7)}  ${fmt(s.rss)}  ${fmt(s.heap)}  ${fmt(s.external)} ${fmt(s.arrayBuffers)}  ${fmt(s.anon)}  ${String(s.fds).padStart(4)}`);
// A first round outside the count: module loading and first-use caches are not growth.
for (let i = 0; i < concurrency; i++) await call(i);
rows.push(sample(0));
print(rows[0]);
const started = Date.now();
for (let done = 0; done < calls; ) {
  const batch = Math.min(concurrency, calls - done);
  await Promise.all(Array.from({ length: batch }, (_, i) => call(i)));
  done += batch;
  if (done % every < batch || done === calls) {
    rows.push(sample(done));
    print(rows.at(-1));
  }
}
const first = rows[0];
const last = rows.at(-1);
// Growth over the second half, after the allocator and caches have warmed up.
const mid = rows[Math.floor(rows.length / 2)];
const perCall = (a, b, k) => ((b[k] - a[k]) / Math.max(1, b.done - a.done) / 1024).toFixed(2);
console.log(`${calls} calls in ${((Date.now() - started) / 1000).toFixed(1)} s; per call: rss ${perCall(first, last, "rss")} KiB (second half ${perCall(mid, last, "rss")}), `
  + `heap ${perCall(first, last, "heap")} KiB, external ${perCall(first, last, "external")} KiB, fds ${last.fds - first.fds} over the run`);
rmSync(dir, { recursive: true, force: true });

/** A little-endian float32 .npy of rows × cols values. */
function npy(rows, cols) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const data = new Float32Array(rows * cols).map((_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
  return Buffer.concat([head, Buffer.from(header, "latin1"), Buffer.from(data.buffer)]);
}
