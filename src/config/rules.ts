/**
 * The registry of every diagnostic fqc's config checks can produce: one place
 * for rule ids, severities, descriptions and README examples.
 *
 * `stage` says where the rule sits:
 * - "syntax": the text does not parse;
 * - "construct": torchao's constructor (or Python's argument binding) refuses the config,
 *   or fqc cannot represent it; `normalize` throws on these;
 * - "forward": torchao constructs the config but every forward call fails, whatever the tensor;
 * - "lint": the config runs, but the result is degenerate or fragile;
 * - "cli": produced by `fqc validate` itself (files, --tensor), not by validating one text.
 */
import type { RuleInfo, Severity } from "../diagnostics/types.js";

export type RuleStage = "syntax" | "construct" | "forward" | "lint" | "cli";

export interface FqcRuleInfo extends RuleInfo {
  stage: RuleStage;
  /** A config that triggers the rule, for the README; empty for fqc/schema, which no config reaches (the linter pre-empts it). */
  example: string;
}

function rule(id: string, severity: Severity, stage: RuleStage, description: string, example: string): FqcRuleInfo {
  return { id, severity, stage, description, example };
}

export const RULES: FqcRuleInfo[] = [
  rule("fqc/syntax", "error", "syntax", "The file is not valid JSON or YAML (reported at the exact line and column of the syntax error); duplicate keys and nesting deeper than 100 levels count as syntax errors, in JSON as in YAML, and so does a YAML tag outside the core schema (`!!python/object:…`). JSON is strict, as Python's json module reads it: a comment or a trailing comma (JSONC, as some editors allow) is named as such, at its place.", `{"dtype": "int4", "group_size": 32,}`),
  rule("fqc/document", "error", "construct", "A config file must be a JSON/YAML object: one config, or a QAT pair {\"activation\": ..., \"weight\": ...} with at least one non-null member.", `["int4", 32]`),
  rule("fqc/unknown-key", "error", "construct", "Unknown key (torchao raises TypeError for an unknown keyword argument); suggests the closest valid key.", `{"dtype": "int8", "granularity": "per_token", "symmetric": false}`),
  rule("fqc/missing-dtype", "error", "construct", "`dtype` is required (torchao's first positional argument).", `{"group_size": 32}`),
  rule("fqc/type", "error", "construct", "A field torchao does not check has the wrong JSON type: is_dynamic/range_learning must be booleans, is_symmetric a boolean, number or null (a string such as \"false\" would silently mean SYMMETRIC), group_size a number, boolean (Python's bool is an int) or null, eps a number or null (is_symmetric and eps finite: YAML's .nan/.inf and JSON's 1e400 are no JSON number), the precisions dtype-name strings, a PerAxis axis an integer.", `{"dtype": "int4", "group_size": "32"}`),
  rule("fqc/enum", "error", "construct", "Not a known name: zero_point_domain must be INT, FLOAT or NONE; scale_precision/zero_point_precision must name a torch dtype.", `{"dtype": "int4", "group_size": 32, "zero_point_domain": "int"}`),
  rule("fqc/granularity-object", "error", "construct", "A granularity object must be {\"type\": \"PerToken\"}, {\"type\": \"PerAxis\", \"axis\": 0} or {\"type\": \"PerGroup\", \"group_size\": N} (PerTensor/PerRow/PerBlock are recognised and rejected by torchao's own rule); unknown types, missing or unknown fields are errors (an object without `type` is a dict to torchao: torchao/granularity-type).", `{"dtype": "int4", "granularity": {"type": "PerChannel"}}`),

  rule("fqc/recipe-regex", "error", "construct", "A recipe's `re:` key is not a Python regular expression fqc can match exactly: it does not compile, or uses a construct whose meaning JavaScript cannot reproduce (backreferences, atomic groups, possessive quantifiers, scoped or MULTILINE/VERBOSE flags, conditionals, \\N{...}); reported at the key.", `{"fqn_to_config": {"re:model\\\\.layers\\\\.(\\\\d+\\\\.mlp": {"dtype": "int4", "group_size": 32}}}`),
  rule("fqc/recipe-activation-only", "error", "construct", "A recipe value is a QAT pair with only an `activation` config: a checkpoint holds weights, so nothing would apply. Add a `weight` config, or write null to leave the tensors alone.", `{"fqn_to_config": {"_default": {"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}}}}`),
  rule("fqc/torchao-envelope", "error", "construct", "A file in torchao's own JSON (config_to_dict: FakeQuantizeConfig, IntxFakeQuantizeConfig, IntXQuantizationAwareTrainingConfig, QATConfig, and FqnToConfig with QATConfig values) that fqc cannot read: another class, a QATConfig built from a base_config, a FqnToConfig value that is not a QATConfig, a malformed envelope, or a QAT pair torchao's constructor refuses (an unknown keyword in its `_data`, a QATConfig `step` other than prepare/convert, or a convert step with fake-quant configs), or a FqnToConfig whose `fqn_to_config` and `module_fqn_to_config` are both written and differ (torchao's messages). Readable envelopes are unwrapped and checked like the plain form.", `{"_type": "Int4WeightOnlyConfig", "_version": 1, "_data": {"group_size": 128}}`),
  rule("torchao/zero-point-domain-null", "error", "construct", "torchao: `Please use ZeroPointDomain.NONE instead of None` (checked before everything else).", `{"dtype": "int8", "granularity": "per_token", "zero_point_domain": null}`),
  rule("torchao/group-size-conflict", "error", "construct", "torchao: `group_size` conflicts with any granularity other than \"per_group\"/null, even an equal PerGroup object.", `{"dtype": "int4", "granularity": "per_channel", "group_size": 32}`),
  rule("torchao/granularity-unsupported", "error", "construct", "torchao: `Granularity 'PerTensor()' is not supported` (PerTensor, PerRow, PerBlock).", `{"dtype": "int8", "granularity": {"type": "PerRow"}}`),
  rule("torchao/per-axis-axis", "error", "construct", "torchao: `Only axis=0 is supported for PerAxis granularity`.", `{"dtype": "int8", "granularity": {"type": "PerAxis", "axis": 1}}`),
  rule("torchao/per-group-without-group-size", "error", "construct", "torchao: `Granularity was 'per_group' but no `group_size` was set`.", `{"dtype": "int4", "granularity": "per_group"}`),
  rule("torchao/granularity-unknown-string", "error", "construct", "torchao: `Unexpected granularity: '...', must be one of ['per_token', 'per_channel', 'per_group']` (case-sensitive).", `{"dtype": "int8", "granularity": "per-token"}`),
  rule("torchao/granularity-type", "error", "construct", "torchao: `Granularity '5' has unexpected type <class 'int'>` for numbers, booleans, lists and objects without a `type` (a Python dict: `Granularity '{'group_size': 32}' has unexpected type <class 'dict'>`; 32.0 is a Python float).", `{"dtype": "int4", "granularity": 32}`),
  rule("torchao/granularity-missing", "error", "construct", "torchao: `At least one of `granularity` or `group_size` must be set`.", `{"dtype": "int8", "is_symmetric": true}`),
  rule("torchao/mapping-type-and-is-symmetric", "error", "construct", "torchao: `Cannot set both `mapping_type` and `is_symmetric`` (even when they agree).", `{"dtype": "int4", "group_size": 32, "mapping_type": "SYMMETRIC", "is_symmetric": true}`),
  rule("torchao/mapping-type-unsupported", "error", "construct", "torchao: `MappingType '...' is not supported` for SYMMETRIC_NO_CLIPPING_ERR and for any value other than SYMMETRIC/ASYMMETRIC (names are case-sensitive).", `{"dtype": "int4", "group_size": 32, "mapping_type": "symmetric"}`),
  rule("torchao/dtype-unsupported", "error", "construct", "torchao: `Unsupported dtype 'torch.int16', choose from [...]`; only int1..int8 and uint1..uint8 are accepted.", `{"dtype": "int16", "group_size": 32}`),
  rule("torchao/dynamic-range-learning", "error", "construct", "torchao: `` `is_dynamic` is not compatible with `range_learning` ``; is_dynamic defaults to true, so range learning needs an explicit \"is_dynamic\": false.", `{"dtype": "int8", "granularity": "per_channel", "range_learning": true}`),

  rule("forward/symmetric-per-token", "error", "forward", "torchao raises NotImplementedError `Symmetric per token is not supported yet` at every forward; per_token needs ASYMMETRIC (SYMMETRIC is the default).", `{"dtype": "int8", "granularity": "per_token"}`),
  rule("forward/zero-point-domain-none", "error", "forward", "torchao raises `zero_point should be None when zero_point_domain is NONE` at every forward of a per_channel/per_group config with zero_point_domain NONE.", `{"dtype": "int4", "group_size": 32, "zero_point_domain": "NONE"}`),
  rule("forward/group-size", "error", "forward", "group_size must be an integer greater than 1; torchao accepts anything at construction but fails at forward with a bare AssertionError (group_size 0, 1, negative) or a type error (fractional, or written as a float such as 32.0: a Python float); one past 2^53 (which no tensor's last dimension reaches, and which JSON readers do not keep exactly) is refused too.", `{"dtype": "int4", "group_size": 1}`),
  rule("forward/range-learning-integer-zero-point", "error", "forward", "Range learning makes the zero point a trainable Parameter; with an integer zero_point_precision (default int32) torchao v0.12 raises `Only Tensors of floating point and complex dtype can require gradients` when initialising; from v0.13 only asymmetric configs do (`--torchao 0.18`).", `{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true}`),
  rule("fqc/precision", "error", "forward", "scale_precision must be a floating dtype (float32, float16, bfloat16, float64) or null (keep the input dtype) and zero_point_precision one of int32, float32, bfloat16, float16, float64, int8, int16, int64, uint8; torchao does not check these, other dtypes do not compute meaningfully.", `{"dtype": "int4", "group_size": 32, "scale_precision": "int32"}`),

  rule("lint/asymmetric-int-domain", "warning", "lint", "Asymmetric per_channel/per_group with zero_point_domain INT is numerically broken in torchao: the tinygemm-style float zero point is truncated and added in the integer domain. Use zero_point_domain FLOAT with a float zero_point_precision.", `{"dtype": "int4", "group_size": 32, "is_symmetric": false}`),
  rule("lint/float-domain-integer-zero-point", "warning", "lint", "Asymmetric per_channel/per_group with zero_point_domain FLOAT stores the float zero point in an integer zero_point_precision, which truncates it.", `{"dtype": "uint4", "group_size": 32, "is_symmetric": false, "zero_point_domain": "FLOAT"}`),
  rule("lint/symmetric-1bit", "warning", "lint", "Symmetric int1 (INT or FLOAT domain) and uint1 (INT domain) per_channel/per_group fake quantization always outputs 0.", `{"dtype": "int1", "group_size": 16}`),
  rule("lint/symmetric-unsigned", "warning", "lint", "Symmetric unsigned per_channel/per_group with zero_point_domain INT takes the scale from the signed range and clamps to [0, 2^b-1]: every negative input becomes 0.", `{"dtype": "uint4", "group_size": 32}`),
  rule("lint/is-symmetric-number", "warning", "lint", "is_symmetric given as a number: torchao reads its truthiness (0 → ASYMMETRIC, anything else → SYMMETRIC). Strings are errors (fqc/type): \"false\" would mean SYMMETRIC.", `{"dtype": "int4", "group_size": 32, "is_symmetric": 0}`),
  rule("lint/per-token-ignores-domain", "warning", "lint", "per_token ignores zero_point_domain FLOAT/NONE: torchao always runs the INT kernel.", `{"dtype": "int8", "granularity": "per_token", "is_symmetric": false, "zero_point_domain": "FLOAT"}`),
  rule("lint/eps", "warning", "lint", "eps 0 or negative removes the minimum-scale floor: an all-zero token/group then gives NaN (a NaN or infinite eps is an error, fqc/type).", `{"dtype": "int4", "group_size": 32, "eps": 0}`),
  rule("lint/float16-scale", "warning", "lint", "scale_precision float16: for scales below 1/65520 the reciprocal overflows to inf, so zeros become NaN and other values saturate.", `{"dtype": "int4", "group_size": 32, "scale_precision": "float16"}`),
  rule("lint/zero-point-overflow", "warning", "lint", "zero_point_precision int8/uint8/int16 cannot hold every zero point this config can produce; torchao wraps them like a C cast.", `{"dtype": "uint8", "granularity": "per_token", "is_symmetric": false, "zero_point_precision": "int8"}`),

  rule("lint/schema-url", "warning", "lint", "The top-level `$schema` (or a YAML file's `# yaml-language-server: $schema=` modeline) is not fqc's schema for config files, so editors check the file against another schema or none: a URL other than fqc's (`https://fqc.dev/schema/v1/fqc.schema.json`, its draft-07 twin, or a copy named fqc.schema.json / fqc.draft-07.schema.json), JSON Schema's meta-schema, the schema of fqc.config.json, or an empty string. A local path under another name is taken as a copy.", `{"$schema": "http://json-schema.org/draft-07/schema#", "dtype": "int4", "group_size": 32}`),

  rule("lint/recipe-empty", "warning", "lint", "The recipe's `fqn_to_config` is empty: it leaves every tensor alone.", `{"fqn_to_config": {}}`),
  rule("lint/recipe-regex-backtracking", "warning", "lint", "A `re:` key repeats a group that itself contains an unbounded repeat, e.g. (a+)+ or (.*)*: matching can take exponential time on a name it almost matches.", `{"fqn_to_config": {"re:(.*_proj)+": null}}`),

  rule("fqc/io", "error", "cli", "A file could not be read (missing, a directory, permission denied) or a glob matched no file; exit status 2.", `fqc validate missing.json`),
  rule("fqc/tensor-shape", "error", "cli", "With `fqc validate --tensor t.npy`: torchao would fail at forward on this tensor (rank, group size not dividing the last dimension, per_token with a last dimension of 1, float64 input; or a dtype fqc apply does not take, such as int32), checked from the .npy header alone; with a checkpoint, for every tensor a recipe key targets, or a config targets as `fqc apply --config` would (each 2-D floating `*.weight`; a QAT pair's weight side): one diagnostic per key and problem, at that key's config (under --config and _default, which take Linear layers only, a per_group group size not dividing in_features is torchao's Linear swap refusal, `in_features (N) % group_size (G) must be == 0`, before any forward check); and a module key (exact or `re:`) taking a module whose weight is not 2-D, which torchao's QAT module swap refuses (ValueError: not a Linear or Embedding), at the key.", `{"dtype": "int4", "group_size": 48}  +  --tensor weight.npy (256, 512)`),
  rule("fqc/recipe-unmatched", "warning", "cli", "With `fqc validate recipe.json --tensor MODEL`: a recipe key matches no tensor of the model (torchao ignores it silently; usually a typo or a recipe written for another model).", `{"fqn_to_config": {"model.layers.0.mlp.up_prj": null}}  +  --tensor model.safetensors`),
  rule("fqc/recipe-shadowed", "warning", "cli", "With `fqc validate recipe.json --tensor MODEL`: a recipe key matches tensors of the model but decides none of them, because a key of higher precedence (often a broader `re:` key earlier in the file) takes each one.", `{"fqn_to_config": {"re:.*\\\\.weight": null, "re:.*_proj\\\\.weight": {"dtype": "int4", "group_size": 32}}}  +  --tensor model.safetensors`),
  rule("fqc/recipe-non-float", "error", "cli", "With `fqc validate recipe.json --tensor MODEL`: a parameter or module name key names a tensor that is not F32, F16 or BF16 (fqc passes those through; `re:` and `_default` matches skip them, and the plan says so).", `{"fqn_to_config": {"model.layers.0.mlp.up_proj.qweight": {"dtype": "int4", "group_size": 32}}}  +  --tensor model.safetensors`),
  rule("fqc/schema", "error", "construct", "A JSON Schema violation that no more specific rule explains (should not happen; reported so the schema and the linter never disagree silently).", ""),
];

export type RuleId = string;

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: RuleId): FqcRuleInfo {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`unknown rule id ${id}`);
  return r;
}
