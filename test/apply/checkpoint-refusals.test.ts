/**
 * applyCheckpoint's refusals before any output exists, called as a library: the plan's first problem (its
 * tensor, how many others have one, the error's code, hint and file), an output named for another format, and
 * an output that is one of the checkpoint's own files.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyCheckpoint, checkApplyPaths } from "../../src/apply/checkpoint.js";
import { CLI_WORDS } from "../../src/caller-words.js";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";
import { weights, writeSafetensors, type TestTensor } from "../helpers/safetensors.js";
import { craftZip, npyF32 } from "../checkpoint/npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const int4 = normalize({ dtype: "int4", group_size: 32 });

const counts = (n: number): TestTensor[] =>
  Array.from({ length: n }, (_, i) => ({ name: `layer${i}.count`, dtype: "I64", shape: [4], raw: new Uint8Array(32) }));
const weight = (name: string, cols = 64): TestTensor => ({ name, dtype: "F32", shape: [8, cols], values: weights(8 * cols, cols, 1) });

let n = 0;
/** A fresh directory holding `model.safetensors` of these tensors. */
function model(tensors: TestTensor[]): { dir: string; input: string; output: string } {
  const dir = tmp.path(`case${n++}`);
  mkdirSync(dir);
  const input = path.join(dir, "model.safetensors");
  writeSafetensors(input, tensors);
  return { dir, input, output: path.join(dir, "out.safetensors") };
}

/** A sharded checkpoint in its own directory: `tensors[i]` in shard i; returns the index's path. */
function sharded(tensors: TestTensor[]): { dir: string; index: string; shards: string[] } {
  const dir = tmp.path(`case${n++}`);
  mkdirSync(dir);
  const names = tensors.map((_, i) => `model-0000${i + 1}-of-0000${tensors.length}.safetensors`);
  names.forEach((name, i) => writeSafetensors(path.join(dir, name), [tensors[i]]));
  const index = path.join(dir, "model.safetensors.index.json");
  writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(tensors.map((t, i) => [t.name, names[i]])) }));
  return { dir, index, shards: names.map((name) => path.join(dir, name)) };
}

async function refusal(run: Promise<unknown>): Promise<FqcError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FqcError);
  return error as FqcError;
}

/** A recipe naming each of these tensors exactly: an integer tensor so named is a plan error. */
function naming(names: string[]) {
  const doc = normalizeDocument({ fqn_to_config: Object.fromEntries(names.map((k) => [k, { dtype: "int4", group_size: 32 }])) });
  if (doc.kind !== "recipe") throw new Error("not a recipe");
  return { recipe: doc.recipe };
}

