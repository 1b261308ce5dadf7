/**
 * `fqc apply` with `"scale_precision": null` (torchao's None: keep the input dtype), end to end:
 * the outputs and stored scales are checked against the slow spec reference (test/quant/reference.ts)
 * run with S = the dtype the kernel computes in.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runFqc, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";
import { bf16Bytes, fromBf16, readSafetensors, writeSafetensors } from "../helpers/test-checkpoint.js";
import { halfBits } from "../helpers/safetensors.js";
import { craftNpy, f32Bytes } from "../npy/helpers.js";
import { readNpy } from "../../src/npy/whole.js";
import { normalize } from "../../src/config/normalize.js";
import { inDtype, referenceFakeQuantize, type Fl } from "../quant/reference.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Deterministic values spread over a few orders of magnitude, with ties and zeros. */
function values(n: number, seed: number, dtype: Fl): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    const v = i % 17 === 0 ? 0 : ((s / 2 ** 32) - 0.5) * (i % 3 === 0 ? 8 : 0.05);
    return inDtype(dtype, v);
  });
}

const f16Bytes = (v: number[]) => new Uint8Array(Uint16Array.from(v, halfBits).buffer);
function npyFile(name: string, descr: "<f4" | "<f2", shape: number[], v: number[]): string {
  const data = descr === "<f4" ? f32Bytes(v) : f16Bytes(v);
  return tmp.write(name, craftNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")},), }`, data, { pad: true }));
}
const config = (name: string, fields: Record<string, unknown>) => tmp.write(name, JSON.stringify(fields));
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((x, i) => Object.is(x, b[i]) || (x !== x && b[i] !== b[i])) && a.length === b.length;

const PER_TOKEN = { dtype: "int8", granularity: "per_token", is_symmetric: false };
const PER_GROUP = { dtype: "int4", group_size: 8 };

describe("fqc apply with scale_precision null on .npy", () => {
  const shape = [6, 32];
  const x32 = values(6 * 32, 7, "float32");
  const input32 = npyFile("x32.npy", "<f4", shape, x32);

  for (const [label, fields] of [["per_token", PER_TOKEN], ["per_group", PER_GROUP]] as const) {
    it(`a float32 tensor (${label}): output and --scale-out are byte-identical to scale_precision float32`, async () => {
      const cNull = config(`n-${label}.json`, { ...fields, scale_precision: null });
      const c32 = config(`f-${label}.json`, { ...fields, scale_precision: "float32" });
      const a = await runMain(["apply", input32, tmp.path(`yn-${label}.npy`), "-c", cNull, "--scale-out", tmp.path(`sn-${label}.npy`), "-q"], { cwd: tmp.dir });
      const b = await runMain(["apply", input32, tmp.path(`yf-${label}.npy`), "-c", c32, "--scale-out", tmp.path(`sf-${label}.npy`), "-q"], { cwd: tmp.dir });
      expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
      expect(readFileSync(tmp.path(`yn-${label}.npy`)).equals(readFileSync(tmp.path(`yf-${label}.npy`)))).toBe(true);
      expect(readFileSync(tmp.path(`sn-${label}.npy`)).equals(readFileSync(tmp.path(`sf-${label}.npy`)))).toBe(true);
    });
  }

  for (const [label, fields] of [["per_token", PER_TOKEN], ["per_group", PER_GROUP]] as const) {
    it(`a float16 tensor (${label}): scales stay float16 (--scale-out is <f2) and the output matches the spec reference with S = float16`, async () => {
      const x16 = values(6 * 32, 11, "float16");
      const input = npyFile(`x16-${label}.npy`, "<f2", shape, x16);
      const c = config(`n16-${label}.json`, { ...fields, scale_precision: null });
      const r = await runMain(["apply", input, tmp.path(`y16-${label}.npy`), "-c", c, "--scale-out", tmp.path(`s16-${label}.npy`), "-q"], { cwd: tmp.dir });
      expect(r.code, r.stderr).toBe(0);
      const want = referenceFakeQuantize(normalize({ ...fields, scale_precision: "float16" }), x16, shape, { compute: "float16", torchao: "0.12" });
      const y = readNpy(tmp.path(`y16-${label}.npy`));
      const s = readNpy(tmp.path(`s16-${label}.npy`));
      expect(y.header.dtype).toBe("float16");
      expect(s.header.dtype).toBe("float16");
      expect(same(y.data as Float32Array, want.y)).toBe(true);
      expect(same(s.data as Float32Array, want.scale)).toBe(true);
    });
  }

  it("the summary line names the dtype the scales were held in, and --json gives it as scaleDtype", async () => {
    const input = npyFile("x16-say.npy", "<f2", shape, values(6 * 32, 2, "float16"));
    const c = config("n-say.json", { ...PER_GROUP, scale_precision: null });
    const r = await runMain(["apply", input, tmp.path("y-say.npy"), "-c", c], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("compute float16, scales float16 (scale_precision null), qparams computed (6×4)");
    const j = await runMain(["apply", input, tmp.path("y-say.npy"), "-c", c, "--json", "--force"], { cwd: tmp.dir });
    expect(JSON.parse(j.stdout)).toMatchObject({ computeDtype: "float16", scaleDtype: "float16", config: { scale_precision: null } });
    const named = await runMain(["apply", input, tmp.path("y-say2.npy"), "-c", config("f-say.json", PER_GROUP)], { cwd: tmp.dir });
    expect(named.stdout).not.toContain("scales ");
  });

  it("--compute-dtype bfloat16 on a float32 tensor: scales are bfloat16 values (stored as float32, as bf16 scales are in .npy)", async () => {
    const c = config("n-bf.json", { ...PER_TOKEN, scale_precision: null });
    const r = await runMain(["apply", input32, tmp.path("ybf.npy"), "-c", c, "--compute-dtype", "bfloat16", "--scale-out", tmp.path("sbf.npy"), "-q"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const xb = x32.map((v) => inDtype("bfloat16", v));
    const want = referenceFakeQuantize(normalize({ ...PER_TOKEN, scale_precision: "bfloat16" }), xb, shape, { compute: "bfloat16", torchao: "0.12" });
    const s = readNpy(tmp.path("sbf.npy"));
    expect(s.header.dtype).toBe("float32");
    expect(same(s.data as Float32Array, want.scale)).toBe(true);
    expect(same(readNpy(tmp.path("ybf.npy")).data as Float32Array, want.y.map((v) => inDtype("float32", v)))).toBe(true);
  });

  it("static --scale for a null scale_precision is held in the input dtype: a scale that overflows float16 is refused", async () => {
    const x16 = values(6 * 32, 3, "float16");
    const input = npyFile("x16s.npy", "<f2", shape, x16);
    const c = config("static-null.json", { dtype: "int8", granularity: "per_channel", is_dynamic: false, scale_precision: null });
    const scales = Array.from({ length: 6 }, (_, i) => (i === 2 ? 1e6 : 0.01));
    const sFile = tmp.write("s-big.npy", craftNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 1), }", f32Bytes(scales), { pad: true }));
    const zFile = tmp.write("z0.npy", craftNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (6, 1), }", new Uint8Array(24), { pad: true }));
    const r = await runMain(["apply", input, tmp.path("ys.npy"), "-c", c, "--scale", sFile, "--zero-point", zFile, "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scale #2 is inf \(after rounding to float16\)/);
  });
});

describe("fqc apply with scale_precision null on a BF16 checkpoint", () => {
  it("stores BF16 scales in --qparams-out and matches the spec reference with S = bfloat16", async () => {
    const shape = [4, 16];
    const x = values(64, 5, "bfloat16");
    const input = tmp.path("m.safetensors");
    writeSafetensors(input, [{ name: "layers.0.mlp.weight", dtype: "BF16", shape, data: bf16Bytes(x) }]);
    const c = config("ck-null.json", { ...PER_GROUP, scale_precision: null });
    const r = await runMain(["apply", input, tmp.path("o.safetensors"), "-c", c, "--qparams-out", tmp.path("q.safetensors"), "-q"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const want = referenceFakeQuantize(normalize({ ...PER_GROUP, scale_precision: "bfloat16" }), x, shape, { compute: "bfloat16", torchao: "0.12" });
    const out = readSafetensors(tmp.path("o.safetensors")).tensors;
    expect(same(fromBf16(out[0].data), want.y)).toBe(true);
    const q = readSafetensors(tmp.path("q.safetensors")).tensors;
    const scale = q.find((t) => t.name === "layers.0.mlp.weight.scale")!;
    expect(scale.dtype).toBe("BF16");
    expect(scale.shape).toEqual([4, 2]);
    expect(same(fromBf16(scale.data), want.scale)).toBe(true);
  });
});

describe("fqc validate and normalize with scale_precision null (bin/fqc.js)", () => {
  it("validate exits 0 and normalize keeps null", () => {
    const c = config("v-null.json", { activation: { ...PER_TOKEN, scale_precision: null }, weight: PER_GROUP });
    const v = runFqc(["validate", c]);
    expect(v.code, v.stderr).toBe(0);
    const n = runFqc(["normalize", c]);
    expect(n.code, n.stderr).toBe(0);
    expect(JSON.parse(n.stdout).activation.scale_precision).toBeNull();
  });

  it("validate refuses a null zero_point_precision with exit 1", () => {
    const c = config("v-zp-null.json", { ...PER_GROUP, zero_point_precision: null });
    const v = runFqc(["validate", c]);
    expect(v.code).toBe(1);
    expect(v.stdout + v.stderr).toContain("Only scale_precision may be null");
  });
});
