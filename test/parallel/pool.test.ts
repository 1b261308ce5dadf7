import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Deterministic values with the awkward cases mixed in: ties, zeros, tiny and huge magnitudes. */
function makeTensor(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const k = i % 97;
    if (k === 0) return 0;
    if (k === 1) return -0;
    if (k === 2) return 2.5;
    if (k === 3) return 1e-30;
    return (rnd() - 0.5) * (k % 5 === 0 ? 100 : 2);
  });
}

const configs = {
  "int4 per_group 32 sym": { dtype: "int4", group_size: 32 },
  "int8 per_token asym": { dtype: "int8", granularity: "per_token", is_symmetric: false },
  "uint4 per_group FLOAT bf16": { dtype: "uint4", group_size: 64, is_symmetric: false, zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" },
  "int8 per_channel sym": { dtype: "int8", granularity: "per_channel" },
};

describe("worker pool: results do not depend on threads or chunking", () => {
  const rows = 301;
  const cols = 256;
  const data = makeTensor(rows * cols, 7);
  for (const descr of ["<f4", "<f2"] as const) {
    const input = path.join(tmp.dir, `in${descr.replace(/\W/g, "")}.npy`);
    writeNpyAtomic(input, descr, [rows, cols], data);
    for (const [name, cfg] of Object.entries(configs)) {
      it(`${name}, ${descr}: inline, 1, 2 and 3 threads, with chunks of 7 rows, give identical bytes`, async () => {
        const config = normalize(cfg);
        const outputs: Buffer[] = [];
        const scales: Buffer[] = [];
        for (const threads of [0, 1, 2, 3]) {
          const out = path.join(tmp.dir, `out-${threads}.npy`);
          const scaleOut = path.join(tmp.dir, `scale-${threads}.npy`);
          const r = await applyFile({ input, output: out, config, threads, chunkElements: 7 * cols, scaleOut });
          expect(r.threads).toBe(threads);
          expect(r.chunks).toBe(Math.ceil(rows / 7));
          outputs.push(readFileSync(out));
          scales.push(readFileSync(scaleOut));
        }
        // Whole-tensor single chunk on the main thread as the reference.
        const ref = path.join(tmp.dir, "ref.npy");
        await applyFile({ input, output: ref, config, threads: 0 });
        const refBytes = readFileSync(ref);
        for (const o of outputs) expect(o.equals(refBytes)).toBe(true);
        for (const s of scales) expect(s.equals(scales[0])).toBe(true);
      });
    }
  }
});
