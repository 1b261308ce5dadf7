/**
 * The file pipeline with the wasm kernel (main thread and worker threads, which
 * load the wasm module embedded in their eval'd bundle) writes the same bytes
 * as the JS kernel forced in process.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { readNpy } from "../../src/npy/whole.js";
import { fakeQuantizeRows, kernelFor } from "../../src/quant/kernel.js";
import { makePlan } from "../../src/quant/plan.js";
import { tempDir } from "../helpers/cli.js";
import { sameBits } from "../helpers/bits.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A little-endian float32 C-order .npy (format 1.0). */
function writeNpyF32(file: string, shape: number[], values: Float32Array): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const pre = Buffer.alloc(10);
  pre.write("\x93NUMPY", 0, "latin1");
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, "latin1"), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]));
}

/** Mixed values: ordinary, halves (ties), both zeros, subnormals, huge; optionally NaN and ±inf. */
function values(n: number, seed: number, nonFinite: boolean): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  // Huge values stay below max − min overflow: that would make NaN outputs, whose bits no contract fixes.
  const specials = [0, -0, 0.5, -2.5, 7.5, 1e-42, -1e-40, 3e38, -3e37, 1e-7];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = s / 2 ** 32;
    if (u < 0.05) x[i] = specials[i % specials.length];
    else if (u < 0.2) x[i] = Math.round(u * 400) / 2 - 20;
    else x[i] = (u - 0.5) * 10;
    if (nonFinite && i % 997 === 5) x[i] = [NaN, Infinity, -Infinity][i % 3];
  }
  return x;
}

const int4g32: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const int8token: CanonicalConfig = { ...int4g32, dtype: "int8", granularity: { type: "PerToken" }, mapping_type: "ASYMMETRIC" };

describe("applyFile with the wasm kernel vs the JS kernel", () => {
  const shape = [96, 160];
  const cases = [
    { name: "int4 group 32 symmetric", config: int4g32, nonFinite: false },
    { name: "int8 per-token asymmetric", config: int8token, nonFinite: false },
    { name: "uint4 per-channel symmetric with NaN/inf", config: { ...int4g32, dtype: "uint4" as const, granularity: { type: "PerAxis" as const, axis: 0 as const } }, nonFinite: true },
    { name: "int8 per-token with NaN/inf", config: int8token, nonFinite: true },
  ];
  it.each(cases)("$name: same bytes for threads 0 and 2 as the forced JS kernel", async ({ config, nonFinite }) => {
    const x = values(shape[0] * shape[1], shape[1] + (nonFinite ? 1 : 0), nonFinite);
    const input = path.join(tmp.dir, `${config.dtype}-${nonFinite}.in.npy`);
    writeNpyF32(input, shape, x);
    const plan = makePlan(config, shape, { compute: "float32", torchao: "0.12" });
    expect(kernelFor(plan, "compute")).toBe("wasm");
    const nq = plan.rows * plan.groupsPerRow;
    const want = { out: new Float32Array(x.length), scale: new Float64Array(nq), zeroPoint: new Float64Array(nq) };
    fakeQuantizeRows(plan, x, want.out, plan.rows, want.scale, want.zeroPoint, "compute", "js");
    for (const threads of [0, 2]) {
      const out = path.join(tmp.dir, `${config.dtype}-${nonFinite}-${threads}.out.npy`);
      const scaleOut = path.join(tmp.dir, `${config.dtype}-${nonFinite}-${threads}.scale.npy`);
      const zeroPointOut = path.join(tmp.dir, `${config.dtype}-${nonFinite}-${threads}.zp.npy`);
      // Small chunks: several chunks, each split across the workers.
      await applyFile({ input, output: out, config, threads, scaleOut, zeroPointOut, chunkElements: 4000 });
      const got = readNpy(out).data as Float32Array;
      if (nonFinite) {
        expect(sameBits(got, want.out), `threads ${threads}`).toBeUndefined();
      } else {
        const a = new Uint32Array(got.buffer, got.byteOffset, got.length);
        expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(want.out.buffer)), `threads ${threads} bytes`).toBe(true);
      }
      expect(sameBits(readNpy(scaleOut).data as Float32Array, Float32Array.from(want.scale))).toBeUndefined();
      expect(sameBits(readNpy(zeroPointOut).data as Int32Array, Int32Array.from(want.zeroPoint))).toBeUndefined();
    }
  });
});
