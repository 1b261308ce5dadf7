/**
 * Stored layouts fqc cannot fake-quantize, known from a tensor's header alone:
 * apply refuses them before writing anything, and the dry run shows the same
 * refusal on the tensor's row (it reads no tensor data either).
 */
import { laidOutInFortranOrder } from "../npy/fortran.js";
import type { CheckpointTensor } from "./types.js";

export interface LayoutRefusal {
  /** Says what the tensor is, to follow "tensor NAME (SHAPE DTYPE): is". */
  what: string;
  hint?: string;
}

/** `verb`: what fqc does not do with such a tensor ("fake-quantize"; report: "read"). */
export function layoutRefusal(t: CheckpointTensor, verb = "fake-quantize"): LayoutRefusal | undefined {
  if (t.dataOffset === null && laidOutInFortranOrder(t)) {
    // A deflated member inflates from its start only, and the first C-order row takes an element of every
    // column: streaming it in C order would need the whole member in memory (or one inflate pass per chunk).
    return {
      what: `a compressed member stored in Fortran order, which fqc does not ${verb}`,
      hint: "Save the archive with np.savez (stored members are read in any order), or the array in C order: np.savez_compressed(path, name=np.ascontiguousarray(a)).",
    };
  }
  if (t.byteOrder !== "little" && t.dtype === "BF16") return { what: `big-endian bfloat16, which fqc does not ${verb}` };
  return undefined;
}
