/**
 * What a plain `--config` column targets: the one tensor of a .npy file (as
 * `apply` does), and in a checkpoint every 2-D floating tensor named
 * `*.weight` (torchao's default quantizes Linear layers; a checkpoint does not
 * say which 2-D weights are embeddings, so those are included; a recipe says
 * otherwise).
 */
import { isFloatTensorDtype } from "../checkpoint/tensor-values.js";
import type { Checkpoint } from "../checkpoint/types.js";
import type { CanonicalConfig } from "../config/types.js";
import type { TensorTarget } from "./types.js";

export function configTargets(checkpoint: Pick<Checkpoint, "format" | "tensors">, config: CanonicalConfig): TensorTarget[] {
  return checkpoint.tensors.map((t): TensorTarget => {
    if (!isFloatTensorDtype(t.dtype)) return { action: "skip", key: null, reason: `${t.dtype} passes through (only F32, F16 and BF16 are fake-quantized)` };
    if (checkpoint.format === "npy") return { action: "quantize", key: null, config };
    if (t.shape.length !== 2 || !t.name.endsWith(".weight")) return { action: "skip", key: null, reason: "not a 2-D *.weight tensor" };
    return { action: "quantize", key: null, config };
  });
}
