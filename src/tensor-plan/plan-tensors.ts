/**
 * The plan: what happens to each tensor of a checkpoint under a recipe or a
 * single config, decided from names, dtypes and shapes alone (no data, no
 * I/O). apply, `--dry-run`, report and `validate --tensor` all read it, so
 * they agree on every decision and every refusal.
 */
import { FLOAT_TENSOR_DTYPES, type TensorDtype, type TensorInfo } from "../checkpoint/types.js";
import {
  compileRecipe, configOfValue, moduleKeys, primeRecipeSteps, recipeKeyKind, resolveTensor, splitTensorName, type CompiledRecipe, type MatchTier, type ModuleKeys,
} from "../config/recipe.js";
import type { CanonicalConfig, Recipe, TorchaoVersion } from "../config/types.js";
import { findForwardProblems, groupAlternatives } from "../quant/forward-problems.js";
import { COMPUTE_DTYPE, isFloatTensorDtype } from "../checkpoint/tensor-values.js";
import { FqcError } from "../errors.js";
import { plural } from "../plural.js";
import { checkEach, checkShape, checkTorchao, kindOf, optionNames, optionsObject } from "../library-args.js";
import { checkPlanSource, checkRecipeKeys } from "../config/canonical-check.js";
import { runSteps, runStepsYielding, type Steps } from "../steps.js";

/** Every option planTensors takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<PlanOptions>()(["torchao", "loneTensor"]);

export type PlanSource = { config: CanonicalConfig } | { recipe: Recipe };

export interface PlanOptions {
  /** torchao version whose forward checks apply (default 0.12). */
  torchao?: TorchaoVersion;
  /**
   * The tensors are a lone .npy file's (one tensor, named after the file): a `--config` targets it whatever its
   * name and rank, as `fqc apply IN.npy OUT.npy -c CFG` does, and one that is not F32/F16/BF16 is an error, not
   * passed through. Recipes are unaffected.
   */
  loneTensor?: boolean;
}

/** The key name a plan shows for `--config` (no recipe). */
export const CONFIG_KEY = "--config";

export type SkipReason =
  /** The matching key's value is null. */
  | "null-value"
  /** No key matched (or, with --config, nothing to match). */
  | "no-match"
  /** A module-level key matched, but torchao skips it for this module (see `note`). */
  | "blocked"
  /** Matched by re:/_default/--config, but the dtype is not F32/F16/BF16: passed through. */
  | "non-float"
  /**
   * --config or _default: not a 2-D `*.weight` (torchao's default targets Linear layers); or a module key took a
   * module whose weight is not 2-D, which torchao's QAT module swap refuses (an error then).
   */
  | "not-linear-weight";

export interface PlanIssue {
  message: string;
  hint?: string;
  /** The Python exception torchao raises, for forward problems. */
  torchaoError?: string;
  /** The config key at fault when it is not the granularity. */
  key?: string;
}

export interface TensorPlanEntry {
  readonly tensor: TensorInfo;
  readonly action: "quantize" | "skip";
  /** The recipe key that decided, or "--config"; absent when nothing matched. */
  readonly key?: string;
  /** Which precedence tier the key matched in ("config" for --config). */
  readonly tier?: MatchTier | "config";
  /** The config applied (the weight side of a QAT pair); present when action is "quantize". */
  readonly config?: CanonicalConfig;
  readonly reason?: SkipReason;
  /** Why, in words: set for every skip. */
  readonly note?: string;
  /** Problems that must stop apply before anything is written. */
  readonly errors: readonly PlanIssue[];
}

/**
 * A plan as planTensors returns it, from a JavaScript caller: an array of entries, each checked by the fields the
 * summaries and renderers read (a tensor with a string name and an array shape, an action, an array of errors).
 */
