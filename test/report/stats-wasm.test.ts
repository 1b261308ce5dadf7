/**
 * The report's statistics in WebAssembly (fq.wat "report statistics",
 * src/quant/wasm/kernel-wasm.ts) against the JS loop of src/report/stats.ts,
 * the reference: the same float64 terms summed in another fixed order, so the
 * sums agree to a tight relative tolerance and max, zeroed and counts exactly.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { errorStatsWasm, sumSquaresWasm, wasmChunkViews, widenBf16SumSquaresWasm } from "../../src/quant/wasm/kernel-wasm.js";
import { accumulateStats, addFiniteStats, SLOTS, statSums } from "../../src/report/stats.js";

/** x and y in this thread's chunk memory, as report-chunks.ts lays them out (y first). */
function inWasm(xs: ArrayLike<number>, ys: ArrayLike<number>) {
  const n = xs.length;
  const xAt = Math.ceil(n / 4) * 4;
  const v = wasmChunkViews(xAt + n, 0)!;
  const y = v.values.subarray(0, n);
  const x = v.values.subarray(xAt, xAt + n);
  x.set(xs);
  y.set(ys);
  return { x, y };
}

/** The wasm path of one chunk as chunk-stats.ts takes it; null when it would fall back to the JS loop. */
function wasmSums(xs: ArrayLike<number>, ys: ArrayLike<number>) {
  const { x, y } = inWasm(xs, ys);
  const sx = sumSquaresWasm(x, x.length)!;
  const e = errorStatsWasm(x, y, x.length)!;
  if (!Number.isFinite(sx) || !Number.isFinite(e.sumE2)) return null;
  const acc = new Float64Array(SLOTS);
  addFiniteStats(acc, 0, x.length, sx, e.sumE2, e.maxAbsError, e.zeroed);
  return statSums(acc);
}

function jsSums(xs: ArrayLike<number>, ys: ArrayLike<number>) {
  const acc = new Float64Array(SLOTS);
  accumulateStats(Float32Array.from(xs), Float32Array.from(ys), xs.length, acc, 0);
  return statSums(acc);
}

function expectClose(got: number, want: number, rel: number) {
  if (want === 0) expect(got).toBe(0);
  else expect(Math.abs(got - want) / Math.abs(want)).toBeLessThanOrEqual(rel);
}

const finite = fc.float({ noNaN: true, noDefaultInfinity: true });
const small = fc.oneof(fc.constantFrom(0, -0, 1, -1), fc.float({ min: -4, max: 4, noNaN: true }), finite);

