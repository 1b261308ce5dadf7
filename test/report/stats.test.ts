import { describe, expect, it } from "vitest";
import { accumulateStats, errorFigures, mergeStats, SLOTS, sqnrDb, statSums } from "../../src/report/stats.js";

function reference(x: Float32Array, y: Float32Array) {
  let sx = 0, se = 0, max = 0, zeroed = 0, counted = 0, nan = 0, inf = 0, bad = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) { nan++; continue; }
    if (!Number.isFinite(x[i])) { inf++; continue; }
    if (!Number.isFinite(y[i])) { bad++; continue; }
    const e = x[i] - y[i];
    sx += x[i] * x[i];
    se += e * e;
    max = Math.max(max, Math.abs(e));
    if (y[i] === 0 && x[i] !== 0) zeroed++;
    counted++;
  }
  return { sumX2: sx, sumE2: se, maxAbsError: max, counted, zeroed, nanInputs: nan, infInputs: inf, nonFiniteOutputs: bad };
}

describe("error statistics", () => {
  it("counts values that became exactly zero while x was not (zeros of x that stay zero are not counted)", () => {
    const x = Float32Array.of(0, 0.1, -0.2, 0, 3, 0.01);
    const y = Float32Array.of(0, 0, -0.25, 0, 3, 0);
    const acc = new Float64Array(SLOTS);
    accumulateStats(x, y, x.length, acc, 0);
    expect(statSums(acc)).toEqual(reference(x, y));
    expect(statSums(acc).zeroed).toBe(2);
  });

  it("gives the same sums on the fast path and, with a NaN, over the finite rest", () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.05);
    const y = x.map((v) => Math.round(v * 100) / 100);
    const acc = new Float64Array(SLOTS);
    accumulateStats(x, y, x.length, acc, 0);
    expect(statSums(acc)).toEqual(reference(x, y));
    x[10] = NaN;
    x[11] = -Infinity;
    y[12] = NaN;
    const acc2 = new Float64Array(SLOTS);
    accumulateStats(x, y, x.length, acc2, 0);
    expect(statSums(acc2)).toEqual(reference(x, y));
    expect(statSums(acc2)).toMatchObject({ nanInputs: 1, infInputs: 1, nonFiniteOutputs: 1, counted: 997 });
  });

  it("merges accumulators: sums add, max takes the larger", () => {
    const a = Float64Array.of(1, 2, 0.5, 3, 1, 0, 0, 0);
    const b = Float64Array.of(4, 8, 0.25, 5, 2, 1, 1, 1);
    mergeStats(a, 0, b, 0);
    expect([...a]).toEqual([5, 10, 0.5, 8, 3, 1, 1, 1]);
  });

  it("gives counts past 2³¹ (a tensor of 3 billion elements) as they are, not wrapped to int32", () => {
    const acc = new Float64Array(SLOTS);
    acc.set([1, 0.5, 0.25, 3e9, 2 ** 31, 2 ** 31 - 1, 7, 2 ** 40], 0);
    expect(statSums(acc)).toEqual({
      sumX2: 1, sumE2: 0.5, maxAbsError: 0.25, counted: 3e9, zeroed: 2 ** 31, nanInputs: 2 ** 31 - 1, infInputs: 7, nonFiniteOutputs: 2 ** 40,
    });
  });

  it("SQNR is 10·log10(Σx²/Σe²), inf when y = x, null with nothing counted", () => {
    expect(sqnrDb(100, 1)).toBe(20);
    expect(sqnrDb(5, 0)).toBe(Infinity);
    expect(sqnrDb(0, 0, 0)).toBeNull();
    expect(errorFigures({ sumX2: 4, sumE2: 0.04, maxAbsError: 0.3, counted: 4, zeroed: 1, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0 }))
      .toEqual({ sqnrDb: 20, rmse: 0.1, maxAbsError: 0.3, zeroedShare: 0.25 });
  });
});
