/**
 * What each column does to each tensor before the pass: the plan when the
 * column fake-quantizes the tensor, or why torchao would refuse it. Held in
 * two flat arrays, tensor by tensor and column by column (an object and an
 * array per tensor cost ~100 bytes each: 30 MB over 300,000 tensors); the
 * target is the column's own.
 */
import type { CheckpointTensor } from "../checkpoint/types.js";
import { isFloatTensorDtype } from "../checkpoint/tensor-values.js";
import type { TorchaoVersion } from "../config/types.js";
import { FqcError } from "../errors.js";
import type { PlanCache } from "../quant/plan-cache.js";
import type { QuantPlan } from "../quant/plan.js";
import type { ColumnInput, TensorTarget } from "./types.js";

/** A cell before the pass: its target, and the plan (or why torchao would refuse). */
export interface CellPlan {
  target: TensorTarget;
  plan: QuantPlan | null;
  refusal: string | null;
}

export class CellPlans {
  readonly #columns: readonly ColumnInput[];
  readonly #plans: (QuantPlan | null)[];
  readonly #refusals: (string | null)[];

  constructor(tensors: readonly CheckpointTensor[], columns: readonly ColumnInput[], torchao: TorchaoVersion, cache: PlanCache) {
    this.#columns = columns;
    this.#plans = new Array<QuantPlan | null>(tensors.length * columns.length);
    this.#refusals = new Array<string | null>(tensors.length * columns.length);
    for (const t of tensors) {
      for (let c = 0; c < columns.length; c++) {
        const { plan, refusal } = planCell(t, columns[c].targets[t.index], torchao, cache);
        this.#plans[t.index * columns.length + c] = plan;
        this.#refusals[t.index * columns.length + c] = refusal;
      }
    }
  }

  plan(index: number, column: number): QuantPlan | null {
    return this.#plans[index * this.#columns.length + column];
  }

  /** The whole cell (made on each call: the report's assembly reads each once). */
  cell(index: number, column: number): CellPlan {
    const at = index * this.#columns.length + column;
    return { target: this.#columns[column].targets[index], plan: this.#plans[at], refusal: this.#refusals[at] };
  }
}

/** What one column does to one tensor, with the plan when it fake-quantizes it. */
function planCell(t: CheckpointTensor, target: TensorTarget, torchao: TorchaoVersion, cache: PlanCache): Omit<CellPlan, "target"> {
  if (target.action === "skip" || target.error !== undefined) return { plan: null, refusal: target.error ?? null };
  if (!isFloatTensorDtype(t.dtype)) {
    // Planners never target these; a hand-made column might.
    return { plan: null, refusal: `${t.dtype} tensors are not fake-quantized (F32, F16 and BF16 are)` };
  }
  if (t.shape.length === 0) return { plan: null, refusal: "a 0-d tensor has no last dimension to quantize along" };
  if (t.shape[t.shape.length - 1] === 0) return { plan: null, refusal: `the last dimension of shape (${t.shape.join(", ")}) is empty; torchao's min/max reductions fail on it` };
  const compute = t.dtype === "F32" ? "float32" : t.dtype === "F16" ? "float16" : "bfloat16";
  try {
    return { plan: cache.plan(target.config, t.shape, { compute, torchao }), refusal: null };
  } catch (e) {
    if (e instanceof FqcError && e.code === "FORWARD") return { plan: null, refusal: e.message };
    throw e;
  }
}
