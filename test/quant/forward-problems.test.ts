import { describe, expect, it } from "vitest";
import { forwardProblems, makePlan } from "../../src/quant/plan.js";
import { DIVISOR_SEARCH_LIMIT, findForwardProblems, groupAlternatives, nearbyDivisors } from "../../src/quant/forward-problems.js";
import { FqcError } from "../../src/errors.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { normalize } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { canonicalFromKwargs, loadForwardErrors, loadManifest } from "./corpus.js";

const UNSUPPORTED_DTYPE = "Unsupported input dtype: torch.float64";
const all = loadForwardErrors();
// "must be initialized" cannot happen in fqc (it always initialises range learning).
const applicable = all.filter((c) => !c.message.startsWith("Scales and zero points must be initialized"));
const shapeChecks = applicable.filter((c) => c.message !== UNSUPPORTED_DTYPE);
const dtypeOnly = applicable.filter((c) => c.message === UNSUPPORTED_DTYPE);

describe("forwardProblems against forward_errors.json", () => {
  it("covers the corpus", () => {
    expect(all.length).toBe(94);
    expect(shapeChecks.length).toBeGreaterThan(70);
  });

  it.each(shapeChecks.map((c) => [c.id, c] as const))("%s: first problem is torchao's error", (_id, c) => {
    const problems = forwardProblems(canonicalFromKwargs(c.config), c.input_shape);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].torchaoError).toBe(c.error);
    if (c.message !== "") expect(problems[0].message).toContain(c.message);
    else expect(problems[0].message.length).toBeGreaterThan(20); // a bare assert gets our own explanation
  });

  it.each(dtypeOnly.map((c) => [c.id, c] as const))("%s: only the float64 dtype fails, so no shape problem", (_id, c) => {
    expect(forwardProblems(canonicalFromKwargs(c.config), c.input_shape)).toEqual([]);
  });

  it("finds no problem for any manifest case (they all run in torchao)", () => {
    for (const c of loadManifest()) {
      expect(forwardProblems(canonicalFromKwargs(c.config), c.input_shape), c.id).toEqual([]);
    }
  });
});

const base: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};
const perToken: CanonicalConfig = { ...base, granularity: { type: "PerToken" }, dtype: "int8" };
const perChannel: CanonicalConfig = { ...base, granularity: { type: "PerAxis", axis: 0 } };

