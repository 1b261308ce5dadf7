/**
 * A recipe file {"fqn_to_config": {KEY: VALUE, ...}}: its keys (unknown
 * top-level keys, `re:` patterns that do not translate or compile), and each
 * value — a config or a QAT pair checked by the same constructor replay and
 * lint rules as a config file, or null.
 */
import { childPointer } from "../diagnostics/locate.js";
import { hasKey, isPlainObject, type Finding } from "./finding.js";
import { lintConfig } from "./lint-rules.js";
import { checkPair, describe } from "./pair-check.js";
import type { NumberKinds } from "./pyrepr.js";
import { recipeKeyKind } from "./recipe.js";
import { compilePythonRegex } from "./recipe-regex.js";
import { didYouMean } from "./suggest.js";
import { checkConstructor } from "./torchao-rules.js";
import { unknownKeys, type KeyBudget } from "./unknown-keys.js";
import type { Recipe, RecipeEntry, RecipeValue } from "./types.js";
import { PAIR_KEYS, RECIPE_KEY, RECIPE_REGEX_PREFIX } from "./vocabulary.js";

export interface RecipeCheck {
  construct: Finding[];
  lint: Finding[];
  /** Present when every value constructs and every key compiles. */
  recipe?: Recipe;
  configPointers: string[];
}

/** A document is a recipe if it has an `fqn_to_config` key. */
export function isRecipeDocument(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && hasKey(value, RECIPE_KEY);
}

function isPairValue(v: Record<string, unknown>): boolean {
  return PAIR_KEYS.some((k) => hasKey(v, k));
}

export function checkRecipe(value: Record<string, unknown>, kinds: NumberKinds, extraKeys: readonly string[], budget?: KeyBudget): RecipeCheck {
  const construct: Finding[] = [];
  const lint: Finding[] = [];
  const configPointers: string[] = [];
  const allowed = [RECIPE_KEY, ...extraKeys];
  for (const k of unknownKeys(value, "", (k) => allowed.includes(k), "fqc/unknown-key", budget)) {
    const guess = didYouMean(k, allowed);
    construct.push({
      ruleId: "fqc/unknown-key",
      message: `unknown key \`${k}\` in a recipe${guess ? `; did you mean \`${guess}\`?` : ""}`,
      hint: `A recipe file holds \`${RECIPE_KEY}\` (and optionally \`$schema\`); the configs go inside it.`,
      pointer: childPointer("", k),
      part: "key",
    });
  }
  const base = childPointer("", RECIPE_KEY);
  const table = value[RECIPE_KEY];
  if (!isPlainObject(table)) {
    construct.push({
      ruleId: "fqc/type",
      message: `\`${RECIPE_KEY}\` must be an object mapping tensor names, re:<pattern> keys and _default to configs, not ${describe(table)}`,
      hint: `Write e.g. {"${RECIPE_KEY}": {"re:.*_proj": {"dtype": "int4", "group_size": 32}}}.`,
      pointer: base,
    });
    return { construct, lint, configPointers };
  }
  const keys = Object.keys(table);
  if (keys.length === 0) {
    lint.push({ ruleId: "lint/recipe-empty", message: `\`${RECIPE_KEY}\` is empty: the recipe leaves every tensor alone`, hint: "Add keys, or use --config to fake-quantize every Linear weight.", pointer: base });
  }
  const entries: RecipeEntry[] = [];
  let complete = construct.length === 0;
  for (const key of keys) {
    const at = childPointer(base, key);
    if (recipeKeyKind(key) === "regex") {
      const r = compilePythonRegex(key.slice(RECIPE_REGEX_PREFIX.length));
      if (!r.ok) {
        const pos = r.offset > 0 ? ` (at position ${r.offset} of the pattern)` : "";
        construct.push({
          ruleId: "fqc/recipe-regex",
          message: `\`${key}\`: ${r.message}${pos}`,
          hint: "re: keys are Python regular expressions matched in full (re.fullmatch) against the tensor name, then the module name.",
          pointer: at,
          part: "key",
        });
        complete = false;
      } else if (r.backtrackingAt !== undefined) {
        lint.push({
          ruleId: "lint/recipe-regex-backtracking",
          message: `\`${key}\`: a repeated group that itself repeats (at position ${r.backtrackingAt} of the pattern) can take exponential time on names it almost matches`,
          hint: "Remove the nesting, e.g. (a+)+ → a+, (.*)* → .*",
          pointer: at,
          part: "key",
        });
      }
    }
    const v = checkValue(table[key], at, kinds, budget);
    // Loops, not push(...): a recipe with 100,000+ findings would overflow the call stack.
    for (const f of v.construct) construct.push(f);
    for (const f of v.lint) lint.push(f);
    for (const p of v.configPointers) configPointers.push(p);
    if (v.value === undefined) complete = false;
    else entries.push({ key, value: v.value });
  }
  return { construct, lint, configPointers, recipe: complete && construct.length === 0 ? { entries } : undefined };
}

interface ValueCheck {
  construct: Finding[];
  lint: Finding[];
  configPointers: string[];
  /** undefined when it does not construct. */
  value: RecipeValue | undefined;
}

function checkValue(v: unknown, at: string, kinds: NumberKinds, budget: KeyBudget | undefined): ValueCheck {
  if (v === null) return { construct: [], lint: [], configPointers: [], value: null };
  if (!isPlainObject(v)) {
    return {
      construct: [{ ruleId: "fqc/type", message: `a recipe value must be a config object, a QAT pair or null, not ${describe(v)}`, hint: "null leaves the matching tensors alone.", pointer: at }],
      lint: [],
      configPointers: [],
      value: undefined,
    };
  }
  if (isPairValue(v)) {
    const p = checkPair(v, at, kinds, [], budget);
    const construct = [...p.construct];
    const hasActivation = hasKey(v, "activation") && v.activation !== null;
    const hasWeight = hasKey(v, "weight") && v.weight !== null;
    if (hasActivation && !hasWeight) {
      construct.unshift({
        ruleId: "fqc/recipe-activation-only",
        message: "this QAT pair has only an `activation` config: a checkpoint holds weights, not activations, so nothing would apply",
        hint: 'Add a "weight" config, or use null to leave these tensors alone.',
        pointer: at,
      });
    }
    const ok = construct.length === 0 && p.pair.weight !== undefined;
    return { construct, lint: p.lint, configPointers: p.configPointers, value: ok ? { kind: "pair", pair: { ...p.pair, weight: p.pair.weight! } } : undefined };
  }
  const c = checkConstructor(v, at, kinds, [], budget);
  const lint = lintConfig(v, at, c.resolved, kinds);
  return {
    construct: c.findings,
    lint,
    configPointers: [at],
    value: c.findings.length === 0 && c.config ? { kind: "config", config: c.config } : undefined,
  };
}
