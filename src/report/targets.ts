/**
 * What each column does to each tensor, from the tensor planner that apply
 * and `--dry-run` use (src/tensor-plan), so report, apply and validate agree
 * on every decision. A plain `--config` targets every 2-D floating
 * `*.weight` of a checkpoint; a lone .npy tensor is targeted whatever its
 * name, as `fqc apply` does with it.
 */
import type { Checkpoint } from "../checkpoint/types.js";
import type { CanonicalConfig, Recipe, TorchaoVersion } from "../config/types.js";
import { checkCheckpoint, checkTorchao, optionNames, optionsObject } from "../library-args.js";
import { checkCanonicalConfig, checkRecipeKeys } from "../config/canonical-check.js";
import { planTensorsAs, type PlanSource, type TensorPlanEntry } from "../tensor-plan/plan-tensors.js";
import type { TensorTarget } from "./types.js";

/** The planner's decisions as report targets (apply --report reports exactly what apply did). */
export function targetsFromPlan(entries: readonly TensorPlanEntry[]): TensorTarget[] {
  return entries.map(targetOf);
}

function targetOf(e: TensorPlanEntry): TensorTarget {
  const key = e.key ?? null;
  // An error (torchao's refusal of a targeted tensor, or an exact recipe key naming an integer tensor): apply refuses it, so the report flags it.
  const error = e.errors[0]?.message;
  const withError = error === undefined ? {} : { error };
  if (e.action === "quantize") return { action: "quantize", key, config: e.config!, ...withError };
  return { action: "skip", key, reason: e.note ?? "left alone", ...withError };
}

interface TargetOptions {
  torchao?: TorchaoVersion;
}

const OPTION_NAMES = optionNames<TargetOptions>()(["torchao"]);

export function columnTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, source: PlanSource, opts: TargetOptions = {}): TensorTarget[] {
  return targets("columnTargets", checkpoint, source, opts);
}

/** A plain --config column. */
export function configTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, config: CanonicalConfig, opts: TargetOptions = {}): TensorTarget[] {
  checkCanonicalConfig(config, "configTargets: config");
  return targets("configTargets", checkpoint, { config }, opts);
}

/** A recipe column. */
export function recipeTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, recipe: Recipe, opts: TargetOptions = {}): TensorTarget[] {
  checkRecipeKeys(recipe, "recipeTargets: recipe");
  return targets("recipeTargets", checkpoint, { recipe }, opts);
}

/** The three above, their arguments checked in the caller's name (planTensorsAs checks the tensors and the source). */
function targets(fn: string, checkpoint: unknown, source: PlanSource, opts: unknown): TensorTarget[] {
  checkCheckpoint(checkpoint, `${fn}: checkpoint`, false);
  const o = optionsObject<TargetOptions>(opts, fn, false, OPTION_NAMES);
  checkTorchao(o.torchao, `${fn}: options.torchao`);
  const c = checkpoint as Pick<Checkpoint, "format" | "tensors">;
  return planTensorsAs(fn, c.tensors, source, { torchao: o.torchao, loneTensor: c.format === "npy" }).map(targetOf);
}
