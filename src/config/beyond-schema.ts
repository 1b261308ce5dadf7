/**
 * Where `fqc validate` and the published JSON Schema give different verdicts, by design: what the linter refuses
 * that no JSON Schema can see, and the one place the schema refuses what fqc (with `--torchao 0.18`) accepts.
 * Everywhere else a document the linter accepts is valid under both schema files, and one the schema refuses is
 * an error for the linter. The README's list is rendered from here (scripts/readme-sections.mjs); the tests run
 * every example and check that generated documents find no other difference.
 */
import type { TorchaoVersion } from "./types.js";

export interface BeyondSchema {
  /** The rules that report it; "every rule" when the schema does not look inside at all. */
  rules: readonly string[] | "every rule";
  /** What the linter checks. */
  what: string;
  /** Why JSON Schema cannot (or the schema does not). */
  why: string;
  /** A file a standard JSON/YAML parser reads to a value both schema files accept, which the linter refuses. */
  example: string;
  format: "json" | "yaml";
}

export const BEYOND_SCHEMA: readonly BeyondSchema[] = [
  {
    rules: ["fqc/syntax"],
    what: "duplicate keys, nesting deeper than 100 levels and YAML tags outside the core schema",
    why: "a validator sees the parsed value: a JSON parser keeps the last of two equal keys, a YAML parser reads an unknown tag's value as plain",
    example: '{"dtype": "int4", "group_size": 32, "dtype": "int8"}',
    format: "json",
  },
  {
    rules: ["forward/group-size"],
    what: "a group size written as a float (`32.0`, `3.2e1`)",
    why: "JSON Schema's data model has one kind of number, in which 32.0 is the integer 32; torchao receives a Python float and fails at forward",
    example: "dtype: int4\ngroup_size: 32.0\n",
    format: "yaml",
  },
  {
    rules: ["fqc/recipe-regex"],
    what: "that a recipe's `re:` key is a Python regular expression fqc can match exactly",
    why: "JSON Schema knows no Python regular expressions (its `regex` format is ECMA-262, and validators need not check formats)",
    example: '{"fqn_to_config": {"re:model\\\\.layers\\\\.(\\\\d+": null}}',
    format: "json",
  },
  {
    rules: "every rule",
    what: "the configs inside torchao's own JSON (`config_to_dict`)",
    why: "the schema checks the envelope (`_type`, an integer `_version`, `_data`), not what `_data` holds: nested `{\"_type\", \"_data\"}` envelopes, which fqc unwraps",
    example: '{"_type": "FakeQuantizeConfig", "_version": 1, "_data": {"dtype": {"_type": "torch.dtype", "_data": "int16"}, "group_size": 32}}',
    format: "json",
  },
];

/** The torchao version whose rules the schema encodes (fqc's default `--torchao`). */
export const SCHEMA_TORCHAO: TorchaoVersion = "0.12";

/** What the schema refuses that fqc accepts under another `--torchao`. */
export const SCHEMA_STRICTER = {
  torchao: "0.18" as TorchaoVersion,
  rule: "forward/range-learning-integer-zero-point",
  what: "range learning with an integer zero_point_precision on a symmetric config",
  example: '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true}',
} as const;