export function checkPlanEntries(v: unknown, what: string): asserts v is readonly TensorPlanEntry[] {
  checkEach(v, what, " (what planTensors returns)", (x, i, list) => {
    const e = x as Partial<TensorPlanEntry> | null;
    const t = e !== null && typeof e === "object" ? e.tensor : undefined;
    if (e === null || typeof e !== "object" || t === null || typeof t !== "object" || typeof t.name !== "string" || !Array.isArray(t.shape)
      || (e.action !== "quantize" && e.action !== "skip") || !Array.isArray(e.errors)) {
      throw new FqcError("USAGE", `${what}[${i}] must be a plan entry (what planTensors returns), not ${i in list ? kindOf(e) : "missing (a hole in a sparse array)"}`);
    }
  }, "Pass the plan planTensors returned.");
}

export function isFloatDtype(dtype: TensorDtype): boolean {
  return FLOAT_TENSOR_DTYPES.includes(dtype);
}

function isLinearWeight(t: TensorInfo): boolean {
  return t.shape.length === 2 && splitTensorName(t.name).parameter === "weight";
}

function notLinearNote(t: TensorInfo, who: string): string {
  const what = splitTensorName(t.name).parameter !== "weight" ? "not a *.weight" : `${t.shape.length}-D`;
  return `${who} targets Linear weights (2-D *.weight); this tensor is ${what}`;
}

/**
 * A module key hands the whole module to torchao's QAT handler (qat/api.py `_qat_config_transform`), which swaps
 * Linear and Embedding modules and raises for any other: a module whose weight is not 2-D is neither, whatever the
 * config's granularity.
 */
function moduleSwapIssue(t: TensorInfo, key: string): PlanIssue {
  const { module } = splitTensorName(t.name);
  return {
    message: `recipe key \`${key}\` takes the module ${module === "" ? "at the root" : module} whole, and its weight is ${t.shape.length}-D: torchao's QAT module swap takes Linear and Embedding modules (2-D weights) only (torchao raises ValueError: Module of type ... does not have QAT support)`,
    hint: `Key the parameter itself (\`${t.name}\`) to fake-quantize this tensor as it is, or map the module to null to leave it alone.`,
    torchaoError: "ValueError",
  };
}

/** `refused`: the tensor was asked for by name (an exact key, a lone .npy), so the run stops rather than copy it. */
function nonFloatNote(t: TensorInfo, refused = false): string {
  return `dtype ${t.dtype}: fqc fake-quantizes F32, F16 and BF16 tensors only${refused ? "" : "; passed through unchanged"}`;
}

function forwardIssues(config: CanonicalConfig, t: TensorInfo, opts: PlanOptions): PlanIssue[] {
  // A checkpoint tensor is computed in its own dtype (no --compute-dtype there).
  const compute = isFloatTensorDtype(t.dtype) ? COMPUTE_DTYPE[t.dtype] : undefined;
  return findForwardProblems(config, t.shape, opts.torchao, compute).map((p) => {
    const issue: PlanIssue = { message: p.message };
    if (p.hint) issue.hint = p.hint;
    if (p.torchaoError) issue.torchaoError = p.torchaoError;
    if (p.key) issue.key = p.key;
    return issue;
  });
}

/**
 * torchao swaps a Linear for a FakeQuantizedLinear before any forward, and that constructor refuses a per_group
 * weight config whose group size does not divide in_features (qat/linear.py): the first error a QAT run on the
 * weight meets, so it stands for the forward ones (which would only follow once it is fixed).
 */
function linearSwapIssue(config: CanonicalConfig, t: TensorInfo): PlanIssue | undefined {
  if (config.granularity.type !== "PerGroup" || t.shape.length !== 2) return undefined;
  const g = Number(config.granularity.group_size); // true/false are Python's 1/0: never an issue here
  const inFeatures = t.shape[1];
  // Python's `in_features % 0` raises ZeroDivisionError instead; the forward checks word a group size of 0.
  if (!Number.isInteger(g) || g === 0 || inFeatures % g === 0) return undefined;
  return {
    message: `in_features (${inFeatures}) % group_size (${g}) must be == 0`,
    hint: `torchao raises this ValueError when it swaps the Linear holding this weight for a FakeQuantizedLinear. ${groupAlternatives(inFeatures, g)}`,
    torchaoError: "ValueError",
  };
}

