/**
 * What a tensor would take once quantized, in bytes: the packed integers
 * (bits × elements, rounded up to whole bytes per tensor) plus one scale per
 * block in the config's scale_precision (the compute dtype when it is null: the plan holds the resolved one) and, for an asymmetric config
 * or the FLOAT zero-point domain, one zero point per block in its zero_point_precision.
 * A symmetric INT-domain config's zero point is always 0, so packed formats do
 * not store it, and neither does this estimate.
 */
import type { ScalePrecision, ZeroPointPrecision } from "../config/types.js";
import type { QuantPlan } from "../quant/plan.js";

const PRECISION_BYTES: Record<ScalePrecision | ZeroPointPrecision, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8,
  int32: 4, int8: 1, int16: 2, int64: 8, uint8: 1,
};

export interface QuantizedSize {
  /** Packed values: ceil(bits × elements / 8). */
  values: number;
  /** Scales and zero points together. */
  qparams: number;
  total: number;
}

export function quantizedSize(plan: QuantPlan): QuantizedSize {
  const elements = plan.rows * plan.rowLength;
  const blocks = plan.rows * plan.groupsPerRow;
  const values = Math.ceil((plan.bits * elements) / 8);
  // A plan is never per_token and symmetric: makePlan refuses that pair, as torchao's forward does.
  const storesZeroPoint = !plan.symmetric || plan.domain === "FLOAT";
  const qparams = blocks * (PRECISION_BYTES[plan.scalePrecision] + (storesZeroPoint ? PRECISION_BYTES[plan.zeroPointPrecision] : 0));
  return { values, qparams, total: values + qparams };
}
