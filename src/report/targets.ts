/**
 * What each column does to each tensor, from the tensor planner that apply
 * and `--dry-run` use (src/tensor-plan), so report, apply and validate agree
 * on every decision. A plain `--config` targets every 2-D floating
 * `*.weight` of a checkpoint; a lone .npy tensor is targeted whatever its
 * name, as `fqc apply` does with it.
 */
import type { Checkpoint } from "../checkpoint/types.js";
import type { CanonicalConfig, Recipe, TorchaoVersion } from "../config/types.js";
import { planTensors, type PlanSource, type TensorPlanEntry } from "../tensor-plan/plan-tensors.js";
import type { TensorTarget } from "./types.js";

/** The planner's decisions as report targets (apply --report reports exactly what apply did). */
export function targetsFromPlan(entries: readonly TensorPlanEntry[]): TensorTarget[] {
  return entries.map(targetOf);
}

function targetOf(e: TensorPlanEntry): TensorTarget {
  const key = e.key ?? null;
  if (e.action === "quantize") return { action: "quantize", key, config: e.config! };
  // A skip can still be an error (an exact recipe key naming an integer tensor): apply refuses it, so the report flags it.
  const error = e.errors[0]?.message;
  return error === undefined ? { action: "skip", key, reason: e.note ?? "left alone" } : { action: "skip", key, reason: e.note ?? "left alone", error };
}

export function columnTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, source: PlanSource, opts: { torchao?: TorchaoVersion } = {}): TensorTarget[] {
  return planTensors(checkpoint.tensors, source, { ...opts, loneTensor: checkpoint.format === "npy" }).map(targetOf);
}

/** A plain --config column. */
export function configTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, config: CanonicalConfig, opts: { torchao?: TorchaoVersion } = {}): TensorTarget[] {
  return columnTargets(checkpoint, { config }, opts);
}

/** A recipe column. */
export function recipeTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, recipe: Recipe, opts: { torchao?: TorchaoVersion } = {}): TensorTarget[] {
  return columnTargets(checkpoint, { recipe }, opts);
}
