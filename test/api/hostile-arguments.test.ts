/**
 * The library called with what a JavaScript caller can pass and the types forbid, where a check used to let it
 * through: a result computed from nonsense, a config written back with another meaning, or a TypeError from
 * deep inside. Each is now an FqcError naming the argument, before any file is touched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import * as fqc from "../../src/index.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { caught, js } from "../helpers/js-callers.js";
import { weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());


function expectError(e: unknown, code: fqc.FqcErrorCode, message: RegExp): void {
  expect(e).toBeInstanceOf(fqc.FqcError);
  expect((e as fqc.FqcError).code).toBe(code);
  expect((e as Error).message).toMatch(message);
}

const refuses = (f: () => unknown, message: RegExp, code: fqc.FqcErrorCode = "USAGE") => expectError(caught(f), code, message);
const rejects = async (p: Promise<unknown>, message: RegExp) => expectError(await p.then(() => undefined, (e: unknown) => e), "USAGE", message);

const fq = js(fqc.fakeQuantize);
const PER_TOKEN = { dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" };
const four = () => new Float32Array([11.375, 9.858333587646484, 0, -1]);

describe("shapes with holes", () => {
  it("are refused, naming the missing dimension, instead of a qparam shape holding undefined", () => {
    // [1, , 4] once planned 1 row with a qparamShape of [1, undefined], and returned a result.
    refuses(() => fq(PER_TOKEN, four(), { shape: [1, , 4] }), /^fakeQuantize: options\.shape\[1\] is missing \(a hole in a sparse array\)/);
    refuses(() => fq(PER_TOKEN, four(), { shape: [, 4] }), /options\.shape\[0\] is missing/);
    const c = fqc.normalize(PER_TOKEN);
    refuses(() => js(fqc.forwardProblems)(c, [2, , 2]), /shape\[1\] is missing/);
    refuses(() => js(fqc.makePlan)(c, [2, , 2], { compute: "float32", torchao: "0.12" }), /shape\[1\] is missing/);
  });

  it("a shape is read once: what was checked is what is computed on", () => {
    const shape = [1, 4];
    let reads = 0;
    Object.defineProperty(shape, 0, { get: () => (reads++ === 0 ? 1 : 1000) });
    expect(fqc.fakeQuantize(PER_TOKEN, four(), { shape }).qparamShape).toEqual([1]);
  });
});

describe("a group size JSON cannot hold", () => {
  it("is refused by normalize and normalizeDocument instead of a canonical form that prints it as null", () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      refuses(() => fqc.normalize({ dtype: "int4", group_size: v }), /`group_size` (NaN|-?Infinity) is not a number JSON can hold/, "CONFIG");
      refuses(() => fqc.normalize({ dtype: "int4", granularity: { type: "PerGroup", group_size: v } }), /not a number JSON can hold/, "CONFIG");
      refuses(() => fqc.normalizeDocument({ fqn_to_config: { lm_head: { dtype: "int4", group_size: v } } }), /not a number JSON can hold/, "CONFIG");
    }
    // As text: JSON's 1e400 and YAML's .inf read as infinity.
    refuses(() => fqc.normalize('{"dtype": "int4", "group_size": 1e400}'), /`group_size` Infinity/, "CONFIG");
    refuses(() => fqc.normalizeDocument("weight:\n  dtype: int4\n  group_size: .inf\n", { format: "yaml" }), /`group_size` Infinity/, "CONFIG");
  });

  it("fqc normalize --write leaves such a file as it was (it once wrote \"group_size\": null, a different config)", () => {
    const file = tmp.path("inf.yaml");
    writeFileSync(file, "dtype: int4\ngroup_size: .inf\n");
    const r = runFqc(["normalize", "--write", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not a number JSON can hold");
    expect(readFileSync(file, "utf8")).toBe("dtype: int4\ngroup_size: .inf\n");
    expect(runFqc(["normalize", tmp.path("inf.yaml")]).stdout).not.toContain("null");
  });
});

describe("a config of the canonical shape with values normalize refuses", () => {
  const C = fqc.normalize({ dtype: "int4", group_size: 4 });
  const npy = tmp.path("w.npy");
  writeFileSync(npy, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [4, 8] }), Buffer.from(weights(32, 7).buffer)]));

  it("is refused by applyFile, naming the field, before any file is written (it once ran: mapping_type 'bogus' as ASYMMETRIC)", async () => {
    const apply = js(fqc.applyFile);
    const out = tmp.path("out.npy");
    await rejects(apply({ input: npy, output: out, config: { ...C, mapping_type: "bogus" } }), /^applyFile: options\.config is not a canonical config: MappingType 'bogus' is not supported$/);
    await rejects(apply({ input: npy, output: out, config: { ...C, eps: "x" } }), /options\.config is not a canonical config: `eps` must be a number or null/);
    await rejects(apply({ input: npy, output: out, config: { ...C, is_dynamic: "no" } }), /`is_dynamic` must be true or false/);
    await rejects(apply({ input: npy, output: out, config: { ...C, granularity: { type: "PerGroup", group_size: "4" } } }), /`group_size` must be an integer/);
    const partial = { dtype: "int4", granularity: { type: "PerGroup", group_size: 4 } };
    await rejects(apply({ input: npy, output: out, config: partial }), /^applyFile: options\.config\.mapping_type is undefined where normalize gives "SYMMETRIC"/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f !== "w.npy" && f !== "inf.yaml")).toEqual([]);
  });

  it("is refused by planTensors, forwardProblems and makePlan too", () => {
    const bogus = { ...C, zero_point_domain: "X" };
    const tensors = [{ name: "a.weight", dtype: "F32" as const, shape: [4, 8] }];
    refuses(() => js(fqc.planTensors)(tensors, { config: bogus }), /planTensors: source\.config is not a canonical config: `zero_point_domain`/);
    refuses(() => js(fqc.forwardProblems)(bogus, [4, 8]), /^forwardProblems: config is not a canonical config/);
    refuses(() => js(fqc.makePlan)(bogus, [4, 8], { compute: "float32", torchao: "0.12" }), /^makePlan: config is not a canonical config/);
  });

  it("is refused inside a recipe built by hand, and so are entries that are not { key, value }, instead of a TypeError", () => {
    const tensors = [{ name: "a.weight", dtype: "F32" as const, shape: [4, 8] }];
    const plan = (entries: unknown[]) => js(fqc.planTensors)(tensors, { recipe: { entries } });
    refuses(() => plan([{ key: "re:.*", value: { kind: "config", config: { ...C, mapping_type: "bogus" } } }]), /^planTensors: source\.recipe\.entries\[0\]\.value\.config is not a canonical config: MappingType 'bogus'/);
    refuses(() => plan([{ key: "a", value: { kind: "pair", pair: { weight: { ...C, eps: "x" } } } }]), /entries\[0\]\.value\.pair\.weight is not a canonical config/);
    refuses(() => plan([null]), /^planTensors: source\.recipe\.entries\[0\] must be \{ key, value \} with a string key, not null$/);
    refuses(() => plan([{ key: 5, value: null }]), /entries\[0\] must be \{ key, value \} with a string key, not a key that is a number/);
    refuses(() => plan([{ key: "a", value: C }]), /entries\[0\]\.value must be null, \{ kind: "config", config \} or \{ kind: "pair", pair \}, not an object/);
    expect(plan([{ key: "a", value: { kind: "config", config: C } }]).map((e) => e.action)).toEqual(["quantize"]);
  });

  it("makePlan names its missing options instead of a TypeError", () => {
    refuses(() => js(fqc.makePlan)(C, [4, 8]), /^makePlan: the options must be an object, not undefined$/);
    refuses(() => js(fqc.makePlan)(C, [4, 8], {}), /^makePlan: options\.compute must be given/);
    refuses(() => js(fqc.makePlan)(C, [4, 8], { compute: "float32" }), /^makePlan: options\.torchao must be given/);
  });
});

describe("fakeQuantize's data and static qparams", () => {
  const STATIC = { dtype: "int4", group_size: 4, is_dynamic: false };

  it("refuses static qparams that are not numbers, instead of reading '1' as 1 or reporting 0 as 'not an integer'", () => {
    refuses(() => fq(STATIC, four(), { shape: [1, 4], scale: ["1"], zeroPoint: [0] }), /^fakeQuantize: options\.scale\[0\] is a string, not a number$/);
    refuses(() => fq(STATIC, four(), { shape: [1, 4], scale: [1], zeroPoint: ["0"] }), /^fakeQuantize: options\.zeroPoint\[0\] is a string, not a number$/);
    refuses(() => fq(STATIC, four(), { shape: [1, 4], scale: [1], zeroPoint: new BigInt64Array(1) }), /options\.zeroPoint must be .* not a BigInt64Array/);
    refuses(() => fq(STATIC, four(), { shape: [1, 4], scale: new BigUint64Array([1n]), zeroPoint: [0] }), /options\.scale must be .* not a BigUint64Array/);
    const gone = new Float32Array([1]);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    refuses(() => fq(STATIC, four(), { shape: [1, 4], scale: gone, zeroPoint: [0] }), /options\.scale's ArrayBuffer is detached/);
    expect(Array.from(fqc.fakeQuantize(STATIC, four(), { shape: [1, 4], scale: [1], zeroPoint: new Int32Array(1) }).output)).toEqual([7, 7, 0, -1]);
  });

  it("refuses a Proxy of a Float32Array, and names one from another realm, instead of a TypeError or 'not a Float32Array'", () => {
    refuses(() => fq(PER_TOKEN, new Proxy(four(), {}), { shape: [1, 4] }), /data must be a Float32Array or Float64Array, not a Proxy or other object wrapping one/);
    const foreign = vm.runInNewContext("new Float64Array([1, 2, 3, 4])") as unknown;
    const e = caught(() => fq(PER_TOKEN, foreign, { shape: [1, 4] }));
    expectError(e, "USAGE", /^fakeQuantize: data is a Float64Array from another realm/);
    expect((e as fqc.FqcError).hint).toBe("Copy it into this realm first: Float64Array.from(data).");
    refuses(() => fq(PER_TOKEN, new Int8Array(4), { shape: [1, 4] }), /not an Int8Array$/);
  });
});

describe("paths and documents", () => {
  it("an empty path or one with a NUL is refused by name, not reported as a directory or a temp file's error", async () => {
    const C = fqc.normalize({ dtype: "int4", group_size: 4 });
    const apply = js(fqc.applyFile);
    await rejects(apply({ input: tmp.path("w.npy"), output: "", config: C }), /^applyFile: options\.output is an empty string, not a path$/);
    await rejects(apply({ input: "", output: tmp.path("o.npy"), config: C }), /^applyFile: options\.input is an empty string/);
    await rejects(apply({ input: tmp.path("w.npy"), output: tmp.path("o\0.npy"), config: C }), /^applyFile: options\.output ".*" holds a NUL character/);
    await rejects(js(fqc.applyCheckpoint)({ input: "", output: tmp.path("o.safetensors"), select: { config: C } }), /applyCheckpoint: options\.input is an empty string/);
    refuses(() => js(fqc.openCheckpoint)(5), /^openCheckpoint: path must be a path \(a string\), not a number$/);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith("o") || f.startsWith(".o"))).toEqual([]);
  });

  it("canonicalJson given normalize's config names what it takes instead of a TypeError", () => {
    const c = fqc.normalize({ dtype: "int4", group_size: 32 });
    const e = caught(() => js(fqc.canonicalJson)(c));
    expectError(e, "USAGE", /^canonicalJson: doc must be what normalizeDocument returns \(\{ kind, \.\.\. \}\), not a config$/);
    expect((e as fqc.FqcError).hint).toContain('{ kind: "single", config: normalize(value) }');
    refuses(() => js(fqc.canonicalJson)(null), /not null$/);
    expect(JSON.parse(fqc.canonicalJson({ kind: "single", config: c }))).toEqual(c);
  });
});

describe("options that were ignored without a word", () => {
  it("buildSchema refuses a draft it does not build instead of giving the draft-07 schema", () => {
    refuses(() => js(fqc.buildSchema)("draft-04"), /^buildSchema: draft "draft-04" is not one of "2020-12", "draft-07"$/);
    refuses(() => js(fqc.buildSchema)(), /^buildSchema: draft must be given/);
    expect((fqc.buildSchema("draft-07") as { $schema: string }).$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("forwardProblems refuses an option it does not take (fakeQuantize's computeDtype for its compute)", () => {
    const c = fqc.normalize({ dtype: "int8", granularity: "per_token", is_symmetric: false });
    const e = caught(() => js(fqc.forwardProblems)(c, [4, 32], { computeDtype: "float16" }));
    expectError(e, "USAGE", /^forwardProblems: unknown option "computeDtype"$/);
    expect((e as fqc.FqcError).hint).toBe('forwardProblems takes "torchao", "compute", "qparamsGiven".');
    expect(fqc.forwardProblems(c, [4, 32], { compute: "float16", torchao: "0.18", qparamsGiven: false })).toEqual([]);
  });

  it("renderPlanTable, renderPlanJson and planToJson refuse a misspelt unmatchedKeys, which dropped the unmatched keys", () => {
    const plan = js(fqc.planTensors)([{ name: "a.weight", dtype: "F32", shape: [4, 32] }], { config: fqc.normalize({ dtype: "int4", group_size: 32 }) });
    for (const [name, f] of [["renderPlanTable", fqc.renderPlanTable], ["renderPlanJson", fqc.renderPlanJson], ["planToJson", fqc.planToJson]] as const) {
      refuses(() => js(f)(plan, { unmatched: ["lm_head"] }), new RegExp(`^${name}: unknown option "unmatched"$`));
      refuses(() => js(f)(null), new RegExp(`^${name}: entries must be an array \\(what planTensors returns\\), not null$`));
      refuses(() => js(f)(plan, { unmatchedKeys: "lm_head" }), new RegExp(`^${name}: unmatchedKeys must be an array`));
    }
    expect(fqc.renderPlanTable(plan, { unmatchedKeys: ["lm_head"] })).toContain("lm_head");
  });
});

describe("helpers that threw a TypeError", () => {
  it("planTensors checks each tensor (a shape of -1 was planned as quantized), translatePythonRegex its pattern, configSummary its config", () => {
    const config = fqc.normalize({ dtype: "int4", group_size: 32 });
    const plan = js(fqc.planTensors);
    refuses(() => plan([{ name: "a.weight", dtype: "F32", shape: [-1, 32] }], { config }), /^planTensors: tensors\[0\]\.shape\[0\] is -1: a dimension must be a whole number ≥ 0$/);
    refuses(() => plan([{ name: 5, dtype: "F32", shape: [4, 32] }], { config }), /^planTensors: tensors\[0\] must be \{ name, dtype, shape \} with a string name and dtype, not one whose name is a number and dtype a string$/);
    refuses(() => plan([null], { config }), /tensors\[0\] must be .* not null$/);
    refuses(() => plan([{ name: "a.weight", dtype: "F32" }], { config }), /tensors\[0\]\.shape must be an array of dimensions, not undefined/);
    refuses(() => js(fqc.translatePythonRegex)(5), /^translatePythonRegex: pattern must be a string, not a number$/);
    refuses(() => js(fqc.compilePythonRegex)(null), /^compilePythonRegex: pattern must be a string, not null$/);
    refuses(() => js(fqc.configSummary)({ dtype: "int4", group_size: 32 }), /^configSummary: config must be a canonical config \(what normalize returns\), not a shorthand config$/);
    expect(fqc.configSummary(config)).toBe("int4 per_group 32 symmetric");
  });
});

describe("a config given as bytes", () => {
  it("validate, normalize and normalizeDocument ask for its text instead of reporting keys \"0\", \"1\", …", () => {
    const bytes = Buffer.from('{"dtype": "int4", "group_size": 32}');
    for (const [name, f] of [["validate", fqc.validate], ["normalize", fqc.normalize], ["normalize", fqc.normalizeDocument]] as const) {
      const e = caught(() => js(f)(bytes, { filename: "cfg.json" }));
      expectError(e, "USAGE", new RegExp(`^${name}: the config is a Buffer, not text or a parsed value$`));
      expect((e as fqc.FqcError).hint).toContain('readFileSync(path, "utf8")');
    }
    refuses(() => js(fqc.validate)(new Uint8Array(2)), /the config is a Uint8Array/);
    expect(fqc.validate(bytes.toString("utf8"), { filename: "cfg.json" }).diagnostics).toEqual([]);
  });
});

describe("options that cannot be read, or read differently twice", () => {
  it("a getter or Proxy trap that throws is named as the option it guards, not rethrown from inside", () => {
    const boom = () => {
      throw new Error("boom");
    };
    const e = caught(() => fq(PER_TOKEN, four(), { get shape() { return boom(); } }));
    expectError(e, "USAGE", /^fakeQuantize: options\.shape could not be read: boom$/);
    expect(((e as fqc.FqcError).cause as Error).message).toBe("boom");
    refuses(() => js(fqc.validate)("{}", { get filename() { return boom(); } }), /^validate: options\.filename could not be read: boom$/);
    const shape = [1, 4];
    Object.defineProperty(shape, 0, { get: boom });
    refuses(() => fq(PER_TOKEN, four(), { shape }), /^fakeQuantize: options\.shape\[0\] could not be read: boom$/);
    const revoked = Proxy.revocable({ shape: [1, 4] }, {});
    revoked.revoke();
    refuses(() => fq(PER_TOKEN, four(), revoked.proxy), /^fakeQuantize: the options object could not be read: .*revoked/);
    refuses(() => fq(PER_TOKEN, four(), new Proxy({}, { ownKeys: boom })), /^fakeQuantize: the options object could not be read: boom$/);
    // A Proxy that reads well, and options inherited from a prototype, are taken as before.
    const inherited = Object.create(new Proxy({ shape: [1, 4] }, {})) as unknown;
    expect(fq(PER_TOKEN, four(), inherited).output).toEqual(fqc.fakeQuantize(PER_TOKEN, four(), { shape: [1, 4] }).output);
  });

  it("static qparams are used as checked: a getter giving other values on a second read cannot slip them past the check", () => {
    const STATIC = { dtype: "int4", group_size: 4, is_dynamic: false };
    let reads = 0;
    const opts = { shape: [1, 4], zeroPoint: [0], get scale() { return reads++ === 0 ? [1] : "x"; } };
    expect(Array.from(fq(STATIC, four(), opts).output)).toEqual([7, 7, 0, -1]);
    expect(reads).toBe(1);
  });
});

describe("a config value that cannot be read", () => {
  it("validate, normalize and normalizeDocument name where a getter or Proxy trap threw, instead of rethrowing it from a rule", () => {
    const boom = () => {
      throw new Error("boom");
    };
    const nested = { dtype: "int4", granularity: { type: "PerGroup", get group_size() { return boom(); } } };
    for (const [name, f] of [["validate", fqc.validate], ["normalize", fqc.normalize], ["normalize", fqc.normalizeDocument]] as const) {
      const e = caught(() => js(f)(nested));
      expectError(e, "USAGE", new RegExp(`^${name}: the config at /granularity/group_size could not be read: boom$`));
      expect(((e as fqc.FqcError).cause as Error).message).toBe("boom");
    }
    const revoked = Proxy.revocable({ dtype: "int4" }, {});
    revoked.revoke();
    refuses(() => js(fqc.normalize)(revoked.proxy), /^normalize: the config could not be read: .*revoked/);
    refuses(() => js(fqc.validate)({ "a/b": new Proxy({}, { ownKeys: boom }) }), /^validate: the config at \/a~1b could not be read: boom$/);
    // A cycle is walked once, and a readable Proxy is judged as before.
    const cyclic: Record<string, unknown> = { dtype: "int4", group_size: 32 };
    cyclic.self = cyclic;
    expect(fqc.validate(cyclic).diagnostics.map((d) => d.pointer)).toEqual(["/self"]);
    expect(fqc.normalize(new Proxy({ dtype: "int4", group_size: 32 }, {}))).toEqual(fqc.normalize({ dtype: "int4", group_size: 32 }));
  });
});

describe("other arguments that cannot be read", () => {
  const boom = (): never => {
    throw new Error("boom");
  };
  const C = fqc.normalize({ dtype: "int4", group_size: 4 });
  const tensor = (name: string) => ({ name, dtype: "F32", shape: [2, 8], byteLength: 64 });

  it("name the entry or key where a getter threw, deep in a tensor list, a recipe, a column list or diagnostics", () => {
    const tensors = [tensor("a.weight"), { ...tensor("b.weight"), get dtype() { return boom(); } }];
    const e = caught(() => js(fqc.planTensors)(tensors, { config: C }));
    expectError(e, "USAGE", /^planTensors: tensors\[1\] could not be read: boom$/);
    expect(((e as fqc.FqcError).cause as Error).message).toBe("boom");
    const recipe = { entries: [{ key: "a", value: null }, { key: "b", get value() { return boom(); } }] };
    refuses(() => js(fqc.compileRecipe)(recipe), /^compileRecipe: recipe at \/entries\/1\/value could not be read: boom$/);
    const columns = [{ name: "x", source: "x", kind: "config", get targets() { return boom(); } }];
    return rejects(js(fqc.reportCheckpoint)({ path: "m", format: "safetensors", tensors: [] }, columns), /^reportCheckpoint: columns at \/0\/targets could not be read: boom$/);
  });

  it("a list whose length cannot be read is named itself, not its first element", () => {
    const names = new Proxy(["a.weight"], { get: (t, k) => (k === "length" ? boom() : Reflect.get(t, k)) });
    refuses(() => js(fqc.primeRecipe)(fqc.compileRecipe({ entries: [] }), names), /^primeRecipe: tensorNames could not be read: boom$/);
    const plan = new Proxy([], { get: (t, k) => (k === "length" ? boom() : Reflect.get(t, k)) });
    refuses(() => js(fqc.summarizePlan)(plan), /^summarizePlan: entries could not be read: boom$/);
  });

  it("a refusal made inside a guarded check keeps its own words (it is not 'could not be read')", () => {
    refuses(() => js(fqc.planTensors)([tensor("a.weight"), { name: 5 }], { config: C }), /^planTensors: tensors\[1\] must be \{ name, dtype, shape \}/);
    refuses(() => js(fqc.summarizePlan)([{ wrong: 1 }]), /^summarizePlan: entries\[0\] must be a plan entry/);
  });
});

describe("an output path behind a getter", () => {
  it("applyFile and applyCheckpoint write where the checks looked, reading the getter once, not to a path it gives later", async () => {
    const dir = tmp.path("getter");
    mkdirSync(dir);
    const input = `${dir}/w.npy`;
    writeFileSync(input, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [4, 8] }), Buffer.from(weights(32, 7).buffer)]));
    const config = fqc.normalize({ dtype: "int4", group_size: 4 });
    const runs = [["file", js(fqc.applyFile), { config }], ["checkpoint", js(fqc.applyCheckpoint), { select: { config } }]] as const;
    for (const [name, apply, rest] of runs) {
      let reads = 0;
      const opts = { input, ...rest, get output() { return reads++ === 0 ? `${dir}/${name}.npy` : `${dir}/${name}-unchecked.npy`; } };
      await apply(opts);
      expect(reads).toBe(1);
      expect(existsSync(`${dir}/${name}.npy`)).toBe(true);
    }
    expect(readdirSync(dir).sort()).toEqual(["checkpoint.npy", "file.npy", "w.npy"]);
  });
});
