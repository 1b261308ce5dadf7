/**
 * The model a report reads, opened as a Checkpoint. A .npy file is one tensor
 * named after the file; checkpoint formats come from src/checkpoint.
 */
import { closeSync } from "node:fs";
import { basename } from "node:path";
import type { Checkpoint, CheckpointTensor, TensorDtype } from "../checkpoint/types.js";
import { FqcError } from "../errors.js";
import { openRegularFile, readHeaderFromFd } from "../npy/header.js";
import type { NpyDtype } from "../npy/dtype.js";

const NPY_DTYPES: Record<NpyDtype, TensorDtype> = {
  float16: "F16", float32: "F32", float64: "F64",
  int8: "I8", int16: "I16", int32: "I32", int64: "I64",
  uint8: "U8", uint16: "U16", uint32: "U32", uint64: "U64", bool: "BOOL",
};

export function openModel(path: string): Checkpoint {
  if (!/\.npy$/i.test(path)) {
    throw new FqcError("USAGE", `${path}: fqc report reads .npy files in this build`, { file: path, hint: "Give a .npy tensor." });
  }
  const { fd, size } = openRegularFile(path);
  try {
    const h = readHeaderFromFd(fd, size, path);
    const tensor: CheckpointTensor = {
      name: basename(path).replace(/\.npy$/i, ""),
      dtype: NPY_DTYPES[h.dtype],
      shape: h.shape,
      byteLength: h.dataBytes,
      index: 0,
      file: path,
      dataOffset: h.dataOffset,
      byteOrder: h.byteOrder,
      fortranOrder: h.fortranOrder,
    };
    return {
      path,
      format: "npy",
      tensors: [tensor],
      metadata: null,
      stream() {
        throw new Error("a .npy tensor is read positionally");
      },
      close() {},
    };
  } finally {
    closeSync(fd);
  }
}