function quantize(t: TensorInfo, key: string, tier: MatchTier | "config", config: CanonicalConfig, opts: PlanOptions): TensorPlanEntry {
  // --config and _default take Linear layers only (torchao's default filter); a lone .npy is a bare tensor, and a
  // module or parameter key may take an Embedding, whose swap checks nothing.
  const swap = !opts.loneTensor && (tier === "config" || tier === "default") ? linearSwapIssue(config, t) : undefined;
  return { tensor: t, action: "quantize", key, tier, config, errors: swap ? [swap] : forwardIssues(config, t, opts) };
}

function skip(t: TensorInfo, reason: SkipReason, note: string, extra: { key?: string; tier?: MatchTier | "config"; errors?: PlanIssue[] } = {}): TensorPlanEntry {
  const e: { -readonly [K in keyof TensorPlanEntry]: TensorPlanEntry[K] } = { tensor: t, action: "skip", reason, note, errors: extra.errors ?? [] };
  if (extra.key !== undefined) e.key = extra.key;
  if (extra.tier !== undefined) e.tier = extra.tier;
  return e;
}

/** Without a recipe: every 2-D floating `*.weight`, as torchao's default filter takes every Linear (a lone .npy: its tensor). */
function planWithConfig(t: TensorInfo, config: CanonicalConfig, opts: PlanOptions): TensorPlanEntry {
  const extra = { key: CONFIG_KEY, tier: "config" as const };
  if (opts.loneTensor) {
    if (isFloatDtype(t.dtype)) return quantize(t, CONFIG_KEY, "config", config, opts);
    // The command line names this tensor: an integer (or float64) one is a mistake, not something to copy quietly.
    return skip(t, "non-float", nonFloatNote(t, true), {
      ...extra,
      errors: [{
        message: `dtype ${t.dtype}: fqc fake-quantizes F32, F16 and BF16 tensors only`,
        hint: t.dtype === "F64"
          ? "torchao refuses float64 input too (Unsupported input dtype: torch.float64); give it a compute dtype on the .npy path (`fqc apply IN.npy OUT.npy --compute-dtype float32` without checkpoint options, or applyFile with computeDtype), or save the tensor as float32."
          : "Convert the tensor first, e.g. np.save(path, x.astype(np.float32)).",
      }],
    });
  }
  if (!isLinearWeight(t)) return skip(t, "not-linear-weight", notLinearNote(t, CONFIG_KEY), extra);
  if (!isFloatDtype(t.dtype)) return skip(t, "non-float", nonFloatNote(t), extra);
  return quantize(t, CONFIG_KEY, "config", config, opts);
}

