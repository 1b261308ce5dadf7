/** Issue 13 item 10: static qparams torchao could never have computed are refused (exit 2), saying what torchao would do with them. */
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { craftNpy } from "../npy/helpers.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const WEIGHT = `${ROOT}/examples/weight.npy`; // (256, 512) float32
const cfg = tmp.write("static.json", '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false}');
const npy = (name: string, descr: string, values: number[], shape = "(256, 1)") => {
  const size = Number(descr.slice(2));
  const data = new Uint8Array(values.length * size);
  const dv = new DataView(data.buffer);
  values.forEach((v, i) => (descr[1] === "f" ? (size === 8 ? dv.setFloat64(i * 8, v, true) : dv.setFloat32(i * 4, v, true)) : dv.setInt32(i * 4, v, true)));
  return tmp.write(name, craftNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`, data, { pad: true }));
};
const scales = (bad?: number) => Array.from({ length: 256 }, (_, i) => (i === 5 && bad !== undefined ? bad : 0.01));
const zeros = npy("z.npy", "<i4", Array(256).fill(0));
const run = (scale: string, zp = zeros, out = "out.npy") => runMain(["apply", WEIGHT, tmp.path(out), "-c", cfg, "--scale", scale, "--zero-point", zp, "-q"], { cwd: tmp.dir });

describe("static qparams that cannot be right", () => {
  it("accepts finite positive scales and integer zero points", async () => {
    expect((await run(npy("ok.npy", "<f4", scales()), zeros, "ok-out.npy")).code).toBe(0);
  });

  const cases: Array<[string, number, RegExp]> = [
    ["NaN", NaN, /scale #5 is NaN .*torchao would output NaN for every element of its group/],
    ["0", 0, /scale #5 is 0 .*divide by zero/],
    ["negative", -0.01, /scale #5 is negative \(-0\.0099999/],
    ["+inf", Infinity, /scale #5 is inf .*NaN/],
    ["-inf", -Infinity, /scale #5 is -inf/],
  ];
  for (const [what, value, message] of cases) {
    it(`refuses a ${what} scale, naming its index and what torchao would do, exit 2, no output`, async () => {
      const r = await run(npy(`s-${what}.npy`, "<f4", scales(value)), zeros, `out-${what}.npy`);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(tmp.path(`out-${what}.npy`))).toBe(false);
    });
  }

  it("refuses a scale that only overflows when rounded to the config's scale_precision (float16)", async () => {
    const f16 = tmp.write("f16.json", '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "scale_precision": "float16"}');
    const r = await runMain(["apply", WEIGHT, tmp.path("o16.npy"), "-c", f16, "--scale", npy("s-big.npy", "<f8", scales(1e6)), "--zero-point", zeros, "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scale #5 is inf \(after rounding to float16\)/);
  });

  it("refuses an integer scale file, and suggests the files were swapped when the zero points are floats", async () => {
    const intScales = npy("s-int.npy", "<i4", Array(256).fill(1));
    const r = await run(intScales, npy("z-float.npy", "<f4", scales()));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("scales of dtype int32: torchao's scales are floating point");
    expect(r.stderr).toContain("were the two files swapped?");
  });

  it("refuses fractional zero points for an integer zero_point_precision (torchao would truncate them)", async () => {
    const r = await run(npy("s2.npy", "<f4", scales()), npy("z-frac.npy", "<f4", scales()));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/zero point #0 is 0\.0099999\d*, not an integer: zero_point_precision int32 would truncate it/);
  });

  it("refuses zero points outside an integer zero_point_precision's range (int8 would wrap 200 to -56), naming the file", async () => {
    const i8 = tmp.write("i8.json", '{"dtype": "uint8", "granularity": "per_channel", "is_dynamic": false, "is_symmetric": false, "zero_point_precision": "int8"}');
    const z200 = npy("z-200.npy", "<i4", Array.from({ length: 256 }, (_, i) => (i === 7 ? 200 : 100)));
    const r = await runMain(["apply", WEIGHT, tmp.path("o8.npy"), "-c", i8, "--scale", npy("s8.npy", "<f4", scales()), "--zero-point", z200, "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${z200}: zero point #7 is 200, outside int8's range [-128, 127]: zero_point_precision int8 would wrap it`);
    expect(existsSync(tmp.path("o8.npy"))).toBe(false);
  });
});
