/** fast-check generators of configs shared by the tests that compare the standard's parts with each other. */
import fc from "fast-check";

/** A config torchao runs, in any of the spellings it takes (fields left out at random). */
export const saneConfig = fc.record({
  dtype: fc.constantFrom("int1", "int2", "int4", "int8", "uint1", "uint4", "uint8"),
  shape: fc.constantFrom("per_token", "per_token_object", "per_channel", "per_axis_object", "per_group", "group_size_only", "per_group_object"),
  groupSize: fc.constantFrom(2, 16, 32, 64, 128),
  mapping: fc.constantFrom("SYMMETRIC", "ASYMMETRIC", "is_symmetric", "default"),
  asymmetric: fc.boolean(),
  domain: fc.constantFrom("INT", "FLOAT", undefined),
  scale: fc.constantFrom("float32", "bfloat16", "float16", "float64", undefined),
  zpp: fc.constantFrom("int32", "float32", "bfloat16", "float16", "float64", "int64", undefined),
  learning: fc.constantFrom("dynamic", "static", "range", undefined),
  eps: fc.constantFrom(null, 1e-6, 1.1920928955078125e-7, 0.5, undefined),
}).map((r) => {
  const c: Record<string, unknown> = { dtype: r.dtype };
  const perToken = r.shape.startsWith("per_token");
  if (r.shape === "per_token") c.granularity = "per_token";
  else if (r.shape === "per_token_object") c.granularity = { type: "PerToken" };
  else if (r.shape === "per_channel") c.granularity = "per_channel";
  else if (r.shape === "per_axis_object") c.granularity = { type: "PerAxis", axis: 0 };
  else if (r.shape === "per_group") Object.assign(c, { granularity: "per_group", group_size: r.groupSize });
  else if (r.shape === "group_size_only") c.group_size = r.groupSize;
  else c.granularity = { type: "PerGroup", group_size: r.groupSize };
  const asym = perToken || r.asymmetric;
  if (r.mapping === "is_symmetric" || (perToken && r.mapping === "default")) c.is_symmetric = !asym;
  else if (r.mapping !== "default") c.mapping_type = asym ? "ASYMMETRIC" : "SYMMETRIC";
  if (r.domain) c.zero_point_domain = r.domain;
  if (r.scale) c.scale_precision = r.scale;
  if (r.learning === "range") Object.assign(c, { is_dynamic: false, range_learning: true, zero_point_precision: "float32" });
  else {
    if (r.zpp) c.zero_point_precision = r.zpp;
    if (r.learning) c.is_dynamic = r.learning === "dynamic";
  }
  if (r.eps !== undefined) c.eps = r.eps;
  return c;
});