function planWithRecipe(t: TensorInfo, c: CompiledRecipe, siblings: readonly string[], keys: ModuleKeys, opts: PlanOptions): TensorPlanEntry {
  const r = resolveTensor(c, t.name, siblings, keys);
  if (!r.matched) {
    if (r.blocked?.by === "sibling-parameter-key") {
      return skip(t, "blocked", `the parameter key \`${r.blocked.key}\` matches ${r.blocked.sibling}, so torchao skips module keys and _default for its whole module`);
    }
    if (r.blocked?.by === "module-key") {
      return skip(t, "blocked", `the module key \`${r.blocked.key}\` takes this module: torchao applies it to the weight and tries no parameter pattern on the module's other parameters`);
    }
    return skip(t, "no-match", "no recipe key matches");
  }
  const extra = { key: r.key, tier: r.tier };
  const config = configOfValue(r.value);
  if (config === null) return skip(t, "null-value", `\`${r.key}\` is null: left alone`, extra);
  if (r.tier === "default" && !isLinearWeight(t)) return skip(t, "not-linear-weight", notLinearNote(t, r.key), extra);
  if ((r.tier === "module" || r.tier === "module-regex") && t.shape.length !== 2) {
    return skip(t, "not-linear-weight", notLinearNote(t, r.key), { ...extra, errors: [moduleSwapIssue(t, r.key)] });
  }
  if (!isFloatDtype(t.dtype)) {
    // Naming a tensor exactly asks for it: an integer tensor there is a mistake, not something to skip quietly.
    if (recipeKeyKind(r.key) === "name") {
      return skip(t, "non-float", nonFloatNote(t, true), {
        ...extra,
        errors: [{
          message: `recipe key \`${r.key}\` names ${t.name}, whose dtype is ${t.dtype}: fqc fake-quantizes F32, F16 and BF16 tensors only`,
          hint: t.dtype === "F64"
            ? "torchao refuses float64 input too (Unsupported input dtype: torch.float64); map the key to null, or convert the checkpoint to float32."
            : "Map the key to null (or remove it) to leave this tensor as it is.",
        }],
      });
    }
    return skip(t, "non-float", nonFloatNote(t), extra);
  }
  return quantize(t, r.key, r.tier, config, opts);
}

const TENSORS_HINT = "Take the tensors from openCheckpoint(path).tensors.";

/** A tensor as a JavaScript caller may pass it: a name that is no string was a TypeError, a shape of -1 planned as quantized. */
function checkTensorInfo(t: unknown, what: string): void {
  const info = t as Partial<TensorInfo> | null;
  if (info === null || typeof info !== "object" || typeof info.name !== "string" || typeof info.dtype !== "string") {
    throw new FqcError("USAGE", `${what} must be { name, dtype, shape } with a string name and dtype, not ${info !== null && typeof info === "object" ? `one whose name is ${kindOf(info.name)} and dtype ${kindOf(info.dtype)}` : kindOf(t)}`, {
      hint: TENSORS_HINT,
    });
  }
  checkShape(info.shape, `${what}.shape`);
}

function checkTensorList(tensors: unknown, fn: string): asserts tensors is readonly TensorInfo[] {
  checkEach(tensors, `${fn}: tensors`, " of { name, dtype, shape }", (t, i) => checkTensorInfo(t, `${fn}: tensors[${i}]`), TENSORS_HINT);
}

/** One entry per tensor, in the tensors' order. */
export function planTensors(tensors: readonly TensorInfo[], source: PlanSource, options?: PlanOptions): TensorPlanEntry[] {
  return runSteps(planSteps("planTensors", tensors, source, options));
}

/**
 * planTensors, letting the event loop in every few milliseconds while a
 * recipe's `re:` keys are matched (millions of tests for thousands of keys on
 * a large checkpoint: minutes in which no signal or timer would be handled).
 */
export function planTensorsAsync(tensors: readonly TensorInfo[], source: PlanSource, options?: PlanOptions): Promise<TensorPlanEntry[]> {
  return runStepsYielding(planSteps("planTensorsAsync", tensors, source, options));
}

/** planTensors for a public function built on it (the report's targets): its arguments are refused in `fn`'s name. */
export function planTensorsAs(fn: string, tensors: readonly TensorInfo[], source: PlanSource, options?: PlanOptions): TensorPlanEntry[] {
  return runSteps(planSteps(fn, tensors, source, options));
}

