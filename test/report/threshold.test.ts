/**
 * `--fail-under DB` (tensorsBelow) at its boundaries: a figure equal to the threshold passes, one a hair below fails;
 * -inf (all-zero x with some error) fails any threshold; only fake-quantized cells count, each named with its column.
 */
import { describe, expect, it } from "vitest";
import { tensorsBelow } from "../../src/report/threshold.js";
import type { Report } from "../../src/report/types.js";
import { quantized, REFUSED, reportOf, SKIPPED, tensor } from "../helpers/synthetic-report.js";

describe("tensorsBelow", () => {
  const at20 = quantized({ sumX2: 100, sumE2: 1, counted: 4, maxAbsError: 0.5 }); // exactly 20 dB
  const exact = at20.figures!.sqnrDb!;

  it("passes a figure equal to the threshold and fails one just below it", () => {
    expect(exact).toBe(20);
    const r = reportOf([tensor("at.weight", [at20])]);
    expect(tensorsBelow(r, 20)).toEqual([]);
    expect(tensorsBelow(r, 19.999)).toEqual([]);
    expect(tensorsBelow(r, 20.000001)).toEqual([{ tensor: "at.weight", column: "col0", sqnrDb: 20, nonFiniteOutputs: 0 }]);
  });

  it("fails -inf (an all-zero x with some error) at any threshold, and never inf (y = x)", () => {
    const minusInf = quantized({ sumX2: 0, sumE2: 0.25, counted: 4, maxAbsError: 0.5 });
    const plusInf = quantized({ sumX2: 4, sumE2: 0, counted: 4 });
    const r = reportOf([tensor("zero.weight", [minusInf]), tensor("same.weight", [plusInf])]);
    expect(tensorsBelow(r, -1e300)).toEqual([{ tensor: "zero.weight", column: "col0", sqnrDb: -Infinity, nonFiniteOutputs: 0 }]);
    expect(tensorsBelow(r, 1e300).map((b) => b.tensor)).toEqual(["zero.weight"]);
  });

  it("counts fake-quantized cells only, each with its own column's name, in checkpoint order", () => {
    const low = quantized({ sumX2: 10, sumE2: 1, counted: 4 }); // 10 dB
    const r = reportOf([
      tensor("a.weight", [SKIPPED, low, at20]),
      tensor("b.weight", [REFUSED, at20, low]),
      tensor("c.weight", [SKIPPED, REFUSED, SKIPPED]),
    ]);
    expect(tensorsBelow(r, 15)).toEqual([
      { tensor: "a.weight", column: "col1", sqnrDb: 10, nonFiniteOutputs: 0 },
      { tensor: "b.weight", column: "col2", sqnrDb: 10, nonFiniteOutputs: 0 },
    ]);
  });

  it("fails a cell with a non-finite output whatever its SQNR, and one with nothing measured unless the tensor is empty", () => {
    const bad = quantized({ sumX2: 1e6, sumE2: 1, counted: 3, nonFiniteOutputs: 1 });
    const none = quantized({ nanInputs: 4 });
    const empty = quantized({});
    const r = reportOf([tensor("bad.weight", [bad]), tensor("nan.weight", [none]), tensor("empty.weight", [empty], [0, 4]), tensor("ok.weight", [at20])]);
    expect(tensorsBelow(r, 0)).toEqual([
      { tensor: "bad.weight", column: "col0", sqnrDb: 60, nonFiniteOutputs: 1 },
      { tensor: "nan.weight", column: "col0", sqnrDb: null, nonFiniteOutputs: 0 },
    ]);
    // An empty tensor has no figure to compare, at any threshold.
    expect(tensorsBelow(reportOf([tensor("empty.weight", [empty], [0, 4])]), 1000)).toEqual([]);
  });

  it("refuses a threshold that is not a finite number (NaN would pass every tensor)", () => {
    const r = reportOf([tensor("at.weight", [at20])]);
    for (const db of [NaN, Infinity, -Infinity, undefined]) {
      expect(() => tensorsBelow(r, db as number)).toThrow(/tensorsBelow: db must be a finite number of dB/);
    }
    expect(() => tensorsBelow({} as Report, 20)).toThrow(/tensorsBelow: report must be a report/);
  });
});
