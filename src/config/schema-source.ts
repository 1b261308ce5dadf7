/**
 * The fqc JSON Schema, built from the vocabulary constants (the one source of
 * truth). `scripts/gen-schema.mjs` writes the two published files from this;
 * a test checks that they are current.
 *
 * Only standard keywords are used (annotations: title, description, default,
 * examples, $comment), so the schema compiles under ajv's strict mode and in
 * ajv-cli without extra vocabulary. Cross-field rules are `allOf` entries
 * whose `$comment` is the fqc rule id they encode; validate.ts uses that to
 * merge schema errors with the linter's diagnostics.
 */
import { DTYPE_NAMES } from "./dtypes.js";
import {
  DEFAULTS, FIELD_DOCS, GRANULARITY_STRINGS, MAPPING_TYPES, PAIR_KEYS, RECIPE_DEFAULT_KEY, RECIPE_KEY, RECIPE_REGEX_PREFIX,
  SCALE_PRECISIONS, ZERO_POINT_DOMAINS, ZERO_POINT_PRECISIONS,
} from "./vocabulary.js";
import { isFloatingDtypeName } from "./torch-dtypes.js";

export type SchemaDraft = "2020-12" | "draft-07";

export const SCHEMA_ID_2020 = "https://fqc.dev/schema/v1/fqc.schema.json";
export const SCHEMA_ID_DRAFT07 = "https://fqc.dev/schema/v1/fqc.draft-07.schema.json";

type S = Record<string, unknown>;

const NOT_NULL: S = { not: { type: "null" } };

/** `required` plus the `properties` entries ajv's strictRequired wants beside it. */
function has(...keys: string[]): S {
  return { required: keys, properties: Object.fromEntries(keys.map((k) => [k, true])) };
}
/** Present and not null. */
function set(key: string): S {
  return { required: [key], properties: { [key]: NOT_NULL } };
}
/** Present with value matching `schema`. */
function is(key: string, schema: S): S {
  return { required: [key], properties: { [key]: schema } };
}
function obj(s: S): S {
  return { type: "object", ...s };
}

function doc(field: string, extra: S = {}): S {
  const d = FIELD_DOCS[field];
  const out: S = { description: d.description };
  if (field in DEFAULTS) out.default = (DEFAULTS as Record<string, unknown>)[field];
  Object.assign(out, extra);
  out.examples = d.examples;
  return out;
}

const nullable = (s: S): S => ({ anyOf: [s, { type: "null" }] });
const groupSizeValue: S = { type: "integer", minimum: 2 };

function granularityDefs(): Record<string, S> {
  return {
    PerToken: {
      title: "PerToken",
      description: "One scale per token: every index of the leading dims, over the last dim. torchao: PerToken().",
      type: "object",
      properties: { type: { const: "PerToken" } },
      required: ["type"],
      additionalProperties: false,
    },
    PerAxis: {
      title: "PerAxis",
      description: "One scale per row of a 2-D weight (per_channel). torchao: PerAxis(axis=0); only axis 0 is supported.",
      type: "object",
      properties: {
        type: { const: "PerAxis" },
        axis: { const: 0, description: "Must be 0: torchao rejects any other axis for fake quantization.", examples: [0] },
      },
      required: ["type", "axis"],
      additionalProperties: false,
    },
    PerGroup: {
      title: "PerGroup",
      description: "Groups of group_size consecutive elements along the last dim of a 2-D weight. torchao: PerGroup(group_size).",
      type: "object",
      properties: {
        type: { const: "PerGroup" },
        group_size: { ...groupSizeValue, description: "Elements per group; must divide the last dim and be greater than 1.", examples: [32, 64, 128] },
      },
      required: ["type", "group_size"],
      additionalProperties: false,
    },
  };
}

