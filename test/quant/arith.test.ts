import { describe, expect, it } from "vitest";
import { BF16, F16, F32, F64, INT, dcode, promote, type DCode } from "../../src/quant/arith.js";

describe("dtype codes and promotion", () => {
  it("dcode maps every float dtype to its own code and every integer zero-point dtype to INT", () => {
    expect(["float64", "float32", "float16", "bfloat16"].map(dcode)).toEqual([F64, F32, F16, BF16]);
    for (const name of ["int8", "int16", "int32", "int64", "uint8"]) expect(dcode(name)).toBe(INT);
    expect(() => dcode("float8_e4m3fn")).toThrow("unknown dtype float8_e4m3fn");
  });

  it("promote follows torch.result_type for two dimensioned tensors, in either order", () => {
    // torch.result_type(torch.zeros(2, dtype=a), torch.zeros(2, dtype=b)) for the dtypes the kernel meets.
    const table: Array<[DCode, DCode, DCode]> = [
      [F32, F32, F32], [F16, F16, F16], [BF16, BF16, BF16], [F64, F64, F64], [INT, INT, INT],
      [INT, F32, F32], [INT, F16, F16], [INT, BF16, BF16], [INT, F64, F64], // an integer tensor takes the float's dtype
      [F16, BF16, F32], [F16, F32, F32], [BF16, F32, F32],
      [F64, F32, F64], [F64, F16, F64], [F64, BF16, F64],
    ];
    for (const [a, b, want] of table) {
      expect(promote(a, b), `${a} with ${b}`).toBe(want);
      expect(promote(b, a), `${b} with ${a}`).toBe(want);
    }
  });
});
