/** fakeQuantize's checks of what a library caller passes with the data: its length, its element type, the qparams' length. */
import { describe, expect, it } from "vitest";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { thrownFqcError } from "../helpers/js-callers.js";

const CONFIG = { dtype: "int4", group_size: 32 };
const data = (n: number, Type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array) => new Type(n).map((_, i) => Math.sin(i) * 3);

describe("fakeQuantize inputs", () => {
  it("refuses data whose length is not the shape's element count, naming both", () => {
    for (const n of [63, 65]) {
      const e = thrownFqcError(() => fakeQuantize(CONFIG, data(n), { shape: [2, 32] }));
      expect([e.code, e.message]).toEqual(["USAGE", `fakeQuantize: data has ${n} elements but options.shape (2, 32) needs 64`]);
    }
  });

  it("refuses a Float64Array as torchao refuses float64, unless computeDtype says how to compute it", () => {
    const e = thrownFqcError(() => fakeQuantize(CONFIG, data(64, Float64Array), { shape: [2, 32] }));
    expect([e.code, e.message, e.hint]).toEqual(["FORWARD", "Unsupported input dtype: torch.float64", expect.stringMatching(/Either set options\.computeDtype to "float32" .*the output is then a Float32Array.* or pass the data as a Float32Array\.$/)]);
    expect(fakeQuantize(CONFIG, data(64, Float64Array), { shape: [2, 32], computeDtype: "float32" }).output).toBeInstanceOf(Float32Array);
    expect(fakeQuantize(CONFIG, data(64, Float64Array), { shape: [2, 32], computeDtype: "float64" }).output).toBeInstanceOf(Float64Array);
  });

  it("gives a Float32Array for float32 compute, the length of the data", () => {
    const r = fakeQuantize(CONFIG, data(64), { shape: [2, 32] });
    expect(r.output).toBeInstanceOf(Float32Array);
    expect(r.output).toHaveLength(64);
    expect(r.qparamShape).toEqual([2, 1]);
  });

  it("refuses static qparams of the wrong length, or one without the other, naming the length the shape needs", () => {
    const config = { ...CONFIG, is_dynamic: false };
    const message = "static qparams need both scale and zeroPoint with 2 elements (shape (2, 1))";
    for (const qparams of [{ scale: [0.1], zeroPoint: [0, 0] }, { scale: [0.1, 0.1], zeroPoint: [0, 0, 0] }, { scale: [0.1, 0.1] }, { zeroPoint: [0, 0] }]) {
      const e = thrownFqcError(() => fakeQuantize(config, data(64), { shape: [2, 32], ...qparams }));
      expect([e.code, e.message], JSON.stringify(qparams)).toEqual(["USAGE", message]);
    }
    expect(fakeQuantize(config, data(64), { shape: [2, 32], scale: [0.5, 0.5], zeroPoint: [0, 0] }).scale).toEqual(new Float64Array([0.5, 0.5]));
  });
});
