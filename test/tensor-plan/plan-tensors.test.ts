import { describe, expect, it, vi } from "vitest";
import { PatternSet } from "../../src/config/bounded-regex.js";
import type { TensorDtype, TensorInfo } from "../../src/checkpoint/types.js";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import type { Recipe } from "../../src/config/types.js";
import {
  CONFIG_KEY, planErrors, planTensors, planTensorsAsync, shadowedRecipeKeys, shadowedRecipeKeysAsync, unmatchedRecipeKeys, unmatchedRecipeKeysAsync,
} from "../../src/tensor-plan/plan-tensors.js";
import { planToJson, renderPlanJson, renderPlanTable, summarizePlan, unmatchedKeyWarning } from "../../src/tensor-plan/render-plan.js";

const SIZE: Partial<Record<TensorDtype, number>> = { F32: 4, F16: 2, BF16: 2, I8: 1, I32: 4, F64: 8, U8: 1 };
const T = (name: string, dtype: TensorDtype, shape: number[]): TensorInfo => ({ name, dtype, shape, byteLength: shape.reduce((a, b) => a * b, 1) * (SIZE[dtype] ?? 1) });

function recipeOf(table: Record<string, unknown>): Recipe {
  const d = normalizeDocument({ fqn_to_config: table });
  if (d.kind !== "recipe") throw new Error("not a recipe");
  return d.recipe;
}

const INT4 = { dtype: "int4", group_size: 32 };
const INT8 = { dtype: "int8", granularity: "per_channel" };

const MODEL = [
  T("model.embed_tokens.weight", "BF16", [256, 64]),
  T("model.layers.0.self_attn.q_proj.weight", "BF16", [64, 64]),
  T("model.layers.0.mlp.up_proj.weight", "F16", [128, 64]),
  T("model.layers.0.mlp.down_proj.weight", "F32", [64, 128]),
  T("model.layers.0.mlp.down_proj.bias", "F32", [64]),
  T("model.layers.0.input_layernorm.weight", "BF16", [64]),
  T("model.layers.0.mlp.gate_proj.qweight", "I32", [8, 64]),
  T("model.layers.0.mlp.gate_proj.scales", "F64", [2, 64]),
  T("lm_head.weight", "BF16", [256, 64]),
  T("step", "I8", []),
];

