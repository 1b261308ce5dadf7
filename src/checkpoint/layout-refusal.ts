/**
 * Stored layouts fqc cannot fake-quantize, known from a tensor's header alone:
 * apply refuses them before writing anything, and the dry run shows the same
 * refusal on the tensor's row (it reads no tensor data either). (A deflated
 * member in Fortran order is not one: it is read from an inflated copy, spill.ts.)
 */
import type { CheckpointTensor } from "./types.js";

export interface LayoutRefusal {
  /** Says what the tensor is, to follow "tensor NAME (SHAPE DTYPE): is". */
  what: string;
  hint?: string;
}

export function layoutRefusal(t: CheckpointTensor): LayoutRefusal | undefined {
  if (t.byteOrder !== "little" && t.dtype === "BF16") return { what: "big-endian bfloat16, which fqc does not fake-quantize" };
  return undefined;
}
