/**
 * What the library's refusals of a JavaScript caller's arguments say, word for word: the kind of value named (a number
 * shown as itself, any other value by its kind), the hint that tells how to pass it, and the values at the edge of each
 * check taken or refused as the README's Library section says.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fqc from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { js } from "../helpers/js-callers.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The FqcError "USAGE" that `f` throws (or its promise rejects with): its message and hint. */
async function refusal(f: () => unknown): Promise<{ message: string; hint: string | undefined }> {
  let e: unknown;
  try {
    await f();
  } catch (thrown) {
    e = thrown;
  }
  expect(e).toBeInstanceOf(fqc.FqcError);
  expect((e as fqc.FqcError).code).toBe("USAGE");
  return { message: (e as fqc.FqcError).message, hint: (e as fqc.FqcError).hint };
}

const CFG = { dtype: "int4", group_size: 4 };
const C = fqc.normalize(CFG);
const fq = js(fqc.fakeQuantize);
const four = () => new Float32Array([1, 2, 3, 4]);

describe("fakeQuantize's data, shape and qparams", () => {
  it("name the kind of data given, with a hint to convert an array or a typed array and none for other values", async () => {
    const data = async (d: unknown) => refusal(() => fq(CFG, d, { shape: [1, 4] }));
    expect(await data({})).toEqual({ message: "fakeQuantize: data must be a Float32Array or Float64Array, not an object", hint: undefined });
    expect(await data(() => 1)).toEqual({ message: "fakeQuantize: data must be a Float32Array or Float64Array, not a function", hint: undefined });
    const convert = "Convert it first, e.g. Float32Array.from(values).";
    expect(await data([1, 2, 3, 4])).toEqual({ message: "fakeQuantize: data must be a Float32Array or Float64Array, not an array", hint: convert });
    expect(await data(new Uint8Array(4))).toEqual({ message: "fakeQuantize: data must be a Float32Array or Float64Array, not a Uint8Array", hint: convert });
    expect((await data(new Proxy(four(), {}))).hint).toBe("Pass the typed array itself.");
  });

  it("say how a shape is written, and list the dimensions of one too large to hold", async () => {
    expect(await refusal(() => fq(CFG, four(), { shape: 4 }))).toEqual({ message: "fakeQuantize: options.shape must be an array of dimensions, not a number", hint: "e.g. shape: [rows, columns]" });
    expect((await refusal(() => fq(CFG, four(), { shape: [2 ** 40, 2 ** 40] }))).message)
      .toBe("fakeQuantize: options.shape (1099511627776, 1099511627776) has more elements than a typed array can hold");
  });

  it("tell a BigInt64Array of qparams to be converted, and a torchao version given as a number to be a string", async () => {
    const STATIC = { ...CFG, is_dynamic: false };
    expect((await refusal(() => fq(STATIC, four(), { shape: [1, 4], scale: new BigInt64Array(1), zeroPoint: [0] }))).hint).toBe("Convert it first, e.g. Float64Array.from(values, Number).");
    expect(await refusal(() => fq(CFG, four(), { shape: [1, 4], torchao: 0.12 })))
      .toEqual({ message: 'fakeQuantize: options.torchao 0.12 is not one of "0.12", "0.18"', hint: 'Give the version as a string, e.g. "0.12".' });
  });

  it("show a choice given as a number as the number, and any other value by its kind", async () => {
    expect((await refusal(() => fq(CFG, four(), { shape: [1, 4], computeDtype: 5 }))).message).toBe('fakeQuantize: options.computeDtype 5 is not one of "float32", "float16", "bfloat16", "float64"');
    expect((await refusal(() => fq(CFG, four(), { shape: [1, 4], computeDtype: {} }))).message).toMatch(/^fakeQuantize: options\.computeDtype an object is not one of /);
    expect((await refusal(() => fq(CFG, four(), { shape: [1, 4], computeDtype: null }))).message).toMatch(/^fakeQuantize: options\.computeDtype null is not one of /);
  });
});

describe("applyFile's options", () => {
  const apply = js(fqc.applyFile);
  const base = { input: tmp.path("none.npy"), output: tmp.path("none_fq.npy"), config: C };

  it("take an AbortSignal's shape only when it has all three members, and name anything else", async () => {
    const add = () => {};
    const hint = "e.g. AbortSignal.timeout(ms) or new AbortController().signal";
    for (const [signal, kind] of [
      [null, "null"], [5, "a number"], ["abort", "a string"], [{ aborted: false, addEventListener: add }, "an object"],
      [{ aborted: false, removeEventListener: add }, "an object"], [{ aborted: "no", addEventListener: add, removeEventListener: add }, "an object"],
      [{ addEventListener: add, removeEventListener: add }, "an object"],
    ] as const) {
      expect(await refusal(() => apply({ ...base, signal })), JSON.stringify(signal)).toEqual({ message: `applyFile: options.signal must be an AbortSignal, not ${kind}`, hint });
    }
  });

  it("name a count given as a string by its kind, and a number as itself", async () => {
    expect((await refusal(() => apply({ ...base, chunkElements: "64" }))).message).toBe("applyFile: options.chunkElements must be a whole number ≥ 1, not a string");
    expect((await refusal(() => apply({ ...base, chunkElements: 0 }))).message).toBe("applyFile: options.chunkElements must be a whole number ≥ 1, not 0");
  });
});

describe("reportCheckpoint's arguments", () => {
  const ckpt = testCheckpoint(tmp.path("m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 2) }]);
  afterAll(() => ckpt.close());
  const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, C) }];
  const report = (opts: unknown) => js(fqc.reportCheckpoint)(ckpt, columns, { threads: 1, ...(opts as object) });

  it("take worst: 0 (no tensor listed) and refuse a fraction, NaN, a negative or a string, naming it", async () => {
    const none = await fqc.reportCheckpoint(ckpt, columns, { threads: 1, worst: 0 });
    expect(none.summaries[0].worst).toEqual([]);
    for (const [worst, shown] of [[1.5, "1.5"], [NaN, "NaN"], [-1, "-1"], ["1", "a string"]] as const) {
      expect((await refusal(() => report({ worst }))).message).toBe(`reportCheckpoint: options.worst must be a whole number ≥ 0, not ${shown}`);
    }
  });

  it("refuse a spillDir that is not a path, though it may be left out", async () => {
    expect((await refusal(() => report({ spillDir: 5 }))).message).toBe("reportCheckpoint: options.spillDir must be a path (a string), not a number");
  });

  it("refuse a checkpoint without the path it is named by (configTargets, which names none, takes one)", async () => {
    const pathless = { format: "safetensors", tensors: [] };
    expect((await refusal(() => js(fqc.reportCheckpoint)(pathless, [], { threads: 1 }))).message).toBe("reportCheckpoint: checkpoint must be a checkpoint (what openCheckpoint returns), not an object");
    expect(js(fqc.configTargets)(pathless, C)).toEqual([]);
  });
});
