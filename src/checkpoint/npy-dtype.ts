/** numpy dtypes (as the .npy reader names them) to checkpoint dtype names (safetensors'). */
import type { NpyDtype } from "../npy/dtype.js";
import type { TensorDtype } from "./types.js";

export const TENSOR_DTYPE_OF_NPY: Readonly<Record<NpyDtype, TensorDtype>> = {
  float16: "F16", float32: "F32", float64: "F64",
  int8: "I8", int16: "I16", int32: "I32", int64: "I64",
  uint8: "U8", uint16: "U16", uint32: "U32", uint64: "U64",
  bool: "BOOL",
};

export function tensorDtypeOfNpy(d: NpyDtype): TensorDtype {
  return TENSOR_DTYPE_OF_NPY[d];
}
