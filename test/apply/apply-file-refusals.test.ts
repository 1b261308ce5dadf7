/**
 * applyFile's refusals of a tensor it cannot fake-quantize, called as a library: each a FORWARD error that
 * names the file (with its shape and dtype where torchao's message names none), with its hint, and no output.
 */
import { linkSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const int4 = normalize({ dtype: "int4", group_size: 4 });

function npy(name: string, descr: "<f4" | "<f8", shape: number[]): string {
  const count = shape.reduce((a, b) => a * b, 1);
  const file = tmp.path(name);
  writeFileSync(file, Buffer.concat([encodeNpyHeader({ descr, shape }), Buffer.alloc(count * (descr === "<f8" ? 8 : 4))]));
  return file;
}

async function refusal(input: string, config = int4): Promise<FqcError> {
  const e = await applyFile({ input, output: tmp.path("out.npy"), config, threads: 1 }).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(FqcError);
  expect(readdirSync(tmp.dir)).not.toContain("out.npy");
  return e as FqcError;
}

describe("applyFile refuses before writing", () => {
  it("an output named for another format (.npz, .safetensors, in any case): the .npy would hide under it; refused as a checkpoint's is", async () => {
    const input = npy("w.npy", "<f4", [2, 8]);
    for (const [name, named] of [["w_fq.npz", "npz"], ["w_fq.SafeTensors", "safetensors"]]) {
      const output = tmp.path(name);
      const e = await applyFile({ input, output, config: int4, threads: 1 }).then(() => undefined, (x: unknown) => x);
      expect(e, name).toMatchObject({
        code: "USAGE", file: output,
        message: `${output}: the output of a .npy tensor has the same form as ${input}, not ${named}`,
        hint: "Name the output with .npy; fqc writes the input's layout, it does not convert between formats.",
      });
      expect(readdirSync(tmp.dir), name).not.toContain(name);
    }
    // Any other name holds the .npy it is given (as np.save's file= does not add .npy to a name of one's own).
    await applyFile({ input, output: tmp.path("w_fq.bin"), config: int4, threads: 1 });
    expect(readFileSync(tmp.path("w_fq.bin")).subarray(1, 6).toString()).toBe("NUMPY");
  });

  it("a scaleOut or zeroPointOut named .npz or .safetensors: each is one .npy, which numpy would not load as that; nothing written", async () => {
    const input = npy("wq.npy", "<f4", [2, 8]);
    for (const [option, name, what] of [["scaleOut", "s.npz", "scale"], ["zeroPointOut", "z.SAFETENSORS", "zero point"]]) {
      const path = tmp.path(name);
      const e = await applyFile({ input, output: tmp.path("out.npy"), config: int4, threads: 1, [option]: path }).then(() => undefined, (x: unknown) => x);
      expect(e, name).toMatchObject({
        code: "USAGE", file: path,
        message: `options.${option} ${path}: fqc writes the ${what} as one .npy file, not ${name.split(".")[1].toLowerCase()}`,
        hint: "Name it with .npy (numpy.load reads it).",
      });
      expect(readdirSync(tmp.dir), name).not.toContain(name);
      expect(readdirSync(tmp.dir), name).not.toContain("out.npy");
    }
  });

  it("a 0-d tensor: it has no last dimension, and the hint says how to save it as one element", async () => {
    const input = npy("scalar.npy", "<f4", []);
    const e = await refusal(input);
    expect(e).toMatchObject({
      code: "FORWARD", file: input,
      message: `${input}: a 0-d tensor has no last dimension to quantize along`,
      hint: "Save the value as a 1-D array of one element (np.atleast_1d).",
    });
  });

  it("an empty last dimension: torchao's reductions fail on it, said with the shape", async () => {
    const input = npy("cols0.npy", "<f4", [4, 0]);
    const e = await refusal(input);
    expect(e).toMatchObject({ code: "FORWARD", file: input, message: `${input}: the last dimension of shape (4, 0) is empty; torchao's min/max reductions fail on it` });
  });

  it("a float64 tensor whose config torchao refuses first: that error, labelled with the file, its shape and dtype", async () => {
    // torchao checks the group size before the input dtype: its message, not the float64 one, is the first problem.
    const input = npy("f64.npy", "<f8", [2, 6]);
    const e = await refusal(input);
    expect(e.code).toBe("FORWARD");
    expect(e.file).toBe(input);
    expect(e.message).toBe(`${input} (2, 6) float64: group_size 4 does not divide the last dimension (6) of input shape [2, 6] (torchao raises a bare AssertionError)`);
    expect(e.hint).toMatch(/^Use a group_size that divides 6/);
  });

  it("a float64 tensor under a config only older torchao refuses: with torchao 0.18 it is the float64 refusal", async () => {
    // A symmetric config's integer zero point under range learning: a trainable-Parameter error in 0.12 only.
    const config = normalize({ dtype: "int4", group_size: 4, is_dynamic: false, range_learning: true, mapping_type: "SYMMETRIC" });
    const input = npy("f64-range.npy", "<f8", [2, 8]);
    const run = (torchao: "0.12" | "0.18") => applyFile({ input, output: tmp.path("out.npy"), config, torchao, threads: 1 }).then(() => undefined, (x: unknown) => x);
    expect(await run("0.12")).toMatchObject({ code: "FORWARD", message: `${input} (2, 8) float64: Only Tensors of floating point and complex dtype can require gradients` });
    expect(await run("0.18")).toMatchObject({ code: "FORWARD", message: `${input} (2, 8) float64: Unsupported input dtype: torch.float64` });
    expect(readdirSync(tmp.dir)).not.toContain("out.npy");
  });

  it("an eps the compute dtype cannot hold when fqc computes the qparams; given ones are taken (torchao never clamps them)", async () => {
    const config = normalize({ dtype: "uint8", granularity: "per_channel", is_dynamic: false, is_symmetric: false, eps: 100000 });
    const input = tmp.path("half.npy");
    writeFileSync(input, Buffer.concat([encodeNpyHeader({ descr: "<f2", shape: [2, 8] }), Buffer.alloc(2 * 8 * 2)]));
    const scaleIn = tmp.path("scale.npy");
    writeFileSync(scaleIn, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [2, 1] }), Buffer.from(new Float32Array([0.1, 0.2]).buffer)]));
    const zeroPointIn = tmp.path("zp.npy");
    writeFileSync(zeroPointIn, Buffer.concat([encodeNpyHeader({ descr: "<i4", shape: [2, 1] }), Buffer.from(new Int32Array([1, 2]).buffer)]));
    const run = (given: { scaleIn?: string; zeroPointIn?: string }) =>
      applyFile({ input, output: tmp.path("half.out.npy"), config, threads: 1, ...given }).then((r) => r.qparams, (x: unknown) => x);
    expect(await run({})).toMatchObject({ code: "FORWARD", message: `${input} (2, 8) float16: value cannot be converted to type at::Half without overflow` });
    // One file alone is the usage error it always is, not the eps problem.
    // Named as the library caller wrote them (the CLI's --scale and --zero-point: test/cli/static-qparams.test.ts).
    expect(await run({ scaleIn })).toMatchObject({ code: "USAGE", message: "options.scaleIn and options.zeroPointIn go together: torchao reuses static qparams only when both are set" });
    expect(await run({ scaleIn, zeroPointIn })).toBe("given");
  });

  it("qparam files that cannot serve: each refusal carries its code (a usage error, or NPY for a dtype that holds none) and names the file", async () => {
    const config = normalize({ dtype: "uint8", granularity: "per_channel", is_dynamic: false, is_symmetric: false });
    const input = npy("static-in.npy", "<f4", [2, 8]);
    const qparam = (name: string, descr: string, shape: number[], data: ArrayBufferView) => {
      writeFileSync(tmp.path(name), Buffer.concat([encodeNpyHeader({ descr, shape }), Buffer.from(data.buffer)]));
      return tmp.path(name);
    };
    const scale = qparam("s.npy", "<f4", [2, 1], new Float32Array([0.1, 0.2]));
    const zp = qparam("z.npy", "<i4", [2, 1], new Int32Array([1, 2]));
    const run = (scaleIn: string, zeroPointIn: string) =>
      applyFile({ input, output: tmp.path("static-out.npy"), config, threads: 1, scaleIn, zeroPointIn }).then(() => undefined, (x: unknown) => x);
    expect(await run(qparam("si.npy", "<i4", [2, 1], new Int32Array([1, 2])), zp)).toMatchObject({ code: "USAGE", file: tmp.path("si.npy") });
    expect(await run(scale, qparam("z3.npy", "<i4", [3, 1], new Int32Array([1, 2, 3])))).toMatchObject({ code: "USAGE", file: tmp.path("z3.npy") });
    expect(await run(scale, qparam("zu.npy", "<u2", [2, 1], new Uint16Array([1, 2])))).toMatchObject({
      code: "NPY", file: tmp.path("zu.npy"), message: `${tmp.path("zu.npy")}: dtype uint16 cannot hold qparams`,
    });
    // Swapped files: the way out names the two options as the library caller wrote them.
    expect(await run(zp, scale)).toMatchObject({
      code: "USAGE", file: zp, hint: `Check the order: options.scaleIn ${zp} options.zeroPointIn ${scale}; were the two files swapped?`,
    });
    const dynamic = await applyFile({ input, output: tmp.path("static-out.npy"), config: int4, threads: 1, scaleIn: scale, zeroPointIn: zp }).catch((x: unknown) => x);
    expect(dynamic).toMatchObject({ code: "USAGE", message: expect.stringMatching(/^options\.scaleIn\/options\.zeroPointIn need a static config: /) });
  });

  it("an output with another hard link: refused with the way out force gives (as the library's option), and replaced (that name only) with it", async () => {
    const input = npy("linked-in.npy", "<f4", [2, 8]);
    const output = tmp.path("linked.npy");
    writeFileSync(output, "old");
    linkSync(output, tmp.path("other-name.npy"));
    const run = (force: boolean) => applyFile({ input, output, config: int4, threads: 1, force }).then(() => undefined, (x: unknown) => x);
    const e = await run(false);
    expect(e).toMatchObject({ code: "IO", file: output });
    expect((e as FqcError).hint).toBe("Write to another path, or remove the other links (or this file) first, or set options.force to true to replace this name only.");
    expect(await run(true)).toBeUndefined();
    expect(readFileSync(tmp.path("other-name.npy"), "utf8")).toBe("old");
  });
});
