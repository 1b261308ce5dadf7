/**
 * Reading torchao's own JSON (`torchao.core.config.config_to_dict`, spec §5):
 * `{"_type": "IntXQuantizationAwareTrainingConfig" | "QATConfig" | "FakeQuantizeConfig" | "IntxFakeQuantizeConfig",
 *   "_version": 1, "_data": {...}}`, with dtypes, enums and granularities as nested envelopes.
 * It is unwrapped into fqc's plain form (one config, or an activation/weight pair) plus a map from
 * pointers in the plain form back to the envelope, so every diagnostic points into the file as written.
 */
import { childPointer, escapePointerSegment, parsePointer } from "../diagnostics/locate.js";
import type { SourceDoc } from "../diagnostics/source.js";
import { defineKey } from "../own-key.js";
import { isPlainObject, jsonText, type Finding } from "./finding.js";
import { pyRepr, VALUE_NUMBER_KINDS } from "./pyrepr.js";
import { checkConstructor } from "./torchao-rules.js";
import { GRANULARITY_TYPES as SUPPORTED_GRANULARITY_TYPES, RECIPE_KEY, TORCHAO_CONFIG_TYPES, TORCHAO_PAIR_TYPES, TORCHAO_RECIPE_TYPES, UNSUPPORTED_GRANULARITY_TYPES } from "./vocabulary.js";

type Problem = (pointer: string, message: string, hint?: string) => void;

const CONFIG_TYPES: readonly string[] = TORCHAO_CONFIG_TYPES;
// Maps, not objects: `_type` is the file's text, and "constructor" or "__proto__" must name no pair class.
const PAIR_TYPES = new Map<string, { activation: string; weight: string }>(
  TORCHAO_PAIR_TYPES.map((t) => [t, { activation: "activation_config", weight: "weight_config" }]),
);
/** Each pair class's constructor keywords (v0.12's wrapper is a plain dataclass; v0.13+ QATConfig adds base_config and step). */
const PAIR_FIELDS = new Map<string, readonly string[]>([
  ["IntXQuantizationAwareTrainingConfig", ["activation_config", "weight_config"]],
  ["QATConfig", ["base_config", "activation_config", "weight_config", "step"]],
]);
/** QATConfig's steps (QATStep's values); `step` is lower-cased first. */
const QAT_STEPS = ["prepare", "convert"];
const RECIPE_TYPES: readonly string[] = TORCHAO_RECIPE_TYPES;
const ENUM_TYPES = ["MappingType", "ZeroPointDomain"];
const ENVELOPE_KEYS = ["_type", "_version", "_data"];
/** Every granularity class torchao writes: those fake quantization refuses are read too, so the file gets torchao's message. */
const GRANULARITY_TYPES: readonly string[] = [...SUPPORTED_GRANULARITY_TYPES, ...UNSUPPORTED_GRANULARITY_TYPES];

export interface Unwrapped {
  /** fqc's plain form of the file. */
  value: unknown;
  /** Pointer in `value` → pointer in the envelope as written. */
  toOriginal: (pointer: string) => string;
  /** What fqc cannot read (unknown classes, a QATConfig built from a base_config, malformed envelopes). */
  problems: Finding[];
}

/** A top-level object in torchao's `{"_type", "_data"}` form. */
export function isTorchaoEnvelope(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && typeof v._type === "string" && "_data" in v;
}

