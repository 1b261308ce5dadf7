/**
 * Which recipe key decides a tensor, with torchao's `FqnToConfig` precedence
 * (torchao/quantization/quant_api.py, `_fqn_to_config_handler`; see the
 * README's "Recipes" for the commit read). Pure: names in, a key out.
 *
 * A tensor `a.b.weight` is the parameter `weight` of the module `a.b`.
 * torchao decides per module, so a tensor's siblings (the other top-level
 * parameters of its module) matter: a parameter-name key for any of them
 * turns off the module-level tiers (module name, `re:` on the module name,
 * `_default`) for the whole module, as in torchao.
 */
import { FqcError } from "../errors.js";
import { checkReadableValue, checkText, checkTextList, kindOf } from "../library-args.js";
import { checkConfigObject, checkRecipeKeys, checkRecipeValue } from "./canonical-check.js";
import { PatternSet } from "./bounded-regex.js";
import { runSteps, type Steps } from "../steps.js";
import { compilePythonRegex } from "./recipe-regex.js";
import type { CanonicalConfig, Recipe, RecipeEntry, RecipeValue } from "./types.js";
import { RECIPE_DEFAULT_KEY, RECIPE_REGEX_PREFIX } from "./vocabulary.js";

export type RecipeKeyKind = "name" | "regex" | "default";

export function recipeKeyKind(key: string): RecipeKeyKind {
  checkText(key, "recipeKeyKind: key");
  if (key.startsWith(RECIPE_REGEX_PREFIX)) return "regex";
  return key === RECIPE_DEFAULT_KEY ? "default" : "name";
}

/** The tiers, highest precedence first. */
export type MatchTier = "parameter" | "module" | "parameter-regex" | "module-regex" | "default";

export interface CompiledRecipe {
  readonly recipe: Recipe;
  /** Exact-name keys (parameter or module names). */
  readonly names: ReadonlyMap<string, RecipeEntry>;
  /** `re:` keys in file order. */
  readonly patterns: readonly RecipeEntry[];
  /** The same keys compiled for a full match, matched within a time budget (bounded-regex.ts). */
  readonly matcher: PatternSet;
  readonly fallback?: RecipeEntry;
}

/** Compile every `re:` key (validate reports bad ones at their line:col first; here they throw). */
export function compileRecipe(recipe: Recipe): CompiledRecipe {
  checkRecipeKeys(recipe, "compileRecipe: recipe");
  const names = new Map<string, RecipeEntry>();
  const patterns: RecipeEntry[] = [];
  const regexes: RegExp[] = [];
  let fallback: RecipeEntry | undefined;
  for (const entry of recipe.entries) {
    const kind = recipeKeyKind(entry.key);
    if (kind === "name") names.set(entry.key, entry);
    else if (kind === "default") fallback = entry;
    else {
      const r = compilePythonRegex(entry.key.slice(RECIPE_REGEX_PREFIX.length));
      if (!r.ok) throw new FqcError("CONFIG", `recipe key ${JSON.stringify(entry.key)}: ${r.message}`, { hint: "Run fqc validate on the recipe to see where." });
      patterns.push(entry);
      regexes.push(r.regex);
    }
  }
  return { recipe, names, patterns, matcher: new PatternSet(patterns.map((p) => p.key), regexes), fallback };
}

/**
 * Find the first `re:` key of these tensor names and their module names in a
 * few batched calls (matching name by name costs ~20x more).
 */
export function primeRecipe(c: CompiledRecipe, tensorNames: readonly string[]): void {
  runSteps(primeRecipeSteps(c, tensorNames));
}

/** primeRecipe, a step per batch of regex tests (steps.ts). */
export function* primeRecipeSteps(c: CompiledRecipe, tensorNames: readonly string[]): Steps<void> {
  checkCompiled(c, "primeRecipe");
  checkTextList(tensorNames, "primeRecipe: tensorNames");
  if (c.patterns.length === 0) return;
  yield* c.matcher.primeSteps(tensorNames);
  // A module name is tried only for a weight no pattern took by its own name (resolveTensor's module-regex tier).
  const modules = new Set<string>();
  for (const n of tensorNames) {
    const { module, parameter } = splitTensorName(n);
    if (parameter === "weight" && c.matcher.firstMatch(n) < 0) modules.add(module);
  }
  yield* c.matcher.primeSteps(modules);
}

