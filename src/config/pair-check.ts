/**
 * A QAT pair {"activation": ..., "weight": ...}: as a whole file, or as a
 * recipe value. Its keys, each member's constructor replay and lint rules.
 */
import { childPointer } from "../diagnostics/locate.js";
import { hasKey, isPlainObject, jsonText, type Finding } from "./finding.js";
import { lintConfig } from "./lint-rules.js";
import type { NumberKinds } from "./pyrepr.js";
import { didYouMean } from "./suggest.js";
import { checkConstructor } from "./torchao-rules.js";
import { unknownKeys, type KeyBudget } from "./unknown-keys.js";
import type { CanonicalConfig, CanonicalPair } from "./types.js";
import { PAIR_KEYS } from "./vocabulary.js";

export interface PairCheck {
  /** Construct-stage findings: pair-level problems first, then each member's constructor findings. */
  construct: Finding[];
  lint: Finding[];
  /** The members that construct. */
  pair: CanonicalPair;
  configPointers: string[];
}

/** A QAT pair at `base` (a file, or a recipe value): its keys, its members' constructors and lint rules. */
export function checkPair(value: Record<string, unknown>, base: string, kinds: NumberKinds, extraKeys: readonly string[] = [], budget?: KeyBudget): PairCheck {
  const construct: Finding[] = [];
  for (const k of unknownKeys(value, base, (k) => extraKeys.includes(k) || (PAIR_KEYS as readonly string[]).includes(k), "fqc/unknown-key", budget)) {
    const guess = didYouMean(k, PAIR_KEYS);
    construct.push({
      ruleId: "fqc/unknown-key",
      message: `unknown key \`${k}\` in a QAT pair${guess ? `; did you mean \`${guess}\`?` : ""}`,
      hint: "A QAT pair holds only `activation` and `weight` configs; a single config has no such keys.",
      pointer: childPointer(base, k),
      part: "key",
    });
  }
  const members = PAIR_KEYS.filter((r) => hasKey(value, r) && value[r] !== null);
  if (members.length === 0) {
    construct.push({ ruleId: "fqc/document", message: "a QAT pair needs at least one of `activation`, `weight`", pointer: base });
  }
  const lint: Finding[] = [];
  const pair: CanonicalPair = {};
  const configPointers: string[] = [];
  for (const role of PAIR_KEYS) {
    if (!hasKey(value, role) || value[role] === null) continue;
    const ptr = childPointer(base, role);
    const member = value[role];
    if (!isPlainObject(member)) {
      construct.push({ ruleId: "fqc/type", message: `\`${role}\` must be a config object or null, not ${describe(member)}`, pointer: ptr });
      continue;
    }
    configPointers.push(ptr);
    const c = checkConstructor(member, ptr, kinds, [], budget);
    for (const f of c.findings) construct.push(f); // not push(...): a list of 100,000+ findings overflows the call stack
    for (const f of lintConfig(member, ptr, c.resolved, kinds)) lint.push(f);
    if (c.config) pair[role] = c.config as CanonicalConfig;
  }
  return { construct, lint, pair, configPointers };
}

/** A JSON value, described for a message. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  // Only a library caller passes these (no file holds them): "undefined undefined", "bigint 5n (a BigInt)" read badly.
  if (v === undefined) return "undefined";
  if (typeof v === "bigint" || typeof v === "symbol" || typeof v === "function") return jsonText(v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${jsonText(v)}`;
  return `${typeof v === "number" ? "the number" : typeof v === "boolean" ? "the boolean" : typeof v} ${jsonText(v)}`;
}
