import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { laidOutInFortranOrder, planFortranRows } from "../../src/npy/fortran.js";

/** Brute force: the Fortran-slab offset of every element of C-order rows [r0, r0+count) (column 0). */
function bruteForce(shape: number[], r0: number, count: number): Map<number, number> {
  const lead = shape.slice(0, -1);
  const map = new Map<number, number>(); // slab offset -> row relative to r0
  for (let r = r0; r < r0 + count; r++) {
    let rest = r;
    const idx: number[] = new Array(lead.length);
    for (let k = lead.length - 1; k >= 0; k--) { idx[k] = rest % lead[k]; rest = Math.floor(rest / lead[k]); }
    let off = 0;
    let stride = 1;
    for (let k = 0; k < lead.length; k++) { off += idx[k] * stride; stride *= lead[k]; }
    map.set(off, r - r0);
  }
  return map;
}

describe("laidOutInFortranOrder", () => {
  it("is true only for a Fortran-order array with more than one dimension longer than 1", () => {
    const laidOut = (shape: number[], fortranOrder = true) => laidOutInFortranOrder({ fortranOrder, shape });
    expect([laidOut([3, 4]), laidOut([2, 1, 3]), laidOut([2, 3, 4])]).toEqual([true, true, true]);
    // Such arrays have the same bytes in C order.
    expect([laidOut([]), laidOut([5]), laidOut([1, 5]), laidOut([5, 1]), laidOut([1, 5, 1]), laidOut([1, 1])]).toEqual([false, false, false, false, false, false]);
    expect(laidOut([3, 4], false)).toBe(false);
  });
});

describe("planFortranRows", () => {
  it("is one run per column for rank 2", () => {
    expect(planFortranRows([10, 3], 4, 5)).toEqual({ runs: [{ slabElem: 4, length: 5, firstRow: 0 }], rowStride: 1, slabSize: 10 });
  });
  it("covers exactly the requested rows, once each, in non-empty runs sorted by file position (ranks 2-5, random ranges)", () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 });
    fc.assert(fc.property(shapeArb, fc.nat(), fc.nat(), (shape, a, b) => {
      const rows = shape.slice(0, -1).reduce((x, y) => x * y, 1);
      const r0 = a % rows;
      const count = 1 + (b % (rows - r0));
      const plan = planFortranRows(shape, r0, count);
      const want = bruteForce(shape, r0, count);
      const got = new Map<number, number>();
      let prevEnd = -1;
      for (const run of plan.runs) {
        expect(run.length).toBeGreaterThan(0);
        expect(run.slabElem).toBeGreaterThan(prevEnd - 1);
        prevEnd = run.slabElem + run.length;
        for (let t = 0; t < run.length; t++) {
          expect(got.has(run.slabElem + t)).toBe(false);
          got.set(run.slabElem + t, run.firstRow + t * plan.rowStride);
        }
      }
      expect(got).toEqual(want);
      expect(plan.slabSize).toBe(rows);
    }), { numRuns: 300 });
  });
});