export function unwrapTorchaoEnvelope(doc: Record<string, unknown>): Unwrapped {
  const problems: Finding[] = [];
  const type = doc._type as string;
  const data = doc._data;
  const problem = (pointer: string, message: string, hint?: string) =>
    problems.push({ ruleId: "fqc/torchao-envelope", message, hint, pointer });

  // The file's own envelope holds what config_to_dict writes and nothing else (the schema's torchaoFile says so too).
  for (const k of Object.keys(doc)) {
    if (!ENVELOPE_KEYS.includes(k)) {
      problem(childPointer("", k), `torchao's config_to_dict JSON holds only \`_type\`, \`_version\` and \`_data\` at its top, not \`${k}\``,
        k === "$schema" ? "torchao's JSON has no place for `$schema`: map the file to the schema in the editor's settings instead." : "Remove the key.");
    }
  }
  if (Object.hasOwn(doc, "_version") && !Number.isInteger(doc._version)) {
    problem("/_version", `torchao's \`_version\` must be an integer (the class's serialization version, 1), not ${jsonText(doc._version)}`);
  }

  if (!isPlainObject(data)) {
    problem("/_data", `torchao's \`_data\` of ${type} must be an object, not ${jsonText(data)}`);
    return { value: {}, toOriginal: (p) => p, problems };
  }
  if (CONFIG_TYPES.includes(type)) {
    // The plain form allows a file's `$schema` beside the config; in the envelope it would be a keyword argument.
    if (Object.hasOwn(data, "$schema")) {
      problem("/_data/$schema", `${type}.__init__() got an unexpected keyword argument '$schema'`, "torchao's JSON has no place for `$schema`: map the file to the schema in the editor's settings instead.");
    }
    return { value: unwrapConfig(data, "/_data", problem), toOriginal: (p) => configPointer({ at: "/_data", data }, p), problems };
  }
  if (RECIPE_TYPES.includes(type)) return unwrapRecipe(data);
  if (!PAIR_TYPES.has(type)) {
    problem("/_type", `fqc reads torchao's ${[...CONFIG_TYPES, ...PAIR_TYPES.keys(), ...RECIPE_TYPES].join(", ")} JSON, not ${type}`,
      "Export the QAT config itself, e.g. config_to_dict(QATConfig(activation_config=..., weight_config=...)).");
    return { value: {}, toOriginal: (p) => p, problems };
  }
  const u = unwrapPair(type, data, "/_data", problem);
  if (Object.keys(u.pair).length === 0 && problems.length === 0) {
    problem("/_data", `this ${type} has neither an activation_config nor a weight_config: nothing to fake-quantize`);
  }
  const toOriginal = (p: string): string => (p === "" ? "" : pairPointer(u.bases, parsePointer(p), "/_data"));
  return { value: u.pair, toOriginal, problems };
}

/** Where a config's `_data` is in the envelope, and what it holds as written. */
interface ConfigBase {
  at: string;
  data: Record<string, unknown>;
}

/** A QAT pair envelope's `_data` at `base`: its configs in fqc's plain form, and where each role's `_data` is. */
function unwrapPair(type: string, data: Record<string, unknown>, base: string, problem: Problem): { pair: Record<string, unknown>; bases: Record<string, ConfigBase> } {
  const keys = PAIR_TYPES.get(type)!;
  const fields = PAIR_FIELDS.get(type)!;
  // What the class's constructor refuses (torchao's QATConfig.__post_init__ for step), so fqc reads no JSON torchao could not have built.
  for (const k of Object.keys(data)) {
    if (!fields.includes(k)) problem(childPointer(base, k), `${type}.__init__() got an unexpected keyword argument '${k}'`, `${type} takes ${fields.join(", ")}.`);
  }
  let step = "prepare";
  if (fields.includes("step") && data.step !== undefined) {
    step = stepOf(data.step);
    if (!QAT_STEPS.includes(step)) problem(childPointer(base, "step"), `\`step\` must be one of ${pyRepr(QAT_STEPS)}`, `Write "prepare", not ${jsonText(data.step)}.`);
  }
  if (step === "convert" && (isPresent(data[keys.activation]) || isPresent(data[keys.weight]))) {
    problem(childPointer(base, "step"), "Cannot specify `weight_config` or `activation_config` in the convert step", 'A QATConfig with fake-quant configs is a "prepare" step.');
  }
  if (fields.includes("base_config") && isPresent(data.base_config)) {
    problem(childPointer(base, "base_config"), "a QATConfig built from a base_config derives its fake-quant configs inside torchao; fqc reads explicit activation_config/weight_config",
      "Build the QATConfig with activation_config=/weight_config= (IntxFakeQuantizeConfig) to lint or apply it with fqc.");
  }
  const pair: Record<string, unknown> = {};
  const bases: Record<string, ConfigBase> = {};
  for (const role of ["activation", "weight"] as const) {
    const key = keys[role];
    const at = childPointer(base, key);
    const member = data[key];
    if (member === undefined || member === null) continue;
    if (!isTorchaoEnvelope(member) || !CONFIG_TYPES.includes(member._type as string) || !isPlainObject(member._data)) {
      problem(at, `\`${key}\` must be a FakeQuantizeConfig/IntxFakeQuantizeConfig in torchao's JSON form, not ${jsonText(member)}`);
      continue;
    }
    bases[role] = { at: childPointer(at, "_data"), data: member._data };
    pair[role] = unwrapConfig(member._data, bases[role].at, problem);
  }
  return { pair, bases };
}

/** QATConfig's step, lower-cased as torchao does; a QATStep enum envelope by member name; "" for anything else. */
function stepOf(v: unknown): string {
  if (typeof v === "string") return v.toLowerCase();
  if (isTorchaoEnvelope(v) && v._type === "QATStep" && typeof v._data === "string" && /^(PREPARE|CONVERT)$/.test(v._data)) return v._data.toLowerCase();
  return "";
}

