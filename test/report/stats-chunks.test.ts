/**
 * A tensor's statistics are added chunk by chunk into one accumulator, several accumulators side by side in one
 * Float64Array (a tensor's columns, a thread's partials), then merged. Checked against a slow reference over the whole
 * tensor at once, on values whose squares and sums float64 holds exactly (multiples of 1/8), so any order of summation
 * gives the same bits.
 */
import { describe, expect, it } from "vitest";
import { accumulateChunkStats } from "../../src/report/chunk-stats.js";
import { KERNEL_CHOICES } from "../../src/quant/kernel-choice.js";
import { errorStatsWasm, sumSquaresWasm } from "../../src/quant/wasm/kernel-wasm.js";
import { accumulateStats, addFiniteStats, errorFigures, mergeStats, SLOTS, sqnrDb, statSums, type StatSums } from "../../src/report/stats.js";

/** The README's definitions, element by element over the whole tensor. */
function reference(chunks: ReadonlyArray<{ x: number[]; y: number[] }>): StatSums {
  const s = { sumX2: 0, sumE2: 0, maxAbsError: 0, counted: 0, zeroed: 0, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0 };
  for (const { x, y } of chunks) {
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i])) s.nanInputs++;
      else if (!Number.isFinite(x[i])) s.infInputs++;
      else if (!Number.isFinite(y[i])) s.nonFiniteOutputs++;
      else {
        s.sumX2 += x[i] ** 2;
        s.sumE2 += (x[i] - y[i]) ** 2;
        s.maxAbsError = Math.max(s.maxAbsError, Math.abs(x[i] - y[i]));
        if (y[i] === 0 && x[i] !== 0) s.zeroed++;
        s.counted++;
      }
    }
  }
  return s;
}

/**
 * Chunks of one tensor, each taking another path: all finite (the fast loop); a NaN input; an infinite input; a finite
 * input whose output is not finite (Σx² finite, Σe² not); zeros kept and zeros made. The largest error (|−3|, a negative
 * difference) is in the chunk with a NaN, the next (2) in the first chunk: taken in order, a chunk that forgot the max so
 * far shows; in reverse, one that would not raise it.
 */
const CHUNKS = [
  { x: [1, -2.5, 0.375, 4, -3], y: [1, -1, 0.5, 4, -1] },
  { x: [0.5, NaN, -1.25, 1], y: [0.5, NaN, -1, 4] },
  { x: [2, -Infinity, 0, 0.25], y: [1.875, -Infinity, 0, 0] },
  { x: [1.5, -0.75, 6, 0.125], y: [1.5, NaN, 5.5, Infinity] },
  { x: [0, 0, -1, 0.625], y: [0, 0, 0, 0.5] },
  { x: [0.25, 1], y: [0.25, 1] },
];
const ORDERS = [["in order", CHUNKS], ["in reverse", CHUNKS.slice().reverse()]] as const;

const f32 = (v: number[]) => Float32Array.from(v);

/** Sentinel accumulators either side of the one under test: a write to the wrong slot or accumulator shows. */
function sideBySide(): Float64Array {
  const acc = new Float64Array(3 * SLOTS);
  for (let k = 0; k < SLOTS; k++) {
    acc[k] = 1000 + k;
    acc[2 * SLOTS + k] = 2000 + k;
  }
  return acc;
}

function expectNeighboursKept(acc: Float64Array): void {
  expect([...acc.subarray(0, SLOTS)]).toEqual(Array.from({ length: SLOTS }, (_, k) => 1000 + k));
  expect([...acc.subarray(2 * SLOTS)]).toEqual(Array.from({ length: SLOTS }, (_, k) => 2000 + k));
}

/** A chunk of values of many magnitudes, whose float64 sums depend on the order they are added in. */
function unevenChunk(): { x: Float32Array; y: Float32Array } {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 9) - 4));
  const y = x.map((v, i) => v * (1 + ((i % 5) - 2) * 1e-3));
  return { x, y };
}

