/**
 * The tensors `validate --tensor MODEL` checks a recipe against, read from
 * headers only. A .npy is one tensor named after its file (`up_proj.weight.npy`
 * → `up_proj.weight`).
 */
import { basename } from "node:path";
import type { TensorDtype, TensorInfo } from "../checkpoint/types.js";
import type { NpyDtype } from "../npy/header.js";
import { readNpyHeader } from "../npy/header.js";

const NPY_TO_TENSOR: Record<NpyDtype, TensorDtype> = {
  float16: "F16", float32: "F32", float64: "F64",
  int8: "I8", int16: "I16", int32: "I32", int64: "I64",
  uint8: "U8", uint16: "U16", uint32: "U32", uint64: "U64",
  bool: "BOOL",
};

export function npyTensorInfo(path: string): TensorInfo {
  const h = readNpyHeader(path);
  return { name: basename(path).replace(/\.npy$/i, ""), dtype: NPY_TO_TENSOR[h.dtype], shape: h.shape, byteLength: h.dataBytes };
}

export async function readTensorList(path: string): Promise<TensorInfo[]> {
  return [npyTensorInfo(path)];
}
