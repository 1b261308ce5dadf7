/**
 * A canonical config, or a plan's `{ config } | { recipe }`, as a JavaScript caller passes it to the entry points
 * that apply configs (library-args.ts has the other checks; this one needs normalize).
 */
import { FqcError } from "../errors.js";
import { checkReadableValue, kindOf } from "../library-args.js";
import { normalize } from "./normalize.js";
import type { CanonicalConfig, Recipe } from "./types.js";
import { CANONICAL_KEYS } from "./vocabulary.js";

const NORMALIZE_HINT = "Pass normalize(config): it checks the config as torchao would and fills in the defaults.";

/**
 * A canonical config, as `normalize` returns it: apply's entry points take no shorthand (its defaults depend on
 * the torchao version that constructed it). A config of that shape is normalized again (~10 µs) and must come out
 * the same: the engine reads `mapping_type !== "SYMMETRIC"` as asymmetric, so a value normalize would refuse
 * (`"bogus"`, an `eps` of `"x"`) would otherwise give a result without a word.
 */
export function checkCanonicalConfig(v: unknown, what: string): CanonicalConfig {
  checkReadableValue(v, what);
  const c = v as Partial<CanonicalConfig> | null;
  const g = c !== null && typeof c === "object" ? (c.granularity as { type?: unknown } | undefined) : undefined;
  if (c === null || typeof c !== "object" || Array.isArray(c) || typeof c.dtype !== "string" || typeof g !== "object" || g === null || typeof g.type !== "string") {
    throw new FqcError("USAGE", `${what} must be a canonical config (what normalize returns), not ${c !== null && typeof c === "object" && !Array.isArray(c) ? "a shorthand config" : kindOf(v)}`, {
      hint: NORMALIZE_HINT,
    });
  }
  let again: CanonicalConfig;
  try {
    again = normalize(c);
  } catch (e) {
    if (!(e instanceof FqcError)) throw e;
    throw new FqcError("USAGE", `${what} is not a canonical config: ${e.message}`, { hint: NORMALIZE_HINT });
  }
  for (const k of CANONICAL_KEYS) {
    const [given, canonical] = [JSON.stringify(c[k]) ?? "undefined", JSON.stringify(again[k])];
    if (given !== canonical) {
      throw new FqcError("USAGE", `${what}.${k} is ${given} where normalize gives ${canonical}: not a canonical config`, { hint: NORMALIZE_HINT });
    }
  }
  return c as CanonicalConfig;
}

/** What a plan applies: `{ config }` (canonical) or `{ recipe }` (as validate or normalizeDocument give it), one of the two. */
export function checkPlanSource(v: unknown, what: string): { config: CanonicalConfig } | { recipe: Recipe } {
  checkReadableValue(v, what, 1);
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new FqcError("USAGE", `${what} must be { config } or { recipe }, not ${kindOf(v)}`);
  }
  const has = (k: string) => Object.prototype.hasOwnProperty.call(v, k) && (v as Record<string, unknown>)[k] !== undefined;
  if (has("config") === has("recipe")) {
    throw new FqcError("USAGE", `${what} must hold either config or recipe, ${has("config") ? "not both" : "and holds neither"}`);
  }
  if (has("config")) {
    checkCanonicalConfig((v as { config: unknown }).config, `${what}.config`);
    return v as { config: CanonicalConfig };
  }
  const recipe = (v as { recipe: unknown }).recipe;
  checkRecipeKeys(recipe, `${what}.recipe`);
  recipe.entries.forEach((e, i) => checkRecipeValue(e.value, `${what}.recipe.entries[${i}].value`));
  return v as { recipe: Recipe };
}

/**
 * A parsed recipe's shape and keys, for the functions that read only its keys (compileRecipe, unmatchedRecipeKeys):
 * linear in its entries, with no config normalized (a generated recipe can name 100,000 tensors).
 */
export function checkRecipeKeys(v: unknown, what: string): asserts v is Recipe {
  checkReadableValue(v, what, 3);
  const r = v as { entries?: unknown } | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.entries)) {
    throw new FqcError("USAGE", `${what} must be a parsed recipe ({ entries: [...] }), not ${r !== null && typeof r === "object" && !Array.isArray(r) ? "a recipe file's object" : kindOf(r)}`, {
      hint: "Take it from normalizeDocument(text).recipe, or validate(text).document.recipe when document.kind is \"recipe\".",
    });
  }
  r.entries.forEach((e: unknown, i) => checkRecipeEntryKey(e, `${what}.entries[${i}]`));
}

/** One entry of a recipe built by hand: { key, value } with a string key. */
function checkRecipeEntryKey(e: unknown, what: string): void {
  const entry = e as { key?: unknown } | null;
  if (entry === null || typeof entry !== "object" || typeof entry.key !== "string") {
    throw new FqcError("USAGE", `${what} must be { key, value } with a string key, not ${entry !== null && typeof entry === "object" ? `a key that is ${kindOf(entry.key)}` : kindOf(e)}`, {
      hint: "Take the recipe from normalizeDocument(text).recipe.",
    });
  }
}

/**
 * What a recipe key applies: null, a canonical config or a pair with a canonical weight config. `checkConfig` checks
 * each config (a caller run once per tensor passes a constant-time check of its shape).
 */
export function checkRecipeValue(v: unknown, what: string, checkConfig: (c: unknown, what: string) => void = checkCanonicalConfig): void {
  checkReadableValue(v, what, 2);
  const value = v as { kind?: unknown; config?: unknown; pair?: { weight?: unknown; activation?: unknown } } | null;
  if (value === null) return;
  if (typeof value === "object" && value.kind === "config") {
    checkConfig(value.config, `${what}.config`);
    return;
  }
  if (typeof value === "object" && value.kind === "pair" && value.pair !== null && typeof value.pair === "object") {
    checkConfig(value.pair.weight, `${what}.pair.weight`);
    if (value.pair.activation !== undefined) checkConfig(value.pair.activation, `${what}.pair.activation`);
    return;
  }
  throw new FqcError("USAGE", `${what} must be null, { kind: "config", config } or { kind: "pair", pair }, not ${kindOf(value)}`, {
    hint: "Take the recipe from normalizeDocument(text).recipe.",
  });
}

/** A config's shape only (an object), in constant time: for a getter that returns it as it is. */
export function checkConfigObject(v: unknown, what: string): void {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new FqcError("USAGE", `${what} must be a config object, not ${kindOf(v)}`);
}
