/**
 * applyFile on a .npy in chunks of a few rows, on the main thread alone: each
 * chunk takes its own rows' static qparams, and a float64 computation into a
 * float16 file narrows through float32 as torch's `.half()` does. The library's
 * fakeQuantize on the whole tensor is the reference.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { readNpy } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";
import { halfBits } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function npy(name: string, descr: "<f8" | "<f4" | "<f2" | "<i4", shape: number[], values: ArrayLike<number>): string {
  const data = descr === "<f8" ? new Float64Array(values) : descr === "<f4" ? new Float32Array(values) : descr === "<i4" ? new Int32Array(values) : Uint16Array.from(values, halfBits);
  const file = tmp.path(name);
  writeFileSync(file, Buffer.concat([encodeNpyHeader({ descr, shape }), Buffer.from(data.buffer)]));
  return file;
}

describe("applyFile by chunks of whole rows", () => {
  // With 3 threads the workers read the given qparams from shared memory.
  it.each([1, 3])("gives every chunk its own rows' static scales and zero points (%i threads)", async (threads) => {
    const rows = 12;
    const n = 16;
    const x = Float32Array.from({ length: rows * n }, (_, i) => Math.fround(Math.sin(i * 0.7) * 2 + 1));
    const config = normalize({ dtype: "uint8", granularity: "per_channel", is_dynamic: false, is_symmetric: false });
    // One scale and zero point per row, all different: a chunk that took the first rows' would change the output.
    const scale = Array.from({ length: rows }, (_, r) => Math.fround(0.01 + r * 0.002));
    const zeroPoint = Array.from({ length: rows }, (_, r) => 100 + r * 7);
    const output = tmp.path(`static-${threads}.out.npy`);
    const result = await applyFile({
      input: npy("static.npy", "<f4", [rows, n], x), output, config, threads, chunkElements: 3 * n,
      scaleIn: npy("static.scale.npy", "<f4", [rows, 1], scale), zeroPointIn: npy("static.zp.npy", "<i4", [rows, 1], zeroPoint),
    });
    expect(result).toMatchObject({ chunks: 4, threads, qparams: "given" });
    const want = fakeQuantize(config, x, { shape: [rows, n], scale, zeroPoint }).output;
    expect(Array.from(readNpy(output).data as Float32Array)).toEqual(Array.from(want));
  });

  it("narrows a float64 computation into a float16 file through float32, in every chunk", async () => {
    // Exact halves; under int4 per_token their float64 result holds a value whose float32 rounding is a half-way point.
    const row = [8.14199447631836e-5, -0.0027561187744140625, 0.012939453125, 0.01007080078125];
    const rows = 3;
    const values = Array.from({ length: rows }, () => row).flat();
    const config = { dtype: "int4", granularity: "per_token", is_symmetric: false } as const;
    const output = tmp.path("f64-compute.out.npy");
    const result = await applyFile({
      input: npy("f64-compute.npy", "<f2", [rows, 4], values), output, config: normalize(config), computeDtype: "float64", threads: 1, chunkElements: 4,
    });
    expect(result.chunks).toBe(rows);
    const y = fakeQuantize(config, Float64Array.from(values), { shape: [rows, 4], computeDtype: "float64" }).output;
    const viaFloat32 = Array.from(y, (v) => halfBits(Math.fround(v)));
    expect(viaFloat32).not.toEqual(Array.from(y, halfBits)); // one rounding straight to half gives other values here
    expect(Array.from(readNpy(output).data as Float32Array, halfBits)).toEqual(viaFloat32);
  });

  it.each(["float16", "bfloat16"] as const)("rounds float32 values to a %s compute dtype before fake-quantizing them, as torch's cast does", async (computeDtype) => {
    const rows = 4;
    const n = 32;
    // Values with more bits than either 16-bit dtype holds.
    const x = Float32Array.from({ length: rows * n }, (_, i) => Math.fround(Math.sin(i * 1.37) * 0.3 + 1e-3 * (i % 7)));
    const config = normalize({ dtype: "int4", group_size: 8 });
    const output = tmp.path(`cast-${computeDtype}.out.npy`);
    await applyFile({ input: npy(`cast-${computeDtype}.npy`, "<f4", [rows, n], x), output, config, computeDtype, threads: 1, chunkElements: n });
    const want = fakeQuantize(config, x, { shape: [rows, n], computeDtype }).output;
    expect(Array.from(readNpy(output).data as Float32Array)).toEqual(Array.from(want));
  });

  it("computes a float64 file in float64 when asked, its values unrounded", async () => {
    const rows = 4;
    const n = 32;
    // Values with more bits than float32 holds.
    const x = Float64Array.from({ length: rows * n }, (_, i) => Math.sin(i * 1.37) * 0.3 + 1e-9 * i);
    const config = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });
    const output = tmp.path("f64.out.npy");
    const before = performance.now();
    const result = await applyFile({ input: npy("f64.npy", "<f8", [rows, n], x), output, config, computeDtype: "float64", threads: 1, chunkElements: n });
    const within = (performance.now() - before) / 1000;
    // What was done, as the CLI's --json prints it: per_token qparams are one per row, computed; one chunk per row.
    expect(result).toMatchObject({
      shape: [rows, n], inputDtype: "float64", computeDtype: "float64", scaleDtype: "float32", qparamShape: [rows], qparams: "computed",
      elements: rows * n, threads: 1, chunks: rows,
    });
    // Its own duration, in seconds: more than nothing, no more than the call took (1 ms for the clocks' grain).
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.seconds).toBeLessThanOrEqual(within + 0.001);
    const want = fakeQuantize(config, x, { shape: [rows, n], computeDtype: "float64" }).output;
    expect(Array.from(readNpy(output).data as Float64Array)).toEqual(Array.from(want));
  });
});
