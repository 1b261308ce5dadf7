/**
 * makePlan once per config, shape and compute dtype. A checkpoint of many
 * tensors repeats a few shapes (300,000 plans took ~0.4 s), and threads then
 * share the plan objects. A shape makePlan refuses is refused again each time
 * (its message names no tensor: the caller adds which).
 */
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import { makePlan, type ComputeDtype, type QuantPlan } from "./plan.js";

export class PlanCache {
  readonly #plans = new Map<CanonicalConfig, Map<string, QuantPlan | { error: unknown }>>();

  plan(config: CanonicalConfig, shape: readonly number[], opts: { compute: ComputeDtype; torchao: TorchaoVersion }): QuantPlan {
    let byShape = this.#plans.get(config);
    if (!byShape) this.#plans.set(config, (byShape = new Map()));
    const key = `${opts.compute} ${opts.torchao} ${shape.join(",")}`;
    let entry = byShape.get(key);
    if (!entry) {
      try {
        entry = makePlan(config, shape, opts);
      } catch (error) {
        entry = { error };
      }
      byShape.set(key, entry);
    }
    if ("error" in entry) throw entry.error;
    return entry;
  }
}
