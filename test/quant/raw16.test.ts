/**
 * The fused 16-bit kernel (raw BF16/F16 bytes in, 16-bit bytes out, in the
 * wasm chunk memory) against decoding the bytes, running the JS kernel or the
 * float32-lane 16-bit wasm kernel, and encoding the result: the same bytes,
 * NaN bits included, and the same scales and zero points.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTYPE_NAMES } from "../../src/config/dtypes.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { float32ToHalves, halfToFloat32Bits } from "../../src/npy/float16.js";
import { fakeQuantizeRows, type KernelChoice } from "../../src/quant/kernel.js";
import { makePlan, type QuantPlan } from "../../src/quant/plan.js";
import { fakeQuantizeRaw16 } from "../../src/quant/raw16.js";
import { fakeQuantizeRaw16Wasm, raw16Applies, wasmChunkViews } from "../../src/quant/wasm/kernel-wasm.js";

type Compute = "bfloat16" | "float16";

const baseConfig: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};

const f32Bits = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0];
/** The 16-bit bits of a float32 value, rounded as the checkpoint writers round (bf16: nearest even on the bits; f16: numpy's). */
function to16(v: number, compute: Compute): number {
  if (compute === "float16") {
    const h = new Uint16Array(1);
    float32ToHalves(new Float32Array([v]), 0, 1, h);
    return h[0];
  }
  const b = f32Bits(v);
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

function decode(raw: Uint16Array, compute: Compute): Float32Array {
  const out = new Float32Array(raw.length);
  const bits = new Uint32Array(out.buffer);
  const table = halfToFloat32Bits();
  for (let i = 0; i < raw.length; i++) bits[i] = compute === "float16" ? table[raw[i]] : raw[i] << 16;
  return out;
}
function encode(values: Float32Array, compute: Compute): Uint16Array {
  const out = new Uint16Array(values.length);
  if (compute === "float16") float32ToHalves(values, 0, values.length, out);
  else {
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < values.length; i++) out[i] = bits[i] >>> 16;
  }
  return out;
}

interface Result { bytes: Uint16Array; scale: Float64Array; zeroPoint: Float64Array }

/** Decode, fakeQuantizeRows with `kernel`, encode: what apply did before the fused kernel. */
function viaFloat32(plan: QuantPlan, raw: Uint16Array, compute: Compute, kernel: KernelChoice): Result {
  const groups = plan.rows * plan.groupsPerRow;
  const x = decode(raw, compute);
  const scale = new Float64Array(groups);
  const zeroPoint = new Float64Array(groups);
  fakeQuantizeRows(plan, x, x, plan.rows, scale, zeroPoint, "compute", kernel);
  return { bytes: encode(x, compute), scale, zeroPoint };
}

/** The fused path: raw bytes in the chunk memory, quantized there. */
function fused(plan: QuantPlan, raw: Uint16Array, at = 0): Result {
  const groups = plan.rows * plan.groupsPerRow;
  const views = wasmChunkViews(raw.length + at, groups);
  if (!views) throw new Error("no wasm chunk memory");
  const bytes = new Uint8Array(views.values.buffer, 2 * at, 2 * raw.length);
  new Uint16Array(bytes.buffer, bytes.byteOffset, raw.length).set(raw);
  expect(fakeQuantizeRaw16(plan, bytes, plan.rows, views.scale, views.zeroPoint)).toBe(true);
  return {
    bytes: Uint16Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, raw.length)),
    scale: Float64Array.from(views.scale), zeroPoint: Float64Array.from(views.zeroPoint),
  };
}

/** First difference in bit patterns: 16-bit outputs (NaNs included) and f64 qparams (NaNs equal). */
function diff(got: Result, want: Result): string | null {
  for (let i = 0; i < want.bytes.length; i++) {
    if (got.bytes[i] !== want.bytes[i]) return `value [${i}] ${got.bytes[i].toString(16)} vs ${want.bytes[i].toString(16)}`;
  }
  for (const key of ["scale", "zeroPoint"] as const) {
    const a = new BigUint64Array(got[key].buffer, got[key].byteOffset, want[key].length);
    const b = new BigUint64Array(want[key].buffer, want[key].byteOffset, want[key].length);
    for (let i = 0; i < b.length; i++) {
      if (a[i] !== b[i] && !(Number.isNaN(got[key][i]) && Number.isNaN(want[key][i]))) return `${key} [${i}] ${got[key][i]} vs ${want[key][i]}`;
    }
  }
  return null;
}

