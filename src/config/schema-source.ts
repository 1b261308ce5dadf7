/**
 * The fqc JSON Schema, built from the vocabulary constants (the one source of
 * truth). `scripts/gen-schema.mjs` writes the two published files from this;
 * a test checks that they are current.
 *
 * Standard keywords only, plus two editor annotations (EDITOR_KEYWORDS), which
 * ajv's strict mode accepts once declared. Cross-field rules are `allOf` entries
 * whose `$comment` starts with the fqc rule id they encode; validate.ts uses
 * that to merge schema errors with the linter's diagnostics.
 *
 * Written for editors too (VS Code's JSON engine is tested as a client):
 * editors propose the properties of every subschema that applies at a place,
 * `if` conditions included, so a rule's conditions test values only under
 * `not` (an editor proposes nothing from a negated schema) and name their
 * keys with `true` (never proposed); rules carry no `description`, which
 * editors would show in hovers instead of the property's own.
 */
import { DTYPE_NAMES, dtypeInfo, type DtypeName } from "./dtypes.js";
import {
  DEFAULTS, FIELD_DOCS, GRANULARITY_STRINGS, MAPPING_TYPES, PAIR_KEYS, RECIPE_DEFAULT_KEY, RECIPE_KEY, RECIPE_REGEX_PREFIX,
  SCALE_PRECISION_NULL_DOC, SCALE_PRECISIONS, TORCHAO_CONFIG_TYPES, TORCHAO_PAIR_TYPES, TORCHAO_RECIPE_TYPES, VALUE_DOCS, ZERO_POINT_DOMAINS, ZERO_POINT_PRECISIONS,
} from "./vocabulary.js";
import { isFloatingDtypeName } from "./torch-dtypes.js";
import { FqcError } from "../errors.js";
import { checkChoice } from "../library-args.js";

export type SchemaDraft = "2020-12" | "draft-07";
const SCHEMA_DRAFTS: readonly SchemaDraft[] = ["2020-12", "draft-07"];

export const SCHEMA_ID_2020 = "https://fqc.dev/schema/v1/fqc.schema.json";
export const SCHEMA_ID_DRAFT07 = "https://fqc.dev/schema/v1/fqc.draft-07.schema.json";

type S = Record<string, unknown>;

/** `required` plus the `properties` entries ajv's strictRequired wants beside it (`true`: never proposed by editors). */
function has(...keys: string[]): S {
  return { required: keys, properties: Object.fromEntries(keys.map((k) => [k, true])) };
}
/** Present with value matching `schema`; the value test is a double negation, so editors take no suggestion from it. */
function is(key: string, schema: S): S {
  return { ...has(key), not: { properties: { [key]: { not: schema } } } };
}
/** Present and not null. */
function set(key: string): S {
  return is(key, { not: { type: "null" } });
}
/** If present, its value matches `schema` (editors take no suggestion from it). */
function ifPresent(key: string, schema: S): S {
  return { not: { required: [key], properties: { [key]: { not: schema } } } };
}
/**
 * If present, its value matches `schema`, tested in place rather than under `not`: yaml-language-server words a
 * failed `not` only as "Matches a schema that is not allowed." (it ignores `errorMessage` there), while a failed
 * `enum` or `type` carries the rule's words in every editor. For a rule's `then` only: editors propose its values.
 */
