/**
 * The vocabulary of the fqc config standard: every enumerated value, the
 * canonical key order and the per-field documentation. The JSON Schema
 * (scripts/gen-schema.mjs → schema/*.json) and the TypeScript types are both
 * derived from these constants, so nothing is written twice by hand.
 */
import { DTYPE_NAMES } from "./dtypes.js";

export const GRANULARITY_STRINGS = ["per_token", "per_channel", "per_group"] as const;
export type GranularityString = (typeof GRANULARITY_STRINGS)[number];

/** Granularity classes torchao accepts for fake quantization. */
export const GRANULARITY_TYPES = ["PerToken", "PerAxis", "PerGroup"] as const;
/** Granularity classes that exist in torchao but are rejected by FakeQuantizeConfig. */
export const UNSUPPORTED_GRANULARITY_TYPES = ["PerTensor", "PerRow", "PerBlock"] as const;

export const MAPPING_TYPES = ["SYMMETRIC", "ASYMMETRIC"] as const;
export type MappingType = (typeof MAPPING_TYPES)[number];
/** A real torchao MappingType member that FakeQuantizeConfig rejects. */
export const UNSUPPORTED_MAPPING_TYPES = ["SYMMETRIC_NO_CLIPPING_ERR"] as const;

export const ZERO_POINT_DOMAINS = ["INT", "FLOAT", "NONE"] as const;
export type ZeroPointDomain = (typeof ZERO_POINT_DOMAINS)[number];

/** Floating dtypes a scale can be stored in (torchao does not validate; these are the ones that compute). */
export const SCALE_PRECISIONS = ["float32", "float16", "bfloat16", "float64"] as const;
export type ScalePrecision = (typeof SCALE_PRECISIONS)[number];

/** What scale_precision null means: shown by editors beside the completion, and in the README. */
export const SCALE_PRECISION_NULL_DOC = "null: torchao's None, keep the input dtype: scales are computed and stored in the dtype the kernel computes in (the tensor's dtype, or --compute-dtype).";

/** Zero-point storage dtypes torchao runs with. int8/int16/int64/uint8 wrap or truncate like a C cast. */
export const ZERO_POINT_PRECISIONS = [
  "int32", "float32", "bfloat16", "float16", "float64", "int8", "int16", "int64", "uint8",
] as const;
export type ZeroPointPrecision = (typeof ZERO_POINT_PRECISIONS)[number];

/** Field order of torchao's dataclass, which is also the canonical serialization order. */
export const CANONICAL_KEYS = [
  "dtype", "granularity", "mapping_type", "scale_precision", "zero_point_precision",
  "zero_point_domain", "is_dynamic", "range_learning", "eps",
] as const;

/** Constructor-only shorthand inputs; they never appear in the canonical form. */
export const SHORTHAND_KEYS = ["group_size", "is_symmetric"] as const;

/** torchao classes whose config_to_dict JSON fqc reads: one config, or an activation/weight pair. */
export const TORCHAO_CONFIG_TYPES = ["FakeQuantizeConfig", "IntxFakeQuantizeConfig"] as const;
export const TORCHAO_PAIR_TYPES = ["IntXQuantizationAwareTrainingConfig", "QATConfig"] as const;
/** torchao's FqnToConfig (ModuleFqnToConfig is its old name), whose values are QAT pairs: read as a recipe. */
export const TORCHAO_RECIPE_TYPES = ["FqnToConfig", "ModuleFqnToConfig"] as const;

/** Keys of a QAT pair file. */
export const PAIR_KEYS = ["activation", "weight"] as const;
export type Role = (typeof PAIR_KEYS)[number];

/** The one key of a recipe file (torchao's FqnToConfig field name), its key prefixes and fallback key. */
export const RECIPE_KEY = "fqn_to_config";
export const RECIPE_REGEX_PREFIX = "re:";
export const RECIPE_DEFAULT_KEY = "_default";

export const DEFAULTS = {
  mapping_type: "SYMMETRIC",
  scale_precision: "float32",
  zero_point_precision: "int32",
  zero_point_domain: "INT",
  is_dynamic: true,
  range_learning: false,
  eps: null,
} as const;

export const DTYPES = DTYPE_NAMES;