/** `a.b.weight` → module `a.b`, parameter `weight`; a name without a dot belongs to the root module "". */
export function splitTensorName(name: string): { module: string; parameter: string } {
  checkText(name, "splitTensorName: name");
  const i = name.lastIndexOf(".");
  return i < 0 ? { module: "", parameter: name } : { module: name.slice(0, i), parameter: name.slice(i + 1) };
}

export type Resolution =
  | { matched: true; tier: MatchTier; key: string; value: RecipeValue }
  | {
      matched: false;
      /**
       * Why module-level keys did not apply, when one would have: a parameter key
       * matched a sibling (`sibling`), or a module key took the module and this
       * tensor is not its weight (`moduleKey`).
       */
      blocked?: { by: "sibling-parameter-key"; sibling: string; key: string } | { by: "module-key"; key: string };
    };

function firstPattern(c: CompiledRecipe, name: string): RecipeEntry | undefined {
  if (c.patterns.length === 0) return undefined;
  const j = c.matcher.firstMatch(name);
  return j < 0 ? undefined : c.patterns[j];
}

/** The first key (in precedence order) a parameter-name tier gives `name`, exact or `re:`. */
function parameterKey(c: CompiledRecipe, name: string): string | undefined {
  return c.names.get(name)?.key ?? firstPattern(c, name)?.key;
}

/**
 * What a module's parameters give the rules for each of them: how many are
 * exact keys, and the first two (in sibling order) that a parameter-level key
 * (exact or `re:`) matches. Made once per module, so that resolving all its
 * tensors is linear in their number (a checkpoint of names without dots is one
 * module of them all).
 */
export interface ModuleKeys {
  exactCount: number;
  keyed: ReadonlyArray<{ name: string; key: string }>;
}

export function moduleKeys(c: CompiledRecipe, siblings: readonly string[]): ModuleKeys {
  checkCompiled(c, "moduleKeys");
  checkTextList(siblings, "moduleKeys: siblings");
  let exactCount = 0;
  const keyed: Array<{ name: string; key: string }> = [];
  for (const s of siblings) {
    if (c.names.has(s)) exactCount++;
    if (keyed.length < 2) {
      const k = parameterKey(c, s);
      if (k !== undefined) keyed.push({ name: s, key: k });
    }
  }
  return { exactCount, keyed };
}

/**
 * Resolve one tensor. `siblings` are the names of the tensors of the same
 * module (this one included); without them the tensor is taken as its
 * module's only parameter. `keys` is moduleKeys(c, siblings), for callers
 * that resolve every tensor of a module.
 */
export function resolveTensor(c: CompiledRecipe, name: string, siblings?: readonly string[], keys?: ModuleKeys): Resolution {
  // Each check is constant time (the planner calls this once per tensor); moduleKeys checks the siblings, once per module.
  checkCompiled(c, "resolveTensor");
  checkText(name, "resolveTensor: name");
  if (keys === undefined) {
    if (siblings !== undefined) checkTextList(siblings, "resolveTensor: siblings");
    keys = moduleKeys(c, siblings ?? [name]);
  } else checkModuleKeys(keys, "resolveTensor: keys");
  const exact = c.names.get(name);
  if (exact) return { matched: true, tier: "parameter", key: exact.key, value: exact.value };
  const { module, parameter } = splitTensorName(name);
  const isWeight = parameter === "weight";

  // torchao: an exact parameter key for any parameter of the module skips the exact module key (this one is none: it returned above).
  const exactSibling = keys.exactCount > 0;
  const moduleEntry = c.names.get(module);
  if (moduleEntry && !exactSibling) {
    if (isWeight) return { matched: true, tier: "module", key: moduleEntry.key, value: moduleEntry.value };
    // torchao returns the module here: no parameter pattern is tried for its other parameters.
    return { matched: false, blocked: { by: "module-key", key: moduleEntry.key } };
  }

  const pattern = firstPattern(c, name);
  if (pattern) return { matched: true, tier: "parameter-regex", key: pattern.key, value: pattern.value };

  // Any parameter-level match in the module (exact or pattern) skips module patterns and _default.
  const sibling = keys.keyed.find((k) => k.name !== name);
  const modulePattern = isWeight ? firstPattern(c, module) : undefined;
  const moduleLevel: RecipeEntry | undefined = isWeight ? moduleEntry ?? modulePattern ?? c.fallback : undefined;
  if (moduleLevel && sibling) return { matched: false, blocked: { by: "sibling-parameter-key", sibling: sibling.name, key: sibling.key } };
  if (modulePattern) return { matched: true, tier: "module-regex", key: modulePattern.key, value: modulePattern.value };
  if (isWeight && c.fallback) return { matched: true, tier: "default", key: c.fallback.key, value: c.fallback.value };
  return { matched: false };
}