/** A keyword given a value (torchao checks `is not None`). */
function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** A pointer in a plain pair (segments `[role, ...rest]`) → in its envelope; `fallback` for the pair itself. */
function pairPointer(bases: Record<string, ConfigBase>, segments: string[], fallback: string): string {
  const [role, ...rest] = segments;
  const base = role === undefined ? undefined : bases[role];
  if (base === undefined) return fallback;
  return configPointer(base, rest.length ? `/${rest.map(escapePointerSegment).join("/")}` : "");
}

/**
 * torchao's FqnToConfig (ModuleFqnToConfig): `_data.fqn_to_config` (or the older `module_fqn_to_config`)
 * maps keys to a QATConfig envelope or null; in fqc's plain form, `{"fqn_to_config": {key: pair | null}}`.
 */
function unwrapRecipe(data: Record<string, unknown>): Unwrapped {
  const problems: Finding[] = [];
  const local: Problem = (p, m, h) => problems.push({ ruleId: "fqc/torchao-envelope", message: m, hint: h, pointer: p });
  const nonEmpty = (k: string) => isPlainObject(data[k]) && Object.keys(data[k] as object).length > 0;
  const field = nonEmpty("fqn_to_config") || !nonEmpty("module_fqn_to_config") ? "fqn_to_config" : "module_fqn_to_config";
  const tableAt = childPointer("/_data", field);
  // Neither table written: torchao's default, an empty one (FqnToConfig() is a valid, empty recipe).
  const table = data[field] === undefined ? {} : data[field];
  const notObject = (f: string, v: unknown) => local(childPointer("/_data", f), `torchao's \`${f}\` must be an object, not ${jsonText(v)}`);
  if (!isPlainObject(table)) {
    notObject(field, table);
    return { value: {}, toOriginal: (p) => p, problems };
  }
  // torchao's __post_init__ takes len() of both tables and refuses two unequal ones; config_to_dict writes both alike, so an
  // edit to one table only is what this catches. A second table of length 0 that is no dict ([] or "") passes its len()
  // checks and is never read: torchao takes it, so fqc does.
  const otherField = field === "fqn_to_config" ? "module_fqn_to_config" : "fqn_to_config";
  const other = data[otherField];
  const emptySized = (Array.isArray(other) || typeof other === "string") && other.length === 0;
  if (other !== undefined && !isPlainObject(other) && !emptySized) notObject(otherField, other);
  else if (nonEmpty("fqn_to_config") && nonEmpty("module_fqn_to_config") && !sameTables(table, other as Record<string, unknown>)) {
    local("/_data/module_fqn_to_config", "`fqn_to_config` and `module_fqn_to_config` are both specified and are not equal!",
      "torchao writes both tables alike: make module_fqn_to_config the same as fqn_to_config, or remove it.");
  }
  const out: Record<string, unknown> = {};
  const bases = new Map<string, Record<string, ConfigBase>>();
  for (const [key, v] of Object.entries(table)) {
    const at = childPointer(tableAt, key);
    if (v === null) {
      defineKey(out, key, null);
      continue;
    }
    if (!isTorchaoEnvelope(v) || !PAIR_TYPES.has(v._type as string) || !isPlainObject(v._data)) {
      local(at, `fqc reads QATConfig (or IntXQuantizationAwareTrainingConfig) values in a FqnToConfig, not ${isTorchaoEnvelope(v) ? String(v._type) : jsonText(v)}`,
        "Map each key to QATConfig(activation_config=..., weight_config=...) or None.");
      continue;
    }
    const u = unwrapPair(v._type as string, v._data, childPointer(at, "_data"), local);
    defineKey(out, key, u.pair);
    bases.set(key, u.bases);
  }
  const toOriginal = (p: string): string => {
    const [top, key, ...rest] = parsePointer(p);
    if (top === undefined) return "";
    if (top !== RECIPE_KEY) return "/_data";
    if (key === undefined) return tableAt;
    const at = childPointer(tableAt, key);
    const b = bases.get(key);
    return b ? pairPointer(b, rest, at) : at;
  };
  return { value: { [RECIPE_KEY]: out }, toOriginal, problems };
}

/**
 * Python's `==` of two tables as torchao builds them: dicts (key order aside) of None or QAT pair dataclasses, equal when of the
 * same class with equal fields, each fake-quant config compared as the config it constructs (`group_size: 32` and a PerGroup(32)
 * granularity are equal). A config that does not construct compares as written.
 */
function sameTables(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && samePair(a[k], b[k]));
}

