/**
 * The generated JSON Schema, run with ajv (compiled once), and its errors
 * merged into the linter's findings: a schema error at a place a rule already
 * explains is dropped; the rest become readable sentences. The linter is
 * meant to explain every schema error (tests check that), so leftovers are a
 * safety net that keeps schema and linter from disagreeing silently.
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { validate as precompiled } from "./schema-validator.generated.js";
import { childPointer, parentPointer, parsePointer, unescapePointerSegment } from "../diagnostics/locate.js";
import { defineKey } from "../own-key.js";
import { DTYPE_NAMES } from "./dtypes.js";
import { isPlainObject, type Finding } from "./finding.js";
import { ruleInfo } from "./rules.js";
import { CROSS_FIELD_RULE_IDS } from "./schema-source.js";
import { MAPPING_TYPES, PAIR_KEYS, RECIPE_KEY, SCALE_PRECISIONS, ZERO_POINT_DOMAINS, ZERO_POINT_PRECISIONS } from "./vocabulary.js";

/**
 * The ajv validator for the 2020-12 schema (strict mode, all errors),
 * precompiled at build time by scripts/gen-sources.mjs: start-up pays no
 * schema compilation and the runtime needs no ajv.
 */
export function schemaValidator(): ValidateFunction {
  return precompiled as unknown as ValidateFunction;
}

const FIELD_SENTENCES: Record<string, string> = {
  dtype: `\`dtype\` must be one of ${DTYPE_NAMES[0]}..${DTYPE_NAMES[7]}, ${DTYPE_NAMES[8]}..${DTYPE_NAMES[15]}`,
  granularity: '`granularity` must be "per_token", "per_channel", "per_group", {"type": "PerToken"}, {"type": "PerAxis", "axis": 0}, {"type": "PerGroup", "group_size": N} with N > 1, or null',
  mapping_type: `\`mapping_type\` must be one of ${MAPPING_TYPES.join(", ")} or null`,
  scale_precision: `\`scale_precision\` must be one of ${SCALE_PRECISIONS.join(", ")} or null`,
  zero_point_precision: `\`zero_point_precision\` must be one of ${ZERO_POINT_PRECISIONS.join(", ")}`,
  zero_point_domain: `\`zero_point_domain\` must be one of ${ZERO_POINT_DOMAINS.join(", ")}`,
  is_dynamic: "`is_dynamic` must be true or false",
  range_learning: "`range_learning` must be true or false",
  eps: "`eps` must be a finite number or null",
  group_size: "`group_size` must be an integer greater than 1, or null",
  is_symmetric: "`is_symmetric` must be true, false or null (numbers are read by truthiness)",
  $schema: "`$schema` must be a string",
  activation: "`activation` must be a config object or null",
  weight: "`weight` must be a config object or null",
  fqn_to_config: "`fqn_to_config` must be an object mapping parameter names, module names, re:<pattern> keys and _default to a config, a QAT pair with a weight config, or null",
};

const WRAPPER_KEYWORDS = new Set(["if", "anyOf", "oneOf", "allOf", "$ref", "not"]);

interface Classified {
  /** Grouping key for de-duplication. */
  key: string;
  /** The config (or document) the error belongs to. */
  base: string;
  /** Field pointer for field-level errors. */
  field?: string;
  /** Rule id for errors of a cross-field rule. */
  ruleId?: string;
  error: ErrorObject;
}

/** The deepest config pointer at or above `p` ("" when none): a walk up `p`, not a scan of every config (a recipe may hold 200,000). */
function configBase(p: string, configs: ReadonlySet<string>): string {
  for (let q = p; q !== ""; q = parentPointer(q)) if (configs.has(q)) return q;
  return "";
}

function classify(e: ErrorObject, configs: ReadonlySet<string>): Classified {
  const p = e.instancePath;
  const base = configBase(p, configs);
  const m = /(?:\$defs|definitions)\/rules\/allOf\/(\d+)/.exec(e.schemaPath);
  if (m) {
    const ruleId = CROSS_FIELD_RULE_IDS[Number(m[1])];
    return { key: `rule:${base}:${ruleId}`, base, ruleId, error: e };
  }
  if (p !== base) {
    const seg = parsePointer(p.slice(base.length))[0];
    const field = childPointer(base, seg);
    return { key: `field:${field}`, base, field, error: e };
  }
  if (e.keyword === "additionalProperties") {
    const field = childPointer(base, String((e.params as { additionalProperty: string }).additionalProperty));
    return { key: `field:${field}`, base, field, error: e };
  }
  return { key: `object:${base}:${e.keyword}:${e.schemaPath}`, base, error: e };
}

/**
 * Schema errors for `value` that the findings do not already explain.
 * `configPointers` are the configs in the document ("" or "/activation", "/weight").
 */
