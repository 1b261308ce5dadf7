/**
 * A config file is one config, a QAT pair {"activation": ..., "weight": ...},
 * or a recipe {"fqn_to_config": {...}}.
 * This runs the constructor replay and the lint rules on each config in it.
 */
import { childPointer } from "../diagnostics/locate.js";
import { hasKey, isPlainObject, jsonText, type Finding } from "./finding.js";
import { lintConfig } from "./lint-rules.js";
import { checkPair, describe } from "./pair-check.js";
import type { NumberKinds } from "./pyrepr.js";
import { checkRecipe, isRecipeDocument } from "./recipe-check.js";
import { ruleInfo } from "./rules.js";
import { schemaUrlFinding } from "./schema-url.js";
import { checkConstructor } from "./torchao-rules.js";
import type { CanonicalDocument } from "./types.js";
import type { KeyBudget } from "./unknown-keys.js";

/** The one top-level key a file may carry besides the config itself. */
export const SCHEMA_KEY = "$schema";

export interface DocumentCheck {
  /** Every finding; the first construct-stage finding (torchao's first error) comes first. */
  findings: Finding[];
  /** Present when every config in the file constructs (no construct-stage finding). */
  document?: CanonicalDocument;
  /** Pointers of the configs in the file ("" for a single config, "/activation", "/weight", "/fqn_to_config/<key>[/weight]"). */
  configPointers: string[];
}

/** A document is a pair if it has an `activation` or `weight` key. */
export function isPairDocument(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && (hasKey(value, "activation") || hasKey(value, "weight"));
}

/** `budget`: how many unknown keys per object become findings, and where the others are counted (default: all are findings). */
export function checkDocument(value: unknown, kinds: NumberKinds, budget?: KeyBudget): DocumentCheck {
  if (!isPlainObject(value)) {
    return {
      findings: [{
        ruleId: "fqc/document",
        message: `a config file must hold a JSON object, not ${describe(value)}`,
        // An empty YAML file (or one of comments only) is the document null: say so, the file shows no "null".
        hint: `Write e.g. {"dtype": "int4", "group_size": 32}${value === null ? " (a YAML file that is empty or holds only comments is null)" : ""}.`,
        pointer: "",
      }],
      configPointers: [],
    };
  }
  const top: Finding[] = [];
  if (hasKey(value, SCHEMA_KEY) && typeof value[SCHEMA_KEY] !== "string") {
    top.push({ ruleId: "fqc/type", message: `\`$schema\` must be a string (the schema's URL), not ${jsonText(value[SCHEMA_KEY])}`, pointer: childPointer("", SCHEMA_KEY) });
  }

  const schemaUrl = schemaUrlFinding(value);
  const topLint = schemaUrl ? [schemaUrl] : [];

  if (isRecipeDocument(value)) {
    const r = checkRecipe(value, kinds, [SCHEMA_KEY], budget);
    const construct = [...top, ...r.construct];
    return {
      findings: [...construct, ...r.lint, ...topLint],
      document: construct.length === 0 && r.recipe ? { kind: "recipe", recipe: r.recipe } : undefined,
      configPointers: r.configPointers,
    };
  }

  if (!isPairDocument(value)) {
    const c = checkConstructor(value, "", kinds, [SCHEMA_KEY], budget);
    const lint = lintConfig(value, "", c.resolved, kinds);
    const construct = [...c.findings, ...top];
    return {
      findings: [...construct, ...lint, ...topLint],
      document: construct.length === 0 && c.config ? { kind: "single", config: c.config } : undefined,
      configPointers: [""],
    };
  }

  const p = checkPair(value, "", kinds, [SCHEMA_KEY], budget);
  // torchao's first error is the first one in the first config; fqc's pair-level problems come before it.
  const construct = [...top, ...p.construct];
  return {
    findings: [...construct, ...p.lint, ...topLint],
    document: construct.length === 0 ? { kind: "pair", pair: p.pair } : undefined,
    configPointers: p.configPointers,
  };
}

/** Findings of a given stage, for callers that only care about construction. */
export function constructFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => ruleInfo(f.ruleId).stage === "construct");
}

/**
 * The error to lead with: what Python raises first (in document order:
 * activation before weight). An unexpected keyword argument is a TypeError of
 * the call itself, before the constructor body runs; then torchao's first
 * constructor ValueError, so its exact message comes first even when fqc also
 * reports wrong types elsewhere.
 */
export function torchaoFirstError(findings: readonly Finding[]): Finding | undefined {
  return findings.find((f) => f.ruleId === "fqc/unknown-key") ?? findings.find((f) => f.ruleId.startsWith("torchao/"));
}
