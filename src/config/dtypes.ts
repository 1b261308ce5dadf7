/**
 * The quantized dtype table: the one place that knows bit widths and ranges.
 * Everything else (schema, types, numerics, messages) reads from here.
 */
import { FqcError } from "../errors.js";

export const DTYPE_NAMES = [
  "int1", "int2", "int3", "int4", "int5", "int6", "int7", "int8",
  "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7", "uint8",
] as const;

export type DtypeName = (typeof DTYPE_NAMES)[number];

export interface DtypeInfo {
  readonly name: DtypeName;
  readonly bits: number;
  readonly signed: boolean;
  readonly qmin: number;
  readonly qmax: number;
}

export function isDtypeName(v: unknown): v is DtypeName {
  return typeof v === "string" && (DTYPE_NAMES as readonly string[]).includes(v);
}

export function dtypeInfo(name: DtypeName): DtypeInfo {
  // A name outside the table would give bits NaN or 0 and a range that quantizes everything to 0.
  if (!isDtypeName(name)) throw new FqcError("USAGE", `dtypeInfo: ${typeof name === "string" ? `"${name}"` : String(name)} is not a quantized dtype (${DTYPE_NAMES.join(", ")})`);
  const signed = name.startsWith("int");
  const bits = Number(name.slice(signed ? 3 : 4));
  return signed
    ? { name, bits, signed, qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 }
    : { name, bits, signed, qmin: 0, qmax: 2 ** bits - 1 };
}

/**
 * torchao's list of accepted dtypes, in the order its error message prints it
 * (torch >= 2.6 tables): `[torch.int8, torch.uint8] + sub-byte ints + sub-byte uints`.
 */
export const TORCHAO_DTYPE_LIST_REPR: string = (() => {
  const parts = ["torch.int8", "torch.uint8"];
  for (let b = 1; b <= 7; b++) parts.push(`<TorchAODType.INT${b}: ${b}>`);
  for (let b = 1; b <= 7; b++) parts.push(`torch.int${b}`);
  for (let b = 1; b <= 7; b++) parts.push(`torch.uint${b}`);
  return `[${parts.join(", ")}]`;
})();