const num = fc.oneof(
  fc.constantFrom(0, -0, 1, 2, 32, 1.5, -8, 2 ** 53, 2 ** 53 + 2, 1e300, 1e-300, 5e-324, 0.1, 1e-6, Number.MAX_SAFE_INTEGER, -1, Number.MAX_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  num, fc.boolean(), fc.constant(null), fc.string({ maxLength: 4 }), fc.constant([]), fc.constant({}),
  fc.constantFrom("", "int4", "per_token", "SYMMETRIC", "float32", "INT", "0", "true", "torch.int4", "half", "Int4", "ｉｎｔ４", "π", "constructor", "toString"),
);
/** Mostly a good value, sometimes junk or a near miss. */
const pick = (good: readonly unknown[], ...near: Array<fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: junk }, ...near.map((n) => ({ weight: 1, arbitrary: n })));
const granularityObject = fc.oneof(
  fc.constant({ type: "PerToken" }),
  fc.record({ type: fc.constant("PerAxis"), axis: pick([0], fc.constantFrom(-0, false, 1)) }),
  fc.record({ type: fc.constant("PerGroup"), group_size: pick([32, 64, 2], fc.constantFrom(1, 2 ** 53 + 2, 32.5, true)) }),
  fc.constantFrom<unknown>({ type: "PerRow" }, { type: "PerTensor" }, { type: "PerBlock", block_size: [1, 32] }, { type: "PerGroup" }, { type: "PerAxis" }, { type: "PerToken", x: 1 }, {}),
);
/** A config's fields, each mostly a good value, sometimes junk or a near miss (any left out). */
export const configArb = fc.record({
  dtype: pick(["int1", "int2", "int3", "int4", "int5", "int6", "int7", "int8", "uint1", "uint2", "uint4", "uint7", "uint8"], fc.constantFrom("int16", "float32", "torch.int4", "bool", "constructor")),
  granularity: pick([null, "per_token", "per_channel", "per_group"], granularityObject, granularityObject, fc.constantFrom("per_tensor", "PER_TOKEN", "toString")),
  mapping_type: pick([null, "SYMMETRIC", "ASYMMETRIC", "ASYMMETRIC"], fc.constantFrom("SYMMETRIC_NO_CLIPPING_ERR", "symmetric", "valueOf")),
  scale_precision: pick(["float32", "float16", "bfloat16", "float64"], fc.constantFrom("half", "double", "torch.float32", "int32", "complex64", "float8_e4m3fn", "toString")),
  zero_point_precision: pick(["int32", "float32", "bfloat16", "float16", "float64", "int8", "int16", "int64", "uint8"], fc.constantFrom("int", "long", "uint16", "bool", "int4", "constructor")),
  zero_point_domain: pick(["INT", "FLOAT", "NONE"], fc.constantFrom(null, "int", "hasOwnProperty")),
  is_dynamic: pick([true, false]),
  range_learning: pick([false, false, true]),
  eps: pick([null, 1e-6, 0, -1, 1e-300], num),
  group_size: pick([null, 32, 64, 128, 2], num),
  is_symmetric: pick([null, true, false, 0, 1], num),
}, { requiredKeys: [] });
const unknownKey = fc.constantFrom("symmetric", "group_szie", "ключ", "__proto__", "constructor", "toString", "$schema", "$id", "", "dtype ", "活性化", "fqn_to_config", "_type", "a/b~c");
/** A config, sometimes with one unknown key (defined as an own key, so `__proto__` stays data). */
export const configWithExtra = fc.tuple(fc.oneof({ weight: 2, arbitrary: saneConfig }, { weight: 3, arbitrary: configArb }), fc.option(fc.tuple(unknownKey, junk), { freq: 4 })).map(([c, extra]) => {
  if (!extra) return c;
  const o: Record<string, unknown> = { ...c };
  Object.defineProperty(o, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
  return o;
});
const pairArb = fc.record({
  activation: fc.oneof(configWithExtra, fc.constant(null), junk),
  weight: fc.oneof({ weight: 3, arbitrary: configWithExtra }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: junk }),
}, { requiredKeys: [] });
const recipeKey = fc.oneof(
  fc.constantFrom("_default", "lm_head", "model.layers.0.mlp.up_proj", "model.embed_tokens.weight", "re:.*_proj", "re:model\\.layers\\.\\d+\\..*",
    "re:(a+)+", "re:(", "re:(?P<x>a)(?P=x)", "re:", "re:\\d{2,}", "0", "17", "re:(?i)LM_HEAD", "__proto__", "ключ", "", "re:層\\.\\w+"),
  fc.string({ maxLength: 6 }).map((s) => `re:${s}`),
);
const recipeArb = fc.record({
  fqn_to_config: fc.oneof(
    { weight: 8, arbitrary: fc.dictionary(recipeKey, fc.oneof(configWithExtra, fc.constant(null), pairArb, junk), { maxKeys: 4 }) },
    { weight: 1, arbitrary: junk },
  ),
});
/** torchao's config_to_dict form of a generated config: enums and dtypes as nested envelopes. */
const enveloped = configArb.map((c) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === "string" && ["dtype", "scale_precision", "zero_point_precision"].includes(k)) out[k] = { _type: "torch.dtype", _data: v };
    else if (typeof v === "string" && k === "mapping_type") out[k] = { _type: "MappingType", _data: v };
    else if (typeof v === "string" && k === "zero_point_domain") out[k] = { _type: "ZeroPointDomain", _data: v };
    else if (k === "granularity" && v !== null && typeof v === "object" && "type" in v) {
      const { type, ...data } = v as Record<string, unknown>;
      out[k] = { _type: type, _version: 1, _data: data };
    } else out[k] = v;
  }
  return out;
});
const configEnvelope = fc.record({ _type: fc.constantFrom("FakeQuantizeConfig", "IntxFakeQuantizeConfig"), _version: fc.constantFrom<unknown>(1, 2, "1"), _data: enveloped }, { requiredKeys: ["_type", "_data"] });
const envelopeArb = fc.tuple(
  fc.oneof(
    configEnvelope,
    fc.record({
      _type: fc.constantFrom("QATConfig", "IntXQuantizationAwareTrainingConfig"),
      _version: fc.constant(1),
      _data: fc.record({ activation_config: fc.oneof(configEnvelope, fc.constant(null)), weight_config: fc.oneof(configEnvelope, fc.constant(null)) }, { requiredKeys: [] }),
    }),
  ),
  fc.option(fc.constantFrom<[string, unknown]>(["$schema", "x"], ["note", 1]), { freq: 4 }),
).map(([e, extra]) => (extra ? { ...e, [extra[0]]: extra[1] } : e));
/** The document, sometimes with a top-level `$schema` (fqc's URL, a path, or a wrong value). */
export const withSchemaKey = (arb: fc.Arbitrary<unknown>) =>
  fc.tuple(arb, fc.option(fc.constantFrom<unknown>("https://fqc.dev/schema/v1/fqc.schema.json", "../schema/fqc.schema.json", 5, null, ""), { freq: 3 }))
    .map(([d, s]) => (s === null || typeof d !== "object" || d === null || Array.isArray(d) ? d : { $schema: s, ...d }));
/** A document: a config, a pair, a recipe, torchao's envelope or junk; valid, near-valid or hostile. */
export const documentArb = fc.oneof(
  { weight: 4, arbitrary: withSchemaKey(configWithExtra) },
  { weight: 2, arbitrary: withSchemaKey(pairArb) },
  { weight: 2, arbitrary: withSchemaKey(recipeArb) },
  { weight: 1, arbitrary: envelopeArb },
  { weight: 1, arbitrary: junk },
);
