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
 * What Python raises before the constructor body runs, in its order: the
 * granularity argument cannot be built (a TypeError of `PerAxis()` and the
 * like, evaluated before the call), then the call's binding (an unexpected
 * keyword argument, then the missing positional `dtype`).
 */
const RAISED_BEFORE_BODY = ["fqc/granularity-object", "fqc/unknown-key", "fqc/missing-dtype"];

function raisedRank(ruleId: string): number | undefined {
  const i = RAISED_BEFORE_BODY.indexOf(ruleId);
  if (i >= 0) return i;
  return ruleId.startsWith("torchao/") ? RAISED_BEFORE_BODY.length : undefined;
}

/** Whether the config at `config` holds a finding at `pointer`. */
function holds(config: string, pointer: string): boolean {
  return config === "" || pointer === config || pointer.startsWith(`${config}/`);
}

/** The config (one of `configPointers`, the longest that holds it) a finding at `pointer` belongs to. */
function configOf(pointer: string, configPointers: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const c of configPointers) {
    if (holds(c, pointer) && (best === undefined || c.length > best.length)) best = c;
  }
  return best;
}

/**
 * The error to lead with: what Python raises first. Configs are built in
 * document order (activation before weight), so the first config with such an
 * error decides; within it, the argument problems above come first, then
 * torchao's first constructor ValueError, so its exact message comes first
 * even when fqc also reports wrong types elsewhere. A problem outside every
 * config (an unknown key of a QAT pair) leads when it comes first.
 */
export function torchaoFirstError(findings: readonly Finding[], configPointers: readonly string[] = [""]): Finding | undefined {
  let lead: Finding | undefined;
  let leadRank = Infinity;
  let leadConfig: string | undefined;
  for (const f of findings) {
    const rank = raisedRank(f.ruleId);
    if (rank === undefined) continue;
    if (lead === undefined) {
      leadConfig = configOf(f.pointer, configPointers);
      if (leadConfig === undefined) return f;
    } else if (!holds(leadConfig!, f.pointer)) {
      break; // a later config: Python never gets to build it
    }
    if (rank < leadRank) {
      lead = f;
      leadRank = rank;
    }
  }
  return lead;
}
