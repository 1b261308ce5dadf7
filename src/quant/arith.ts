/**
 * torch's dtype arithmetic as numbers: a small code per float dtype, the
 * promotion rule, and "round this op's result to dtype D". Every op in the
 * kernel is `rnd(D, a op b)` with D the dtype torch computes that op in.
 */
import { bf16roundFromF32, f16roundFromF32 } from "./float.js";

/** Float dtype codes. Int zero-point dtypes are represented by INT. */
export const F64 = 0;
export const F32 = 1;
export const F16 = 2;
export const BF16 = 3;
export const INT = 4;
export type DCode = 0 | 1 | 2 | 3 | 4;

export function dcode(name: string): DCode {
  switch (name) {
    case "float64": return F64;
    case "float32": return F32;
    case "float16": return F16;
    case "bfloat16": return BF16;
    case "int8": case "int16": case "int32": case "int64": case "uint8": return INT;
    default: throw new Error(`unknown dtype ${name}`);
  }
}

/**
 * torch.result_type for two dimensioned tensors: equal → same; int with a
 * float → the float; float64 wins; float16 with bfloat16 → float32; a 16-bit
 * float with float32 → float32.
 */
export function promote(a: DCode, b: DCode): DCode {
  if (a === b) return a;
  if (a === INT) return b;
  if (b === INT) return a;
  if (a === F64 || b === F64) return F64;
  return F32; // {F32,F16,BF16} pairs that differ
}

/**
 * The value of an op result computed in dtype `d` (a double holding the exact
 * result of one +,−,×,÷ on operands of that dtype). 16-bit ops compute in float32
 * and narrow (double rounding is what torch does on CPU and CUDA).
 */
export function rnd(d: DCode, v: number): number {
  switch (d) {
    case F32: return Math.fround(v);
    case F16: return f16roundFromF32(Math.fround(v));
    case BF16: return bf16roundFromF32(Math.fround(v));
    default: return v; // F64 (INT never carries a float op result)
  }
}
