/**
 * The quantized size estimate: packed bits rounded up to whole bytes per tensor, plus one scale per block in its
 * precision and one zero point per block where a packed format stores one (asymmetric, as per_token always is, or the FLOAT domain).
 */
import { describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { makePlan } from "../../src/quant/plan.js";
import { quantizedSize } from "../../src/report/sizes.js";

const plan = (config: Record<string, unknown>, shape: number[]) => makePlan(normalize(config), shape, { compute: "float32", torchao: "0.12" });

describe("quantizedSize", () => {
  it("packs bits and rounds up once per tensor, not per row", () => {
    // int4, 3 rows of 5: 60 bits = 7.5 bytes → 8; per channel symmetric: 3 float32 scales, no zero point.
    expect(quantizedSize(plan({ dtype: "int4", granularity: "per_channel" }, [3, 5]))).toEqual({ values: 8, qparams: 12, total: 20 });
    // uint1 (1 bit) of 3 × 3 elements: 2 bytes.
    expect(quantizedSize(plan({ dtype: "uint1", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT", zero_point_precision: "float32" }, [3, 3])).values).toBe(2);
  });

  it("counts one scale per group, in scale_precision", () => {
    // 4 rows × 64, groups of 32: 8 blocks of a float16 scale.
    expect(quantizedSize(plan({ dtype: "int4", group_size: 32, scale_precision: "float16" }, [4, 64]))).toEqual({ values: 128, qparams: 16, total: 144 });
    expect(quantizedSize(plan({ dtype: "int4", group_size: 32, scale_precision: "float64" }, [4, 64])).qparams).toBe(64);
  });

  it("adds a zero point per block for an asymmetric config, in zero_point_precision", () => {
    // int8 asymmetric per channel, INT domain: float32 scale + int8 zero point per row.
    expect(quantizedSize(plan({ dtype: "int8", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_precision: "int8" }, [4, 16])).qparams).toBe(4 * (4 + 1));
    expect(quantizedSize(plan({ dtype: "int8", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_precision: "int64" }, [4, 16])).qparams).toBe(4 * (4 + 8));
    expect(quantizedSize(plan({ dtype: "uint8", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_precision: "uint8", scale_precision: "bfloat16" }, [4, 16])).qparams).toBe(4 * (2 + 1));
    expect(quantizedSize(plan({ dtype: "int8", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_precision: "int32" }, [4, 16])).qparams).toBe(4 * (4 + 4));
  });

  it("adds a zero point for per_token (always asymmetric) and for a symmetric config in the FLOAT domain", () => {
    expect(quantizedSize(plan({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC", zero_point_precision: "int16" }, [2, 3, 16])).qparams).toBe(6 * (4 + 2));
    expect(quantizedSize(plan({ dtype: "int4", group_size: 16, zero_point_domain: "FLOAT", zero_point_precision: "bfloat16" }, [2, 32])).qparams).toBe(4 * (4 + 2));
  });
});