/** Human documentation per field: used by the schema generator and the README. */
export const FIELD_DOCS: Record<string, { description: string; examples: unknown[] }> = {
  dtype: {
    description: "Target integer dtype of the fake quantization: int1..int8 (signed) or uint1..uint8 (unsigned). torchao: `torch.int4`, `torch.uint4`, ...",
    examples: ["int8", "int4", "uint4"],
  },
  granularity: {
    description: "How scales are shared: per_token (one scale per row of the last dim, any rank), per_channel (PerAxis(0): one scale per row of a 2-D weight), per_group (groups of `group_size` consecutive elements along the last dim of a 2-D weight). A string or torchao's object form.",
    examples: ["per_token", "per_channel", { type: "PerGroup", group_size: 32 }],
  },
  mapping_type: {
    description: "SYMMETRIC (zero point 0, scale from max |x|) or ASYMMETRIC (scale from min..max with a zero point). Mutually exclusive with the `is_symmetric` shorthand.",
    examples: ["SYMMETRIC", "ASYMMETRIC"],
  },
  scale_precision: {
    description: "dtype the scales are stored in. Scales are computed in the input dtype, then rounded to this dtype. null (torchao's None, which its inferred configs such as Int8DynamicActivationIntxWeightConfig's activation side pass): keep the input dtype, so the rounding is the identity.",
    examples: ["float32", "bfloat16", null],
  },
  zero_point_precision: {
    description: "dtype the zero points are stored in. int32 truncates the float zero point of asymmetric per_group/per_channel configs; range learning needs a float dtype.",
    examples: ["int32", "float32", "bfloat16"],
  },
  zero_point_domain: {
    description: "INT: integer zero point added after rounding. FLOAT: tinygemm-style float zero point (per_channel/per_group only; ignored by per_token). NONE: no zero point (fails at forward for per_channel/per_group).",
    examples: ["INT", "FLOAT"],
  },
  is_dynamic: {
    description: "true: qparams are recomputed from every input. false: computed once (or supplied) and reused.",
    examples: [true, false],
  },
  range_learning: {
    description: "Prototype: qparams become trainable parameters initialised from data. Requires `is_dynamic: false`.",
    examples: [false],
  },
  eps: {
    description: "Minimum scale. null selects torchao's default: finfo(input dtype).eps (v0.12–0.17) or finfo.smallest_normal (v0.18+) on the per_token and symmetric paths, 1e-6 on the asymmetric per_group/per_channel path.",
    examples: [null, 1e-6, 1.1920928955078125e-7],
  },
  group_size: {
    description: "Shorthand: a group size implies `granularity: per_group` (or completes `granularity: \"per_group\"`). Conflicts with any other granularity.",
    examples: [32, 64, 128],
  },
  is_symmetric: {
    description: "Shorthand for mapping_type: truthy → SYMMETRIC, falsy → ASYMMETRIC. Conflicts with any non-null mapping_type, even one that agrees.",
    examples: [true, false],
  },
};

/** What each enumerated value means: shown by editors beside every completion, and in hovers. */
export const VALUE_DOCS: Record<string, Record<string, string>> = {
  granularity: {
    per_token: "One scale (and zero point) per token: every index of the leading dims, over the last dim. Any rank. Needs ASYMMETRIC.",
    per_channel: "One scale per row of a 2-D weight: torchao's PerAxis(axis=0).",
    per_group: "Groups of `group_size` consecutive elements along the last dim of a 2-D weight; needs `group_size`.",
  },
  mapping_type: {
    SYMMETRIC: "Zero point 0, scale from max |x| (the default). Not supported with per_token.",
    ASYMMETRIC: "Scale from min..max with a zero point. Required by per_token.",
  },
  zero_point_domain: {
    INT: "Integer zero point added after rounding (the default).",
    FLOAT: "tinygemm-style float zero point (per_channel/per_group; per_token ignores it). Use with a float zero_point_precision.",
    NONE: "No zero point: fails at forward for per_channel/per_group, ignored by per_token.",
  },
  scale_precision: {
    float32: "Scales stored as float32 (the default).",
    float16: "Scales rounded to float16; for scales below 1/65520 the reciprocal overflows (fqc warns).",
    bfloat16: "Scales rounded to bfloat16.",
    float64: "Scales in float64: the arithmetic then runs in float64.",
  },
  zero_point_precision: {
    int32: "Zero points as int32 (the default); truncates the float zero point of asymmetric groups.",
    float32: "Zero points as float32: needed for range learning and the FLOAT domain.",
    bfloat16: "Zero points rounded to bfloat16 (tinygemm's int4 weight-only recipe).",
    float16: "Zero points rounded to float16.",
    float64: "Zero points as float64.",
    int8: "Zero points as int8: too narrow for unsigned 8-bit ranges (fqc warns).",
    int16: "Zero points as int16.",
    int64: "Zero points as int64.",
    uint8: "Zero points as uint8: cannot hold negative zero points (fqc warns).",
  },
};