export function schemaFindings(
  value: unknown,
  findings: readonly Finding[],
  configPointers: readonly string[],
  unknownIn: ReadonlyArray<{ pointer: string; known: (key: string) => boolean }> = [],
): Finding[] {
  const validate = schemaValidator();
  // A large recipe is checked a few thousand entries at a time, each part's errors judged and dropped before the next:
  // every entry of a 10 MB recipe failing kept ~85 MB of error objects alive at once.
  const parts = schemaParts(withoutUnknownKeys(value, unknownIn));
  if (parts.length === 1 && validate(parts[0])) return [];
  // Every pointer that has an error at or under it: each error pointer and its ancestors. A set, so that a file with
  // thousands of errors is not checked error against error.
  const covered = new Set<string>();
  for (const f of findings) {
    if (ruleInfo(f.ruleId).severity !== "error") continue;
    for (let p = f.pointer; !covered.has(p); p = p.slice(0, Math.max(0, p.lastIndexOf("/")))) {
      covered.add(p);
      if (p === "") break;
    }
  }
  // A pair with no config at all is reported once, as fqc/document; the schema also flags each null member of it.
  const emptyPair = findings.some((f) => f.ruleId === "fqc/document" && f.pointer === "");
  const explained = (c: Classified) =>
    covered.has(c.field ?? c.base) || (emptyPair && c.field !== undefined && valueAt(value, c.field) === null);
  const left = new Map<string, Classified>();
  const configs = new Set(configPointers);
  for (const part of parts) {
    if (validate(part)) continue;
    for (const e of validate.errors ?? []) {
      // Under a covered pointer, every error but an additionalProperties one (placed at its key) is explained
      // whatever classify says: a recipe of 200,000 failing entries classifies none of their errors.
      if (e.keyword !== "additionalProperties" && covered.has(e.instancePath)) continue;
      const c = classify(e, configs);
      if (!explained(c) && !left.has(c.key)) left.set(c.key, c);
    }
  }
  const all = [...left.values()];
  // "must match then/else schema" and friends only wrap the real errors.
  const real = all.filter((c) => c.ruleId !== undefined || c.field !== undefined || !WRAPPER_KEYWORDS.has(c.error.keyword));
  return (real.length > 0 ? real : all).map(toFinding);
}

/**
 * `value` without the unknown keys of the objects in `unknownIn` (every one
 * of them reported, or counted, as fqc/unknown-key or fqc/granularity-object:
 * errors at the key, so the schema's errors about them would all be
 * explained and dropped). ajv with allErrors would otherwise make an error
 * object per key, 500,000 for a hostile file. Dropping them removes only
 * those errors and the wrappers above them (at pointers the same findings
 * cover); the keys the schema's conditions look at (fqn_to_config,
 * activation, weight, and a torchao envelope's) stay.
 */
const SCHEMA_CONDITION_KEYS = new Set<string>([RECIPE_KEY, ...PAIR_KEYS, "_type", "_data", "_version"]);

/** Recipe entries per schema check (see schemaFindings). */
const ENTRIES_PER_PART = 4096;

/**
 * The document as one part, or a recipe with many entries as copies holding ENTRIES_PER_PART entries each (its other
 * keys in every part): each entry is checked as in the whole document, at the same instance paths, since the schema
 * constrains entries one by one and no copy is empty.
 */
function schemaParts(doc: unknown): unknown[] {
  if (!isPlainObject(doc)) return [doc];
  const entries = doc[RECIPE_KEY];
  if (!isPlainObject(entries)) return [doc];
  const keys = Object.keys(entries);
  if (keys.length <= ENTRIES_PER_PART) return [doc];
  const parts: unknown[] = [];
  for (let i = 0; i < keys.length; i += ENTRIES_PER_PART) {
    const part = Object.fromEntries(keys.slice(i, i + ENTRIES_PER_PART).map((k) => [k, entries[k]]));
    parts.push({ ...doc, [RECIPE_KEY]: part });
  }
  return parts;
}

function withoutUnknownKeys(value: unknown, unknownIn: ReadonlyArray<{ pointer: string; known: (key: string) => boolean }>): unknown {
  if (unknownIn.length === 0) return value;
  const known = new Map(unknownIn.map((u) => [u.pointer, u.known]));
  // Copy only the objects on the way to one with unknown keys; each copy keeps its keys in order.
  const copies = new Map<string, Record<string, unknown>>();
  const copyAt = (pointer: string): Record<string, unknown> | undefined => {
    const done = copies.get(pointer);
    if (done) return done;
    let original: unknown = value;
    let parent: Record<string, unknown> | undefined;
    let name = "";
    if (pointer !== "") {
      const i = pointer.lastIndexOf("/");
      parent = copyAt(pointer.slice(0, i));
      name = unescapePointerSegment(pointer.slice(i + 1));
      original = parent && Object.hasOwn(parent, name) ? parent[name] : undefined;
    }
    if (!isPlainObject(original)) return undefined;
    const keep = known.get(pointer);
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(original)) if (!keep || keep(k) || SCHEMA_CONDITION_KEYS.has(k)) defineKey(copy, k, original[k]);
    if (parent) defineKey(parent, name, copy);
    copies.set(pointer, copy);
    return copy;
  };
  for (const { pointer } of unknownIn) copyAt(pointer);
  return copies.get("") ?? value;
}

function valueAt(value: unknown, pointer: string): unknown {
  let v = value;
  for (const seg of parsePointer(pointer)) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function toFinding(c: Classified): Finding {
  if (c.ruleId) {
    return { ruleId: c.ruleId, message: ruleInfo(c.ruleId).description, pointer: c.base };
  }
  if (c.field !== undefined) {
    const name = parsePointer(c.field).pop()!;
    if (c.error.keyword === "additionalProperties" && c.error.instancePath === c.base) {
      return { ruleId: "fqc/unknown-key", message: `unknown key \`${name}\``, pointer: c.field, part: "key" };
    }
    const sentence = FIELD_SENTENCES[name] ?? `\`${name}\` ${c.error.message ?? "is invalid"}`;
    return { ruleId: "fqc/schema", message: sentence, pointer: c.field };
  }
  const e = c.error;
  const msg =
    e.keyword === "required"
      ? `missing required key \`${(e.params as { missingProperty: string }).missingProperty}\``
      : e.keyword === "type"
        ? `must be ${(e.params as { type: string }).type === "object" ? "an object" : `of type ${(e.params as { type: string }).type}`}`
        : `does not match the fqc schema (${e.message ?? e.keyword})`;
  return { ruleId: "fqc/schema", message: msg, pointer: c.base };
}