describe("planTensors with --config (no recipe)", () => {
  const plan = planTensors(MODEL, { config: normalize(INT4) });
  const by = (n: string) => plan.find((e) => e.tensor.name === n)!;
  it("fake-quantizes every 2-D floating *.weight, embeddings included (a checkpoint does not say which are Linear)", () => {
    expect(plan.filter((e) => e.action === "quantize").map((e) => e.tensor.name)).toEqual([
      "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight", "lm_head.weight",
    ]);
    expect(by("lm_head.weight")).toMatchObject({ key: CONFIG_KEY, tier: "config", config: normalize(INT4), errors: [] });
  });
  it("says why every other tensor is left alone", () => {
    expect(by("model.layers.0.mlp.down_proj.bias")).toMatchObject({ action: "skip", reason: "not-linear-weight", note: expect.stringMatching(/not a \*\.weight/) });
    expect(by("model.layers.0.input_layernorm.weight")).toMatchObject({ action: "skip", reason: "not-linear-weight", note: expect.stringMatching(/1-D/) });
    expect(by("step")).toMatchObject({ action: "skip", reason: "not-linear-weight" });
    expect(plan.every((e) => e.action === "quantize" || (e.note ?? "") !== "")).toBe(true);
  });
  it("skips a 2-D non-float *.weight without an error", () => {
    const p = planTensors([T("a.weight", "I8", [4, 64])], { config: normalize(INT4) });
    expect(p[0]).toMatchObject({ action: "skip", reason: "non-float", errors: [] });
  });
  it("names --config as the key of the tensors it leaves alone too (the plan's key column)", () => {
    for (const n of ["model.layers.0.mlp.down_proj.bias", "model.layers.0.input_layernorm.weight", "step"]) expect(by(n), n).toMatchObject({ key: CONFIG_KEY, tier: "config" });
    expect(planTensors([T("a.weight", "I8", [4, 64])], { config: normalize(INT4) })[0]).toMatchObject({ key: CONFIG_KEY, tier: "config" });
  });
  it("keeps the tensors' order, one entry each", () => {
    expect(plan.map((e) => e.tensor.name)).toEqual(MODEL.map((t) => t.name));
  });
  it("reports torchao's forward problem for a shape the config cannot take", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 48])], { config: normalize({ dtype: "int8", granularity: "per_channel", eps: 3.4e38 }) });
    expect(p[0].action).toBe("quantize");
    expect(p[0].errors).toEqual([expect.objectContaining({ message: "value cannot be converted to type at::BFloat16 without overflow", torchaoError: "RuntimeError" })]);
  });
  it("reports torchao's Linear swap refusal for a group size that does not divide in_features (before any forward check)", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 48]), T("b.weight", "F32", [4, 16]), T("c.weight", "F32", [4, 64])], { config: normalize(INT4) });
    expect(p.map((e) => e.errors)).toEqual([
      [{ message: "in_features (48) % group_size (32) must be == 0", hint: expect.stringMatching(/swaps the Linear .* FakeQuantizedLinear\. Use a group_size that divides 48/), torchaoError: "ValueError" }],
      // 16 % 32 is 16: the swap refuses a group larger than the row too.
      [expect.objectContaining({ message: "in_features (16) % group_size (32) must be == 0", torchaoError: "ValueError" })],
      [],
    ]);
    // A negative group size dividing in_features passes the swap (Python's 48 % -16 is 0) and fails at forward.
    const neg = planTensors([T("a.weight", "F32", [4, 48])], { config: { ...normalize(INT4), granularity: { type: "PerGroup", group_size: -16 } } });
    expect(neg[0].errors[0]).toMatchObject({ torchaoError: "AssertionError" });
    const negOff = planTensors([T("a.weight", "F32", [4, 48])], { config: { ...normalize(INT4), granularity: { type: "PerGroup", group_size: -32 } } });
    expect(negOff[0].errors[0]).toMatchObject({ message: "in_features (48) % group_size (-32) must be == 0" });
  });
  it("leaves a lone .npy and per_channel to the forward checks: the Linear swap checks only per_group", () => {
    const lone = planTensors([T("w", "F32", [4, 48])], { config: normalize(INT4) }, { loneTensor: true });
    expect(lone[0].errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/group_size 32 does not divide the last dimension \(48\)/), torchaoError: "AssertionError" })]);
    const channel = planTensors([T("a.weight", "F32", [4, 1])], { config: normalize({ dtype: "int8", granularity: "per_channel" }) });
    expect(channel[0].errors[0]).toMatchObject({ torchaoError: "AssertionError" });
  });
  it("checks eps against each tensor's own dtype, which torchao clamps the scale in", () => {
    const tensors = [T("a.weight", "BF16", [4, 64]), T("b.weight", "F32", [4, 64]), T("c.weight", "F16", [4, 64])];
    const p = planTensors(tensors, { config: normalize({ ...INT4, eps: 3.4e38 }) });
    expect(p.map((e) => e.errors.map((x) => x.message))).toEqual([
      ["value cannot be converted to type at::BFloat16 without overflow"],
      [],
      ["value cannot be converted to type at::Half without overflow"],
    ]);
    expect(p[0].errors[0].torchaoError).toBe("RuntimeError");
    // The hint and the key at fault come with it (the dry run prints the hint; diagnostics point at the key).
    expect(p[0].errors[0]).toEqual({
      message: "value cannot be converted to type at::BFloat16 without overflow", torchaoError: "RuntimeError", key: "eps",
      hint: expect.stringMatching(/^torchao clamps the bfloat16 scale at eps, and eps 3\.4e\+38 is outside the bfloat16 range/),
    });
  });
  it("leaves a group size of 0 to the forward check's wording (Python's `in_features % 0` is no ValueError)", () => {
    const p = planTensors([T("a.weight", "F32", [4, 48])], { config: { ...normalize(INT4), granularity: { type: "PerGroup", group_size: 0 } } });
    expect(p[0].errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^group_size 0 is invalid/), torchaoError: "AssertionError" })]);
  });
});