function configProperties(ref: (name: string) => string): Record<string, S> {
  return {
    dtype: doc("dtype", { type: "string", enum: [...DTYPE_NAMES] }),
    granularity: doc("granularity", {
      default: null,
      anyOf: [
        { type: "string", enum: [...GRANULARITY_STRINGS] },
        { $ref: ref("PerToken") },
        { $ref: ref("PerAxis") },
        { $ref: ref("PerGroup") },
        { type: "null" },
      ],
    }),
    mapping_type: doc("mapping_type", { default: null, enum: [...MAPPING_TYPES, null] }),
    scale_precision: doc("scale_precision", { type: "string", enum: [...SCALE_PRECISIONS] }),
    zero_point_precision: doc("zero_point_precision", { type: "string", enum: [...ZERO_POINT_PRECISIONS] }),
    zero_point_domain: doc("zero_point_domain", { type: "string", enum: [...ZERO_POINT_DOMAINS] }),
    is_dynamic: doc("is_dynamic", { type: "boolean" }),
    range_learning: doc("range_learning", { type: "boolean" }),
    eps: doc("eps", nullable({ type: "number" })),
    group_size: doc("group_size", { default: null, ...nullable(groupSizeValue) }),
    // torchao reads truthiness; numbers are legal (fqc warns), strings are not ("false" would mean SYMMETRIC).
    is_symmetric: doc("is_symmetric", { default: null, anyOf: [{ type: "boolean" }, { type: "number" }, { type: "null" }] }),
  };
}

const PER_TOKEN: S = { anyOf: [{ const: "per_token" }, obj(is("type", { const: "PerToken" }))] };

/** Cross-field rules torchao enforces (construction) or hits at every forward; `$comment` = fqc rule id. */
function crossFieldRules(): S[] {
  const floatZp = ZERO_POINT_PRECISIONS.filter((p) => isFloatingDtypeName(p));
  return [
    {
      $comment: "torchao/group-size-conflict",
      description: "group_size conflicts with any granularity other than \"per_group\" or null.",
      if: obj(set("group_size")),
      then: { properties: { granularity: { enum: [null, "per_group"] } } },
    },
    {
      $comment: "torchao/per-group-without-group-size",
      description: "granularity \"per_group\" needs group_size.",
      if: obj(is("granularity", { const: "per_group" })),
      then: set("group_size"),
    },
    {
      $comment: "torchao/granularity-missing",
      description: "At least one of granularity or group_size must be set.",
      anyOf: [set("granularity"), set("group_size")],
    },
    {
      $comment: "torchao/mapping-type-and-is-symmetric",
      description: "mapping_type and is_symmetric cannot both be set (even when they agree).",
      not: { required: ["mapping_type", "is_symmetric"], properties: { mapping_type: NOT_NULL, is_symmetric: NOT_NULL } },
    },
    {
      $comment: "torchao/dynamic-range-learning",
      description: "range_learning requires is_dynamic false (is_dynamic defaults to true).",
      if: obj(is("range_learning", { const: true })),
      then: is("is_dynamic", { const: false }),
    },
    {
      $comment: "forward/symmetric-per-token",
      description: "per_token must be ASYMMETRIC (SYMMETRIC, the default, fails at forward).",
      if: obj(is("granularity", PER_TOKEN)),
      then: { anyOf: [is("mapping_type", { const: "ASYMMETRIC" }), is("is_symmetric", { enum: [false, 0] })] },
    },
    {
      $comment: "forward/zero-point-domain-none",
      description: "zero_point_domain NONE fails at forward unless the granularity is per_token.",
      if: obj(is("zero_point_domain", { const: "NONE" })),
      then: { ...is("granularity", PER_TOKEN), not: set("group_size") },
    },
    {
      $comment: "forward/range-learning-integer-zero-point",
      description: "range_learning needs a floating zero_point_precision (the default int32 cannot require gradients).",
      if: obj(is("range_learning", { const: true })),
      then: is("zero_point_precision", { enum: floatZp }),
    },
  ];
}

/** The rule id encoded by cross-field rule number i (for mapping ajv errors back to rules). */
export const CROSS_FIELD_RULE_IDS: readonly string[] = crossFieldRules().map((r) => r.$comment as string);

function configSchema(withSchemaKey: boolean, ref: (name: string) => string): S {
  const properties: Record<string, S> = {};
  if (withSchemaKey) {
    properties.$schema = { type: "string", description: "URL of the fqc schema, for editors.", examples: [SCHEMA_ID_2020] };
  }
  Object.assign(properties, configProperties(ref));
  return {
    title: "fqc fake-quantize config",
    description: "One torchao FakeQuantizeConfig, with torchao's keyword names. Shorthand (group_size, is_symmetric) allowed.",
    type: "object",
    properties,
    required: ["dtype"],
    additionalProperties: false,
    allOf: [{ $ref: ref("rules") }],
  };
}