function valueIn(key: string, schema: S): S {
  return { properties: { [key]: schema } };
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

/**
 * An enumeration whose every value carries its meaning: `enumDescriptions`,
 * the editor annotation VS Code and yaml-language-server show beside each
 * completion (an unknown keyword is an annotation in JSON Schema; ajv's strict
 * mode wants it declared: EDITOR_KEYWORDS). Per-value `const` alternatives
 * would also describe values, but editors then show the value's text in the
 * property's hover instead of the property's own description.
 */
function described(field: string, values: readonly string[], describe: (v: string) => string = (v) => VALUE_DOCS[field][v]): S {
  return { type: "string", enum: [...values], enumDescriptions: values.map(describe) };
}

/** Annotation keywords of editors that the schema uses (for validators that refuse unknown keywords, e.g. ajv's strict mode). */
export const EDITOR_KEYWORDS: readonly string[] = ["enumDescriptions", "errorMessage"];

function dtypeDescription(name: string): string {
  const info = dtypeInfo(name as DtypeName);
  return `${info.bits}-bit ${info.signed ? "signed" : "unsigned"}, integer range [${info.qmin}, ${info.qmax}]. torchao: torch.${name}.`;
}

const nullable = (s: S): S => ({ anyOf: [s, { type: "null" }] });
// Past 2^53 a JSON reader does not keep the number written (and no tensor's last dimension is that long): forward/group-size.
const groupSizeValue: S = { type: "integer", minimum: 2, maximum: Number.MAX_SAFE_INTEGER };
/**
 * Only finite values of the numeric schema `s`. ajv refuses NaN and infinity as numbers, but other validators take
 * them (Python's jsonschema reading JSON's 1e400 or YAML's .inf and .nan; @cfworker/json-schema reading YAML, which
 * even counts infinity an integer) and compare with `<` and `>=`, which NaN never satisfies, so it passes any bound:
 * the bounds refuse the infinities, and the `not` refuses NaN (no number is both >= 0 and < 0, NaN fails neither test).
 * The bounds also refuse an integer written past the largest double, which Python reads exactly (JavaScript reads infinity).
 */
function finite(s: S): S {
  return { ...s, minimum: -Number.MAX_VALUE, maximum: Number.MAX_VALUE, not: { minimum: 0, exclusiveMaximum: 0 } };
}
const finiteNumber: S = finite({ type: "number" });

function granularityDefs(): Record<string, S> {
  return {
    PerToken: {
      title: "PerToken",
      description: "One scale per token: every index of the leading dims, over the last dim. torchao: PerToken().",
      type: "object",
      properties: { type: { const: "PerToken", description: "PerToken: one scale per token (the leading indices), over the last dim." } },
      required: ["type"],
      additionalProperties: false,
    },
    PerAxis: {
      title: "PerAxis",
      description: "One scale per row of a 2-D weight (per_channel). torchao: PerAxis(axis=0); only axis 0 is supported.",
      type: "object",
      properties: {
        type: { const: "PerAxis", description: "PerAxis: one scale per slice along `axis`; fake quantization supports axis 0 only (per_channel)." },
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
        type: { const: "PerGroup", description: "PerGroup: groups of `group_size` consecutive elements along the last dim." },
        group_size: { ...groupSizeValue, description: "Elements per group; must divide the last dim and be greater than 1.", examples: [32, 64, 128] },
      },
      required: ["type", "group_size"],
      additionalProperties: false,
    },
  };
}

/**
 * The object form: one of the three classes, with every `type` named beside them. yaml-language-server proposes
 * values from the one class that fits best (PerToken, which needs no other key), so without the enum `type:`
 * would offer PerToken alone; the enum changes no verdict.
 */
function granularityObject(ref: (name: string) => string): S {
  const defs = granularityDefs();
  const names = Object.keys(defs);
  const typeOf = (n: string) => (defs[n].properties as Record<string, { description: string }>).type;
  return {
    type: "object",
    properties: { type: { enum: names, enumDescriptions: names.map((n) => typeOf(n).description) } },
    anyOf: names.map((n) => ({ $ref: ref(n) })),
  };
}

function configProperties(ref: (name: string) => string): Record<string, S> {
  return {
    dtype: doc("dtype", described("dtype", DTYPE_NAMES, dtypeDescription)),
    granularity: doc("granularity", {
      default: null,
      anyOf: [
        described("granularity", GRANULARITY_STRINGS),
        granularityObject(ref),
        { type: "null" },
      ],
    }),
    // Default shown as what torchao stores (None selects SYMMETRIC); null stays legal.
    mapping_type: doc("mapping_type", {
      enum: [...MAPPING_TYPES, null],
      enumDescriptions: [...MAPPING_TYPES.map((m) => VALUE_DOCS.mapping_type[m]), "null: the default, SYMMETRIC (or what is_symmetric says)."],
    }),
    // null is torchao's None: scales stay in the input dtype (a meaning of its own, unlike a null zero_point_precision).
    scale_precision: doc("scale_precision", {
      enum: [...SCALE_PRECISIONS, null],
      enumDescriptions: [...SCALE_PRECISIONS.map((p) => VALUE_DOCS.scale_precision[p]), SCALE_PRECISION_NULL_DOC],
    }),
    zero_point_precision: doc("zero_point_precision", described("zero_point_precision", ZERO_POINT_PRECISIONS)),
    zero_point_domain: doc("zero_point_domain", described("zero_point_domain", ZERO_POINT_DOMAINS)),
    is_dynamic: doc("is_dynamic", { type: "boolean" }),
    range_learning: doc("range_learning", { type: "boolean" }),
    eps: doc("eps", nullable(finiteNumber)),
    group_size: doc("group_size", { default: null, ...nullable(groupSizeValue) }),
    // torchao reads truthiness; numbers are legal (fqc warns), strings are not ("false" would mean SYMMETRIC).
    is_symmetric: doc("is_symmetric", { default: null, anyOf: [{ type: "boolean" }, finiteNumber, { type: "null" }] }),
  };
}

const PER_TOKEN: S = { anyOf: [{ const: "per_token" }, obj(is("type", { const: "PerToken" }))] };

/**
 * A rule's words on every schema in `s` an editor reports when the rule is broken: those with a `not` (the rules'
 * value tests), down through anyOf/allOf. VS Code and yaml-language-server show `errorMessage` in place of their
 * own "Matches a schema that is not allowed.", which says nothing of the rule.
 */
function worded(s: S, message: string): S {
  const out: S = { ...s };
  if ("not" in s) out.errorMessage = message;
  // valueIn: the value's own schema fails, so it carries the words.
  if (!("not" in s) && !("required" in s) && s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties as Record<string, S>).map(([k, v]) => [k, { ...v, errorMessage: message }]));
  }
  for (const k of ["anyOf", "allOf"]) if (Array.isArray(s[k])) out[k] = (s[k] as S[]).map((x) => worded(x, message));
  return out;
}

