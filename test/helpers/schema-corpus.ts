/**
 * Documents to run through JSON Schema validators other than fqc's own, each compared with ajv's verdict on the
 * same published schema file: the examples as shipped, the conformance configs, README's rule examples, every
 * shorthand form, pairs, recipes with odd keys, numbers at the edges (as JSON text: a validator reads them with its
 * own JSON reader), non-finite numbers only YAML can write, generated documents, and project settings.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { BEYOND_SCHEMA } from "../../src/config/beyond-schema.js";
import { RULES } from "../../src/config/rules.js";
import { documentArb } from "./config-arbitraries.js";
import { CONFORMANCE, ROOT } from "./cli.js";

export interface CorpusDoc {
  id: string;
  /** Which schema file judges it: fqc.schema.json and its draft-07 twin, or fqc.config.schema.json. */
  schema: "config" | "settings";
  format: "json" | "yaml";
  text: string;
}

/** The value a JavaScript reader gets from the text (the one ajv and other JS validators judge). */
export function parseDoc(d: CorpusDoc): unknown {
  return d.format === "json" ? JSON.parse(d.text) : YAML.parse(d.text);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Own keys only, so `__proto__` stays data. */
function objectOf(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const GRANULARITIES: ReadonlyArray<Record<string, unknown>> = [
  { granularity: "per_token" }, { granularity: { type: "PerToken" } }, { granularity: "per_channel" }, { granularity: { type: "PerAxis", axis: 0 } },
  { granularity: "per_group", group_size: 32 }, { group_size: 32 }, { granularity: { type: "PerGroup", group_size: 32 } }, { granularity: null, group_size: 64 },
  { granularity: { type: "PerGroup", group_size: 128 }, group_size: null }, {},
];
const MAPPINGS: ReadonlyArray<Record<string, unknown>> = [
  {}, { mapping_type: "SYMMETRIC" }, { mapping_type: "ASYMMETRIC" }, { mapping_type: null }, { is_symmetric: true }, { is_symmetric: false },
  { is_symmetric: 0 }, { is_symmetric: 1 }, { is_symmetric: 0.5 }, { is_symmetric: null }, { mapping_type: null, is_symmetric: false }, { mapping_type: "ASYMMETRIC", is_symmetric: null },
];
const EXTRAS: ReadonlyArray<Record<string, unknown>> = [
  {}, { zero_point_domain: "FLOAT", zero_point_precision: "float32" }, { zero_point_domain: "NONE" }, { scale_precision: null }, { scale_precision: "float16" },
  { is_dynamic: false, range_learning: true, zero_point_precision: "bfloat16" }, { is_dynamic: false, range_learning: true }, { eps: 1e-6 }, { eps: 0 }, { eps: null },
];
const RECIPE_KEYS = [
  "_default", "lm_head", "model.embed_tokens.weight", "re:model\\.layers\\.\\d+\\.mlp\\..+_proj", "re:(?P<x>a)(?P=x)", "re:(?<=a)b", "re:\\p{L}+", "re:\\u{1F600}",
  "re:(?i)lm_head", "re:(", "re:", "$schema", "$ref", "$id", "__proto__", "constructor", "", "ключ", "層.0", "😀.weight", "re:層\\.\\w+", "a\u0000b", "re:(?s).*",
];
const RECIPE_VALUES: readonly unknown[] = [
  null, { dtype: "int4", group_size: 32 }, { weight: { dtype: "int4", group_size: 32 } }, { activation: { dtype: "int8", granularity: "per_token", is_symmetric: false } },
  { activation: null, weight: null }, { dtype: null }, {},
];
/** JSON number texts, each read by the validator's own JSON reader: floats spelling integers, -0, past the largest double, past 2^53. */
const NUMBERS = [
  "32", "32.0", "3.2e1", "-0", "-0.0", "1e400", "-1e400", "1.7976931348623157e308", "1.7976931348623159e308", "9007199254740991", "9007199254740992",
  "9007199254740993", "9007199254740991.4", `1${"0".repeat(400)}`, `-1${"0".repeat(400)}`, "1e-400", "5e-324", "0.5", "2", "1", "0", "-1", "true", "null", '"32"',
];
const NUMBER_PLACES = [
  (n: string) => `{"dtype": "int4", "group_size": ${n}}`,
  (n: string) => `{"dtype": "int4", "group_size": 32, "eps": ${n}}`,
  (n: string) => `{"dtype": "int8", "granularity": "per_token", "is_symmetric": ${n}}`,
  (n: string) => `{"dtype": "int8", "group_size": 32, "is_symmetric": ${n}}`,
  (n: string) => `{"dtype": "int8", "granularity": {"type": "PerAxis", "axis": ${n}}}`,
  (n: string) => `{"dtype": "int8", "granularity": {"type": "PerGroup", "group_size": ${n}}}`,
  (n: string) => `{"_type": "FakeQuantizeConfig", "_version": ${n}, "_data": {}}`,
];
/** YAML's NaN and infinities (no JSON text holds them) at every place a number goes. */
const NON_FINITE_PLACES = [
  (n: string) => `dtype: int4\ngroup_size: ${n}\n`,
  (n: string) => `dtype: int4\ngroup_size: 32\neps: ${n}\n`,
  (n: string) => `dtype: int8\ngranularity: per_token\nis_symmetric: ${n}\n`,
  (n: string) => `dtype: int8\ngroup_size: 32\nis_symmetric: ${n}\n`,
  (n: string) => `dtype: int8\ngranularity:\n  type: PerAxis\n  axis: ${n}\n`,
  (n: string) => `dtype: int8\ngranularity:\n  type: PerGroup\n  group_size: ${n}\n`,
  (n: string) => `_type: FakeQuantizeConfig\n_version: ${n}\n_data: {}\n`,
  (n: string) => `weight:\n  dtype: int4\n  group_size: 32\n  eps: ${n}\n`,
  (n: string) => `fqn_to_config:\n  lm_head:\n    weight:\n      dtype: int8\n      granularity: per_channel\n      is_symmetric: ${n}\n`,
];

/** Scalars YAML 1.2's core schema reads otherwise than YAML 1.1 (which some Python readers follow) or JSON would. */
const YAML_SCALARS = [
  "dtype: int4\ngroup_size: 0x20\n", "dtype: int4\ngroup_size: 0o40\n", "dtype: int4\ngroup_size: 1_000\n", "dtype: int4\ngroup_size: +32\n",
  "dtype: int4\ngroup_size: 32\nis_symmetric: yes\n", "dtype: int4\ngroup_size: 32\nis_dynamic: on\n", "dtype: int4\ngroup_size: 32\nis_dynamic: True\n",
  "dtype: int4\ngroup_size: 32\nmapping_type: ~\n", "dtype: int4\ngroup_size: 32\nscale_precision: Null\n", "dtype: int4\ngroup_size: 2020-12-01\n",
  "dtype: int4\ngroup_size: 32\neps: 1e-6\n", "dtype: int4\ngroup_size: 32.0\n", "fqn_to_config:\n  1: null\n  true: null\n",
];

/** The corpus, with `generated` documents drawn by fast-check (its global seed: FQC_FC_SEED pins them). */
export function schemaCorpus(generated = 1500): CorpusDoc[] {
  const docs: CorpusDoc[] = [];
  // A value as JSON text; YAML text of the same value would give every validator the same value again.
  const add = (id: string, value: unknown, schema: CorpusDoc["schema"] = "config") => docs.push({ id, schema, format: "json", text: JSON.stringify(value, null, 2) });
  for (const p of filesUnder(path.join(ROOT, "examples"))) {
    const format = p.endsWith(".json") ? "json" : /\.ya?ml$/.test(p) ? "yaml" : undefined;
    if (format) docs.push({ id: path.relative(ROOT, p), schema: "config", format, text: readFileSync(p, "utf8") });
  }
  const conformance = (name: string) => JSON.parse(readFileSync(path.join(CONFORMANCE, name), "utf8")) as Array<{ id: string; config: unknown; normalized?: unknown }>;
  for (const c of (JSON.parse(readFileSync(path.join(CONFORMANCE, "manifest.json"), "utf8")) as { cases: Array<{ id: string; config: unknown }> }).cases) add(`manifest ${c.id}`, c.config);
  for (const name of ["normalize.json", "invalid.json", "forward_errors.json"]) {
    for (const c of conformance(name)) {
      add(`${name} ${c.id}`, c.config);
      if (c.normalized !== undefined) add(`${name} ${c.id} normalized`, c.normalized);
    }
  }
  // Those that are JSON documents (not fqc/syntax's, nor a command line).
  for (const r of RULES) if (isJson(r.example)) docs.push({ id: `README example of ${r.id}`, schema: "config", format: "json", text: r.example });
  for (const b of BEYOND_SCHEMA) docs.push({ id: `README beyond-schema example: ${b.what}`, schema: "config", format: b.format, text: b.example });
  for (const g of GRANULARITIES) for (const m of MAPPINGS) for (const x of EXTRAS) add(`form ${JSON.stringify({ ...g, ...m, ...x })}`, { dtype: "int4", ...g, ...m, ...x });
  const members: unknown[] = [{ dtype: "int8", granularity: "per_token", is_symmetric: false }, { dtype: "int4", group_size: 32 }, null, {}, undefined];
  for (const a of members) for (const w of members) {
    const pair = objectOf([...(a === undefined ? [] : [["activation", a] as const]), ...(w === undefined ? [] : [["weight", w] as const])]);
    add(`pair ${JSON.stringify(pair)}`, pair);
    add(`pair with $schema ${JSON.stringify(pair)}`, { $schema: "../schema/fqc.schema.json", ...pair });
  }
  for (const k of RECIPE_KEYS) for (const v of RECIPE_VALUES) add(`recipe key ${JSON.stringify(k)}: ${JSON.stringify(v)}`, { fqn_to_config: objectOf([[k, v]]) });
  for (const v of [null, [], {}, 1, "x"]) add(`recipe body ${JSON.stringify(v)}`, { fqn_to_config: v });
  for (const v of [null, 1, "x", [], {}, { $schema: "x" }, { _type: "FakeQuantizeConfig", _data: {} }, { _type: 1, _data: {} }]) add(`document ${JSON.stringify(v)}`, v);
  for (const n of NUMBERS) NUMBER_PLACES.forEach((place, i) => docs.push({ id: `number ${n.slice(0, 24)} at place ${i}`, schema: "config", format: "json", text: place(n) }));
  for (const n of [".nan", ".NaN", ".inf", "-.inf", "+.Inf"]) NON_FINITE_PLACES.forEach((place, i) => docs.push({ id: `YAML ${n} at place ${i}`, schema: "config", format: "yaml", text: place(n) }));
  for (const y of YAML_SCALARS) docs.push({ id: `YAML scalar ${JSON.stringify(y)}`, schema: "config", format: "yaml", text: y });
  fc.sample(documentArb, generated).forEach((d, i) => add(`generated ${i}`, d));
  const settings: unknown[] = [
    {}, { rules: {} }, { rules: { "lint/eps": "warning" } }, { rules: { "fqc/syntax": "off" } }, { rules: { "": "off" } }, { rules: objectOf([["__proto__", "off"]]) },
    { ignorePatterns: [] }, { ignorePatterns: [""] }, { ignorePatterns: ["legacy/**", "ключ/*.json", "😀"] }, { ignorePatterns: "x" }, { errorOnUnmatchedPattern: false },
    { errorOnUnmatchedPattern: 0 }, { $schema: "./node_modules/fqc/schema/fqc.config.schema.json" }, { other: 1 }, { rules: [] }, null, [], 1,
  ];
  for (const r of RULES) for (const level of ["off", "warn", "error", "Off", 0, null]) settings.push({ rules: { [r.id]: level } });
  settings.forEach((s, i) => add(`settings ${i}`, s, "settings"));
  return docs;
}
