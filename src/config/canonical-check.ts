/**
 * A canonical config, or a plan's `{ config } | { recipe }`, as a JavaScript caller passes it to the entry points
 * that apply configs (library-args.ts has the other checks; this one needs normalize).
 */
import { FqcError } from "../errors.js";
import { kindOf } from "../library-args.js";
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
    if (!(e instanceof FqcError)) throw e; // the caller's own getter
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
  const r = (v as { recipe: unknown }).recipe as { entries?: unknown } | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.entries)) {
    throw new FqcError("USAGE", `${what}.recipe must be a parsed recipe ({ entries: [...] }), not ${r !== null && typeof r === "object" && !Array.isArray(r) ? "a recipe file's object" : kindOf(r)}`, {
      hint: "Take it from normalizeDocument(text).recipe, or validate(text).document.recipe when document.kind is \"recipe\".",
    });
  }
  r.entries.forEach((e: unknown, i) => checkRecipeEntry(e, `${what}.recipe.entries[${i}]`));
  return v as { recipe: Recipe };
}

/** One entry of a recipe built by hand: a string key, and null, a canonical config or a pair with a canonical weight config. */
function checkRecipeEntry(e: unknown, what: string): void {
  const entry = e as { key?: unknown; value?: { kind?: unknown; config?: unknown; pair?: { weight?: unknown; activation?: unknown } } | null } | null;
  if (entry === null || typeof entry !== "object" || typeof entry.key !== "string") {
    throw new FqcError("USAGE", `${what} must be { key, value } with a string key, not ${entry !== null && typeof entry === "object" ? `a key that is ${kindOf(entry.key)}` : kindOf(e)}`, {
      hint: "Take the recipe from normalizeDocument(text).recipe.",
    });
  }
  const value = entry.value;
  if (value === null) return;
  if (typeof value === "object" && value.kind === "config") {
    checkCanonicalConfig(value.config, `${what}.value.config`);
    return;
  }
  if (typeof value === "object" && value.kind === "pair" && value.pair !== null && typeof value.pair === "object") {
    checkCanonicalConfig(value.pair.weight, `${what}.value.pair.weight`);
    if (value.pair.activation !== undefined) checkCanonicalConfig(value.pair.activation, `${what}.value.pair.activation`);
    return;
  }
  throw new FqcError("USAGE", `${what}.value must be null, { kind: "config", config } or { kind: "pair", pair }, not ${kindOf(value)}`, {
    hint: "Take the recipe from normalizeDocument(text).recipe.",
  });
}
