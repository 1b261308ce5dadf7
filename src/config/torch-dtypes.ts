/**
 * Names of torch dtypes (what `str(dtype)` prints after `torch.`), so fqc can
 * tell "a dtype torchao does not support" from "not a dtype at all", plus the
 * aliases torch defines (`torch.half is torch.float16`).
 */
export const TORCH_DTYPE_NAMES = [
  "float32", "float64", "float16", "bfloat16",
  "complex32", "complex64", "complex128",
  "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "bool",
  "quint8", "qint8", "qint32", "quint4x2", "quint2x4",
  "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2",
  "int1", "int2", "int3", "int4", "int5", "int6", "int7",
  "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
] as const;

/** A torch dtype's name: what a canonical config's precisions hold (the standard's lists are narrower, see vocabulary.ts). */
export type TorchDtypeName = (typeof TORCH_DTYPE_NAMES)[number];

/** torch aliases → the name `str(dtype)` prints. A Map: looked up by a file's text, "constructor" must name no alias. */
const TORCH_DTYPE_ALIASES: ReadonlyMap<string, TorchDtypeName> = new Map<string, TorchDtypeName>([
  ["float", "float32"], ["double", "float64"], ["half", "float16"], ["cfloat", "complex64"], ["cdouble", "complex128"], ["chalf", "complex32"],
  ["short", "int16"], ["int", "int32"], ["long", "int64"],
]);

/** The canonical torch name for a dtype string, or undefined if torch has no such dtype. */
export function torchDtypeName(s: string): TorchDtypeName | undefined {
  if ((TORCH_DTYPE_NAMES as readonly string[]).includes(s)) return s as TorchDtypeName;
  return TORCH_DTYPE_ALIASES.get(s);
}

/**
 * The name a Python-style spelling such as "torch.int4" stands for ("int4"), or undefined when `s` is not "torch." + a torch
 * dtype: fqc's files write dtypes without the prefix, and a user copying from Python deserves "write int4", not "not a dtype".
 */
export function torchPrefixedName(s: string): TorchDtypeName | undefined {
  return s.startsWith("torch.") ? torchDtypeName(s.slice(6)) : undefined;
}

/** Integer (non-floating) dtypes among the zero-point precisions. */
export function isFloatingDtypeName(s: string): boolean {
  return /^(float|bfloat|complex)/.test(s);
}