function samePair(a: unknown, b: unknown): boolean {
  if (sameJson(a, b)) return true;
  if (!isTorchaoEnvelope(a) || !isTorchaoEnvelope(b) || a._type !== b._type || !isPlainObject(a._data) || !isPlainObject(b._data)) return false;
  const fields = PAIR_FIELDS.get(a._type as string);
  const [x, y] = [a._data, b._data];
  if (!fields || [...Object.keys(x), ...Object.keys(y)].some((k) => !fields.includes(k))) return false;
  const roles = PAIR_TYPES.get(a._type as string)!;
  return fields.every((f) => {
    if (f === "step") return stepOf(x.step ?? "prepare") === stepOf(y.step ?? "prepare");
    if (!isPresent(x[f]) || !isPresent(y[f])) return isPresent(x[f]) === isPresent(y[f]);
    return f === roles.activation || f === roles.weight ? sameConfig(x[f], y[f]) : sameJson(x[f], y[f]);
  });
}

function sameConfig(a: unknown, b: unknown): boolean {
  if (sameJson(a, b)) return true;
  if (!isTorchaoEnvelope(a) || !isTorchaoEnvelope(b) || a._type !== b._type || !isPlainObject(a._data) || !isPlainObject(b._data)) return false;
  const constructed = (data: Record<string, unknown>) => checkConstructor(unwrapConfig(data, "", () => undefined), "", VALUE_NUMBER_KINDS).config;
  const [p, q] = [constructed(a._data), constructed(b._data)];
  return p !== undefined && q !== undefined && sameJson(p, q);
}

/** JSON values equal as Python compares what they load to: objects by their keys in any order, 0 and -0 alike. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * A pointer inside one plain config → inside its envelope `_data`. Only a granularity written as an envelope
 * moves (`type` → `_type`, its fields under `_data`); any other value, a plain granularity object or a list
 * among them, is where it was written.
 */
function configPointer(base: ConfigBase, p: string): string {
  const [field, ...rest] = parsePointer(p);
  if (field === undefined) return base.at;
  let at = childPointer(base.at, field);
  if (rest.length > 0 && field === "granularity" && isTorchaoEnvelope(base.data[field])) {
    if (rest[0] === "type") return childPointer(at, "_type");
    at = childPointer(at, "_data");
  }
  return rest.reduce((ptr, k) => childPointer(ptr, k), at);
}

/** One config's `_data`: each field decoded from its envelope; plain values pass through. */
function unwrapConfig(data: Record<string, unknown>, base: string, problem: Problem): Record<string, unknown> {
  // fromEntries defines own keys: `out[k] = v` with k "__proto__" would set the prototype and drop the key unseen.
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decodeField(v, childPointer(base, k), problem)]));
}

function decodeField(v: unknown, at: string, problem: (p: string, m: string, h?: string) => void): unknown {
  if (!isTorchaoEnvelope(v)) return v;
  const type = v._type as string;
  const data = v._data;
  if (type === "torch.dtype" && typeof data === "string") return data;
  if (type === "TorchAODType" && typeof data === "string" && /^INT[1-7]$/.test(data)) return data.toLowerCase();
  if (ENUM_TYPES.includes(type) && typeof data === "string") return data;
  if (GRANULARITY_TYPES.includes(type) && isPlainObject(data)) return { type, ...data };
  problem(at, `fqc cannot read torchao's ${jsonText(v)} here`, "Expected torch.dtype, TorchAODType, MappingType, ZeroPointDomain or a granularity (PerToken, PerAxis, PerGroup).");
  return v;
}

/**
 * The source as fqc reads it: a torchao envelope is unwrapped, and positions,
 * literals and float-ness are looked up in the envelope as written.
 */
export function plainSource(src: SourceDoc): { src: SourceDoc; toOriginal: (p: string) => string; problems: Finding[] } {
  if (!isTorchaoEnvelope(src.value)) return { src, toOriginal: (p) => p, problems: [] };
  const u = unwrapTorchaoEnvelope(src.value);
  const mapped: SourceDoc = {
    format: src.format,
    value: u.value,
    range: (p, part) => src.range(u.toOriginal(p), part),
    isFloat: (p) => src.isFloat(u.toOriginal(p)),
    literal: (p) => src.literal(u.toOriginal(p)),
  };
  if (src.keysInOrder) mapped.keysInOrder = (p) => src.keysInOrder!(u.toOriginal(p));
  if (src.prepareRanges) mapped.prepareRanges = (pointers) => src.prepareRanges!([...pointers].map(u.toOriginal));
  return { src: mapped, toOriginal: u.toOriginal, problems: u.problems };
}