/** Does `key` name or match this tensor by its own tier's rule (ignoring precedence)? */
export function keyMatchesTensor(c: CompiledRecipe, key: string, tensorName: string): boolean {
  checkCompiled(c, "keyMatchesTensor");
  checkText(key, "keyMatchesTensor: key");
  checkText(tensorName, "keyMatchesTensor: tensorName");
  const { module, parameter } = splitTensorName(tensorName);
  const kind = recipeKeyKind(key);
  if (kind === "default") return parameter === "weight";
  if (kind === "name") return tensorName === key || (module === key && parameter === "weight");
  const j = c.patterns.findIndex((e) => e.key === key);
  return j >= 0 && (c.matcher.matches(j, tensorName) || (parameter === "weight" && c.matcher.matches(j, module)));
}

/** Does `key` name or match anything among these tensors (by its own tier's rule)? */
export function keyMatchesAny(c: CompiledRecipe, key: string, tensorNames: readonly string[]): boolean {
  return tensorNames.some((n) => keyMatchesTensor(c, key, n));
}

/** The config a matched value applies: the config, or the pair's weight side; null leaves the tensor alone. */
export function appliedConfig(value: RecipeValue): CanonicalConfig | null {
  checkRecipeValue(value, "appliedConfig: value", checkConfigObject);
  return configOfValue(value);
}

/** appliedConfig for a value of a recipe already checked (the plan's, once per tensor). */
export function configOfValue(value: RecipeValue): CanonicalConfig | null {
  if (value === null) return null;
  return value.kind === "config" ? value.config : value.pair.weight;
}

/** The compiled recipe a JavaScript caller passes: what compileRecipe returns, checked by the fields read (constant time). */
function checkCompiled(c: unknown, fn: string): asserts c is CompiledRecipe {
  checkReadableValue(c, `${fn}: the compiled recipe`, 1, "Pass compileRecipe(recipe).");
  const r = c as Partial<CompiledRecipe> | null;
  if (r === null || typeof r !== "object" || !(r.names instanceof Map) || !Array.isArray(r.patterns) || !(r.matcher instanceof PatternSet)) {
    throw new FqcError("USAGE", `${fn}: the compiled recipe must be what compileRecipe returns, not ${r !== null && typeof r === "object" && Array.isArray((r as { entries?: unknown }).entries) ? "a recipe (compile it first)" : kindOf(c)}`, {
      hint: "Pass compileRecipe(recipe).",
    });
  }
}

function checkModuleKeys(k: unknown, what: string): asserts k is ModuleKeys {
  checkReadableValue(k, what, 1, "Pass what moduleKeys returned.");
  const m = k as Partial<ModuleKeys> | null;
  if (m === null || typeof m !== "object" || typeof m.exactCount !== "number" || !Array.isArray(m.keyed)) {
    throw new FqcError("USAGE", `${what} must be what moduleKeys returns, not ${kindOf(k)}`);
  }
}
