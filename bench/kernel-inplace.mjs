// Kernel-only timing of fakeQuantizeRows in place in wasm memory (wasmChunkViews, 4 MiB chunks as apply uses) on
// 4096x4096, float32 / bfloat16 / float16 compute. Usage: npm run build && node bench/kernel-inplace.mjs [ROOT] [REPS] [FILTER]
// (ROOT: a built checkout, to compare two builds run by run; FILTER: comma-separated words that a row's config name and compute
// dtype must all contain, e.g. "asym,float32").
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
const root = process.argv[2] || fileURLToPath(new URL("..", import.meta.url));
const { fakeQuantizeRows } = await import(`${root}/dist/quant/kernel.js`);
const { makePlan } = await import(`${root}/dist/quant/plan.js`);
const { wasmChunkViews } = await import(`${root}/dist/quant/wasm/kernel-wasm.js`);
const { toComputeDtype } = await import(`${root}/dist/quant/float.js`);
const R = 4096, C = 4096, N = R * C, CHUNK_ROWS = 256, REPS = Number(process.argv[3] ?? 7), FILTER = process.argv[4] ?? "";
const base = { mapping_type: "SYMMETRIC", scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null };
const cfgs = {
  "int4 per_group 32": { ...base, dtype: "int4", granularity: { type: "PerGroup", group_size: 32 } },
  "int8 per_channel": { ...base, dtype: "int8", granularity: { type: "PerAxis", axis: 0 } },
  "int4 asym group 32": { ...base, mapping_type: "ASYMMETRIC", dtype: "int4", granularity: { type: "PerGroup", group_size: 32 } },
  "uint8 asym channel": { ...base, mapping_type: "ASYMMETRIC", dtype: "uint8", granularity: { type: "PerAxis", axis: 0 } },
  "uint4 tinygemm 32": { ...base, mapping_type: "ASYMMETRIC", dtype: "uint4", zero_point_domain: "FLOAT", zero_point_precision: "float32",
    granularity: { type: "PerGroup", group_size: 32 } },
};
const src = new Float32Array(N);
let s = 12345;
for (let i = 0; i < N; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; src[i] = (s / 2 ** 32 - 0.5) * 0.1; }
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
for (const [name, cfg] of Object.entries(cfgs)) {
  for (const compute of ["float32", "bfloat16", "float16"]) {
    if (!FILTER.split(",").every((w) => `${name} ${compute}`.includes(w))) continue;
    const plan = makePlan(cfg, [R, C], { compute, torchao: "0.12" });
    const x = Float32Array.from(src); toComputeDtype(x, compute);
    const times = [];
    for (let rep = 0; rep < REPS; rep++) {
      let t = 0;
      for (let r0 = 0; r0 < R; r0 += CHUNK_ROWS) {
        const nq = CHUNK_ROWS * plan.groupsPerRow;
        const v = wasmChunkViews(CHUNK_ROWS * C, nq);
        v.values.set(x.subarray(r0 * C, (r0 + CHUNK_ROWS) * C));
        const t0 = performance.now();
        fakeQuantizeRows(plan, v.values, v.values, CHUNK_ROWS, v.scale, v.zeroPoint, "compute");
        t += performance.now() - t0;
      }
      times.push(t);
    }
    const m = med(times);
    console.log(`${name.padEnd(19)} ${compute.padEnd(9)} median ${m.toFixed(1).padStart(6)} ms  ${(N / m / 1e3).toFixed(0).padStart(5)} M values/s  (runs: ${times.map((t) => t.toFixed(0)).join(" ")})`);
  }
}