/** planTensors in steps (steps.ts), its arguments refused in `fn`'s name: for callers that drive the steps themselves (applyCheckpoint's abort). */
export function* planSteps(fn: string, tensors: readonly TensorInfo[], source: PlanSource, options: PlanOptions | undefined): Steps<TensorPlanEntry[]> {
  const opts = optionsObject<PlanOptions>(options, fn, false, OPTION_NAMES);
  checkTorchao(opts.torchao, `${fn}: options.torchao`);
  checkTensorList(tensors, fn);
  checkPlanSource(source, `${fn}: source`);
  if ("config" in source) return tensors.map((t) => planWithConfig(t, source.config, opts));
  const c = compileRecipe(source.recipe);
  yield* primeRecipeSteps(c, tensors.map((t) => t.name));
  const byModule = new Map<string, string[]>();
  for (const t of tensors) {
    const m = splitTensorName(t.name).module;
    const list = byModule.get(m);
    if (list) list.push(t.name);
    else byModule.set(m, [t.name]);
  }
  const keysOf = new Map<string, ModuleKeys>();
  return tensors.map((t) => {
    const module = splitTensorName(t.name).module;
    const siblings = byModule.get(module)!;
    let keys = keysOf.get(module);
    if (!keys) keysOf.set(module, (keys = moduleKeys(c, siblings)));
    return planWithRecipe(t, c, siblings, keys, opts);
  });
}

/**
 * Where each recipe key first matches among `names` by its own tier's rule
 * (keyMatchesTensor), as an index into `names` (-1: nowhere). Exact keys and
 * `_default` are looked up, not scanned: a generated recipe naming each of
 * 100,000 tensors would otherwise take 10¹⁰ comparisons. `re:` keys scan.
 */
function* firstMatchesSteps(c: CompiledRecipe, keys: readonly string[], names: readonly string[]): Steps<number[]> {
  if (keys.length === 0) return [];
  const byName = new Map<string, number>();
  const byWeightModule = new Map<string, number>();
  let firstWeight = -1;
  names.forEach((n, i) => {
    if (!byName.has(n)) byName.set(n, i);
    const { module, parameter } = splitTensorName(n);
    if (parameter === "weight") {
      if (!byWeightModule.has(module)) byWeightModule.set(module, i);
      if (firstWeight < 0) firstWeight = i;
    }
  });
  // Each weight's module once, with the index of its first weight.
  const weightModules = { names: [...byWeightModule.keys()], at: [...byWeightModule.values()] };
  const first: number[] = [];
  for (const key of keys) {
    const kind = recipeKeyKind(key);
    if (kind === "default") first.push(firstWeight);
    else if (kind === "regex") {
      // Its tensor names, then (for weights) their module names: the first tensor either way.
      const j = c.patterns.findIndex((e) => e.key === key);
      const byName = yield* c.matcher.firstNameSteps(j, names);
      const byModule = yield* c.matcher.firstNameSteps(j, weightModules.names);
      const m = byModule < 0 ? -1 : weightModules.at[byModule];
      first.push(byName < 0 ? m : m < 0 ? byName : Math.min(byName, m));
    } else {
      const a = byName.get(key) ?? -1;
      const b = byWeightModule.get(key) ?? -1;
      first.push(a < 0 ? b : b < 0 ? a : Math.min(a, b));
    }
  }
  return first;
}

/**
 * Recipe keys that match no tensor of the checkpoint (exact names naming
 * none, patterns matching none, `_default` with no `*.weight`): in file order.
 * torchao ignores them silently; fqc warns (a typo leaves a layer unquantized).
 *
 * `plan`, the recipe's plan of these same tensors (planTensors), when the
 * caller has it: a key that decided a tensor there matched one, so only the
 * keys that decided none are matched here — usually none or a typo or two,
 * so the planner's matching is not done a second time.
 */
export function unmatchedRecipeKeys(tensors: readonly TensorInfo[], recipe: Recipe, plan?: readonly TensorPlanEntry[]): string[] {
  return runSteps(unmatchedSteps("unmatchedRecipeKeys", tensors, recipe, plan));
}

