/** The .npy dtype each qparam precision is written in (--scale-out, --zero-point-out): bfloat16 as float32, which .npy has. */
import { describe, expect, it } from "vitest";
import { qparamDescr } from "../../src/qparams-io.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "../../src/config/vocabulary.js";

describe("qparamDescr", () => {
  it("gives each scale and zero-point precision its .npy descr", () => {
    const want: Record<string, string> = {
      float32: "<f4", bfloat16: "<f4", float16: "<f2", float64: "<f8", int32: "<i4", int8: "|i1", int16: "<i2", int64: "<i8", uint8: "|u1",
    };
    for (const p of [...SCALE_PRECISIONS, ...ZERO_POINT_PRECISIONS].filter((x): x is NonNullable<typeof x> => x !== null)) {
      expect(qparamDescr(p), p).toBe(want[p]);
    }
  });
});