describe("statistics over several chunks", () => {
  const want = reference(CHUNKS);

  it("the reference sees what the chunks hold (the test's own check)", () => {
    expect(want).toMatchObject({ counted: 19, zeroed: 2, nanInputs: 1, infInputs: 1, nonFiniteOutputs: 2, maxAbsError: 3 });
  });

  it.each(ORDERS)("accumulateStats adds chunk after chunk (%s) into the accumulator at its offset, as the whole tensor at once", (_order, chunks) => {
    const acc = sideBySide();
    for (const c of chunks) accumulateStats(f32(c.x), f32(c.y), c.x.length, acc, SLOTS);
    expect(statSums(acc, SLOTS)).toEqual(want);
    expectNeighboursKept(acc);
  });

  it("accumulateStats reads only the first n values of a chunk, on either path", () => {
    // The tail is a buffer's leftover from a longer chunk: a huge error, or a NaN, that must not count.
    for (const tail of [100, NaN]) {
      const acc = new Float64Array(SLOTS);
      accumulateStats(f32([1, 2, tail]), f32([0.5, 2, -100]), 2, acc, 0);
      expect(statSums(acc)).toEqual(reference([{ x: [1, 2], y: [0.5, 2] }]));
      const withNaN = new Float64Array(SLOTS);
      accumulateStats(f32([NaN, 2, tail]), f32([0, 1, -100]), 2, withNaN, 0);
      expect(statSums(withNaN)).toEqual(reference([{ x: [NaN, 2], y: [0, 1] }]));
    }
  });

  it("the careful loop (a chunk with a NaN) takes |x − y| of a negative difference as its max", () => {
    const acc = new Float64Array(SLOTS);
    accumulateStats(f32([NaN, 1, -2]), f32([0, 3, -2.5]), 3, acc, 0);
    expect(statSums(acc).maxAbsError).toBe(2);
  });

  it.each(KERNEL_CHOICES.flatMap((k) => ORDERS.map(([order, chunks]) => [k, order, chunks] as const)))(
    "accumulateChunkStats (--kernel %s) gives the same sums chunk after chunk (%s)", (kernel, _order, chunks) => {
    const acc = sideBySide();
    for (const c of chunks) accumulateChunkStats(f32(c.x), f32(c.y), c.x.length, acc, SLOTS, kernel);
    expect(statSums(acc, SLOTS)).toEqual(want);
    expectNeighboursKept(acc);
  });

  it("accumulateChunkStats takes a Σx² the caller summed already, and still counts a chunk whose Σx² is not finite", () => {
    const acc = new Float64Array(SLOTS);
    for (const c of CHUNKS) {
      const sx = c.x.reduce((s, v) => s + v * v, 0);
      accumulateChunkStats(f32(c.x), f32(c.y), c.x.length, acc, 0, "auto", sx);
    }
    expect(statSums(acc)).toEqual(want);
  });

  it("accumulateChunkStats under --kernel js sums as the JS loop does, to the bit, even given a Σx²; given null it sums the chunk whole", () => {
    const { x, y } = unevenChunk();
    const js = new Float64Array(SLOTS);
    accumulateStats(x, y, x.length, js, 0);
    for (const [kernel, sumX2] of [["js", undefined], ["js", sumSquaresWasm(x, x.length)], ["auto", null]] as const) {
      const acc = new Float64Array(SLOTS);
      accumulateChunkStats(x, y, x.length, acc, 0, kernel, sumX2);
      expect(statSums(acc), `${kernel} ${sumX2}`).toEqual(statSums(js));
    }
  });

  it("accumulateChunkStats (auto) on plain arrays gives the bits of the wasm path, as arrays in the wasm memory do: the figures do not depend on where the arrays live", () => {
    const { x, y } = unevenChunk();
    const sx = sumSquaresWasm(x, x.length)!;
    const e = errorStatsWasm(x, y, x.length)!;
    const wasm = new Float64Array(SLOTS);
    addFiniteStats(wasm, 0, x.length, sx, e.sumE2, e.maxAbsError, e.zeroed);
    const js = new Float64Array(SLOTS);
    accumulateStats(x, y, x.length, js, 0);
    // The test's own check: these values sum to other bits in the two orders.
    expect(statSums(js)).not.toEqual(statSums(wasm));
    const acc = new Float64Array(SLOTS);
    accumulateChunkStats(x, y, x.length, acc, 0, "auto");
    expect(statSums(acc)).toEqual(statSums(wasm));
  });

  it("addFiniteStats adds sums, counts and zeroed, and keeps the larger max, at its offset", () => {
    const acc = sideBySide();
    addFiniteStats(acc, SLOTS, 4, 10, 2, 1.5, 1);
    addFiniteStats(acc, SLOTS, 3, 5, 0.5, 0.25, 2);
    addFiniteStats(acc, SLOTS, 1, 1, 4, 2, 0);
    expect(statSums(acc, SLOTS)).toEqual({ sumX2: 16, sumE2: 6.5, maxAbsError: 2, counted: 8, zeroed: 3, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0 });
    expectNeighboursKept(acc);
  });

  it.each(ORDERS)("mergeStats adds partial accumulators (%s) into the whole, and the larger max wins either way", (_order, chunks) => {
    // Each chunk in its own partial (as a worker writes them), merged one after the other into the middle accumulator.
    const partials = new Float64Array(chunks.length * SLOTS);
    chunks.forEach((c, i) => accumulateStats(f32(c.x), f32(c.y), c.x.length, partials, i * SLOTS));
    const acc = sideBySide();
    for (let i = 0; i < chunks.length; i++) mergeStats(acc, SLOTS, partials, i * SLOTS);
    expect(statSums(acc, SLOTS)).toEqual(want);
    expectNeighboursKept(acc);
  });
});

describe("figures at their edges", () => {
  const sums = (p: Partial<StatSums>): StatSums => ({ sumX2: 0, sumE2: 0, maxAbsError: 0, counted: 0, zeroed: 0, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0, ...p });

  it("SQNR of an all-zero x with some error is -inf, as torch's compute_error gives", () => {
    expect(sqnrDb(0, 0.25, 4)).toBe(-Infinity);
    expect(errorFigures(sums({ sumE2: 0.25, maxAbsError: 0.5, counted: 4 })).sqnrDb).toBe(-Infinity);
  });

  it("y = x gives inf dB, zero RMSE and a zeroed share over the counted elements", () => {
    expect(errorFigures(sums({ sumX2: 9, counted: 3, zeroed: 0 }))).toEqual({ sqnrDb: Infinity, rmse: 0, maxAbsError: 0, zeroedShare: 0 });
  });

  it("an all-zero x kept exactly (y = x = 0) is inf dB, not 0/0", () => {
    expect(sqnrDb(0, 0, 4)).toBe(Infinity);
  });

  it("nothing counted (every value non-finite) gives no figure at all, whatever was left out", () => {
    expect(errorFigures(sums({ nanInputs: 5, infInputs: 2 }))).toEqual({ sqnrDb: null, rmse: null, maxAbsError: null, zeroedShare: null });
    expect(sqnrDb(0, 0, 0)).toBeNull();
  });

  it("RMSE divides Σe² by the counted elements, not by the elements left out too", () => {
    expect(errorFigures(sums({ sumX2: 64, sumE2: 8, maxAbsError: 2, counted: 2, zeroed: 1, nanInputs: 6 })))
      .toEqual({ sqnrDb: 10 * Math.log10(8), rmse: 2, maxAbsError: 2, zeroedShare: 0.5 });
  });
});