/** `rule` with its `$comment` ("<rule id>: <words>") as the message editors show where it fails. */
function withEditorMessage(rule: S): S {
  const comment = rule.$comment as string;
  const colon = comment.indexOf(": ");
  const message = `${comment.slice(colon + 2).replace(/\.$/, "")} (fqc rule ${comment.slice(0, colon)}).`;
  const out: S = { ...rule };
  if (rule.then) out.then = worded(rule.then as S, message);
  if (rule.anyOf) out.anyOf = (rule.anyOf as S[]).map((x) => worded(x, message));
  return out;
}

/** Cross-field rules torchao enforces (construction) or hits at every forward; `$comment` = fqc rule id. */
function crossFieldRules(): S[] {
  return crossFieldRuleSchemas().map(withEditorMessage);
}

function crossFieldRuleSchemas(): S[] {
  const floatZp = ZERO_POINT_PRECISIONS.filter((p) => isFloatingDtypeName(p));
  return [
    {
      $comment: "torchao/group-size-conflict: group_size conflicts with any granularity other than \"per_group\" or null.",
      if: obj(set("group_size")),
      then: valueIn("granularity", { enum: [null, "per_group"] }),
    },
    {
      $comment: "torchao/per-group-without-group-size: granularity \"per_group\" needs group_size.",
      if: obj(is("granularity", { const: "per_group" })),
      then: set("group_size"),
    },
    {
      $comment: "torchao/granularity-missing: At least one of granularity or group_size must be set.",
      anyOf: [set("granularity"), set("group_size")],
    },
    {
      $comment: "torchao/mapping-type-and-is-symmetric: mapping_type and is_symmetric cannot both be set (even when they agree).",
      if: obj(set("mapping_type")),
      then: valueIn("is_symmetric", { type: "null" }),
    },
    {
      $comment: "torchao/dynamic-range-learning: range_learning requires is_dynamic false (is_dynamic defaults to true).",
      if: obj(is("range_learning", { const: true })),
      then: is("is_dynamic", { const: false }),
    },
    {
      $comment: "forward/symmetric-per-token: per_token must be ASYMMETRIC (SYMMETRIC, the default, fails at forward).",
      if: obj(is("granularity", PER_TOKEN)),
      then: { anyOf: [is("mapping_type", { const: "ASYMMETRIC" }), is("is_symmetric", { enum: [false, 0] })] },
    },
    {
      $comment: "forward/zero-point-domain-none: zero_point_domain NONE fails at forward unless the granularity is per_token.",
      if: obj(is("zero_point_domain", { const: "NONE" })),
      then: { allOf: [is("granularity", PER_TOKEN), ifPresent("group_size", { type: "null" })] },
    },
    {
      $comment: "forward/range-learning-integer-zero-point: range_learning needs a floating zero_point_precision (the default int32 cannot require gradients).",
      if: obj(is("range_learning", { const: true })),
      then: is("zero_point_precision", { enum: floatZp }),
    },
  ];
}