describe("the plan's first problem", () => {
  it.each([
    [1, ""],
    [2, " (and 1 more tensor with problems)"],
    [3, " (and 2 more tensors with problems)"],
  ])("%i tensors with problems: the first is named with its shape and dtype, then how many others have one", async (failing, more) => {
    const tensors = [weight("proj.weight"), ...counts(failing)];
    const m = model(tensors);
    const e = await refusal(applyCheckpoint({ input: m.input, output: m.output, select: naming(tensors.map((t) => t.name)), threads: 1 }));
    expect(e.message).toBe(`${m.input}: tensor layer0.count (4 I64): recipe key \`layer0.count\` names layer0.count, whose dtype is I64: fqc fake-quantizes F32, F16 and BF16 tensors only${more}`);
    // fqc's own refusal, not one torchao raises: a config problem.
    expect(e.code).toBe("CONFIG");
    expect(e.hint).toBe("Map the key to null (or remove it) to leave this tensor as it is.");
    expect(e.file).toBe(m.input);
    expect(readdirSync(m.dir)).toEqual(["model.safetensors"]);
  });

  it("a 0-d tensor is named as a scalar", async () => {
    const m = model([weight("proj.weight"), { name: "step", dtype: "I64", shape: [], raw: new Uint8Array(8) }]);
    const e = await refusal(applyCheckpoint({ input: m.input, output: m.output, select: naming(["step"]), threads: 1 }));
    expect(e.message).toMatch(new RegExp(`^${m.input.replace(/[.]/g, "\\.")}: tensor step \\(scalar I64\\): `));
  });

  it("an error torchao raises is a FORWARD error, with torchao's message and fqc's hint", async () => {
    const m = model([weight("proj.weight", 48)]);
    const e = await refusal(applyCheckpoint({ input: m.input, output: m.output, select: { config: int4 }, threads: 1 }));
    expect(e.code).toBe("FORWARD");
    expect(e.message).toBe(`${m.input}: tensor proj.weight (8×48 F32): in_features (48) % group_size (32) must be == 0`);
    expect(e.hint).toContain("FakeQuantizedLinear");
    expect(readdirSync(m.dir)).toEqual(["model.safetensors"]);
  });

  it("in a sharded checkpoint the error's file is the shard that holds the tensor, not the index", async () => {
    const s = sharded([weight("proj.weight"), ...counts(1)]);
    const e = await refusal(applyCheckpoint({ input: s.index, output: path.join(s.dir, "out"), select: naming(["layer0.count"]), threads: 1 }));
    expect(e.message.startsWith(`${s.index}: tensor layer0.count (4 I64)`)).toBe(true);
    expect(e.file).toBe(s.shards[1]);
    expect(existsSync(path.join(s.dir, "out"))).toBe(false);
  });
});

describe("an output named for another format than the input's", () => {
  it.each([
    ["a safetensors file", "OUT.NPZ", "npz", "Name the output with .safetensors; fqc writes the input's layout, it does not convert between formats."],
    ["a safetensors file", "out.npy", "npy", "Name the output with .safetensors; fqc writes the input's layout, it does not convert between formats."],
  ])("%s to %s: refused as USAGE with the extension to use, nothing written", async (_what, name, named, hint) => {
    const m = model([weight("proj.weight")]);
    const output = path.join(m.dir, name);
    const e = await refusal(applyCheckpoint({ input: m.input, output, select: { config: int4 }, threads: 1 }));
    expect(e).toMatchObject({ code: "USAGE", file: output, hint, message: `${output}: the output of a safetensors checkpoint has the same form as ${m.input}, not ${named}` });
    expect(readdirSync(m.dir)).toEqual(["model.safetensors"]);
  });

  it("an .npz to a .safetensors name: the hint names .npz", async () => {
    const dir = tmp.path(`case${n++}`);
    mkdirSync(dir);
    const input = path.join(dir, "m.npz");
    writeFileSync(input, craftZip([{ name: "proj.weight.npy", payload: npyF32(Array.from(weights(8 * 64, 1, 1)), [8, 64]) }]));
    const e = await refusal(applyCheckpoint({ input, output: path.join(dir, "o.safetensors"), select: { config: int4 }, threads: 1 }));
    expect(e.code).toBe("USAGE");
    expect(e.hint).toBe("Name the output with .npz; fqc writes the input's layout, it does not convert between formats.");
  });

  it("a sharded checkpoint to a file name: the hint asks for a directory", async () => {
    const s = sharded([weight("a.weight"), weight("b.weight")]);
    const output = path.join(s.dir, "out.safetensors");
    const e = await refusal(applyCheckpoint({ input: s.index, output, select: { config: int4 }, threads: 1 }));
    expect(e).toMatchObject({ code: "USAGE", hint: "Give a directory for the shards and their index." });
    expect(e.message).toBe(`${output}: the output of a sharded checkpoint has the same form as ${s.index}, not safetensors`);
    expect(existsSync(output)).toBe(false);
  });

  it("a name of no known format is the input's layout under that name", async () => {
    const m = model([weight("proj.weight")]);
    const output = path.join(m.dir, "out.bin");
    const before = performance.now();
    const r = await applyCheckpoint({ input: m.input, output, select: { config: int4 }, threads: 1 });
    const within = (performance.now() - before) / 1000;
    expect(r).toMatchObject({ input: m.input, format: "safetensors", output, quantized: 1, unmatchedKeys: [] });
    // Its own duration, in seconds: more than nothing, no more than the call took (1 ms for the clocks' grain).
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThanOrEqual(within + 0.001);
    expect(existsSync(output)).toBe(true);
  });
});

