/**
 * The dtype a .npy tensor computes in (apply, applyFile): its own for float32 and float16, the one --compute-dtype names
 * when given; float64 is refused as torchao refuses it unless --compute-dtype picks one, and every other dtype is refused.
 */
import { describe, expect, it } from "vitest";
import { FLOAT64_HINT, resolveComputeDtype } from "../../src/input-dtype.js";
import { thrownFqcError } from "../helpers/js-callers.js";

describe("resolveComputeDtype", () => {
  it("computes a float32 or float16 tensor in its own dtype, unless another is asked for", () => {
    expect(resolveComputeDtype("float32", undefined, "w.npy")).toBe("float32");
    expect(resolveComputeDtype("float16", undefined, "w.npy")).toBe("float16");
    expect(resolveComputeDtype("float16", "bfloat16", "w.npy")).toBe("bfloat16");
    expect(resolveComputeDtype("float32", "float64", "w.npy")).toBe("float64");
  });

  it("refuses float64 as torchao does (a FORWARD error with the ways out), unless a compute dtype is given", () => {
    const e = thrownFqcError(() => resolveComputeDtype("float64", undefined, "w.npy"));
    expect([e.code, e.message, e.file, e.hint]).toEqual(["FORWARD", "Unsupported input dtype: torch.float64", "w.npy", FLOAT64_HINT]);
    // Each way out: cast first (the output stays float64), compute in float64, or save as float32.
    expect(FLOAT64_HINT).toMatch(/--compute-dtype float32 .*the output is written back as float64.*--compute-dtype float64 .*np\.save\(path, x\.astype\(np\.float32\)\)/);
    expect(resolveComputeDtype("float64", "float32", "w.npy")).toBe("float32");
  });

  it("refuses any other dtype whatever --compute-dtype says, naming the file and how to convert it", () => {
    for (const dtype of ["int8", "uint8", "int32", "bool", "bfloat16", "complex64"]) {
      for (const requested of [undefined, "float32"] as const) {
        const e = thrownFqcError(() => resolveComputeDtype(dtype, requested, "w.npy"));
        expect([e.code, e.message, e.file, e.hint], dtype).toEqual([
          "NPY", `w.npy: dtype ${dtype} is not supported; fqc apply takes float32 or float16 tensors (float64 with --compute-dtype)`, "w.npy",
          "Convert the tensor first, e.g. np.save(path, x.astype(np.float32)).",
        ]);
      }
    }
  });
});