describe("report statistics in WebAssembly", () => {
  it("sums Σx², Σ(x−y)², max |x−y| and the zeroed count as the JS loop does, any length (tails included)", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(small, fc.oneof(small, fc.constant(0))), { maxLength: 300 }),
      (pairs) => {
        const xs = Float32Array.from(pairs, (p) => p[0]);
        // y near x (a rounding), exactly 0, or anything: the kernel's outputs and worse.
        const ys = Float32Array.from(pairs, (p, i) => (i % 3 === 0 ? Math.round(p[0] * 8) / 8 : p[1]));
        const w = wasmSums(xs, ys)!;
        const j = jsSums(xs, ys);
        expect(w).not.toBeNull();
        expectClose(w.sumX2, j.sumX2, 1e-13);
        expectClose(w.sumE2, j.sumE2, 1e-13);
        expect(w.maxAbsError).toBe(j.maxAbsError);
        expect(w.zeroed).toBe(j.zeroed);
        expect(w.counted).toBe(j.counted);
      },
    ), { numRuns: 300 });
  });

  it("agrees with the JS loop over a chunk-sized array of weights within 1e-12 relative", () => {
    const n = (1 << 16) + 5;
    const xs = new Float32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      xs[i] = (s / 2 ** 32 - 0.5) * 0.04;
    }
    const ys = xs.map((v) => (Math.abs(v) < 0.002 ? 0 : Math.round(v * 300) / 300));
    const w = wasmSums(xs, ys)!;
    const j = jsSums(xs, ys);
    expectClose(w.sumX2, j.sumX2, 1e-12);
    expectClose(w.sumE2, j.sumE2, 1e-12);
    expect(w.maxAbsError).toBe(j.maxAbsError);
    expect(w.zeroed).toBe(j.zeroed);
    expect(w.zeroed).toBeGreaterThan(0);
  });

  it("takes each difference in float64, as the JS loop does (a difference float32 would round)", () => {
    const xs = [1 + 2 ** -23, 0.5];
    const ys = [2 ** -30, 0.25];
    const w = wasmSums(xs, ys)!;
    const e = 1 + 2 ** -23 - 2 ** -30;
    expect(Math.fround(e)).not.toBe(e);
    expect(w.maxAbsError).toBe(e);
    expect(w.sumE2).toBe(e * e + 0.0625);
  });

  it("finds max |x−y| exactly at the extremes of float32 (taken as the root of the largest square)", () => {
    const tiny = 2 ** -149;
    const big = 3.4028234663852886e38;
    const cases: Array<[number[], number[]]> = [
      [[tiny, 0, -tiny], [0, tiny, tiny]],
      [[big, -big, 1], [-big, big, 1]],
      [[1 + 2 ** -23, 1, 1 - 2 ** -24], [1, 1 + 2 ** -23, 1]],
    ];
    for (const [xs, ys] of cases) {
      const want = Math.max(...xs.map((v, i) => Math.abs(Math.fround(v) - Math.fround(ys[i]))));
      expect(wasmSums(xs, ys)?.maxAbsError ?? null).toBe(Number.isFinite(want * want) ? want : null);
      expect(jsSums(xs, ys).maxAbsError).toBe(want);
    }
  });

  it("makes Σx² non-finite when some x is NaN or ±inf, and Σ(x−y)² when some y is (the sign to rerun the chunk in JS)", () => {
    fc.assert(fc.property(
      fc.array(small, { minLength: 1, maxLength: 100 }), fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), fc.boolean(),
      (vals, at, bad, inX) => {
        const xs = Float32Array.from(vals);
        const ys = Float32Array.from(vals, (v) => Math.round(v));
        (inX ? xs : ys)[at % vals.length] = bad;
        const { x, y } = inWasm(xs, ys);
        const sx = sumSquaresWasm(x, x.length)!;
        const e = errorStatsWasm(x, y, x.length)!;
        expect(Number.isFinite(sx)).toBe(!inX);
        expect(Number.isFinite(e.sumE2)).toBe(false);
        expect(wasmSums(xs, ys)).toBeNull();
      },
    ), { numRuns: 200 });
  });

  it("gives the same bits for arrays in the chunk memory and for plain arrays copied through in blocks", () => {
    const n = 3 * 65536 + 13;
    const xs = new Float32Array(n);
    let seed = 99;
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      xs[i] = (seed / 2 ** 32 - 0.5) * 3;
    }
    const ys = xs.map((v) => Math.round(v * 4) / 4);
    const { x, y } = inWasm(xs, ys);
    const inPlace = { sx: sumSquaresWasm(x, n), e: errorStatsWasm(x, y, n) };
    const copied = { sx: sumSquaresWasm(xs, n), e: errorStatsWasm(xs, ys, n) };
    const mixed = errorStatsWasm(xs, y, n);
    expect(copied).toEqual(inPlace);
    expect(mixed).toEqual(inPlace.e);
    expect(inPlace.e!.zeroed).toBeGreaterThan(0);
    const j = jsSums(xs, ys);
    expectClose(inPlace.sx!, j.sumX2, 1e-12);
    expectClose(inPlace.e!.sumE2, j.sumE2, 1e-12);
    expect(inPlace.e!.maxAbsError).toBe(j.maxAbsError);
  });

  it("widens bfloat16 read into the chunk memory and sums Σx² in one pass, with the bits of widening then sum_squares", () => {
    for (const n of [0, 7, 8, 65536 * 2 + 9]) {
      const bits = new Uint16Array(n);
      let seed = n + 1;
      for (let i = 0; i < n; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        bits[i] = i % 11 === 3 ? 0x8000 : (seed >>> 16) & 0xbfff; // finite, both signs, -0 included
      }
      const want = new Float32Array(new Uint32Array(Array.from(bits, (b) => b << 16)).buffer);
      const x = wasmChunkViews(n, 0)!.values;
      const raw = new Uint8Array(x.buffer, x.byteOffset + 2 * n, 2 * n);
      raw.set(new Uint8Array(bits.buffer));
      const sum = widenBf16SumSquaresWasm(raw, n, x);
      expect(new Uint32Array(x.buffer, x.byteOffset, n)).toEqual(new Uint32Array(want.buffer));
      expect(sum).toBe(sumSquaresWasm(x, n));
      expect(sum).toBe(sumSquaresWasm(want, n));
    }
    // Bytes anywhere else are not its to widen.
    const x = wasmChunkViews(8, 0)!.values;
    expect(widenBf16SumSquaresWasm(new Uint8Array(16), 8, x)).toBeNull();
  });

  it("sums bfloat16 squares in sum_squares' order, where the order changes the float64 result", () => {
    // 1 and seven 2^-27: each small square (2^-54) alone is lost against 1, four of them together are not.
    for (const n of [8, 24]) {
      const bits = Uint16Array.from({ length: n }, (_, i) => (i % 8 === 0 ? 0x3f80 : 0x3200));
      const x = wasmChunkViews(n, 0)!.values;
      new Uint8Array(x.buffer, x.byteOffset + 2 * n, 2 * n).set(new Uint8Array(bits.buffer));
      const sum = widenBf16SumSquaresWasm(new Uint8Array(x.buffer, x.byteOffset + 2 * n, 2 * n), n, x);
      const sequential = Array.from(x).reduce((s, v) => s + v * v, 0);
      expect(sum, `n = ${n}`).toBe(sumSquaresWasm(x, n));
      expect(sum, `n = ${n}: the order matters here`).not.toBe(sequential);
    }
  });

  it("refuses a length beyond the arrays", () => {
    const x = new Float32Array(8);
    expect(sumSquaresWasm(x, 9)).toBeNull();
    expect(errorStatsWasm(x, new Float32Array(4), 8)).toBeNull();
  });
});