/** 16-bit values: plain weights, ties at scale 1, zeros of both signs, subnormals, NaNs with payloads, infinities, any bits. */
const valueArb = (compute: Compute): fc.Arbitrary<number> => fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }).map((v) => to16(v, compute)) },
  { weight: 3, arbitrary: fc.integer({ min: -16, max: 16 }).map((k) => to16(k / 2, compute)) },
  { weight: 2, arbitrary: fc.constantFrom(0x0000, 0x8000) },
  { weight: 1, arbitrary: fc.double({ min: -1e-6, max: 1e-6, noNaN: true }).map((v) => to16(v, compute)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  {
    weight: 1,
    arbitrary: compute === "float16"
      ? fc.constantFrom(0x7c00, 0xfc00, 0x7e00, 0xfe01, 0x7c01, 0x0001, 0x83ff, 0x7bff, 0xfbff, 0x0400)
      : fc.constantFrom(0x7f80, 0xff80, 0x7fc0, 0xffc1, 0x7f81, 0x0001, 0x807f, 0x7f7f, 0xff7f, 0x0080),
  },
);

const caseArb = fc.record({
  compute: fc.constantFrom<Compute>("bfloat16", "float16"),
  dtype: fc.constantFrom(...DTYPE_NAMES.filter((d) => !d.startsWith("float"))),
  perChannel: fc.boolean(),
  groupSize: fc.constantFrom(8, 16, 24, 32, 64, 128),
  groups: fc.integer({ min: 1, max: 11 }),
  rows: fc.integer({ min: 1, max: 3 }),
  eps: fc.constantFrom(null, 0, 1e-45, 2 ** -24, 2 ** -10, 0.5),
  torchao: fc.constantFrom("0.12" as const, "0.18" as const),
  by: fc.constantFrom(1, 2 ** -8, 2 ** -16, 2 ** 8),
}).chain((c) => {
  const n = c.rows * c.groupSize * c.groups;
  return fc.array(valueArb(c.compute), { minLength: n, maxLength: n }).map((vals) => ({ ...c, raw: Uint16Array.from(vals) }));
});

function planOf(c: { compute: Compute; dtype: string; perChannel: boolean; groupSize: number; groups: number; rows: number; eps: number | null; torchao: "0.12" | "0.18" }): QuantPlan | null {
  const config = {
    ...baseConfig, dtype: c.dtype, eps: c.eps,
    granularity: c.perChannel ? { type: "PerAxis", axis: 0 } : { type: "PerGroup", group_size: c.groupSize },
  } as CanonicalConfig;
  try {
    return makePlan(config, [c.rows, c.groupSize * c.groups], { compute: c.compute, torchao: c.torchao });
  } catch {
    return null; // a shape torchao refuses for this config
  }
}

/** Scales the finite values by `by` (exactly, in float32, then rounded to the 16-bit dtype), leaving specials as they are. */
function scaled(raw: Uint16Array, compute: Compute, by: number): Uint16Array {
  if (by === 1) return raw;
  const x = decode(raw, compute);
  return Uint16Array.from(raw, (h, i) => (Number.isFinite(x[i]) ? to16(x[i] * by, compute) : h));
}

describe("fused 16-bit kernel (raw BF16/F16 bytes, fast-check, bit for bit)", () => {
  it("gives the JS kernel's bytes, scales and zero points, NaN bits included", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const plan = planOf(c);
        if (!plan) return;
        expect(raw16Applies(plan)).toBe(true);
        const raw = scaled(c.raw, c.compute, c.by);
        expect(diff(fused(plan, raw), viaFloat32(plan, raw, c.compute, "js"))).toBeNull();
      }),
      { numRuns: 1500 },
    );
  });

  it("gives the float32-lane 16-bit wasm kernel's bytes (sym_groups_w16 between widen and narrow)", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 40 }), (c, at) => {
        const plan = planOf(c);
        if (!plan) return;
        const raw = scaled(c.raw, c.compute, c.by);
        expect(diff(fused(plan, raw, at), viaFloat32(plan, raw, c.compute, "auto"))).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("leaves a group with a NaN, an infinity or a zero scale raw and counts it, whatever its lane, and runs the others", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      const g = 8;
      const plan = makePlan({ ...baseConfig, eps: 0, granularity: { type: "PerGroup", group_size: g } }, [1, 6 * g], { compute, torchao: "0.12" });
      const nan = compute === "bfloat16" ? 0x7fc1 : 0x7e01;
      const inf = compute === "bfloat16" ? 0xff80 : 0xfc00;
      for (let lane = 0; lane < 4; lane++) {
        const raw = Uint16Array.from({ length: 6 * g }, (_, i) => to16(((i * 37) % 17) - 8.25, compute));
        raw[lane * g + 3] = nan;
        raw[5 * g + 1] = inf; // the one-at-a-time tail
        raw.fill(0, 4 * g, 5 * g); // a zero group: scale 0, reciprocal inf (eps 0)
        const views = wasmChunkViews(raw.length, 6)!;
        const bytes = new Uint8Array(views.values.buffer, 0, 2 * raw.length);
        new Uint16Array(views.values.buffer, 0, raw.length).set(raw);
        expect(fakeQuantizeRaw16Wasm(plan, bytes, 1, views.scale, views.zeroPoint)).toBe(3);
        const after = new Uint16Array(views.values.buffer, 0, raw.length);
        for (let k = 0; k < 6; k++) {
          const untouched = after.subarray(k * g, (k + 1) * g).every((h, i) => h === raw[k * g + i]);
          expect(untouched, `${compute} lane ${lane} group ${k}`).toBe(k === lane || k >= 4);
        }
        expect(diff(fused(plan, raw), viaFloat32(plan, raw, compute, "js")), `${compute} lane ${lane}`).toBeNull();
      }
    }
  });

  it("touches no byte past its rows when it reruns a group in JS", () => {
    for (const compute of ["bfloat16", "float16"] as const) {
      const g = 8;
      const plan = makePlan({ ...baseConfig, granularity: { type: "PerGroup", group_size: g } }, [1, 4 * g], { compute, torchao: "0.12" });
      const raw = Uint16Array.from({ length: 4 * g }, (_, i) => to16(((i * 37) % 17) - 8.25, compute));
      raw[2 * g + 5] = compute === "bfloat16" ? 0x7fc1 : 0x7e01; // a NaN: its group is left to JS
      const next = Uint16Array.from({ length: 2 * g }, (_, i) => to16(i * 0.37 - 2.9, compute)); // the bytes after the rows
      const views = wasmChunkViews(6 * g, 4)!;
      const mem = new Uint16Array(views.values.buffer, 0, 6 * g);
      mem.set(raw);
      mem.set(next, 4 * g);
      expect(fakeQuantizeRaw16(plan, new Uint8Array(views.values.buffer, 0, 2 * raw.length), 1, views.scale, views.zeroPoint)).toBe(true);
      expect(Array.from(mem.subarray(4 * g)), compute).toEqual(Array.from(next));
      expect(diff({ bytes: mem.subarray(0, 4 * g), scale: views.scale, zeroPoint: views.zeroPoint }, viaFloat32(plan, raw, compute, "js")), compute).toBeNull();
    }
  });

  it("declines, touching nothing, groups that are not whole 8-value vectors, float32 compute, and arrays outside its memory", () => {
    const odd = makePlan({ ...baseConfig, granularity: { type: "PerGroup", group_size: 12 } }, [2, 24], { compute: "bfloat16", torchao: "0.12" });
    const f32 = makePlan(baseConfig, [2, 64], { compute: "float32", torchao: "0.12" });
    const asym = makePlan({ ...baseConfig, mapping_type: "ASYMMETRIC" }, [2, 64], { compute: "bfloat16", torchao: "0.12" });
    expect([odd, f32, asym].map(raw16Applies)).toEqual([false, false, false]);
    const ok = makePlan(baseConfig, [2, 64], { compute: "bfloat16", torchao: "0.12" });
    const views = wasmChunkViews(128, 4)!;
    const inside = new Uint8Array(views.values.buffer, 0, 256);
    inside.fill(0x3f);
    expect(fakeQuantizeRaw16(odd, inside, 2, views.scale, views.zeroPoint)).toBe(false);
    expect(fakeQuantizeRaw16Wasm(f32, inside, 2, views.scale, views.zeroPoint)).toBe(-1);
    expect(fakeQuantizeRaw16(f32, inside, 2, views.scale, views.zeroPoint)).toBe(false);
    const outside = new Uint8Array(256).fill(0x3f);
    expect(fakeQuantizeRaw16(ok, outside, 2, views.scale, views.zeroPoint)).toBe(false);
    expect(fakeQuantizeRaw16(ok, inside, 2, new Float64Array(4), views.zeroPoint)).toBe(false);
    expect(outside.every((b) => b === 0x3f) && inside.every((b) => b === 0x3f)).toBe(true);
  });
});