describe("forwardProblems messages", () => {
  it("rejects symmetric per_token with torchao's NotImplementedError text", () => {
    const [p] = forwardProblems(perToken, [4, 64]);
    expect(p.message).toBe("Symmetric per token is not supported yet");
    expect(p.torchaoError).toBe("NotImplementedError");
    expect(p.hint).toContain("ASYMMETRIC");
  });

  it("accepts asymmetric per_token of any rank ≥ 1", () => {
    const cfg = { ...perToken, mapping_type: "ASYMMETRIC" as const };
    for (const shape of [[7], [1], [1, 1], [2, 3, 17], [2, 3, 4, 9]]) expect(forwardProblems(cfg, shape)).toEqual([]);
  });

  it("reproduces torchao's num_tokens assertion for a last dim of 1", () => {
    const cfg = { ...perToken, mapping_type: "ASYMMETRIC" as const };
    const [p] = forwardProblems(cfg, [2, 3, 1]);
    expect(p.message).toBe("num_tokens: 6 scales: torch.Size([])");
  });

  it("explains a group size that does not divide the row, with nearby divisors and per_channel", () => {
    const [p] = forwardProblems({ ...base, granularity: { type: "PerGroup", group_size: 32 } }, [8, 100]);
    expect(p.message).toContain("group_size 32");
    expect(p.message).toContain("100");
    expect(p.message).toContain("[8, 100]");
    expect(p.hint).toContain("25, 50");
    expect(p.hint).toContain("20");
    expect(p.hint).toContain("per_channel");
    expect(p.torchaoError).toBe("AssertionError");
  });

  it("explains group sizes ≤ 1", () => {
    for (const g of [1, 0, -4]) {
      const [p] = forwardProblems({ ...base, granularity: { type: "PerGroup", group_size: g } }, [4, 512]);
      expect(p.message).toContain(`group_size ${g}`);
      expect(p.message).toContain("greater than 1");
      expect(p.hint).toContain("2, 4");
    }
  });

  it("explains a group larger than the row", () => {
    const problems = forwardProblems({ ...base, granularity: { type: "PerGroup", group_size: 1024 } }, [4, 512]);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain("larger than");
    expect(problems[0].hint).toContain("256");
  });

  it("names an empty last dimension as 0, not 1, in the hint (a [64, 0] weight of a checkpoint)", () => {
    for (const config of [perChannel, { ...base, granularity: { type: "PerGroup", group_size: 32 } } as CanonicalConfig]) {
      const [p] = forwardProblems(config, [64, 0]);
      expect(p.message).toContain("the last dimension (0)");
      expect(p.hint).toContain("A last dimension of 0 cannot be grouped");
    }
  });

  it("says per_channel cannot run on a last dimension of 1", () => {
    const [p] = forwardProblems(perChannel, [2, 1]);
    expect(p.message).toContain("per_channel");
    expect(p.message).toContain("is 1");
  });

  it("requires 2-D input for per_group and suggests a reshape", () => {
    const [p] = forwardProblems(base, [2, 3, 32]);
    expect(p.message).toContain("2-D");
    expect(p.hint).toContain("[6, 32]");
    expect(forwardProblems(base, [64])[0].message).toContain("2-D");
  });

  it("lists every problem in torchao's order", () => {
    const cfg: CanonicalConfig = { ...base, zero_point_domain: "NONE", range_learning: true, is_dynamic: false, granularity: { type: "PerGroup", group_size: 48 } };
    const msgs = forwardProblems(cfg, [2, 2, 512]).map((p) => p.torchaoError);
    expect(msgs).toEqual(["AssertionError", "AssertionError", "RuntimeError", "ValueError"]);
  });

  it("rejects the NONE domain on per_group/per_channel only", () => {
    expect(forwardProblems({ ...base, zero_point_domain: "NONE" }, [4, 64])[0].message)
      .toBe("zero_point should be None when zero_point_domain is NONE");
    expect(forwardProblems({ ...perToken, mapping_type: "ASYMMETRIC", zero_point_domain: "NONE" }, [4, 64])).toEqual([]);
  });

  it("rejects range learning with an integer zero point", () => {
    for (const zp of ["int32", "int8", "uint8"] as const) {
      const [p] = forwardProblems({ ...base, range_learning: true, is_dynamic: false, zero_point_precision: zp }, [4, 64]);
      expect(p.message).toBe("Only Tensors of floating point and complex dtype can require gradients");
    }
    expect(forwardProblems({ ...base, range_learning: true, is_dynamic: false, zero_point_precision: "float32" }, [4, 64])).toEqual([]);
  });

  it("makePlan throws the first problem as a FORWARD FqcError with its hint", () => {
    try {
      makePlan(perToken, [4, 64], { compute: "float32", torchao: "0.12" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FqcError);
      expect((e as FqcError).code).toBe("FORWARD");
      expect((e as FqcError).message).toBe("Symmetric per token is not supported yet");
      expect((e as FqcError).hint).toContain("ASYMMETRIC");
    }
  });

  it("nearbyDivisors picks the closest divisors above 1", () => {
    expect(nearbyDivisors(512, 48)).toEqual([16, 32, 64, 128]);
    expect(nearbyDivisors(7, 3)).toEqual([7]);
    expect(nearbyDivisors(1, 1)).toEqual([]);
  });

  it("suggests group sizes for a last dimension of 2^53 - 1 with a search bounded by DIVISOR_SEARCH_LIMIT, not by the dimension", () => {
    // 2^53 - 1 = 6361 * 69431 * 20394401: the small divisor and its cofactor are found, nothing past the limit is tried.
    expect(nearbyDivisors(Number.MAX_SAFE_INTEGER, 32)).toEqual([6361, 1416003655831]);
    // A prime above the limit squared: no divisor below the limit, so only n itself.
    expect(nearbyDivisors(4294967311, 32)).toEqual([4294967311]);
    const big = 2 ** 52; // power of two: every small power is a divisor, and so are their cofactors
    const divs = nearbyDivisors(big, 3000);
    expect(divs).toEqual([1024, 2048, 4096, 8192]);
    // Divisors between the limit and n / limit are not searched: 2^20 divides 2^52 but lies in that gap.
    expect(nearbyDivisors(big, 2 ** 20 + 1)).toEqual([32768, 65536, 2 ** 36, 2 ** 37]);
    expect(DIVISOR_SEARCH_LIMIT).toBe(65536);
  });

  it("a shape (0, 2^53 - 1) gets its group-size problem and hint at once (it used to loop over every candidate divisor)", () => {
    const problems = findForwardProblems(base, [0, Number.MAX_SAFE_INTEGER]);
    expect(problems[0].message).toContain("group_size 32 does not divide the last dimension (9007199254740991)");
    expect(problems[0].hint).toContain("e.g. 6361, 1416003655831");
  });
});

describe("forwardProblems edge cases", () => {
  const asymToken: CanonicalConfig = { ...perToken, mapping_type: "ASYMMETRIC" };
  const messages = (cfg: CanonicalConfig, shape: number[], torchao: "0.12" | "0.18" = "0.12") => forwardProblems(cfg, shape, { torchao }).map((p) => p.message);

  it("per_token: a 0-d input raises IndexError; an empty token (or no tokens with a last dim of 1) cannot be reduced", () => {
    const [scalar] = forwardProblems(asymToken, []);
    expect(scalar).toMatchObject({ message: "per_token needs an input with at least one dimension; got a 0-d scalar", torchaoError: "IndexError" });
    expect(scalar.hint).toContain("np.atleast_1d");
    for (const shape of [[0], [3, 0], [0, 1], [2, 0, 1]]) {
      const [p] = forwardProblems(asymToken, shape);
      expect(p, shape.join("x")).toMatchObject({ message: `per_token cannot compute min/max over an empty dimension (input shape [${shape.join(", ")}])`, torchaoError: "RuntimeError" });
      expect(p.hint).toBe("Every token needs at least one element.");
    }
    expect(messages(asymToken, [1, 1])).toEqual([]);
    expect(messages(asymToken, [0, 4])).toEqual([]); // no tokens, each of 4 elements: nothing to reduce over is empty
    const [many] = forwardProblems(asymToken, [3, 1]);
    expect(many.message).toBe("num_tokens: 3 scales: torch.Size([])");
    expect(many.hint).toContain("last dimension of 1");
  });

  it("per_group: a 0-d input raises IndexError, a 1-D one is told to make one row, a last dim of 1 is one problem", () => {
    const [scalar] = forwardProblems(base, []);
    expect(scalar).toMatchObject({ torchaoError: "IndexError" });
    expect(scalar.message).toContain("per_group needs a 2-D input");
    const [oneD] = forwardProblems(perChannel, [64]);
    expect(oneD.message).toBe("per_channel needs a 2-D input (rows, columns); got shape [64] (torchao raises a bare AssertionError)");
    expect(oneD.hint).toBe("Reshape to 2-D (e.g. one row: [1, N]), or use per_token, which accepts any rank.");
    // group_size 32 > 1 = C, but C = 1 is what cannot be grouped: one problem, not "larger than" too.
    expect(messages(base, [4, 1])).toEqual(["per_group needs more than one element per row, but the last dimension (1) of input shape [4, 1] is 1 (torchao raises a bare AssertionError)"]);
  });

  it("range_learning with an integer zero point: every integer dtype in torchao 0.12; only asymmetric configs from 0.13", () => {
    const rl = (zp: string, mapping: "SYMMETRIC" | "ASYMMETRIC") => ({ ...base, mapping_type: mapping, range_learning: true, is_dynamic: false, zero_point_precision: zp }) as CanonicalConfig;
    const msg = "Only Tensors of floating point and complex dtype can require gradients";
    for (const zp of ["int32", "int8", "int16", "int64", "uint8"]) {
      const [p] = forwardProblems(rl(zp, "SYMMETRIC"), [4, 64], { torchao: "0.12" });
      expect(p?.message, zp).toBe(msg);
      expect(p.hint).toContain(`cannot have dtype ${zp}`);
      expect(messages(rl(zp, "SYMMETRIC"), [4, 64], "0.18"), zp).toEqual([]);
      expect(messages(rl(zp, "ASYMMETRIC"), [4, 64], "0.18"), zp).toEqual([msg]);
    }
    expect(messages(rl("float32", "ASYMMETRIC"), [4, 64])).toEqual([]);
  });

  it("zero_point_domain NONE and the precisions: scale_precision may be null, zero_point_precision may not", () => {
    const [none] = forwardProblems({ ...base, zero_point_domain: "NONE" }, [4, 64]);
    expect(none.message).toBe("zero_point should be None when zero_point_domain is NONE");
    expect(none.hint).toContain('use "INT" or "FLOAT"');
    expect(messages({ ...base, scale_precision: null }, [4, 64])).toEqual([]);
    // A canonical config never holds a null zero point precision (forwardProblems refuses it first); findForwardProblems names it.
    const [zp] = findForwardProblems({ ...base, zero_point_precision: null } as unknown as CanonicalConfig, [4, 64]);
    expect(zp.message).toBe('`zero_point_precision` must be one of int32, float32, bfloat16, float16, float64, int8, int16, int64, uint8, not "null"');
    expect(zp.hint).toContain("fqc/precision");
  });

  it("findForwardProblems checks eps against the compute dtype unless told the qparams are given", () => {
    const big = { ...base, eps: 1e6 };
    const [p] = findForwardProblems(big, [4, 64], "0.12", "float16");
    expect(p).toMatchObject({ message: "value cannot be converted to type at::Half without overflow", key: "eps" });
    expect(findForwardProblems(big, [4, 64], "0.12", "float16", true)).toEqual([]);
  });

  it("suggests divisors of the row other than the row itself, or per_channel alone for a prime", () => {
    expect(nearbyDivisors(2, 4)).toEqual([2]);
    expect(nearbyDivisors(1, 4)).toEqual([]);
    expect(nearbyDivisors(49, 8)).toEqual([7, 49]);
    expect(groupAlternatives(10, 7)).toBe("Use a group_size that divides 10 and is greater than 1 (e.g. 2, 5), or per_channel (one group of 10 per row).");
    expect(groupAlternatives(7, 4)).toBe("Use per_channel (one group of 7 per row): 7 has no other divisor greater than 1.");
    expect(groupAlternatives(1, 32)).toBe("A last dimension of 1 cannot be grouped; reshape the tensor so the quantized axis is last and longer than 1.");
  });
});

describe("makePlan layout", () => {
  it("per_group: [R, C/g] qparams", () => {
    const p = makePlan(base, [6, 64], { compute: "float32", torchao: "0.12" });
    expect(p).toMatchObject({ kind: "per_group", rows: 6, rowLength: 64, groupSize: 32, groupsPerRow: 2, qparamShape: [6, 2], qmin: -8, qmax: 7, bits: 4 });
    expect(p.eps).toBe(2 ** -23);
  });
  it("per_channel is one group per row", () => {
    const p = makePlan(perChannel, [6, 64], { compute: "float32", torchao: "0.12" });
    expect(p).toMatchObject({ kind: "per_group", groupSize: 64, groupsPerRow: 1, qparamShape: [6, 1] });
  });
  it("per_token: qparams shaped like the leading dims, 0-d for 1-D input", () => {
    const cfg = { ...perToken, mapping_type: "ASYMMETRIC" as const };
    expect(makePlan(cfg, [2, 3, 17], { compute: "float16", torchao: "0.12" })).toMatchObject({ rows: 6, rowLength: 17, qparamShape: [2, 3], domain: "INT" });
    expect(makePlan(cfg, [7], { compute: "float32", torchao: "0.12" }).qparamShape).toEqual([]);
    // A last dim of 1: torch reduces over every dim and stores a 0-d scale, however many leading dims of 1.
    expect(makePlan(cfg, [1, 1], { compute: "float32", torchao: "0.12" })).toMatchObject({ rows: 1, rowLength: 1, qparamShape: [] });
    expect(makePlan(cfg, [1, 1, 1], { compute: "float32", torchao: "0.12" }).qparamShape).toEqual([]);
  });
  it("records the shape it planned, as a copy of the caller's", () => {
    const shape = [6, 64];
    const p = makePlan(base, shape, { compute: "float32", torchao: "0.12" });
    shape[0] = 7;
    expect(p.shape).toEqual([6, 64]);
  });
  it("resolves the default eps per path and version, rounded to the compute dtype", () => {
    const eps = (cfg: CanonicalConfig, compute: "float32" | "float16" | "bfloat16", v: "0.12" | "0.18") =>
      makePlan(cfg, [2, 64], { compute, torchao: v }).eps;
    const asymToken = { ...perToken, mapping_type: "ASYMMETRIC" as const };
    const asymGroup = { ...base, mapping_type: "ASYMMETRIC" as const };
    expect(eps(asymToken, "float32", "0.12")).toBe(2 ** -23);
    expect(eps(asymToken, "float32", "0.18")).toBe(2 ** -126);
    expect(eps(base, "bfloat16", "0.12")).toBe(2 ** -7);
    expect(eps(base, "float16", "0.12")).toBe(2 ** -10);
    expect(eps(base, "float16", "0.18")).toBe(2 ** -14);
    expect(eps(asymGroup, "float32", "0.18")).toBe(Math.fround(1e-6));
    // float64 compute (fqc's extension): finfo(float64).eps and .tiny.
    expect(makePlan(base, [2, 64], { compute: "float64", torchao: "0.12" }).eps).toBe(2 ** -52);
    expect(makePlan(base, [2, 64], { compute: "float64", torchao: "0.18" }).eps).toBe(2 ** -1022);
    expect(eps({ ...base, eps: 1e-30 }, "float16", "0.12")).toBe(0);
    expect(eps({ ...base, eps: 0.001 }, "bfloat16", "0.12")).toBe(0.00099945068359375) // numpy bit-RNE of float32(0.001);
  });
});

describe("forwardProblems agrees with validate on the precisions (fqc/precision)", () => {
  it.each([
    [{ scale_precision: "int32" }, '`scale_precision` must be one of float32, float16, bfloat16, float64 or null, not "int32"'],
    [{ scale_precision: "complex64" }, '`scale_precision` must be one of float32, float16, bfloat16, float64 or null, not "complex64"'],
    [{ zero_point_precision: "bool" }, '`zero_point_precision` must be one of int32, float32, bfloat16, float16, float64, int8, int16, int64, uint8, not "bool"'],
  ])("refuses a normalized config whose precision validate refuses, before any compute (%o)", (extra, message) => {
    // normalize replays torchao's constructor, which takes any torch dtype; validate then reports fqc/precision.
    const raw = { dtype: "int4", group_size: 4, ...extra };
    const config = normalize(raw);
    expect(validate(raw).diagnostics.map((d) => d.ruleId)).toEqual(["fqc/precision"]);
    expect(forwardProblems(config, [1, 4])[0].message).toBe(message);
    let thrown: unknown;
    try {
      fakeQuantize(config, new Float32Array([1, 2, 3, 4]), { shape: [1, 4] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FqcError);
    expect(thrown).toMatchObject({ code: "FORWARD", message });
  });

  it("finds no precision problem in any config of the standard's lists", () => {
    for (const scale_precision of ["float32", "float16", "bfloat16", "float64"]) {
      for (const zero_point_precision of ["int32", "float32", "bfloat16", "float16", "float64", "int8", "int16", "int64", "uint8"]) {
        expect(forwardProblems(normalize({ dtype: "int4", group_size: 4, scale_precision, zero_point_precision }), [1, 4])).toEqual([]);
      }
    }
  });
});

// torch.clamp(scale, min=eps) converts the Python float to the input dtype with ATen's overflow check
// (c10::checked_convert), so torchao raises RuntimeError where a plain cast would give inf.
describe("eps outside the compute dtype's range", () => {
  const withEps = (cfg: CanonicalConfig, eps: number): CanonicalConfig => ({ ...cfg, eps });
  const asymToken: CanonicalConfig = { ...perToken, mapping_type: "ASYMMETRIC" };

  it("is torchao's RuntimeError, naming the C++ type ATen converts to", () => {
    const cases: Array<[number, "float32" | "float16" | "bfloat16", string]> = [
      [70000, "float16", "at::Half"],
      [-65505, "float16", "at::Half"],
      [3.4e38, "bfloat16", "at::BFloat16"],
      [1e39, "float32", "float"],
      [-1e39, "float32", "float"],
    ];
    for (const [eps, compute, cpp] of cases) {
      for (const cfg of [base, perChannel, asymToken, { ...base, mapping_type: "ASYMMETRIC" as const }]) {
        const [p] = forwardProblems(withEps(cfg, eps), [4, 64], { compute });
        expect(p, `${eps} ${compute}`).toMatchObject({ message: `value cannot be converted to type ${cpp} without overflow`, torchaoError: "RuntimeError" });
        expect(p.hint).toContain("null for torchao's default");
      }
    }
  });

  it("accepts the dtype's largest value, any eps in a wider dtype, and an unknown dtype", () => {
    expect(forwardProblems(withEps(base, 65504), [4, 64], { compute: "float16" })).toEqual([]);
    expect(forwardProblems(withEps(base, 3.3895313892515355e38), [4, 64], { compute: "bfloat16" })).toEqual([]);
    expect(forwardProblems(withEps(base, 3.4e38), [4, 64], { compute: "float32" })).toEqual([]);
    expect(forwardProblems(withEps(base, 1e300), [4, 64], { compute: "float64" })).toEqual([]);
    expect(forwardProblems(withEps(base, 70000), [4, 64])).toEqual([]);
  });

  it("does not apply to static qparams, which torchao never clamps", () => {
    const cfg = { ...withEps(base, 70000), is_dynamic: false };
    expect(forwardProblems(cfg, [4, 64], { compute: "float16", qparamsGiven: true })).toEqual([]);
    expect(forwardProblems(cfg, [4, 64], { compute: "float16" })).toHaveLength(1);
  });

  it("comes in torchao's order: after the shape checks of the qparam functions, before the kernel's", () => {
    expect(forwardProblems(withEps(perToken, 70000), [4, 64], { compute: "float16" }).map((p) => p.torchaoError))
      .toEqual(["NotImplementedError", "RuntimeError"]);
    expect(forwardProblems(withEps(base, 70000), [2, 4, 64], { compute: "float16" })[0].torchaoError).toBe("AssertionError");
    expect(forwardProblems({ ...withEps(base, 70000), zero_point_domain: "NONE" }, [4, 64], { compute: "float16" }).map((p) => p.torchaoError))
      .toEqual(["RuntimeError", "ValueError"]);
    expect(forwardProblems(withEps(asymToken, 70000), [3, 1], { compute: "float16" }).map((p) => p.torchaoError))
      .toEqual(["RuntimeError", "AssertionError"]);
  });

  it("is refused by fakeQuantize before any compute, unless static qparams are given", () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const cfg = { dtype: "int4", group_size: 4, eps: 70000 };
    expect(() => fakeQuantize(cfg, data, { shape: [1, 4], computeDtype: "float16" })).toThrow(/value cannot be converted to type at::Half without overflow/);
    expect(fakeQuantize(cfg, data, { shape: [1, 4] }).scale[0]).toBe(70000);
    const fixed = fakeQuantize({ ...cfg, is_dynamic: false }, data, { shape: [1, 4], computeDtype: "float16", scale: [0.5], zeroPoint: [0] });
    expect(Array.from(fixed.output)).toEqual([1, 2, 3, 3.5]);
  });
});