/** The rule id encoded by cross-field rule number i (for mapping ajv errors back to rules). */
export const CROSS_FIELD_RULE_IDS: readonly string[] = crossFieldRules().map((r) => (r.$comment as string).split(":")[0]);

function configSchema(withSchemaKey: boolean, ref: (name: string) => string): S {
  const properties: Record<string, S> = {};
  if (withSchemaKey) {
    properties.$schema = { type: "string", description: "URL of the fqc schema, for editors.", examples: [SCHEMA_ID_2020] };
  }
  Object.assign(properties, configProperties(ref));
  // A file's config is described; a pair member's is not, so editors show the member's own description.
  const about = withSchemaKey
    ? { title: "fqc fake-quantize config", description: "One torchao FakeQuantizeConfig, with torchao's keyword names. Shorthand (group_size, is_symmetric) allowed." }
    : {};
  return {
    ...about,
    type: "object",
    properties,
    required: ["dtype"],
    additionalProperties: false,
    allOf: [{ $ref: ref("rules") }],
  };
}

export function buildSchema(draft: SchemaDraft): object {
  // Any other value (or none) once gave the draft-07 schema without a word.
  if (draft === undefined) throw new FqcError("USAGE", 'buildSchema: draft must be given: "2020-12" or "draft-07"');
  checkChoice(draft, SCHEMA_DRAFTS, "buildSchema: draft");
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
      anyOf: PAIR_KEYS.map((k) => worded(set(k), "A QAT pair needs activation or weight, at least one of them not null (fqc rule fqc/document).")),
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
          // Offered by editors beside the config keys (a value may be a QAT pair); the branches below do the checking.
          properties: Object.fromEntries(PAIR_KEYS.map((k) => [k, {
            description: k === "weight" ? "A QAT pair's weight config: the one applied to the tensor." : "A QAT pair's activation config (kept for the QAT run; a checkpoint holds no activations), or null.",
            anyOf: [{ type: "object" }, { type: "null" }],
          }])),
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
  defs.torchaoFile = {
    title: "torchao config_to_dict JSON",
    description: "torchao's own JSON (torchao.core.config.config_to_dict) of a FakeQuantizeConfig, IntxFakeQuantizeConfig, IntXQuantizationAwareTrainingConfig, QATConfig or FqnToConfig (QATConfig values). fqc validate unwraps it and checks the configs inside with every rule.",
    type: "object",
    properties: {
      _type: { description: "The torchao class.", anyOf: [...TORCHAO_CONFIG_TYPES, ...TORCHAO_PAIR_TYPES, ...TORCHAO_RECIPE_TYPES].map((t) => ({ const: t })) },
      _version: { ...finite({ type: "integer" }), description: "The class's serialization version (1).", examples: [1] },
      _data: { type: "object", description: "The constructor's arguments, dtypes and enums as nested {\"_type\", \"_data\"} objects." },
    },
    required: ["_type", "_data"],
    additionalProperties: false,
  };
  return {
    $schema: draft === "2020-12" ? "https://json-schema.org/draft/2020-12/schema" : "http://json-schema.org/draft-07/schema#",
    $id: draft === "2020-12" ? SCHEMA_ID_2020 : SCHEMA_ID_DRAFT07,
    title: "fqc fake-quantize config file",
    description: `A torchao (v0.12) FakeQuantizeConfig as JSON/YAML: one config, a QAT pair {"activation": ..., "weight": ...}, a recipe {"${RECIPE_KEY}": {...}} mapping tensor names to configs, or torchao's own config_to_dict JSON. Generated from fqc's vocabulary.`,
    type: "object",
    // Offered at the top level by editors (the branches below do the checking).
    properties: {
      ...Object.fromEntries(PAIR_KEYS.map((k) => [k, { description: `A QAT pair's ${k} config (torchao's ${k}_config); a file with it holds no single-config keys.`, anyOf: [{ type: "object" }, { type: "null" }] }])),
      [RECIPE_KEY]: { description: "A recipe: tensor name, module name, re:<pattern> or _default → config, QAT pair or null (torchao's FqnToConfig).", type: "object" },
    },
    if: has(RECIPE_KEY),
    then: { $ref: ref("recipeFile") },
    else: {
      if: { anyOf: PAIR_KEYS.map((k) => has(k)) },
      then: { $ref: ref("pairFile") },
      else: {
        if: has("_type"),
        then: { $ref: ref("torchaoFile") },
        else: { $ref: ref("configFile") },
      },
    },
    [defsKey]: defs,
  };
}
