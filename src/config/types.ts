/** Types of the fqc config standard, derived from the vocabulary constants. */
import type { DtypeName } from "./dtypes.js";
import type { TorchDtypeName } from "./torch-dtypes.js";
import type { MappingType, ScalePrecision, ZeroPointDomain, ZeroPointPrecision, Role } from "./vocabulary.js";

export type { DtypeName, MappingType, ScalePrecision, TorchDtypeName, ZeroPointDomain, ZeroPointPrecision, Role };

export type CanonicalGranularity =
  | { type: "PerToken" }
  | { type: "PerAxis"; axis: 0 }
  /** A number; `true`/`false` only when written so (torchao stores Python's bool as given; it fails at forward). */
  | { type: "PerGroup"; group_size: number | boolean };

/** The canonical (normalized) fake-quantize config: all nine fields, torchao's field order. */
export interface CanonicalConfig {
  dtype: DtypeName;
  granularity: CanonicalGranularity;
  mapping_type: MappingType;
  /**
   * One of SCALE_PRECISIONS (ZERO_POINT_PRECISIONS) in a config that validates. torchao constructs with any torch dtype
   * and so does normalize (it replays construction); validate reports the others (fqc/precision), and fakeQuantize,
   * applyFile and forwardProblems refuse them. A null scale_precision (torchao's None): scales stay in the dtype the
   * kernel computes in (the input dtype, or --compute-dtype).
   */
  scale_precision: ScalePrecision | TorchDtypeName | null;
  zero_point_precision: ZeroPointPrecision | TorchDtypeName;
  zero_point_domain: ZeroPointDomain;
  is_dynamic: boolean;
  range_learning: boolean;
  eps: number | null;
}

/** A config file as users write it: one config or a QAT pair, shorthand allowed. Shape is checked by the schema. */
export type ConfigInput = Record<string, unknown>;

export interface CanonicalPair {
  activation?: CanonicalConfig;
  weight?: CanonicalConfig;
}

/** A QAT pair inside a recipe: its weight side is what a checkpoint's tensors get. */
export type RecipePair = CanonicalPair & { weight: CanonicalConfig };

/** What a recipe key maps to: a config, a QAT pair (weight side applies), or null (leave the tensor alone). */
export type RecipeValue = { kind: "config"; config: CanonicalConfig } | { kind: "pair"; pair: RecipePair } | null;

/** One `fqn_to_config` entry: a parameter or module name, `re:<python regex>`, or `_default`. */
export interface RecipeEntry {
  key: string;
  value: RecipeValue;
}

/** A recipe (torchao's FqnToConfig): entries in file order, which decides between `re:` keys. */
export interface Recipe {
  entries: RecipeEntry[];
}

export type CanonicalDocument =
  | { kind: "single"; config: CanonicalConfig }
  | { kind: "pair"; pair: CanonicalPair }
  | { kind: "recipe"; recipe: Recipe };

/** The torchao releases whose numerics fqc reproduces; they differ only in the default eps. The CLI's --torchao offers these. */
export const TORCHAO_VERSIONS = ["0.12", "0.18"] as const;
export type TorchaoVersion = (typeof TORCHAO_VERSIONS)[number];
