/**
 * BF16 bytes ↔ float32 values through the wasm widen/narrow (decodeTensorValues
 * / encodeTensorValues): the same bits as the JS loops (u16 << 16 and the
 * upper half), in place in the kernel's chunk memory and through its copying
 * instance, for every 16-bit pattern, tails and block boundaries included.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeTensorValues, encodeTensorValues } from "../../src/checkpoint/tensor-values.js";
import { narrowBf16Wasm, wasmChunkViews, widenBf16Wasm } from "../../src/quant/wasm/kernel-wasm.js";

/** count u16 patterns: all 65536 in turn, then a pseudo-random run. */
function patterns(count: number, seed: number): Uint16Array {
  const u = new Uint16Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    u[i] = i < 65536 ? i : s >>> 16;
  }
  return u;
}
const widened = (u: Uint16Array) => Uint32Array.from(u, (b) => (b << 16) >>> 0);
const bitsOf = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);
const bytesOf = (u: Uint16Array) => new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `[${i}] ${a[i].toString(16)} vs ${b[i].toString(16)}`;
  return null;
}

// Two 64 Ki-value blocks of the copying path and a tail of 5 (not a whole vector of 8).
const COUNT = 2 * 65536 + 5;

describe("BF16 widen (decodeTensorValues) by wasm", () => {
  it("gives u16 << 16 for every pattern, NaN payloads included, from and into plain arrays (copying instance, blocks and tail)", () => {
    const u = patterns(COUNT, 1);
    const dest = new Float32Array(COUNT);
    expect(widenBf16Wasm(bytesOf(u), COUNT, dest)).toBe(true);
    expect(firstDiff(bitsOf(dest), widened(u))).toBeNull();
    dest.fill(0);
    decodeTensorValues(bytesOf(u), "BF16", COUNT, dest);
    expect(firstDiff(bitsOf(dest), widened(u))).toBeNull();
  });

  it("widens in place in a chunk view, the bytes read into its upper half or copied there from anywhere", () => {
    const u = patterns(COUNT, 2);
    const want = widened(u);
    const view = wasmChunkViews(COUNT, 1)!.values;
    const upper = new Uint8Array(view.buffer, view.byteOffset + 2 * COUNT, 2 * COUNT);
    upper.set(bytesOf(u));
    expect(widenBf16Wasm(upper, COUNT, view)).toBe(true);
    expect(firstDiff(bitsOf(view), want)).toBeNull();
    view.fill(0);
    expect(widenBf16Wasm(bytesOf(u), COUNT, view)).toBe(true); // raw outside wasm memory
    expect(firstDiff(bitsOf(view), want)).toBeNull();
    // raw in the view's own lower half (overlapping where the values go)
    new Uint8Array(view.buffer, view.byteOffset, 2 * COUNT).set(bytesOf(u));
    decodeTensorValues(new Uint8Array(view.buffer, view.byteOffset, 2 * COUNT), "BF16", COUNT, view);
    expect(firstDiff(bitsOf(view), want)).toBeNull();
  });

  it("gives the JS loop's bits for any count and offset (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }), fc.integer(), (n, at, seed) => {
        const u = patterns(65536 + at + n, seed).subarray(65536);
        const raw = bytesOf(u).subarray(2 * at, 2 * (at + n));
        const plain = new Float32Array(n + 3);
        decodeTensorValues(raw, "BF16", n, plain);
        expect(firstDiff(bitsOf(plain).subarray(0, n), widened(u.subarray(at, at + n)))).toBeNull();
        expect(firstDiff(bitsOf(plain).subarray(n), [0, 0, 0])).toBeNull(); // nothing past count
        const view = wasmChunkViews(n + at, 1)!.values.subarray(at, at + n);
        decodeTensorValues(raw, "BF16", n, view);
        expect(firstDiff(bitsOf(view), widened(u.subarray(at, at + n)))).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe("BF16 narrow (encodeTensorValues) by wasm", () => {
  /** float32 bit patterns whose upper halves run through every u16, lower halves arbitrary (truncated). */
  function values(count: number, seed: number): Float32Array {
    const up = patterns(count, seed);
    const low = patterns(count, seed + 1);
    const f = new Float32Array(count);
    const b = bitsOf(f);
    for (let i = 0; i < count; i++) b[i] = ((up[i] << 16) | low[(i * 7) % count]) >>> 0;
    return f;
  }
  const uppers = (f: Float32Array) => Uint16Array.from(bitsOf(f), (b) => b >>> 16);

  it("gives the upper halves from plain arrays and leaves the values as they were (copying instance, blocks and tail)", () => {
    const src = values(COUNT, 3);
    const before = Uint32Array.from(bitsOf(src));
    const out = new Uint8Array(2 * COUNT);
    expect(narrowBf16Wasm(src, COUNT, out)).toBe(true);
    expect(firstDiff(new Uint16Array(out.buffer), uppers(src))).toBeNull();
    expect(firstDiff(bitsOf(src), before)).toBeNull();
    out.fill(0);
    encodeTensorValues(src, "BF16", COUNT, out);
    expect(firstDiff(new Uint16Array(out.buffer), uppers(src))).toBeNull();
  });

  it("narrows in place in a chunk view into its own bytes, and leaves other overlaps to the JS loop", () => {
    const src = values(COUNT, 4);
    const want = uppers(src);
    const view = wasmChunkViews(COUNT, 1)!.values;
    view.set(src);
    const own = new Uint8Array(view.buffer, view.byteOffset, 2 * COUNT);
    expect(narrowBf16Wasm(view, COUNT, own)).toBe(true);
    expect(firstDiff(new Uint16Array(view.buffer, view.byteOffset, COUNT), want)).toBeNull();
    // Output 2 bytes further on overlaps the values unevenly: the wasm path declines, the JS loop writes it.
    view.set(src);
    const shifted = new Uint8Array(view.buffer, view.byteOffset + 2, 2 * COUNT);
    expect(narrowBf16Wasm(view, COUNT, shifted)).toBe(false);
    const plainShifted = new Float32Array(COUNT + 1);
    plainShifted.set(src);
    encodeTensorValues(plainShifted, "BF16", COUNT, new Uint8Array(plainShifted.buffer, 2, 2 * COUNT));
    encodeTensorValues(view, "BF16", COUNT, shifted);
    expect(firstDiff(shifted, new Uint8Array(plainShifted.buffer, 2, 2 * COUNT))).toBeNull();
  });

  it("gives the JS loop's bytes for any count and offset (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 }), fc.integer(), (n, at, seed) => {
        const src = values(at + n + 1, seed).subarray(at, at + n);
        const out = new Uint8Array(2 * n + 4).fill(0xa5);
        encodeTensorValues(src, "BF16", n, out.subarray(0, 2 * n));
        expect(firstDiff(new Uint16Array(out.buffer, 0, n), uppers(src))).toBeNull();
        expect(Array.from(out.subarray(2 * n))).toEqual([0xa5, 0xa5, 0xa5, 0xa5]); // nothing past count
        const view = wasmChunkViews(at + n, 1)!.values.subarray(at, at + n);
        view.set(src);
        encodeTensorValues(view, "BF16", n, new Uint8Array(view.buffer, view.byteOffset, 2 * n));
        expect(firstDiff(new Uint16Array(view.buffer, view.byteOffset, n), uppers(src))).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
