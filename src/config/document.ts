/**
 * A config file is one config or a QAT pair {"activation": ..., "weight": ...}.
 * This runs the constructor replay and the lint rules on each config in it.
 */
import { childPointer } from "../diagnostics/locate.js";
import { hasKey, isPlainObject, jsonText, type Finding } from "./finding.js";
import { lintConfig } from "./lint-rules.js";
import type { NumberKinds } from "./pyrepr.js";
import { ruleInfo } from "./rules.js";
import { didYouMean } from "./suggest.js";
import { checkConstructor } from "./torchao-rules.js";
import type { CanonicalConfig, CanonicalDocument, CanonicalPair } from "./types.js";
import { PAIR_KEYS } from "./vocabulary.js";

/** The one top-level key a file may carry besides the config itself. */
export const SCHEMA_KEY = "$schema";

export interface DocumentCheck {
  /** Every finding; the first construct-stage finding (torchao's first error) comes first. */
  findings: Finding[];
  /** Present when every config in the file constructs (no construct-stage finding). */
  document?: CanonicalDocument;
  /** Pointers of the configs in the file ("" for a single config, "/activation", "/weight"). */
  configPointers: string[];
}

/** A document is a pair if it has an `activation` or `weight` key. */
export function isPairDocument(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && (hasKey(value, "activation") || hasKey(value, "weight"));
}

export function checkDocument(value: unknown, kinds: NumberKinds): DocumentCheck {
  if (!isPlainObject(value)) {
    return {
      findings: [{ ruleId: "fqc/document", message: `a config file must hold a JSON object, not ${describe(value)}`, hint: 'Write e.g. {"dtype": "int4", "group_size": 32}.', pointer: "" }],
      configPointers: [],
    };
  }
  const top: Finding[] = [];
  if (hasKey(value, SCHEMA_KEY) && typeof value[SCHEMA_KEY] !== "string") {
    top.push({ ruleId: "fqc/type", message: `\`$schema\` must be a string (the schema's URL), not ${jsonText(value[SCHEMA_KEY])}`, pointer: childPointer("", SCHEMA_KEY) });
  }

  if (!isPairDocument(value)) {
    const c = checkConstructor(value, "", kinds, [SCHEMA_KEY]);
    const lint = lintConfig(value, "", c.resolved, kinds);
    const construct = [...c.findings, ...top];
    return {
      findings: [...construct, ...lint],
      document: construct.length === 0 && c.config ? { kind: "single", config: c.config } : undefined,
      configPointers: [""],
    };
  }

  for (const k of Object.keys(value)) {
    if (k === SCHEMA_KEY || (PAIR_KEYS as readonly string[]).includes(k)) continue;
    const guess = didYouMean(k, PAIR_KEYS);
    top.push({
      ruleId: "fqc/unknown-key",
      message: `unknown key \`${k}\` in a QAT pair${guess ? `; did you mean \`${guess}\`?` : ""}`,
      hint: "A pair file holds only `activation` and `weight` configs; a single config has no such keys.",
      pointer: childPointer("", k),
      part: "key",
    });
  }
  const members = PAIR_KEYS.filter((r) => hasKey(value, r) && value[r] !== null);
  if (members.length === 0) {
    top.push({ ruleId: "fqc/document", message: "a QAT pair needs at least one of `activation`, `weight`", pointer: "" });
  }
  const construct: Finding[] = [...top];
  const lint: Finding[] = [];
  const pair: CanonicalPair = {};
  const configPointers: string[] = [];
  for (const role of PAIR_KEYS) {
    if (!hasKey(value, role) || value[role] === null) continue;
    const ptr = childPointer("", role);
    const member = value[role];
    if (!isPlainObject(member)) {
      construct.push({ ruleId: "fqc/type", message: `\`${role}\` must be a config object or null, not ${describe(member)}`, pointer: ptr });
      continue;
    }
    configPointers.push(ptr);
    const c = checkConstructor(member, ptr, kinds);
    for (const f of c.findings) construct.push(f); // not push(...): a list of 100,000+ findings overflows the call stack
    for (const f of lintConfig(member, ptr, c.resolved, kinds)) lint.push(f); // not push(...): a list of 100,000+ findings overflows the call stack
    if (c.config) pair[role] = c.config as CanonicalConfig;
  }
  // torchao's first error is the first one in the first config; fqc's pair-level problems come before it.
  return {
    findings: [...construct, ...lint],
    document: construct.length === 0 ? { kind: "pair", pair } : undefined,
    configPointers,
  };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${jsonText(v)}`;
  return `${typeof v === "number" ? "the number" : typeof v === "boolean" ? "the boolean" : typeof v} ${jsonText(v)}`;
}

/** Findings of a given stage, for callers that only care about construction. */
export function constructFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => ruleInfo(f.ruleId).stage === "construct");
}

/**
 * The error to lead with: torchao's first constructor ValueError (in document
 * order: activation before weight), so its exact message comes first even when
 * fqc also reports unknown keys or wrong types elsewhere.
 */
export function torchaoFirstError(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.ruleId.startsWith("torchao/"));
}
