/**
 * How qparams are stored in .npy files: scale in scale_precision, zero point in
 * zero_point_precision. .npy has no bfloat16, so bfloat16 values are stored as
 * float32 holding the exact bf16 value (the conformance corpus' convention).
 */
import type { ScalePrecision, ZeroPointPrecision } from "./config/types.js";

/** Keyed by every precision: the compiler, not a check at run time, makes sure none lacks its dtype. */
const DESCR: Record<ScalePrecision | ZeroPointPrecision, string> = {
  float32: "<f4", bfloat16: "<f4", float16: "<f2", float64: "<f8",
  int32: "<i4", int8: "|i1", int16: "<i2", int64: "<i8", uint8: "|u1",
};

export function qparamDescr(precision: ScalePrecision | ZeroPointPrecision): string {
  return DESCR[precision];
}
