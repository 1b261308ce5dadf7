/**
 * The dtype a .npy tensor computes in (apply, applyFile): its own for float32 and float16, the one --compute-dtype names
 * when given; float64 is refused as torchao refuses it unless --compute-dtype picks one, and every other dtype is refused.
 */
import { describe, expect, it } from "vitest";
import { float64Hint, resolveComputeDtype } from "../../src/input-dtype.js";
import { CLI_WORDS, LIBRARY_WORDS } from "../../src/caller-words.js";
import { thrownFqcError } from "../helpers/js-callers.js";

describe("resolveComputeDtype", () => {
  it("computes a float32 or float16 tensor in its own dtype, unless another is asked for", () => {
    expect(resolveComputeDtype("float32", undefined, "w.npy", CLI_WORDS)).toBe("float32");
    expect(resolveComputeDtype("float16", undefined, "w.npy", CLI_WORDS)).toBe("float16");
    expect(resolveComputeDtype("float16", "bfloat16", "w.npy", CLI_WORDS)).toBe("bfloat16");
    expect(resolveComputeDtype("float32", "float64", "w.npy", CLI_WORDS)).toBe("float64");
  });

  it("refuses float64 as torchao does (a FORWARD error with the ways out), unless a compute dtype is given", () => {
    const e = thrownFqcError(() => resolveComputeDtype("float64", undefined, "w.npy", CLI_WORDS));
    expect([e.code, e.message, e.file, e.hint]).toEqual(["FORWARD", "Unsupported input dtype: torch.float64", "w.npy", float64Hint(CLI_WORDS)]);
    // Each way out: cast first (the output stays float64), compute in float64, or save as float32.
    expect(e.hint).toMatch(/pass --compute-dtype float32 .*the output is written back as float64.*pass --compute-dtype float64 .*np\.save\(path, x\.astype\(np\.float32\)\)/);
    expect(resolveComputeDtype("float64", "float32", "w.npy", CLI_WORDS)).toBe("float32");
  });

  it("refuses any other dtype whatever --compute-dtype says, naming the file and how to convert it", () => {
    for (const dtype of ["int8", "uint8", "int32", "bool", "bfloat16", "complex64"]) {
      for (const requested of [undefined, "float32"] as const) {
        const e = thrownFqcError(() => resolveComputeDtype(dtype, requested, "w.npy", CLI_WORDS));
        expect([e.code, e.message, e.file, e.hint], dtype).toEqual([
          "NPY", `w.npy: dtype ${dtype} is not supported; fqc apply takes float32 or float16 tensors (float64 with --compute-dtype)`, "w.npy",
          "Convert the tensor first, e.g. np.save(path, x.astype(np.float32)).",
        ]);
      }
    }
  });

  it("speaks of a library caller's option, not the CLI's flag, when called for applyFile", () => {
    const e = thrownFqcError(() => resolveComputeDtype("float64", undefined, "w.npy", LIBRARY_WORDS));
    expect(e.hint).toMatch(/^NumPy saves float64 by default\. Either set options\.computeDtype to "float32" to cast .*or set options\.computeDtype to "float64" to compute/);
    expect(e.hint).not.toContain("--");
    const other = thrownFqcError(() => resolveComputeDtype("int8", undefined, "w.npy", LIBRARY_WORDS));
    expect(other.message).toBe("w.npy: dtype int8 is not supported; fqc apply takes float32 or float16 tensors (float64 with options.computeDtype)");
  });
});
