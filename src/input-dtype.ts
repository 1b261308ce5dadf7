/**
 * Which dtype the arithmetic runs in, given the tensor's dtype and the user's
 * --compute-dtype. Mirrors what a torchao user would have: float32/float16
 * tensors compute in their own dtype; float64 is refused like torchao does.
 */
import type { CallerWords } from "./caller-words.js";
import { FqcError } from "./errors.js";
import type { ComputeDtype } from "./quant/plan.js";

export const COMPUTE_DTYPES: readonly ComputeDtype[] = ["float32", "float16", "bfloat16", "float64"];

/** What to do about float64 data: a tensor read from a file (written back as float64), or a library caller's array. */
export function float64Hint(words: CallerWords, data: "file" | "array" = "file"): string {
  const cast = data === "file" ? "the output is written back as float64" : "the output is then a Float32Array";
  const recast = data === "file" ? "save the tensor as float32: np.save(path, x.astype(np.float32))" : "pass the data as a Float32Array";
  return `NumPy saves float64 by default. Either ${words.set("computeDtype", "float32")} to cast the tensor first ` +
    `(what a torchao user does with \`x.float()\`; ${cast}), ` +
    `or ${words.set("computeDtype", "float64")} to compute in float64 (an fqc extension with no torchao reference), ` +
    `or ${recast}.`;
}

export function resolveComputeDtype(inputDtype: string, requested: ComputeDtype | undefined, file: string, words: CallerWords): ComputeDtype {
  if (inputDtype !== "float32" && inputDtype !== "float16" && inputDtype !== "float64") {
    throw new FqcError("NPY", `${file}: dtype ${inputDtype} is not supported; fqc apply takes float32 or float16 tensors (float64 with ${words.option.computeDtype})`, {
      file,
      hint: `Convert the tensor first, e.g. np.save(path, x.astype(np.float32)).`,
    });
  }
  if (requested) return requested;
  if (inputDtype === "float64") {
    throw new FqcError("FORWARD", "Unsupported input dtype: torch.float64", { file, hint: float64Hint(words) });
  }
  return inputDtype;
}
