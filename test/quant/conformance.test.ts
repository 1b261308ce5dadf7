/**
 * Every case of the torchao conformance corpus, bit-exact: output, scale and
 * zero point, through makePlan + fakeQuantizeRows (v0.12), and again with
 * torchao 0.18 semantics against HEAD's files (or v0.12's where HEAD agrees).
 */
import { describe, expect, it } from "vitest";
import { fakeQuantizeRows } from "../../src/quant/kernel.js";
import { makePlan } from "../../src/quant/plan.js";
import type { TorchaoVersion } from "../../src/config/types.js";
import { canonicalFromKwargs, loadManifest, loadNumbers, type ManifestCase } from "./corpus.js";

const cases = loadManifest();

function same(a: number, b: number, ignoreZeroSign = false): boolean {
  if (a !== a) return b !== b; // any NaN matches any NaN
  if (ignoreZeroSign && a === 0) return b === 0;
  return Object.is(a, b);
}

/** Index and values of the first few mismatches, for readable failures. */
function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, ignoreZeroSign = false): string[] {
  const bad: string[] = [];
  if (got.length !== want.length) return [`length ${got.length} vs ${want.length}`];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i], want[i], ignoreZeroSign)) {
      if (bad.length < 5) bad.push(`[${i}] got ${Object.is(got[i], -0) ? "-0" : got[i]} want ${Object.is(want[i], -0) ? "-0" : want[i]}`);
      count++;
    }
  }
  if (count > 5) bad.push(`... ${count} mismatches in total`);
  return bad;
}

interface RunResult {
  out: Float32Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
  qparamShape: number[];
}

function run(c: ManifestCase, torchao: TorchaoVersion): RunResult {
  const config = canonicalFromKwargs(c.config);
  const input = loadNumbers(c.input);
  expect(input.shape).toEqual(c.input_shape);
  // float16 inputs are decoded from half bits; bfloat16 inputs are float32 files holding bf16 values.
  const x = Float32Array.from(input.values);
  const plan = makePlan(config, c.input_shape, { compute: c.input_dtype, torchao });
  expect(plan.scalePrecision).toBe(c.scale_dtype);
  expect(plan.zeroPointPrecision).toBe(c.zero_point_dtype);
  const nq = plan.rows * plan.groupsPerRow;
  const scale = new Float64Array(nq);
  const zeroPoint = new Float64Array(nq);
  const out = new Float32Array(x.length);
  fakeQuantizeRows(plan, x, out, plan.rows, scale, zeroPoint, "compute");
  if (c.mode === "static_second_call") {
    // The second forward reuses the cached qparams: run the kernel on them, in place this time.
    const again = Float32Array.from(x);
    const s2 = Float64Array.from(scale);
    const z2 = Float64Array.from(zeroPoint);
    fakeQuantizeRows(plan, again, again, plan.rows, s2, z2, "given");
    expect(mismatches(again, out)).toEqual([]);
    expect(mismatches(s2, scale)).toEqual([]);
    expect(mismatches(z2, zeroPoint)).toEqual([]);
    return { out: again, scale: s2, zeroPoint: z2, qparamShape: plan.qparamShape };
  }
  return { out, scale, zeroPoint, qparamShape: plan.qparamShape };
}

function check(c: ManifestCase, r: RunResult, files: { expected: string; scale: string | null; zero_point: string | null }): void {
  const expected = loadNumbers(files.expected);
  expect(expected.shape).toEqual(c.input_shape);
  expect(mismatches(r.out, expected.values)).toEqual([]);
  if (files.scale !== null) {
    const s = loadNumbers(files.scale);
    expect(s.shape).toEqual(r.qparamShape);
    // implementation_defined: the sign of an exactly-zero scale comes from ATen's min/max tie-breaking.
    expect(mismatches(r.scale, s.values, c.implementation_defined)).toEqual([]);
  }
  if (files.zero_point !== null) {
    const z = loadNumbers(files.zero_point);
    expect(z.shape).toEqual(r.qparamShape);
    expect(mismatches(r.zeroPoint, z.values)).toEqual([]);
  }
}

describe("torchao v0.12.0 conformance corpus (bit-exact)", () => {
  it("has all 673 public cases", () => {
    expect(cases.length).toBe(673);
  });
  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    check(c, run(c, "0.12"), c);
  });
});

describe("implementation-defined cases: the recorded x86-64 values themselves", () => {
  // The README lets a checker ignore the sign of exactly-zero scales; we also match the x86 record
  // (scalar std::max tie-breaking), and INT_MIN for NaN/inf zero points.
  const implDefined = cases.filter((c) => c.implementation_defined);
  it("covers the 25 public implementation-defined cases", () => {
    expect(implDefined.length).toBe(25);
  });
  it.each(implDefined.map((c) => [c.id, c] as const))("%s (strict sign of zero)", (_id, c) => {
    const r = run(c, "0.12");
    expect(mismatches(r.scale, loadNumbers(c.scale as string).values)).toEqual([]);
    expect(mismatches(r.zeroPoint, loadNumbers(c.zero_point as string).values)).toEqual([]);
  });
});

describe("torchao 0.18 (HEAD) semantics", () => {
  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    if (c.head !== null) expect(c.head.stage).toBe("ok");
    const files = c.head === null
      ? c // HEAD agrees with v0.12 on this case
      : { expected: c.head.expected as string, scale: c.head.scale ?? null, zero_point: c.head.zero_point ?? null };
    check(c, run(c, "0.18"), files);
  });
});
