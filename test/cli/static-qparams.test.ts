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
    expect(r.stderr).toMatch(/hint: Check the order: --scale \S+s2\.npy --zero-point \S+z-frac\.npy; were the two files swapped\? A float zero point needs a float zero_point_precision in the config\./);
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

describe("static qparam files that do not fit the config and tensor", () => {
  const refused = async (args: string[], out: string) => {
    const r = await runMain(["apply", WEIGHT, tmp.path(out), "-c", cfg, ...args, "-q"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(existsSync(tmp.path(out))).toBe(false);
    return r.stderr;
  };
  const okScales = npy("fit-s.npy", "<f4", scales());

  it("--scale without --zero-point, or the other way round, is refused: torchao reuses them only together", async () => {
    for (const args of [["--scale", okScales], ["--zero-point", zeros]]) {
      const stderr = await refused(args, "alone.npy");
      expect(stderr).toContain("--scale and --zero-point go together: torchao reuses static qparams only when both are set");
      expect(stderr).toContain("hint: Pass both files, or neither to compute the qparams from the tensor.");
    }
  });

  it("a dynamic config with --scale/--zero-point is refused (torchao recomputes its qparams)", async () => {
    const dynamic = tmp.write("dynamic.json", '{"dtype": "int8", "granularity": "per_channel"}');
    const r = await runMain(["apply", WEIGHT, tmp.path("dyn.npy"), "-c", dynamic, "--scale", okScales, "--zero-point", zeros, "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--scale/--zero-point need a static config: a dynamic config (is_dynamic: true) recomputes its qparams on every call");
  });

  it("a file of another shape is refused naming both shapes, with how per_channel qparams are shaped", async () => {
    for (const [name, shape] of [["wide.npy", "(256, 2)"], ["flat.npy", "(256,)"], ["short.npy", "(255, 1)"]] as const) {
      const n = shape === "(256, 2)" ? 512 : shape === "(255, 1)" ? 255 : 256;
      const file = npy(name, "<f4", Array(n).fill(0.01), shape);
      const stderr = await refused(["--scale", file, "--zero-point", zeros], `o-${name}`);
      expect(stderr).toContain(`${file}: qparams of shape (${shape.slice(1, -1).replace(/,$/, "")}) do not fit: this config and tensor need shape (256, 1)`);
      expect(stderr).toContain("hint: per_group/per_channel qparams have shape (rows, columns / group_size).");
    }
    const perToken = tmp.write("pt.json", '{"dtype": "int8", "granularity": "per_token", "is_symmetric": false, "is_dynamic": false}');
    const wide = npy("pt-wide.npy", "<f4", Array(512).fill(0.01), "(256, 2)");
    const r = await runMain(["apply", WEIGHT, tmp.path("o-pt.npy"), "-c", perToken, "--scale", wide, "--zero-point", zeros, "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hint: per_token qparams have the tensor's shape without its last dimension.");
  });

  it("an integer scale file with integer zero points is told to save the scales in scale_precision", async () => {
    const stderr = await refused(["--scale", npy("int-s.npy", "<i4", Array(256).fill(1)), "--zero-point", zeros], "o-int.npy");
    expect(stderr).toContain("scales of dtype int32: torchao's scales are floating point (scale_precision float32)");
    expect(stderr).toContain("hint: Save the scales as float32.");
  });

  it("zero points of a dtype that holds no qparam (bool, uint16 and wider unsigned) are refused", async () => {
    for (const descr of ["|b1", "<u2", "<u4", "<u8"]) {
      const size = descr === "|b1" ? 1 : Number(descr.slice(2));
      const file = tmp.write(`z-${descr.slice(1)}.npy`, craftNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (256, 1), }`, new Uint8Array(256 * size), { pad: true }));
      const stderr = await refused(["--scale", okScales, "--zero-point", file], `o-${descr.slice(1)}.npy`);
      expect(stderr, descr).toMatch(new RegExp(`z-${descr.slice(1)}\\.npy: dtype (bool|uint\\d+) cannot hold qparams`));
    }
    // uint8 holds them (an unsigned zero_point_precision).
    const u8 = tmp.write("z-u1.npy", craftNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (256, 1), }", new Uint8Array(256), { pad: true }));
    expect((await runMain(["apply", WEIGHT, tmp.path("o-u1.npy"), "-c", cfg, "--scale", okScales, "--zero-point", u8, "-q"], { cwd: tmp.dir })).code).toBe(0);
  });
});
