// Kernel-only timing, JS kernel against the wasm kernel, of the 16-bit (bfloat16/float16 compute) asymmetric and
// per_token cases, in place in wasm memory (wasmChunkViews, 256-row chunks of 1024x4096, as apply uses them), one
// thread. Prints M values/s per thread and the ratio. Usage: npm run build && node bench/kernel-w16.mjs [ROOT] [REPS]
// (ROOT: a built checkout). Not part of `npm run bench`: timings mean something only on an idle machine.
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
const root = process.argv[2] || fileURLToPath(new URL("..", import.meta.url));
const { fakeQuantizeRows } = await import(`${root}/dist/quant/kernel.js`);
const { makePlan } = await import(`${root}/dist/quant/plan.js`);
const { wasmChunkViews } = await import(`${root}/dist/quant/wasm/kernel-wasm.js`);
const { toComputeDtype } = await import(`${root}/dist/quant/float.js`);
const R = 1024, C = 4096, N = R * C, CHUNK_ROWS = 256, REPS = Number(process.argv[3] ?? 7);
const base = { mapping_type: "ASYMMETRIC", scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null };
const cfgs = {
  "int4 asym per_group 32": { ...base, dtype: "int4", granularity: { type: "PerGroup", group_size: 32 } },
  "int8 asym per_group 128": { ...base, dtype: "int8", granularity: { type: "PerGroup", group_size: 128 } },
  "int8 asym per_channel": { ...base, dtype: "int8", granularity: { type: "PerAxis", axis: 0 } },
  "int8 per_token": { ...base, dtype: "int8", granularity: { type: "PerToken" } },
  "uint4 tinygemm per_group 128, qparams in W": { ...base, dtype: "uint4", granularity: { type: "PerGroup", group_size: 128 }, zero_point_domain: "FLOAT", scale_precision: "W", zero_point_precision: "W" },
};
const src = new Float32Array(N);
let s = 12345;
for (let i = 0; i < N; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; src[i] = (s / 2 ** 32 - 0.5) * 0.1; }
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
for (const [name, cfg] of Object.entries(cfgs)) {
  for (const compute of ["bfloat16", "float16"]) {
    // "W": scale and zero point in the compute dtype.
    const inW = cfg.scale_precision === "W" ? { scale_precision: compute, zero_point_precision: compute } : {};
    const plan = makePlan({ ...cfg, ...inW }, [R, C], { compute, torchao: "0.12" });
    const x = Float32Array.from(src);
    toComputeDtype(x, compute);
    const rate = {};
    for (const kernel of ["js", "auto"]) {
      const times = [];
      for (let rep = 0; rep < REPS; rep++) {
        let t = 0;
        for (let r0 = 0; r0 < R; r0 += CHUNK_ROWS) {
          const v = wasmChunkViews(CHUNK_ROWS * C, CHUNK_ROWS * plan.groupsPerRow);
          v.values.set(x.subarray(r0 * C, (r0 + CHUNK_ROWS) * C));
          const t0 = performance.now();
          fakeQuantizeRows(plan, v.values, v.values, CHUNK_ROWS, v.scale, v.zeroPoint, "compute", kernel);
          t += performance.now() - t0;
        }
        times.push(t);
      }
      rate[kernel] = N / med(times) / 1e3;
    }
    console.log(`${name.padEnd(44)} ${compute.padEnd(9)} JS ${rate.js.toFixed(0).padStart(5)} M values/s  wasm ${rate.auto.toFixed(0).padStart(5)} M values/s  ` +
      `(${(rate.auto / rate.js).toFixed(1)}x)`);
  }
}