/** unmatchedRecipeKeys, letting the event loop in while `re:` keys are matched (as planTensorsAsync). */
export function unmatchedRecipeKeysAsync(tensors: readonly TensorInfo[], recipe: Recipe, plan?: readonly TensorPlanEntry[]): Promise<string[]> {
  return runStepsYielding(unmatchedSteps("unmatchedRecipeKeysAsync", tensors, recipe, plan));
}

/** unmatchedRecipeKeys in steps, as planSteps. */
export function* unmatchedSteps(fn: string, tensors: readonly TensorInfo[], recipe: Recipe, plan: readonly TensorPlanEntry[] | undefined): Steps<string[]> {
  checkTensorList(tensors, fn);
  checkRecipeKeys(recipe, `${fn}: recipe`);
  if (plan !== undefined) checkPlanEntries(plan, `${fn}: plan`);
  if (plan !== undefined && (!Array.isArray(plan) || plan.length !== tensors.length)) {
    throw new FqcError("USAGE", `${fn}: the plan has ${Array.isArray(plan) ? plan.length : "no"} entries for ${plural(tensors.length, "tensor")}`, {
      hint: "Pass planTensors(tensors, { recipe }) of the same tensors, or no plan.",
    });
  }
  const keys = recipe.entries.map((e) => e.key);
  let open = keys;
  if (plan !== undefined) {
    const deciding = new Set<string | undefined>();
    for (const e of plan) deciding.add(e.key);
    open = keys.filter((k) => !deciding.has(k));
  }
  if (open.length === 0) return [];
  const first = yield* firstMatchesSteps(compileRecipe(recipe), open, tensors.map((t) => t.name));
  return open.filter((_, i) => first[i] < 0);
}

/**
 * Recipe keys that match tensors but decide none of them: for each, the first
 * tensor it matches and the key of higher precedence that decided it (often a
 * broader `re:` key placed earlier in the file). `entries` is the recipe's plan.
 */
export function shadowedRecipeKeys(recipe: Recipe, entries: readonly TensorPlanEntry[]): ShadowedKey[] {
  return runSteps(shadowedSteps("shadowedRecipeKeys", recipe, entries));
}

/** shadowedRecipeKeys, letting the event loop in while `re:` keys are matched (as planTensorsAsync). */
export function shadowedRecipeKeysAsync(recipe: Recipe, entries: readonly TensorPlanEntry[]): Promise<ShadowedKey[]> {
  return runStepsYielding(shadowedSteps("shadowedRecipeKeysAsync", recipe, entries));
}

export interface ShadowedKey {
  key: string;
  /** The first tensor the key matches. */
  tensor: string;
  /** The key that decided that tensor (absent when none did: torchao skips the module). */
  by?: string;
}

function* shadowedSteps(fn: string, recipe: Recipe, entries: readonly TensorPlanEntry[]): Steps<ShadowedKey[]> {
  checkRecipeKeys(recipe, `${fn}: recipe`);
  checkPlanEntries(entries, `${fn}: entries`);
  const c = compileRecipe(recipe);
  const names = entries.map((e) => e.tensor.name);
  const deciding = new Set(entries.map((e) => e.key));
  const keys = recipe.entries.map((e) => e.key).filter((k) => !deciding.has(k));
  const first = yield* firstMatchesSteps(c, keys, names);
  const out: ShadowedKey[] = [];
  keys.forEach((key, i) => {
    if (first[i] < 0) return;
    const e = entries[first[i]];
    out.push(e.key === undefined ? { key, tensor: e.tensor.name } : { key, tensor: e.tensor.name, by: e.key });
  });
  return out;
}

/** Every error of a plan, with its tensor: apply refuses to start when this is not empty. */
export function planErrors(entries: readonly TensorPlanEntry[]): Array<{ tensor: TensorInfo; key?: string; issue: PlanIssue }> {
  checkPlanEntries(entries, "planErrors: entries");
  return entries.flatMap((e) => e.errors.map((issue) => ({ tensor: e.tensor, key: e.key, issue })));
}
