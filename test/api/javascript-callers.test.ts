/**
 * The library called from plain JavaScript with the wrong things: every entry point refuses with an FqcError
 * "USAGE" naming the argument, before touching a file, instead of a TypeError from deep inside or a result
 * computed from nonsense.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import * as fqc from "../../src/index.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";
import { caught, js } from "../helpers/js-callers.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());


function expectUsage(e: unknown, message: RegExp): void {
  expect(e).toBeInstanceOf(fqc.FqcError);
  expect((e as fqc.FqcError).code).toBe("USAGE");
  expect((e as Error).message).toMatch(message);
}

const refuses = (f: () => unknown, message: RegExp) => expectUsage(caught(f), message);
const rejects = async (p: Promise<unknown>, message: RegExp) => expectUsage(await p.then(() => undefined, (e: unknown) => e), message);

const CFG = { dtype: "int4", group_size: 4 };
const fq = js(fqc.fakeQuantize);
const four = () => new Float32Array([1, 2, 3, 4]);

describe("fakeQuantize from JavaScript", () => {
  it("refuses missing or non-object options", () => {
    refuses(() => fq(CFG, four()), /fakeQuantize: the options must be an object, not undefined/);
    refuses(() => fq(CFG, four(), null), /not null/);
    refuses(() => fq(CFG, four(), "1,4"), /not a string/);
  });

  it("refuses a shape that is not an array of whole non-negative numbers, instead of a silently unchanged output", () => {
    // [0.5, 8] once gave qparamShape [0.5] and the input back unchanged, with no error.
    refuses(() => fq({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" }, four(), { shape: [0.5, 8] }), /shape\[0\] is 0\.5/);
    refuses(() => fq({ dtype: "int8", granularity: "per_channel" }, four(), { shape: [2.5, 1.6] }), /shape\[0\] is 2\.5/);
    refuses(() => fq(CFG, four(), { shape: [-1, -4] }), /shape\[0\] is -1: a dimension must be a whole number ≥ 0/);
    refuses(() => fq(CFG, four(), { shape: [NaN, 4] }), /shape\[0\] is NaN/);
    refuses(() => fq(CFG, four(), { shape: ["1", "4"] }), /shape\[0\] is a string/);
    refuses(() => fq(CFG, four(), { shape: 4 }), /options\.shape must be an array of dimensions, not a number/);
    refuses(() => fq(CFG, four(), {}), /options\.shape must be an array of dimensions, not undefined/);
    refuses(() => fq(CFG, four(), { shape: [2 ** 40, 2 ** 40] }), /more elements than a typed array can hold/);
  });

  it("takes only a Float32Array or Float64Array, not values of another kind read as numbers", () => {
    for (const [data, kind] of [
      [[1, 2, 3, 4], "an array"], [new Uint8Array(4), "a Uint8Array"], [new Int32Array(4), "an Int32Array"],
      [new DataView(new ArrayBuffer(16)), "a DataView"], ["1234", "a string"], [null, "null"],
    ] as const) {
      refuses(() => fq(CFG, data, { shape: [1, 4] }), new RegExp(`data must be a Float32Array or Float64Array, not ${kind}`));
    }
  });

  it("refuses data whose buffer was transferred away, even for an empty shape", () => {
    const a = four();
    structuredClone(a.buffer, { transfer: [a.buffer] });
    refuses(() => fq(CFG, a, { shape: [1, 4] }), /detached/);
    refuses(() => fq(CFG, a, { shape: [0, 4] }), /detached/);
  });

  it("computes on a SharedArrayBuffer-backed array and on a view into a larger buffer, leaving the input as it was", () => {
    const shared = new Float32Array(new SharedArrayBuffer(16));
    shared.set([11.375, 9.858333587646484, 0, -1]);
    const big = new Float32Array(8);
    big.set([11.375, 9.858333587646484, 0, -1], 4);
    const ref = fqc.fakeQuantize(CFG, new Float32Array([11.375, 9.858333587646484, 0, -1]), { shape: [1, 4] }).output;
    expect(Array.from(fqc.fakeQuantize(CFG, shared, { shape: [1, 4] }).output)).toEqual(Array.from(ref));
    expect(Array.from(fqc.fakeQuantize(CFG, big.subarray(4), { shape: [1, 4] }).output)).toEqual(Array.from(ref));
    expect(Array.from(shared)).toEqual([11.375, Math.fround(9.858333587646484), 0, -1]);
  });

  it("refuses an unknown computeDtype or torchao version instead of crashing or using a default", () => {
    refuses(() => fq(CFG, four(), { shape: [1, 4], computeDtype: "int8" }), /options\.computeDtype "int8" is not one of "float32"/);
    refuses(() => fq(CFG, four(), { shape: [1, 4], torchao: "9.9" }), /options\.torchao "9\.9" is not one of "0\.12", "0\.18"/);
    refuses(() => fq(CFG, four(), { shape: [1, 4], torchao: 0.12 }), /options\.torchao 0\.12 is not one of/);
  });

  it("refuses static qparams given as a string", () => {
    refuses(() => fq({ ...CFG, is_dynamic: false }, four(), { shape: [1, 4], scale: "1", zeroPoint: [0] }), /options\.scale must be an array or a typed array/);
  });
});

describe("normalize and validate from JavaScript", () => {
  it("name a BigInt in the config instead of crashing in JSON.stringify", () => {
    const e = caught(() => fqc.normalize({ dtype: "int4", group_size: 32n }));
    expect(e).toBeInstanceOf(fqc.FqcError);
    expect((e as Error).message).toContain("not 32n (a BigInt)");
    expect(fqc.validate({ dtype: "int4", group_size: 32n }).diagnostics[0].message).toContain("32n (a BigInt)");
  });

  it("describe an undefined config once ('not undefined', not 'not undefined nothing')", () => {
    expect(fqc.validate(undefined).diagnostics[0].message).toBe("a config file must hold a JSON object, not undefined");
  });

  it("refuse options that are not an object, an unknown format, and ruleSettings that are not a Map of levels", () => {
    refuses(() => js(fqc.validate)("{}", null), /validate: the options must be an object, not null/);
    refuses(() => js(fqc.normalize)('{"dtype": "int4"}', null), /normalize: the options must be an object, not null/);
    refuses(() => js(fqc.normalize)("dtype: int4", { format: "toml" }), /normalize: options\.format "toml" is not one of "json", "yaml"/);
    refuses(() => js(fqc.validate)("{}", { format: "xml" }), /options\.format "xml"/);
    refuses(() => js(fqc.validate)("{}", { ruleSettings: { "fqc/unknown-key": "off" } }), /ruleSettings must be a Map/);
    refuses(() => js(fqc.validate)("{}", { ruleSettings: new Map([["fqc/unknown-key", "loud"]]) }), /the level "loud", not one of "off", "warn", "error"/);
  });

  it("refuse a maxProblems that would list nothing or everything by accident", () => {
    const text = '{"dtype": "int4", "granularity": "per_channel", "group_size": 32}';
    for (const bad of [-1, NaN, 1.5, "1"]) refuses(() => js(fqc.validate)(text, { maxProblems: bad }), /options\.maxProblems must be a whole number ≥ 0/);
    expect(fqc.validate(text, { maxProblems: 0 }).unlisted.errorCount).toBe(1);
  });
});

describe("the smaller helpers from JavaScript", () => {
  it("dtypeInfo refuses a name outside the dtype table instead of a range of bits 0", () => {
    refuses(() => js(fqc.dtypeInfo)("nope"), /dtypeInfo: "nope" is not a quantized dtype/);
    refuses(() => js(fqc.dtypeInfo)("toString"), /not a quantized dtype/);
    expect(fqc.dtypeInfo("int4")).toEqual({ name: "int4", bits: 4, signed: true, qmin: -8, qmax: 7 });
  });

  it("forwardProblems and makePlan refuse a shorthand config and a negative dimension", () => {
    refuses(() => js(fqc.forwardProblems)(CFG, [4, 4]), /must be a canonical config \(what normalize returns\), not a shorthand config/);
    refuses(() => js(fqc.forwardProblems)(fqc.normalize(CFG), [-4, -4]), /shape\[0\] is -4/);
    refuses(() => js(fqc.makePlan)(fqc.normalize(CFG), [4, 4], { compute: "int8", torchao: "0.12" }), /^makePlan: options\.compute "int8" is not one of/);
  });

  it("createCheckpointWriter refuses something that is not an opened checkpoint", () => {
    refuses(() => js(fqc.createCheckpointWriter)(null, tmp.path("x.safetensors")), /createCheckpointWriter: no writer for null/);
    refuses(() => js(fqc.createCheckpointWriter)({ format: "gguf", path: "m.gguf", tensors: [] }, tmp.path("x.safetensors")), /no writer for m\.gguf: a gguf checkpoint/);
  });

  it("formatDiagnostics refuses an input whose fields are not what FormatInput says, naming the field", () => {
    const input = { diagnostics: [], sources: new Map(), filesChecked: ["a.json"], rules: fqc.RULES, toolVersion: fqc.VERSION, cwd: "." };
    refuses(() => js(fqc.formatDiagnostics)("sarif", { ...input, filesChecked: "a.json" }, { color: false }), /input\.filesChecked must be an array, not a string/);
    refuses(() => js(fqc.formatDiagnostics)("json", { ...input, sources: {} }, { color: false }), /input\.sources must be a Map of file name to text, not an object/);
    refuses(() => js(fqc.formatDiagnostics)("stylish", { ...input, cwd: undefined }, { color: false }), /input\.cwd must be a string, not undefined/);
    refuses(() => js(fqc.formatDiagnostics)("github", null, { color: false }), /input must be an object, not null/);
    expect(JSON.parse(fqc.formatDiagnostics("json", input, { color: false })).files).toBeDefined();
  });

  it("formatDiagnostics and renderReport refuse an unknown format instead of returning nothing", () => {
    const input = { diagnostics: [], sources: new Map(), filesChecked: [], rules: fqc.RULES, toolVersion: fqc.VERSION, cwd: "." };
    refuses(() => js(fqc.formatDiagnostics)("text", input, { color: false }), /format "text" is not one of "stylish"/);
    refuses(() => js(fqc.renderReport)("pdf", {}, {}), /format "pdf" is not one of "table"/);
    refuses(() => js(fqc.renderReport)("json", null), /report must be a report/);
  });
});

describe("apply and report entry points from JavaScript", () => {
  const npy = tmp.path("w.npy");
  const header = encodeNpyHeader({ descr: "<f4", shape: [4, 8] });
  writeFileSync(npy, Buffer.concat([header, Buffer.from(weights(32, 7).buffer)]));
  const C = fqc.normalize({ dtype: "int4", group_size: 4 });
  const apply = js(fqc.applyFile);

  it("applyFile rejects bad options before any file is written", async () => {
    const out = tmp.path("out.npy");
    await rejects(apply(), /applyFile: the options must be an object, not undefined/);
    await rejects(apply({ input: npy, output: out, config: CFG }), /options\.config must be a canonical config/);
    await rejects(apply({ input: npy, config: C }), /options\.output must be a path \(a string\), not undefined/);
    await rejects(apply({ input: 5, output: out, config: C }), /options\.input must be a path/);
    await rejects(apply({ input: npy, output: out, config: C, computeDtype: "int8" }), /options\.computeDtype "int8"/);
    await rejects(apply({ input: npy, output: out, config: C, torchao: "1.0" }), /options\.torchao "1\.0"/);
    await rejects(apply({ input: npy, output: out, config: C, kernel: "gpu" }), /options\.kernel "gpu"/);
    await rejects(apply({ input: npy, output: out, config: C, chunkElements: NaN }), /options\.chunkElements must be a whole number ≥ 1, not NaN/);
    await rejects(apply({ input: npy, output: out, config: C, signal: {} }), /options\.signal must be an AbortSignal/);
    await rejects(apply({ input: npy, output: out, config: C, onProgress: 5 }), /options\.onProgress must be a function/);
    await rejects(apply({ input: npy, output: out, config: C, onCommitted: 5 }), /^applyFile: options\.onCommitted must be a function/);
    for (const k of ["scaleIn", "zeroPointIn", "scaleOut", "zeroPointOut", "configFile"]) {
      await rejects(apply({ input: npy, output: out, config: C, [k]: 5 }), new RegExp(`^applyFile: options\\.${k} must be a path \\(a string\\), not a number$`));
    }
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).sort()).toEqual(["w.npy"]);
  });

  it("applyCheckpoint rejects bad options before any file is written, each named as its own option", async () => {
    const ck = js(fqc.applyCheckpoint);
    const out = tmp.path("out.safetensors");
    const ok = { input: npy, output: out, select: { config: C } };
    await rejects(ck(), /^applyCheckpoint: the options must be an object, not undefined$/);
    await rejects(ck({ input: npy, select: { config: C } }), /^applyCheckpoint: options\.output must be a path \(a string\), not undefined$/);
    await rejects(ck({ ...ok, input: 5 }), /^applyCheckpoint: options\.input must be a path/);
    await rejects(ck({ ...ok, qparamsOut: 5 }), /^applyCheckpoint: options\.qparamsOut must be a path/);
    await rejects(ck({ ...ok, select: { config: CFG } }), /^applyCheckpoint: options\.select/);
    await rejects(ck({ ...ok, torchao: "1.0" }), /^applyCheckpoint: options\.torchao "1\.0"/);
    await rejects(ck({ ...ok, kernel: "gpu" }), /^applyCheckpoint: options\.kernel "gpu"/);
    await rejects(ck({ ...ok, signal: {} }), /^applyCheckpoint: options\.signal must be an AbortSignal/);
    await rejects(ck({ ...ok, onProgress: 5 }), /^applyCheckpoint: options\.onProgress must be a function/);
    await rejects(ck({ ...ok, onCommitted: 5 }), /^applyCheckpoint: options\.onCommitted must be a function/);
    expect(readdirSync(tmp.dir).sort()).toEqual(["w.npy"]);
  });

  it("every entry point names its own threads option (not the CLI's --threads) when the count is not one it can use", async () => {
    const out = tmp.path("out.npy");
    await rejects(apply({ input: npy, output: out, config: C, threads: NaN }), /^applyFile: options\.threads must be a whole number ≥ 0 or "auto", not NaN$/);
    await rejects(apply({ input: npy, output: out, config: C, threads: 1.5 }), /applyFile: options\.threads .* not 1\.5$/);
    await rejects(apply({ input: npy, output: out, config: C, threads: "2" }), /applyFile: options\.threads .* not "2"$/);
    await rejects(apply({ input: npy, output: out, config: C, threads: null }), /applyFile: options\.threads .* not null$/);
    await rejects(apply({ input: npy, output: out, config: C, threads: 1e9 }), /^applyFile: options\.threads is 1000000000, more than fqc allows on this machine \(at most \d+\)$/);
    await rejects(js(fqc.applyCheckpoint)({ input: npy, output: out, select: { config: C }, threads: -1 }), /^applyCheckpoint: options\.threads .* not -1$/);
    const one = testCheckpoint(tmp.path("t.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 3) }]);
    const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(one, C) }];
    await rejects(js(fqc.reportCheckpoint)(one, columns, { threads: Infinity }), /^reportCheckpoint: options\.threads .* not Infinity$/);
    one.close();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).sort()).toEqual(["t.safetensors", "w.npy"]);
  });

  it("applyFile takes an object of AbortSignal's shape as its signal (the declarations' AbortSignalLike) and stops when it has fired", async () => {
    const out = tmp.path("shaped.npy");
    const listeners: Array<() => void> = [];
    const fired = { aborted: true, addEventListener: (_t: string, l: () => void) => void listeners.push(l), removeEventListener: () => {} };
    await expect(apply({ input: npy, output: out, config: C, signal: fired })).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(existsSync(out)).toBe(false);
    const quiet = { ...fired, aborted: false };
    await apply({ input: npy, output: out, config: C, signal: quiet });
    expect(existsSync(out)).toBe(true);
  });

  it("applyCheckpoint and planTensors refuse a selection with both config and recipe, or a shorthand config", async () => {
    const ckpt = testCheckpoint(tmp.path("m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 1) }]);
    const out = tmp.path("m_fq.safetensors");
    const select = (s: unknown) => js(fqc.applyCheckpoint)({ input: ckpt.path, output: out, select: s, threads: 1 });
    await rejects(select({ config: C, recipe: { entries: [] } }), /options\.select must hold either config or recipe, not both/);
    await rejects(select({ config: CFG }), /options\.select\.config must be a canonical config/);
    await rejects(select(null), /options\.select must be \{ config \} or \{ recipe \}, not null/);
    await rejects(select({ recipe: { fqn_to_config: {} } }), /options\.select\.recipe must be a parsed recipe/);
    expect(existsSync(out)).toBe(false);
    refuses(() => js(fqc.configTargets)(ckpt, CFG), /^configTargets: config must be a canonical config/);
    refuses(() => js(fqc.planTensors)(null, { config: C }), /planTensors: tensors must be an array/);
    ckpt.close();
  });

  it("reportCheckpoint, renderReport and tensorsBelow refuse counts and thresholds that would silently drop or pass tensors", async () => {
    const ckpt = testCheckpoint(tmp.path("r.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 2) }]);
    const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, C) }];
    // worst: -1 once listed all but the last tensor as the worst.
    await rejects(js(fqc.reportCheckpoint)(ckpt, columns, { worst: -1, threads: 1 }), /options\.worst must be a whole number ≥ 0, not -1/);
    await rejects(js(fqc.reportCheckpoint)(ckpt, [{ ...columns[0], targets: [] }], { threads: 1 }), /column int4: 0 targets for 1 tensor$/);
    await rejects(fqc.reportCheckpoint(ckpt, [columns[0], { ...columns[0], source: "other" }], { threads: 1 }), /two columns are named "int4"/);
    const report = await fqc.reportCheckpoint(ckpt, columns, { threads: 1 });
    refuses(() => js(fqc.renderReport)("table", report, { worst: NaN }), /options\.worst must be a whole number ≥ 1, not NaN/);
    refuses(() => js(fqc.renderReport)("table", report, { sort: "sqrn" }), /options\.sort "sqrn" is not one of "order", "sqnr"/);
    refuses(() => js(fqc.renderReport)("html", report, { threshold: NaN }), /options\.threshold must be a finite number of dB/);
    // NaN compares false with every figure: a CI guard that could never fail.
    refuses(() => js(fqc.tensorsBelow)(report, NaN), /tensorsBelow: db must be a finite number of dB, not NaN/);
    refuses(() => js(fqc.tensorsBelow)(report, "15"), /not a string/);
    expect(fqc.tensorsBelow(report, 1000).map((b) => b.tensor)).toEqual(["a.weight"]);
    ckpt.close();
  });
});

describe("misspelt options from JavaScript", () => {
  const own = tempDir();
  afterAll(() => own.cleanup());
  const npy = own.path("k.npy");
  writeFileSync(npy, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [2, 8] }), Buffer.from(weights(16, 9).buffer)]));
  const C = fqc.normalize({ dtype: "int4", group_size: 4 });

  it("every entry point refuses an option it does not take, naming it and the one meant, before any file is written", async () => {
    const out = own.path("k_out.npy");
    await rejects(js(fqc.applyFile)({ input: npy, output: out, config: C, trheads: 2 }), /^applyFile: unknown option "trheads" \(did you mean "threads"\?\)$/);
    await rejects(js(fqc.applyFile)({ input: npy, output: out, config: C, chunk_elements: 64 }), /unknown option "chunk_elements" \(did you mean "chunkElements"\?\)/);
    await rejects(js(fqc.applyCheckpoint)({ input: npy, output: out, select: { config: C }, qparams_out: "q" }), /^applyCheckpoint: unknown option "qparams_out" \(did you mean "qparamsOut"\?\)$/);
    await rejects(js(fqc.applyFile)({ input: npy, output: out, config: C, colour: "red" }), /^applyFile: unknown option "colour"$/);
    // The CLI's own options are not applyCheckpoint's: a path spoken of by its flag, --report's raw sums.
    for (const key of ["reads", "writes", "stats", "statsOutput"]) {
      await rejects(js(fqc.applyCheckpoint)({ input: npy, output: out, select: { config: C }, [key]: undefined }), new RegExp(`^applyCheckpoint: unknown option "${key}"`));
    }
    // Nor runCheckpoint's: refused before the writer is opened.
    const ckpt = fqc.openCheckpoint(npy);
    try {
      for (const key of ["stats", "statsOutput"]) {
        await rejects(js(fqc.runCheckpoint)(ckpt, [C], () => fqc.createCheckpointWriter(ckpt, out), { output: out, [key]: undefined }), new RegExp(`^runCheckpoint: unknown option "${key}"`));
      }
    } finally {
      ckpt.close();
    }
    expect(existsSync(out)).toBe(false);
    refuses(() => js(fqc.fakeQuantize)(C, new Float32Array(16), { shape: [2, 8], computedtype: "bfloat16" }), /^fakeQuantize: unknown option "computedtype" \(did you mean "computeDtype"\?\)$/);
    refuses(() => js(fqc.normalize)({ dtype: "int4" }, { fileName: "a.yaml" }), /^normalize: unknown option "fileName" \(did you mean "filename"\?\)$/);
    refuses(() => js(fqc.validate)("{}", { maxProblem: 3 }), /^validate: unknown option "maxProblem" \(did you mean "maxProblems"\?\)$/);
    const e = caught(() => js(fqc.validate)("{}", { rules: {} }));
    expectUsage(e, /^validate: unknown option "rules"/);
    expect((e as fqc.FqcError).hint).toBe('validate takes "filename", "format", "ruleSettings", "maxProblems", "torchao".');
  });

  it("reportCheckpoint and renderReport check their keys too, and every documented option is still taken", async () => {
    const ckpt = testCheckpoint(own.path("k.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 4) }]);
    const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, C) }];
    await rejects(js(fqc.reportCheckpoint)(ckpt, columns, { thread: 1 }), /^reportCheckpoint: unknown option "thread" \(did you mean "threads"\?\)$/);
    const report = await fqc.reportCheckpoint(ckpt, columns, { torchao: "0.12", threads: 1, kernel: "auto", chunkElements: 64, worst: 1, onProgress: () => {}, signal: new AbortController().signal });
    refuses(() => js(fqc.renderReport)("table", report, { sortBy: "sqnr" }), /^renderReport: unknown option "sortBy"/);
    expect(fqc.renderReport("json", report, { sort: "sqnr", worst: 1, threshold: 10 })).toContain('"a.weight"');
    // Once taken and never read: now refused, as any option renderReport does not act on.
    refuses(() => js(fqc.renderReport)("table", report, { all: false }), /^renderReport: unknown option "all"/);
    refuses(() => js(fqc.planTensors)([{ name: "a.weight", dtype: "F32", shape: [2, 8] }], { config: C }, { torchoa: "0.18" }), /^planTensors: unknown option "torchoa" \(did you mean "torchao"\?\)$/);
    refuses(() => js(fqc.planTensors)([], { config: C }, { torchao: "9" }), /planTensors: options\.torchao "9"/);
    expect(fqc.planTensors([{ name: "a.weight", dtype: "F32", shape: [2, 8], byteLength: 64 }], { config: C }, { torchao: "0.18", loneTensor: false })[0].action).toBe("quantize");
    refuses(() => js(fqc.formatDiagnostics)("json", { diagnostics: [] }, { colour: true }), /^formatDiagnostics: unknown option "colour" \(did you mean "color"\?\)$/);
    ckpt.close();
  });
});

describe("the option types a caller writes against", () => {
  it("are exported: ValidateOptions, ValidateResult, NormalizeOptions and RenderReportOptions (type-checked by tsconfig.test.json)", () => {
    const v: fqc.ValidateOptions = { filename: "c.yaml", maxProblems: 1 };
    const n: fqc.NormalizeOptions = { format: "yaml" };
    const r: fqc.ValidateResult = fqc.validate("dtype: int4\ngroup_size: 32\n", v);
    const o: fqc.RenderReportOptions = { sort: "sqnr", worst: 3, threshold: 15 };
    expect(r.document?.kind).toBe("single");
    expect(fqc.normalize("dtype: int4\ngroup_size: 32\n", n).granularity).toEqual({ type: "PerGroup", group_size: 32 });
    expect(o.worst).toBe(3);
  });
});

const own = tempDir();
const C4 = fqc.normalize({ dtype: "int4", group_size: 4 });
const ckpt = testCheckpoint(own.path("m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 6) }]);
const opened = fqc.openCheckpoint(ckpt.path);
const REPORT = await fqc.reportCheckpoint(ckpt, [{ name: "int4", source: "int4", kind: "config", targets: fqc.configTargets(ckpt, C4) }], { threads: 1 });
afterAll(() => {
  [ckpt, opened].forEach((c) => c.close());
  own.cleanup();
});

describe("every exported function with null, undefined, a number, an array or a wrong-shaped object for an argument", () => {
  const C = C4;
  const recipe = { entries: [{ key: "re:a\\..*", value: { kind: "config" as const, config: C } }] };
  const compiled = fqc.compileRecipe(recipe);
  const tensors = [{ name: "a.weight", dtype: "F32" as const, shape: [2, 8], byteLength: 64 }];
  const plan = fqc.planTensors(tensors, { recipe });
  const out = own.path("out.safetensors");
  const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, C) }];

  /** An argument: a value that works, the wrong-shaped values to try besides the five, and which of the five it takes. */
  interface Arg { name: string; good: unknown; wrong: unknown[]; takes?: string[] }
  const FIVE: Array<[string, unknown]> = [["null", null], ["undefined", undefined], ["42", 42], ["[]", []], ["{ wrong: 1 }", { wrong: 1 }]];
  const names: Arg = { name: "names", good: ["a.weight"], wrong: [[42], [null]], takes: ["[]"] };
  const text = (good: string): Arg => ({ name: "text", good, wrong: [{ toString: () => good }] });
  const compiledArg: Arg = { name: "compiled", good: compiled, wrong: [recipe, { names: {}, patterns: [], matcher: {} }] };
  const entries: Arg = { name: "entries", good: plan, wrong: [[{ wrong: 1 }], [{ tensor: null, action: "skip", errors: [] }]], takes: ["[]"] };
  const options: Arg = { name: "options", good: {}, wrong: ["torchao"], takes: ["undefined"] };
  const TABLE: Array<[string, (...a: unknown[]) => unknown, Arg[]]> = [
    ["compileRecipe", js(fqc.compileRecipe), [{ name: "recipe", good: recipe, wrong: [{ entries: [{ wrong: 1 }] }, { fqn_to_config: {} }] }]],
    ["primeRecipe", js(fqc.primeRecipe), [compiledArg, names]],
    ["moduleKeys", js(fqc.moduleKeys), [compiledArg, names]],
    ["resolveTensor", js(fqc.resolveTensor), [compiledArg, text("a.weight"), { ...names, takes: ["undefined", "[]"] }]],
    ["resolveTensor", js(fqc.resolveTensor), [compiledArg, text("a.weight"), { ...names, good: undefined, takes: ["undefined", "[]"] }, { name: "keys", good: undefined, wrong: [{ exactCount: "0", keyed: [] }], takes: ["undefined"] }]],
    ["keyMatchesTensor", js(fqc.keyMatchesTensor), [compiledArg, text("re:a\\..*"), text("a.weight")]],
    ["recipeKeyKind", js(fqc.recipeKeyKind), [text("_default")]],
    ["splitTensorName", js(fqc.splitTensorName), [text("a.weight")]],
    ["appliedConfig", js(fqc.appliedConfig), [{ name: "value", good: { kind: "config", config: C }, wrong: [{ kind: "config" }, { kind: "pair", pair: {} }], takes: ["null"] }]],
    ["columnTargets", js(fqc.columnTargets), [{ name: "checkpoint", good: ckpt, wrong: [{ tensors: [] }] }, { name: "source", good: { config: C }, wrong: [{ config: { dtype: "int4" } }] }, options]],
    ["configTargets", js(fqc.configTargets), [{ name: "checkpoint", good: ckpt, wrong: [{ format: "safetensors", tensors: {} }] }, { name: "config", good: C, wrong: [{ dtype: "int4" }] }, options]],
    ["recipeTargets", js(fqc.recipeTargets), [{ name: "checkpoint", good: ckpt, wrong: [] }, { name: "recipe", good: recipe, wrong: [{ entries: [null] }] }, options]],
    // The async forms refuse the same arguments (as rejections) in their own names.
    ...(["unmatchedRecipeKeys", "unmatchedRecipeKeysAsync"] as const).map((fn): [string, (...a: unknown[]) => unknown, Arg[]] => [fn, js(fqc[fn]), [
      { name: "tensors", good: tensors, wrong: [[{ wrong: 1 }]], takes: ["[]"] }, { name: "recipe", good: recipe, wrong: [{ entries: {} }] },
      { ...entries, takes: ["undefined"] },
    ]]),
    ...(["shadowedRecipeKeys", "shadowedRecipeKeysAsync"] as const).map((fn): [string, (...a: unknown[]) => unknown, Arg[]] => [fn, js(fqc[fn]), [
      { name: "recipe", good: recipe, wrong: [{ entries: [{ key: 1 }] }] }, entries,
    ]]),
    ["planErrors", js(fqc.planErrors), [entries]],
    ["summarizePlan", js(fqc.summarizePlan), [entries]],
    ["renderPlanTable", js(fqc.renderPlanTable), [entries]],
    ["reportJsonValue", js(fqc.reportJsonValue), [{ name: "report", good: REPORT, wrong: [{ tensors: [], columns: [] }] }]],
    ...(["renderReport", "reportPieces"] as const).map((fn): [string, (...a: unknown[]) => unknown, Arg[]] => [fn, js(fqc[fn]), [
      { name: "format", good: "csv", wrong: ["pdf"] }, { name: "report", good: REPORT, wrong: [{ tensors: [], columns: [], summaries: {} }] }, { ...options, wrong: [{ sort: "size", worst: 0 }] },
    ]]),
    // The entry points checked before, in the same table.
    ["canonicalJson", js(fqc.canonicalJson), [{ name: "doc", good: fqc.normalizeDocument('{"dtype": "int4", "group_size": 4}'), wrong: [C] }, { ...options, wrong: [{ schema: 5 }] }]],
    ["buildSchema", js(fqc.buildSchema), [{ name: "draft", good: "draft-07", wrong: ["2019-09"] }]],
    ["configSummary", js(fqc.configSummary), [{ name: "config", good: C, wrong: [{ dtype: "int4" }] }]],
    ["dtypeInfo", js(fqc.dtypeInfo), [{ name: "name", good: "int4", wrong: ["constructor"] }]],
    ["translatePythonRegex", js(fqc.translatePythonRegex), [text("a.*")]],
    ["compilePythonRegex", js(fqc.compilePythonRegex), [text("a.*")]],
    ["fakeQuantize", js(fqc.fakeQuantize), [
      // A shorthand config is content, refused as CONFIG as normalize refuses it (the tests above).
      { name: "config", good: { dtype: "int4", group_size: 4 }, wrong: [], takes: FIVE.map(([label]) => label) }, { name: "data", good: new Float32Array(8), wrong: [new Uint8Array(8)] },
      { name: "options", good: { shape: [2, 4] }, wrong: [{ shape: [2, 4], computedtype: "float32" }] },
    ]],
    ["forwardProblems", js(fqc.forwardProblems), [{ name: "config", good: C, wrong: [{ dtype: "int4" }] }, { name: "shape", good: [2, 8], wrong: [[2, -8]], takes: ["[]"] }]],
    ["makePlan", js(fqc.makePlan), [
      { name: "config", good: C, wrong: [{ dtype: "int4" }] }, { name: "shape", good: [2, 8], wrong: [[2, 0.5]], takes: ["[]"] },
      { name: "options", good: { compute: "float32", torchao: "0.12" }, wrong: [{ compute: "float32" }] },
    ]],
    ...(["planTensors", "planTensorsAsync"] as const).map((fn): [string, (...a: unknown[]) => unknown, Arg[]] => [fn, js(fqc[fn]), [
      { name: "tensors", good: tensors, wrong: [[{ name: 5 }]], takes: ["[]"] }, { name: "source", good: { config: C }, wrong: [{}] }, options,
    ]]),
    ["planToJson", js(fqc.planToJson), [entries, { ...options, wrong: [{ unmatched: [] }] }]],
    ["renderPlanJson", js(fqc.renderPlanJson), [entries, { ...options, wrong: [{ unmatchedKeys: "re:x" }] }]],
    ["tensorsBelow", js(fqc.tensorsBelow), [{ name: "report", good: REPORT, wrong: [{ tensors: [] }] }, { name: "db", good: 10, wrong: [NaN, "10"], takes: ["42"] }]],
    ["openCheckpoint", js(fqc.openCheckpoint), [{ name: "path", good: ckpt.path, wrong: ["", "a\0b"] }]],
    ["formatDiagnostics", js(fqc.formatDiagnostics), [
      { name: "format", good: "json", wrong: ["text"] },
      { name: "input", good: { diagnostics: [], sources: new Map(), filesChecked: [], rules: fqc.RULES, toolVersion: fqc.VERSION, cwd: "." }, wrong: [{ diagnostics: {} }] },
      { name: "options", good: { color: false }, wrong: [{ colour: false }] },
    ]],
    ["applyFile", js(fqc.applyFile), [{ name: "options", good: undefined, wrong: [{ input: ckpt.path }] }]],
    ["applyCheckpoint", js(fqc.applyCheckpoint), [{ name: "options", good: undefined, wrong: [{ input: ckpt.path, output: out }] }]],
    ["createCheckpointWriter", js(fqc.createCheckpointWriter), [
      { name: "source", good: opened, wrong: [{ path: "m.safetensors", format: "safetensors", tensors: [] }] },
      { name: "outPath", good: own.path("w.safetensors"), wrong: [""] }, { ...options, wrong: [{ protect: [], fsync: true }] },
    ]],
    ["reportCheckpoint", js(fqc.reportCheckpoint), [{ name: "checkpoint", good: ckpt, wrong: [{ path: "m.safetensors", format: "safetensors" }] }, { name: "columns", good: columns, wrong: [[{ wrong: 1 }]], takes: ["[]"] }, { ...options, good: { threads: 1 } }]],
    ["runCheckpoint", js(fqc.runCheckpoint), [
      { name: "checkpoint", good: opened, wrong: [{ path: "m", format: "safetensors", tensors: [] }] },
      { name: "configs", good: [C], wrong: [[{ dtype: "int4" }], [C, C]] },
      { name: "openWriter", good: (layout: fqc.OutputLayout) => fqc.createCheckpointWriter(opened, out, { cOrder: layout.cOrder }), wrong: [] },
      { name: "options", good: { output: out, threads: 1 }, wrong: [{ threads: 1 }, { output: out, treads: 1 }] },
    ]],
  ];
  const cases = TABLE.flatMap(([fn, f, args]) => args.flatMap((arg, i) => [
    ...FIVE.filter(([label]) => !arg.takes?.includes(label)), ...arg.wrong.map((w): [string, unknown] => [`wrong ${arg.name}`, w]),
  ].map(([label, bad]) => ({ fn, f, at: i, label, args: args.map((a, j) => (j === i ? bad : a.good)) }))));

  it.each(cases.map((c) => [`${c.fn} argument ${c.at + 1} ${c.label}`, c] as const))("%s: FqcError USAGE naming the function", async (_, c) => {
    let e: unknown;
    try {
      await c.f(...c.args);
    } catch (thrown) {
      e = thrown;
    }
    expectUsage(e, new RegExp(`^${c.fn}: `));
    expect(existsSync(out)).toBe(false);
  });

  // Every object argument made unreadable: revoked, and a Proxy whose every read throws (also as the first element of an array).
  const boom = (): never => {
    throw new Error("boom");
  };
  const unreadable = (good: unknown): Array<[string, unknown]> => {
    if (good === null || typeof good !== "object" || good instanceof Map) return [];
    const revoked = Proxy.revocable(good, {});
    revoked.revoke();
    const out: Array<[string, unknown]> = [["revoked", revoked.proxy], ["throwing", new Proxy(good, { get: boom, ownKeys: boom, has: boom })]];
    if (Array.isArray(good) && good.length > 0 && good[0] !== null && typeof good[0] === "object") {
      out.push(["element 0 throwing", [new Proxy(good[0] as object, { get: boom, ownKeys: boom, has: boom }), ...good.slice(1)]]);
    }
    return out;
  };
  const unreadableCases = TABLE.flatMap(([fn, f, args]) => args.flatMap((arg, i) => unreadable(arg.good).map(([label, bad]) => ({
    fn, f, at: i, label, name: arg.name, args: args.map((a, j) => (j === i ? bad : a.good)),
  }))));

  it.each(unreadableCases.map((c) => [`${c.fn} argument ${c.at + 1} (${c.name}) ${c.label}`, c] as const))("%s: FqcError USAGE, could not be read", async (_, c) => {
    let e: unknown;
    try {
      await c.f(...c.args);
    } catch (thrown) {
      e = thrown;
    }
    // (A Proxy of a typed array that reads well is refused as a Proxy: its elements would be read through the traps.)
    expectUsage(e, new RegExp(`^${c.fn}: .*(could not be read: .*(boom|revoked)|not a Proxy or other object wrapping one)`));
    expect(existsSync(out)).toBe(false);
  });

  it("the same arguments, none wrong, give results (the table tests what it says)", async () => {
    for (const [fn, f, args] of TABLE) {
      if (fn === "applyFile" || fn === "applyCheckpoint") continue; // their runs are tested above
      const r = await f(...args.map((a) => a.good));
      if (fn !== "primeRecipe") expect(r, fn).toBeDefined();
      if (fn === "createCheckpointWriter") (r as fqc.CheckpointWriter).abort();
    }
    expect(existsSync(out)).toBe(true);
  });
});
