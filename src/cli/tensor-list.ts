/**
 * The tensors `validate --tensor MODEL` checks a recipe against: any
 * checkpoint form openCheckpoint reads (a .npy is one tensor named after its
 * file), headers only, descriptors closed before returning.
 */
import type { TensorInfo } from "../checkpoint/types.js";
import { checkHeapNeed, HEAP_PER_TENSOR } from "../checkpoint/heap-need.js";
import { openCheckpoint } from "../checkpoint/open.js";

export function readTensorList(path: string): TensorInfo[] {
  const ckpt = openCheckpoint(path);
  try {
    checkHeapNeed(path, ckpt, HEAP_PER_TENSOR.apply, "check them");
    return ckpt.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.byteLength }));
  } finally {
    ckpt.close();
  }
}