export function buildSchema(draft: SchemaDraft): object {
  const defsKey = draft === "2020-12" ? "$defs" : "definitions";
  const ref = (name: string) => `#/${defsKey}/${name}`;
  const member = (role: string): S => ({
    description: `The ${role} fake-quantize config, or null for none.`,
    default: null,
    anyOf: [{ $ref: ref("config") }, { type: "null" }],
  });
  const defs: Record<string, S> = {
    ...granularityDefs(),
    rules: { type: "object", allOf: crossFieldRules() },
    config: configSchema(false, ref),
    configFile: configSchema(true, ref),
    pairFile: {
      title: "fqc QAT pair",
      description: "A QAT pair: torchao's activation_config and weight_config (at least one).",
      type: "object",
      properties: {
        $schema: { type: "string", description: "URL of the fqc schema, for editors.", examples: [SCHEMA_ID_2020] },
        activation: member("activation"),
        weight: member("weight"),
      },
      additionalProperties: false,
      anyOf: PAIR_KEYS.map((k) => set(k)),
    },
    configOrPairFile: {
      type: "object",
      if: { anyOf: PAIR_KEYS.map((k) => has(k)) },
      then: { $ref: ref("pairFile") },
      else: { $ref: ref("configFile") },
    },
    recipePair: {
      title: "fqc QAT pair in a recipe",
      description: "A QAT pair as a recipe value: its weight config applies to the tensor (a checkpoint holds no activations, so `weight` is required).",
      type: "object",
      properties: { activation: member("activation"), weight: { $ref: ref("config") } },
      required: ["weight"],
      additionalProperties: false,
    },
    recipeValue: {
      description: "A fake-quantize config, a QAT pair (its weight config applies), or null to leave the tensor alone.",
      anyOf: [
        { type: "null" },
        {
          type: "object",
          if: { anyOf: PAIR_KEYS.map((k) => has(k)) },
          then: { $ref: ref("recipePair") },
          else: { $ref: ref("config") },
        },
      ],
    },
    recipeFile: {
      title: "fqc recipe",
      description: `Which tensor of a checkpoint gets which config, with torchao's FqnToConfig semantics. Keys: a parameter name, a module name (its .weight), \`${RECIPE_REGEX_PREFIX}<python regex>\` matched in full against the parameter name and then the module name, or \`${RECIPE_DEFAULT_KEY}\`. Precedence: parameter name, module name, first matching ${RECIPE_REGEX_PREFIX} key on the parameter name (file order), then on the module name, then ${RECIPE_DEFAULT_KEY}.`,
      type: "object",
      properties: {
        $schema: { type: "string", description: "URL of the fqc schema, for editors.", examples: [SCHEMA_ID_2020] },
        [RECIPE_KEY]: {
          description: "Tensor name, module name, re:<pattern> or _default → config, QAT pair or null (file order decides between re: keys).",
          type: "object",
          additionalProperties: { $ref: ref("recipeValue") },
          examples: [{ "re:model\\.layers\\.\\d+\\.mlp\\..+_proj": { dtype: "int4", group_size: 32 }, "lm_head": { dtype: "int8", granularity: "per_channel" }, "model.embed_tokens": null }],
        },
      },
      required: [RECIPE_KEY],
      additionalProperties: false,
    },
  };
  return {
    $schema: draft === "2020-12" ? "https://json-schema.org/draft/2020-12/schema" : "http://json-schema.org/draft-07/schema#",
    $id: draft === "2020-12" ? SCHEMA_ID_2020 : SCHEMA_ID_DRAFT07,
    title: "fqc fake-quantize config file",
    description: `A torchao (v0.12) FakeQuantizeConfig as JSON/YAML: one config, a QAT pair {"activation": ..., "weight": ...}, or a recipe {"${RECIPE_KEY}": {...}} mapping tensor names to configs. Generated from fqc's vocabulary.`,
    type: "object",
    if: has(RECIPE_KEY),
    then: { $ref: ref("recipeFile") },
    else: { $ref: ref("configOrPairFile") },
    [defsKey]: defs,
  };
}
