/**
 * The generated JSON Schema, run with ajv (compiled once), and its errors
 * merged into the linter's findings: a schema error at a place a rule already
 * explains is dropped; the rest become readable sentences. The linter is
 * meant to explain every schema error (tests check that), so leftovers are a
 * safety net that keeps schema and linter from disagreeing silently.
 */
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { validate as precompiled } from "./schema-validator.generated.js";
import { childPointer, isUnderPointer, parsePointer } from "../diagnostics/locate.js";
import { DTYPE_NAMES } from "./dtypes.js";
import type { Finding } from "./finding.js";
import { ruleInfo } from "./rules.js";
import { CROSS_FIELD_RULE_IDS } from "./schema-source.js";
import { MAPPING_TYPES, SCALE_PRECISIONS, ZERO_POINT_DOMAINS, ZERO_POINT_PRECISIONS } from "./vocabulary.js";

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
  scale_precision: `\`scale_precision\` must be one of ${SCALE_PRECISIONS.join(", ")}`,
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

function classify(e: ErrorObject, configPointers: readonly string[]): Classified {
  const p = e.instancePath;
  let base = "";
  for (const c of configPointers) if (isUnderPointer(p, c) && c.length >= base.length) base = c;
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
export function schemaFindings(value: unknown, findings: readonly Finding[], configPointers: readonly string[]): Finding[] {
  const validate = schemaValidator();
  if (validate(value)) return [];
  const errorPointers = findings.filter((f) => ruleInfo(f.ruleId).severity === "error").map((f) => f.pointer);
  const explained = (c: Classified) =>
    c.field !== undefined
      ? errorPointers.some((p) => isUnderPointer(p, c.field!))
      : errorPointers.some((p) => isUnderPointer(p, c.base));
  const left = new Map<string, Classified>();
  for (const e of validate.errors ?? []) {
    const c = classify(e, configPointers);
    if (!explained(c) && !left.has(c.key)) left.set(c.key, c);
  }
  const all = [...left.values()];
  // "must match then/else schema" and friends only wrap the real errors.
  const real = all.filter((c) => c.ruleId !== undefined || c.field !== undefined || !WRAPPER_KEYWORDS.has(c.error.keyword));
  return (real.length > 0 ? real : all).map(toFinding);
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