describe("an output that is one of the checkpoint's files", () => {
  it("names a shard by the checkpoint it belongs to, and the single file as the input option (a library call's names)", async () => {
    const s = sharded([weight("a.weight"), weight("b.weight")]);
    const qparamsOut = s.shards[1];
    const e = await refusal(applyCheckpoint({ input: s.index, output: path.join(s.dir, "out"), select: { config: int4 }, qparamsOut, threads: 1 }));
    expect(e.message.startsWith(`options.qparamsOut ${qparamsOut} is the same file as ${s.index}'s file ${qparamsOut}: `)).toBe(true);
    const m = model([weight("proj.weight")]);
    const single = await refusal(applyCheckpoint({ input: m.input, output: m.output, select: { config: int4 }, qparamsOut: m.input, threads: 1 }));
    expect(single.message.startsWith(`options.qparamsOut ${m.input} is the same file as options.input ${m.input}: `)).toBe(true);
    const forced = await refusal(applyCheckpoint({ input: m.input, output: m.input, select: { config: int4 }, threads: 1 }));
    expect(forced.message).toBe(`options.output ${m.input} is the same file as options.input ${m.input}: refusing to overwrite an input; write options.output elsewhere, or set options.force to true to replace options.input`);
    const npyName = await refusal(applyCheckpoint({ input: m.input, output: m.output, select: { config: int4 }, qparamsOut: path.join(s.dir, "q.npy"), threads: 1 }));
    expect(npyName.message).toBe(`options.qparamsOut ${path.join(s.dir, "q.npy")}: fqc writes the qparams as one safetensors file, not npy`);
  });
});

describe("checkApplyPaths: what apply refuses before any work, and --dry-run with it", () => {
  it("refuses --qparams-out or a caller's other output (a report) that is a file of the checkpoint, by its flag (the CLI's names)", () => {
    const s = sharded([weight("a.weight"), weight("b.weight")]);
    const ck = openCheckpoint(s.index);
    try {
      const output = path.join(s.dir, "out");
      expect(() => checkApplyPaths(ck, { input: s.index, output, qparamsOut: s.shards[0], words: CLI_WORDS }))
        .toThrow(`--qparams-out ${s.shards[0]} is the same file as ${s.index}'s file ${s.shards[0]}`);
      expect(() => checkApplyPaths(ck, { input: s.index, output, writes: [{ path: s.shards[1], role: "--report" }], words: CLI_WORDS }))
        .toThrow(`--report ${s.shards[1]} is the same file as ${s.index}'s file ${s.shards[1]}`);
      expect(() => checkApplyPaths(ck, { input: s.index, output, reads: [{ path: path.join(s.dir, "out"), role: "--recipe" }], words: CLI_WORDS }))
        .toThrow(`OUT ${output} is the same file as --recipe ${output}`);
    } finally {
      ck.close();
    }
  });

  it("refuses OUT over IN offering --force, and takes it with --force", () => {
    const m = model([weight("proj.weight")]);
    const ck = openCheckpoint(m.input);
    try {
      expect(() => checkApplyPaths(ck, { input: m.input, output: m.input, words: CLI_WORDS })).toThrow(`OUT ${m.input} is the same file as IN ${m.input}: refusing to overwrite an input; write OUT elsewhere, or pass --force to replace IN`);
      expect(() => checkApplyPaths(ck, { input: m.input, output: m.input, force: true })).not.toThrow();
    } finally {
      ck.close();
    }
  });
});