describe("planTensors with --config on a lone .npy tensor (loneTensor)", () => {
  const config = normalize(INT4);
  it("targets the tensor whatever its name, as fqc apply IN.npy OUT.npy does", () => {
    const [e] = planTensors([T("w", "F32", [4, 64])], { config }, { loneTensor: true });
    expect(e).toMatchObject({ action: "quantize", key: CONFIG_KEY, tier: "config", errors: [] });
  });

  it("reports the forward problem of a rank the config cannot take, instead of skipping it", () => {
    const [e] = planTensors([T("bias", "F16", [64])], { config }, { loneTensor: true });
    expect(e.action).toBe("quantize");
    expect(e.errors.length).toBeGreaterThan(0);
  });

  it.each(["I32", "F64"] as const)("makes a %s tensor an error (fqc apply refuses it), not a copy", (dtype) => {
    const [e] = planTensors([T("w", dtype, [4, 64])], { config }, { loneTensor: true });
    expect(e).toMatchObject({ action: "skip", reason: "non-float" });
    expect(e.errors[0].message).toBe(`dtype ${dtype}: fqc fake-quantizes F32, F16 and BF16 tensors only`);
    // float64 has its own way out (a compute dtype on the .npy path, for the CLI and the library); an integer tensor is converted first.
    expect(e.errors[0].hint).toMatch(dtype === "F64" ? /--compute-dtype float32`.*applyFile with computeDtype/ : /^Convert the tensor first/);
  });

  it("leaves recipes as they are", () => {
    for (const dtype of ["F32", "I32"] as const) {
      const tensors = [T("w", dtype, [4, 64])];
      const recipe = recipeOf({ "re:.*": INT4 });
      expect(planTensors(tensors, { recipe }, { loneTensor: true })).toEqual(planTensors(tensors, { recipe }));
    }
  });
});

describe("planTensors with a recipe", () => {
  const recipe = recipeOf({
    "re:model\\.layers\\.\\d+\\.(self_attn|mlp)\\..+_proj": INT4,
    lm_head: INT8,
    "model.embed_tokens": null,
    "re:.*gate_proj\\.(qweight|scales)": INT4,
    "re:.*layernorm": { activation: { dtype: "int8", granularity: "per_token", is_symmetric: false }, weight: { dtype: "int2", group_size: 32 } },
  });
  const plan = planTensors(MODEL, { recipe });
  const by = (n: string) => plan.find((e) => e.tensor.name === n)!;

  it("quantizes what the keys target, with the key, its tier and the config", () => {
    expect(by("model.layers.0.mlp.up_proj.weight")).toMatchObject({ action: "quantize", tier: "module-regex", key: "re:model\\.layers\\.\\d+\\.(self_attn|mlp)\\..+_proj", config: normalize(INT4) });
    expect(by("lm_head.weight")).toMatchObject({ action: "quantize", tier: "module", key: "lm_head", config: normalize(INT8) });
  });
  it("leaves a tensor alone when its key is null", () => {
    expect(by("model.embed_tokens.weight")).toMatchObject({ action: "skip", reason: "null-value", key: "model.embed_tokens" });
  });
  it("applies a QAT pair's weight config", () => {
    const pair = { activation: { dtype: "int8", granularity: "per_token", is_symmetric: false }, weight: { dtype: "int2", group_size: 32 } };
    const p = planTensors(MODEL, { recipe: recipeOf({ "re:.*q_proj": pair }) });
    expect(p[1]).toMatchObject({ action: "quantize", key: "re:.*q_proj", tier: "module-regex", config: normalize({ dtype: "int2", group_size: 32 }) });
  });
  it("leaves a module's bias alone when only module-level keys match its module", () => {
    expect(by("model.layers.0.mlp.down_proj.bias")).toMatchObject({ action: "skip", reason: "no-match" });
  });
  it("lets a parameter pattern beat an earlier module pattern", () => {
    const p = planTensors(MODEL, { recipe: recipeOf({ "re:.*_proj": INT8, "re:.*_proj\\.weight": INT4 }) });
    expect(p[1]).toMatchObject({ tier: "parameter-regex", key: "re:.*_proj\\.weight" });
  });
  it("skips non-float tensors matched by a pattern, and says so, without an error", () => {
    expect(by("model.layers.0.mlp.gate_proj.qweight")).toMatchObject({ action: "skip", reason: "non-float", key: "re:.*gate_proj\\.(qweight|scales)", errors: [] });
    expect(by("model.layers.0.mlp.gate_proj.scales")).toMatchObject({ action: "skip", reason: "non-float", note: expect.stringMatching(/F64/) });
  });
  it("reports the forward problem of a targeted shape (a 1-D weight under per_group) with torchao's message", () => {
    const p = planTensors(MODEL, { recipe: recipeOf({ "model.layers.0.input_layernorm.weight": INT4 }) });
    expect(p[5]).toMatchObject({ action: "quantize", tier: "parameter" });
    expect(p[5].errors[0].message).toMatch(/per_group needs a 2-D input/);
  });
  // torchao hands a module key's module to the QAT handler, which swaps Linear and Embedding modules and raises
  // ValueError for any other, whatever the granularity (per_token takes a 1-D tensor at forward).
  it("refuses a module key (exact or pattern) that takes a module whose weight is not 2-D, at any granularity", () => {
    expect(by("model.layers.0.input_layernorm.weight")).toMatchObject({
      action: "skip", reason: "not-linear-weight", key: "re:.*layernorm", tier: "module-regex",
      errors: [{ message: expect.stringMatching(/takes the module model\.layers\.0\.input_layernorm whole, and its weight is 1-D: torchao's QAT module swap/), torchaoError: "ValueError" }],
    });
    const perToken = { dtype: "int8", granularity: "per_token", is_symmetric: false };
    const norm = [T("norm.weight", "F32", [16]), T("conv.weight", "F32", [8, 8, 3]), T("lin.weight", "F32", [8, 8])];
    const p = planTensors(norm, { recipe: recipeOf({ norm: perToken, "re:conv|lin": perToken }) });
    expect(p.map((e) => [e.action, e.reason, e.errors.length])).toEqual([["skip", "not-linear-weight", 1], ["skip", "not-linear-weight", 1], ["quantize", undefined, 0]]);
    expect(p[0].errors[0].hint).toMatch(/Key the parameter itself \(`norm\.weight`\)/);
    // The parameter's own name is a parameter-level key: fqc fake-quantizes the tensor as it is.
    expect(planTensors(norm, { recipe: recipeOf({ "norm.weight": perToken }) })[0]).toMatchObject({ action: "quantize", errors: [] });
  });
  it("collects every error with its tensor and key", () => {
    expect(planErrors(plan).map((e) => [e.tensor.name, e.key])).toEqual([["model.layers.0.input_layernorm.weight", "re:.*layernorm"]]);
  });
});

describe("planTensors: exact-name keys on non-float tensors, _default, blocked modules", () => {
  it("makes an exact parameter key naming a non-float tensor an error", () => {
    const p = planTensors([T("m.qweight", "I32", [8, 64])], { recipe: recipeOf({ "m.qweight": INT4 }) });
    expect(p[0]).toMatchObject({ action: "skip", reason: "non-float" });
    expect(p[0].errors[0].message).toMatch(/recipe key `m\.qweight` names m\.qweight, whose dtype is I32/);
  });
  it("makes an exact module key whose weight is non-float an error, with torchao's float64 refusal in the hint", () => {
    const p = planTensors([T("m.weight", "F64", [8, 64])], { recipe: recipeOf({ m: INT4 }) });
    expect(p[0].errors[0].hint).toMatch(/Unsupported input dtype: torch\.float64/);
    const int = planTensors([T("m.qweight", "I32", [8, 64])], { recipe: recipeOf({ "m.qweight": INT4 }) });
    expect(int[0].errors[0].hint).toBe("Map the key to null (or remove it) to leave this tensor as it is.");
  });
  it("says a refused non-float tensor is refused, not passed through; a pattern's non-float match is still passed through", () => {
    const exact = planTensors([T("m.qweight", "I32", [8, 64])], { recipe: recipeOf({ "m.qweight": INT4 }) });
    const lone = planTensors([T("w", "I32", [8, 64])], { config: normalize(INT4) }, { loneTensor: true });
    const pattern = planTensors([T("m.qweight", "I32", [8, 64])], { recipe: recipeOf({ "re:m\\..*": INT4 }) });
    for (const p of [exact, lone]) {
      expect(p[0].errors).toHaveLength(1);
      expect(p[0]).toMatchObject({ action: "skip", reason: "non-float", note: "dtype I32: fqc fake-quantizes F32, F16 and BF16 tensors only" });
      expect(renderPlanTable(p)).not.toMatch(/passed through/);
    }
    expect(pattern[0]).toMatchObject({ reason: "non-float", errors: [], note: expect.stringMatching(/; passed through unchanged$/) });
  });
  it("explains a parameter left alone because an exact module key took its module (no parameter pattern is tried)", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 64]), T("a.bias", "BF16", [4])], { recipe: recipeOf({ a: INT4, "re:a\\.bias": INT8 }) });
    expect(p[0]).toMatchObject({ action: "quantize", key: "a", tier: "module" });
    expect(p[1]).toMatchObject({ action: "skip", reason: "blocked", note: expect.stringMatching(/^the module key `a` takes this module: torchao applies it to the weight/) });
  });
  it("blocks a module by its sibling's parameter key whatever the tensors' order", () => {
    const recipe = recipeOf({ "a.bias": null, _default: INT4, "re:b": INT8 });
    for (const order of [["a.weight", "a.bias", "b.weight"], ["a.bias", "a.weight", "b.weight"], ["b.weight", "a.bias", "a.weight"]]) {
      const p = planTensors(order.map((n) => T(n, "BF16", n.endsWith("weight") ? [4, 64] : [4])), { recipe });
      const by = (n: string) => p.find((e) => e.tensor.name === n)!;
      expect(by("a.weight"), order.join()).toMatchObject({ action: "skip", reason: "blocked" });
      expect(by("a.bias"), order.join()).toMatchObject({ action: "skip", reason: "null-value" });
      expect(by("b.weight"), order.join()).toMatchObject({ action: "quantize", key: "re:b" });
    }
  });
  it("names the root module as such when a module pattern takes it and its weight is not 2-D", () => {
    const p = planTensors([T("weight", "F32", [16])], { recipe: recipeOf({ "re:(x)?": { dtype: "int8", granularity: "per_token", is_symmetric: false } }) });
    expect(p[0]).toMatchObject({ action: "skip", reason: "not-linear-weight", tier: "module-regex" });
    expect(p[0].errors[0].message).toMatch(/^recipe key `re:\(x\)\?` takes the module at the root whole, and its weight is 1-D/);
  });
  it("lets _default target Linear-like weights only (2-D *.weight), as torchao's _default takes Linear modules", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 64]), T("norm.weight", "BF16", [64]), T("a.bias", "BF16", [4])], { recipe: recipeOf({ _default: INT4 }) });
    expect(p.map((e) => [e.action, e.reason ?? null])).toEqual([["quantize", null], ["skip", "not-linear-weight"], ["skip", "no-match"]]);
  });
  it("gives torchao's Linear swap refusal under _default (Linear modules only), the forward check under keys that may take an Embedding", () => {
    const t = [T("a.weight", "F32", [4, 48]), T("emb.weight", "F32", [4, 48]), T("c.weight", "F32", [4, 48])];
    const p = planTensors(t, { recipe: recipeOf({ emb: INT4, "c.weight": INT4, _default: INT4 }) });
    expect(p.map((e) => [e.tier, e.errors[0]?.torchaoError])).toEqual([["default", "ValueError"], ["module", "AssertionError"], ["parameter", "AssertionError"]]);
    expect(p[0].errors[0].message).toBe("in_features (48) % group_size (32) must be == 0");
  });
  it("explains a module left alone because a parameter key matched its sibling", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 64]), T("a.bias", "BF16", [4])], { recipe: recipeOf({ "a.bias": null, _default: INT4 }) });
    expect(p[0]).toMatchObject({ action: "skip", reason: "blocked", note: expect.stringMatching(/`a\.bias` matches a\.bias, so torchao skips module keys and _default/) });
    expect(p[1]).toMatchObject({ action: "skip", reason: "null-value" });
  });
  it("passes the torchao version to the forward checks (0.18 lets symmetric range learning keep an int zero point)", () => {
    const cfg = { dtype: "int4", group_size: 32, is_dynamic: false, range_learning: true };
    const t = [T("a.weight", "F32", [4, 64])];
    expect(planTensors(t, { config: normalize(cfg) }, { torchao: "0.12" })[0].errors).toHaveLength(1);
    expect(planTensors(t, { config: normalize(cfg) }, { torchao: "0.18" })[0].errors).toHaveLength(0);
  });
});

describe("unmatchedRecipeKeys", () => {
  it("lists, in file order, the keys that match no tensor", () => {
    const r = recipeOf({ "model.layers.0.mlp.up_prj": INT4, lm_head: INT8, "re:.*norm": null, "re:nothing": null, "model.layers.0.mlp.down_proj.bias": null });
    expect(unmatchedRecipeKeys(MODEL, r)).toEqual(["model.layers.0.mlp.up_prj", "re:nothing"]);
  });
});

describe("unmatchedRecipeKeys given the plan", () => {
  it("agrees with matching every key", () => {
    for (const table of [
      { "model.layers.0.mlp.up_prj": INT4, lm_head: INT8, "re:.*norm": null, "re:nothing": null, "model.layers.0.mlp.down_proj.bias": null },
      { "re:.*\\.weight": null, "re:.*_proj\\.weight": INT4, lm_head: INT8, "re:nothing": null, _default: INT4 },
      { "a.bias": null, a: INT4, _default: null },
    ]) {
      const r = recipeOf(table);
      expect(unmatchedRecipeKeys(MODEL, r, planTensors(MODEL, { recipe: r }))).toEqual(unmatchedRecipeKeys(MODEL, r));
    }
  });
  it("matches only the keys that decided no tensor: 300,000 tensors, no pattern run again", () => {
    const N = 300_000;
    const tensors = Array.from({ length: N }, (_, i) => T(`model.layers.${i}.mlp.${i % 2 ? "up" : "down"}_proj.weight`, "BF16", [4, 64]));
    const r = recipeOf({ "re:.*\\.up_proj": INT4, "re:.*\\.down_proj": INT8, "model.layers.7.mlp.up_prj": null });
    const plan = planTensors(tensors, { recipe: r });
    // Every way a pattern is run, the stepped forms (what unmatchedRecipeKeys drives) included.
    const methods = ["firstName", "firstNameSteps", "prime", "primeSteps", "firstMatch", "matches"] as const;
    const runs = methods.map((m) => vi.spyOn(PatternSet.prototype, m));
    try {
      const started = performance.now();
      expect(unmatchedRecipeKeys(tensors, r, plan)).toEqual(["model.layers.7.mlp.up_prj"]);
      for (const run of runs) expect(run).not.toHaveBeenCalled();
      // The typo (an exact key) is looked up in one map of the names; a regex key is not tried again.
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      for (const run of runs) run.mockRestore();
    }
  }, 60_000);
  it("lists none when every key decided a tensor of the plan", () => {
    const r = recipeOf({ lm_head: INT8, "re:.*_proj": INT4 });
    expect(unmatchedRecipeKeys(MODEL, r, planTensors(MODEL, { recipe: r }))).toEqual([]);
  });
  it("lists _default when no tensor is a *.weight, and not when the first tensor is one", () => {
    const r = recipeOf({ _default: INT4 });
    expect(unmatchedRecipeKeys([T("a.bias", "F32", [4]), T("b.scale", "F32", [4])], r)).toEqual(["_default"]);
    expect(unmatchedRecipeKeys([T("a.weight", "F32", [4, 64]), T("b.bias", "F32", [4])], r)).toEqual([]);
  });
  it("counts a match on the first tensor: an exact name, or a pattern on its module", () => {
    const tensors = [T("a.bias", "F32", [4]), T("b.weight", "F32", [4, 64])];
    expect(unmatchedRecipeKeys(tensors, recipeOf({ "a.bias": null, "re:b": INT4, "re:nothing": null }))).toEqual(["re:nothing"]);
    expect(unmatchedRecipeKeys(tensors.slice(1), recipeOf({ "re:b": INT4 }))).toEqual([]);
  });
  it("refuses a plan of other tensors", () => {
    const r = recipeOf({ lm_head: INT8 });
    expect(() => unmatchedRecipeKeys(MODEL, r, planTensors(MODEL.slice(1), { recipe: r }))).toThrow(expect.objectContaining({
      message: "unmatchedRecipeKeys: the plan has 9 entries for 10 tensors", hint: "Pass planTensors(tensors, { recipe }) of the same tensors, or no plan.",
    }));
  });
});

describe("shadowedRecipeKeys", () => {
  it("names keys that match tensors but decide none, with the key that decided the first one", () => {
    const r = recipeOf({ "re:.*\\.weight": null, "re:.*_proj\\.weight": INT4, lm_head: INT8, "re:nothing": null });
    const plan = planTensors(MODEL, { recipe: r });
    // lm_head, an exact module name, outranks every re: key, so it still decides lm_head.weight.
    expect(shadowedRecipeKeys(r, plan)).toEqual([{ key: "re:.*_proj\\.weight", tensor: "model.layers.0.self_attn.q_proj.weight", by: "re:.*\\.weight" }]);
  });
  it("says when torchao's per-module rule, not another key, left the key without effect", () => {
    const r = recipeOf({ "a.bias": null, a: INT4 });
    const t = [T("a.weight", "BF16", [4, 64]), T("a.bias", "BF16", [4])];
    // No `by` at all, not one that is undefined.
    expect(shadowedRecipeKeys(r, planTensors(t, { recipe: r }))).toStrictEqual([{ key: "a", tensor: "a.weight" }]);
  });
  it("names _default's first *.weight, whatever comes before it", () => {
    const r = recipeOf({ "re:.*\\.weight": INT4, _default: INT8 });
    for (const names of [["a.weight", "c.weight", "x.bias"], ["x.bias", "a.weight", "c.weight"]]) {
      const t = names.map((n) => T(n, "BF16", n.endsWith("weight") ? [4, 64] : [4]));
      expect(shadowedRecipeKeys(r, planTensors(t, { recipe: r })), names.join()).toEqual([{ key: "_default", tensor: "a.weight", by: "re:.*\\.weight" }]);
    }
  });
  it("takes a pattern's first match by module name or by tensor name, whichever tensor comes first", () => {
    // `re:a|b\.bias` matches the module a (of a.weight, first) and the tensor name b.bias (second); a and b.bias decide both.
    const r = recipeOf({ a: INT4, "b.bias": INT8, "re:a|b\\.bias": INT4 });
    const t = [T("a.weight", "BF16", [4, 64]), T("b.bias", "BF16", [4])];
    expect(shadowedRecipeKeys(r, planTensors(t, { recipe: r }))).toEqual([{ key: "re:a|b\\.bias", tensor: "a.weight", by: "a" }]);
    const rev = [t[1], T("a.weight", "BF16", [4, 64])];
    expect(shadowedRecipeKeys(r, planTensors(rev, { recipe: r }))).toEqual([{ key: "re:a|b\\.bias", tensor: "b.bias", by: "b.bias" }]);
  });
});

describe("rendering the plan", () => {
  const recipe = recipeOf({ "re:.*_proj": INT4, "model.embed_tokens": null, "x.y": null });
  const plan = planTensors(MODEL.slice(0, 5), { recipe });
  it("prints one aligned row per tensor with shape, dtype, action, key and config summary or reason", () => {
    const text = renderPlanTable(plan, { unmatchedKeys: ["x.y"] });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^name\s+shape\s+dtype\s+action\s+key\s+config$/);
    expect(lines[1]).toMatch(/^model\.embed_tokens\.weight\s+256×64\s+BF16\s+skip\s+model\.embed_tokens\s+`model\.embed_tokens` is null: left alone$/);
    expect(lines[3]).toMatch(/^model\.layers\.0\.mlp\.up_proj\.weight\s+128×64\s+F16\s+quantize\s+re:\.\*_proj\s+int4 per_group 32 symmetric$/);
    expect(lines[5]).toMatch(/down_proj\.bias\s+64\s+F32\s+skip\s+—\s+no recipe key matches$/);
    // Columns line up: "shape" starts at the same offset in every row.
    const col = lines[0].indexOf("shape");
    for (const l of lines.slice(1, 6)) expect(l[col - 1]).toBe(" ");
    expect(text).toContain("5 tensors: 3 to fake-quantize (20,480 elements), 2 left alone");
    expect(text).toContain("warning: recipe key x.y matches no tensor");
  });
  it("marks rows with errors and lists each problem with its hint", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 48])], { config: normalize(INT4) });
    const text = renderPlanTable(p);
    expect(text.split("\n")[1]).toMatch(/\berror\b/);
    expect(text).toMatch(/error: a\.weight \(key --config\): in_features \(48\) % group_size \(32\) must be == 0\n  hint: /);
    expect(text).toContain("1 error");
  });
  it("ends the summary line at the counts when there is no error, and prints no warning without unmatched keys", () => {
    const text = renderPlanTable(plan);
    expect(text.split("\n").filter((l) => /^\d+ tensors?:/.test(l))).toEqual(["5 tensors: 3 to fake-quantize (20,480 elements), 2 left alone"]);
    expect(text).not.toMatch(/warning|error/);
    expect(text.endsWith("2 left alone\n")).toBe(true);
  });
  it("counts every error of every tensor, and shows a 0-D tensor's shape as scalar", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 48]), T("b.weight", "F32", [4, 48]), T("s", "F32", [])], { config: normalize(INT4) }, { loneTensor: true });
    expect(summarizePlan(p)).toEqual({ tensors: 3, quantize: 3, skip: 0, quantizeElements: 385, errors: p.reduce((a, e) => a + e.errors.length, 0) });
    expect(summarizePlan(p).errors).toBeGreaterThanOrEqual(3);
    const text = renderPlanTable(p);
    expect(text).toContain(`\n3 tensors: 3 to fake-quantize (385 elements), 0 left alone; ${summarizePlan(p).errors} errors\n`);
    expect(text.split("\n")[3]).toMatch(/^s\s+scalar\s+F32\s+error\s+--config\s/);
  });
  it("names the recipe in the unmatched-key warning only when given one", () => {
    expect(unmatchedKeyWarning("x.y")).toBe("warning: recipe key x.y matches no tensor");
    expect(unmatchedKeyWarning("x.y", "r.json")).toBe("warning: recipe key x.y matches no tensor (r.json)");
  });
  it("says 1 tensor and 1 element, not 1 tensors and 1 elements, in the summary line", () => {
    const text = renderPlanTable(planTensors([T("one", "F32", [1])], { config: normalize(INT8) }, { loneTensor: true }));
    expect(text).toContain("\n1 tensor: 1 to fake-quantize (1 element), 0 left alone");
  });
  it("writes every count of the summary line with thousands separators, as apply and report do", () => {
    // 1,200 targeted F32 tensors, 1,100 left alone (BF16 1-D biases are not *.weight), 1,200 errors (48 % 32).
    const many = [
      ...Array.from({ length: 1200 }, (_, i) => T(`l${i}.weight`, "F32", [1, 48])),
      ...Array.from({ length: 1100 }, (_, i) => T(`l${i}.bias`, "F32", [48])),
    ];
    const text = renderPlanTable(planTensors(many, { config: normalize(INT4) }));
    expect(text).toContain("\n2,300 tensors: 1,200 to fake-quantize (57,600 elements), 1,100 left alone; 1,200 errors\n");
  });
  it("gives the same facts as JSON", () => {
    const j = JSON.parse(renderPlanJson(plan, { unmatchedKeys: ["x.y"] })) as ReturnType<typeof planToJson> & Record<string, any>;
    expect(j.tensors[2]).toMatchObject({ name: "model.layers.0.mlp.up_proj.weight", shape: [128, 64], dtype: "F16", action: "quantize", key: "re:.*_proj", tier: "module-regex", summary: "int4 per_group 32 symmetric", reason: null, errors: [] });
    expect(j.tensors[0]).toMatchObject({ action: "skip", reason: "null-value", config: null });
    expect(j.unmatchedKeys).toEqual(["x.y"]);
    expect(j.summary).toEqual(summarizePlan(plan));
    expect(j.tensors[0].note).toBe("`model.embed_tokens` is null: left alone");
    expect(j.tensors[2].note).toBeNull();
    expect(planToJson(plan, { unmatchedKeys: ["x.y"] })).toEqual(j);
    expect(planToJson(plan).unmatchedKeys).toEqual([]);
    expect(JSON.parse(renderPlanJson(plan)).unmatchedKeys).toEqual([]);
  });
  it("lists each error in the JSON with its hint and torchao's exception, null when absent", () => {
    const p = planTensors([T("a.weight", "BF16", [4, 48])], { config: normalize(INT4) });
    const j = planToJson(p);
    expect(j.tensors[0].errors).toEqual([{ message: "in_features (48) % group_size (32) must be == 0", hint: p[0].errors[0].hint, torchaoError: "ValueError" }]);
    expect(j.tensors[0].errors[0].hint).toMatch(/FakeQuantizedLinear/);
    const bare = [{ ...p[0], errors: [{ message: "m" }] }];
    expect(planToJson(bare).tensors[0].errors).toEqual([{ message: "m", hint: null, torchaoError: null }]);
    // The table's problem lines likewise: no hint line without a hint, no key without one.
    expect(renderPlanTable(bare)).toMatch(/\nerror: a\.weight \(key --config\): m\n$/);
    expect(renderPlanTable([{ ...bare[0], key: undefined }])).toMatch(/\nerror: a\.weight: m\n$/);
  });
});

describe("recipes over many tensors take time linear in their number", () => {
  // Each of these scanned every tensor per key, or every sibling per tensor: 30,000 tensors took 13–74 s
  // (10⁹ comparisons). Linear, they take well under a second here; the timeout leaves ~10x room.
  const N = 20_000;
  it("a recipe naming each of 20,000 modules: its plan, unmatched and shadowed keys", () => {
    const tensors = Array.from({ length: N }, (_, i) => T(`model.layers.${i}.mlp.up_proj.weight`, "BF16", [4, 64]));
    const table: Record<string, unknown> = {};
    for (let i = 0; i < N; i++) table[`model.layers.${i}.mlp.up_proj`] = INT4;
    table["model.layers.0.mlp.up_proj.weight"] = null; // exact parameter key: shadows the module key of layer 0
    table["model.nothing"] = INT4;
    const r = recipeOf(table);
    const plan = planTensors(tensors, { recipe: r });
    expect(plan.filter((e) => e.action === "quantize")).toHaveLength(N - 1);
    expect(unmatchedRecipeKeys(tensors, r)).toEqual(["model.nothing"]);
    expect(shadowedRecipeKeys(r, plan)).toEqual([{ key: "model.layers.0.mlp.up_proj", tensor: "model.layers.0.mlp.up_proj.weight", by: "model.layers.0.mlp.up_proj.weight" }]);
  }, 8_000);
  it("30,000 tensors without a dot (one module, as .npz members are): each resolved with its siblings", () => {
    const M = 30_000;
    const tensors = Array.from({ length: M }, (_, i) => T(`w${i}`, "F32", [4, 64]));
    // The named parameter is the module's last: finding it once per tensor was a scan of all the siblings (12 s here).
    const r = recipeOf({ "re:w1.*": INT4, [`w${M - 1}`]: null, _default: INT8 });
    const plan = planTensors(tensors, { recipe: r });
    // w1… match the parameter pattern; the last (w29999) is named, null: left alone; the rest are no weights, so _default skips them.
    expect(plan.filter((e) => e.action === "quantize")).toHaveLength(tensors.filter((t) => t.name.startsWith("w1")).length);
    expect(plan[M - 1]).toMatchObject({ action: "skip", key: `w${M - 1}` });
    expect(plan.find((e) => e.tensor.name === "w2")?.reason).toBe("no-match");
  }, 5_000);
});

describe("the async forms (planTensorsAsync, unmatchedRecipeKeysAsync, shadowedRecipeKeysAsync)", () => {
  // 3,000 tensors and 101 `re:` keys, 100 of them matching nothing: ~600,000 regex tests, several batches.
  const tensors = Array.from({ length: 3000 }, (_, i) => T(`model.layers.${i}.mlp.up_proj.weight`, "F32", [4, 32]));
  const table: Record<string, unknown> = { "re:.*\\.1\\d\\.mlp\\..*": INT4 };
  for (let k = 0; k < 100; k++) table[`re:.*nomatch_${k}`] = INT8;
  table["re:.*\\.2\\d\\.mlp\\.up_proj"] = INT8; // module-regex: shadowed on no tensor, decides layers 20..29
  table["re:.*\\.1\\d\\.mlp\\.up_proj\\.weight"] = INT8; // matches layers 10..19, decided by the first key: shadowed
  const recipe = recipeOf(table);

  /** Runs `work`, counting the turns a 1 ms interval timer got meanwhile. */
  async function turnsDuring<R>(work: () => R | Promise<R>): Promise<{ result: R; turns: number }> {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      const result = await work();
      return { result, turns };
    } finally {
      clearInterval(timer);
    }
  }

  it("give the synchronous forms' answers, and let timers (and signals) run while the keys are matched; the synchronous forms do not", async () => {
    const sync = await turnsDuring(() => {
      const plan = planTensors(tensors, { recipe });
      return { plan, unmatched: unmatchedRecipeKeys(tensors, recipe, plan), shadowed: shadowedRecipeKeys(recipe, plan) };
    });
    expect(sync.turns).toBe(0);
    expect(sync.result.unmatched).toHaveLength(100);
    expect(sync.result.shadowed).toEqual([{ key: "re:.*\\.1\\d\\.mlp\\.up_proj\\.weight", tensor: "model.layers.10.mlp.up_proj.weight", by: "re:.*\\.1\\d\\.mlp\\..*" }]);
    expect(sync.result.plan.filter((e) => e.tier === "module-regex")).toHaveLength(10);

    const plan = await turnsDuring(() => planTensorsAsync(tensors, { recipe }));
    expect(plan.result).toEqual(sync.result.plan);
    const unmatched = await turnsDuring(() => unmatchedRecipeKeysAsync(tensors, recipe, plan.result));
    expect(unmatched.result).toEqual(sync.result.unmatched);
    const shadowed = await turnsDuring(() => shadowedRecipeKeysAsync(recipe, plan.result));
    expect(shadowed.result).toEqual(sync.result.shadowed);
    for (const [what, r] of Object.entries({ plan, unmatched, shadowed })) expect(r.turns, what).toBeGreaterThan(0);
  });

  it("refuse their arguments as rejections, in their own names", async () => {
    await expect(planTensorsAsync(null as never, { recipe })).rejects.toThrow(/^planTensorsAsync: tensors must be an array/);
    await expect(unmatchedRecipeKeysAsync(tensors, recipe, [])).rejects.toThrow(/^unmatchedRecipeKeysAsync: the plan has 0 entries for 3000 tensors/);
    await expect(shadowedRecipeKeysAsync({ entries: {} } as never, [])).rejects.toThrow(/^shadowedRecipeKeysAsync: recipe/);
  });
});
