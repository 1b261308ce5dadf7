/** torchao's own JSON (config_to_dict, spec §5) is read through its envelope, with positions in the file as written. */
import { describe, expect, it } from "vitest";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";

const dtype = (n: string) => ({ _type: "torch.dtype", _data: n });
const fqConfig = (type: string, fields: Record<string, unknown>) => ({
  _type: type,
  _version: 1,
  _data: {
    scale_precision: dtype("float32"),
    zero_point_precision: dtype("int32"),
    zero_point_domain: { _type: "ZeroPointDomain", _data: "INT" },
    is_dynamic: true,
    range_learning: false,
    eps: null,
    ...fields,
  },
});
/** The worked v0.12 example of spec §5: the 8da4w pair. */
const v012 = {
  _type: "IntXQuantizationAwareTrainingConfig",
  _version: 1,
  _data: {
    activation_config: fqConfig("FakeQuantizeConfig", {
      dtype: dtype("int8"),
      granularity: { _type: "PerToken", _version: 1, _data: {} },
      mapping_type: { _type: "MappingType", _data: "ASYMMETRIC" },
    }),
    weight_config: fqConfig("FakeQuantizeConfig", {
      dtype: dtype("int4"),
      granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } },
      mapping_type: { _type: "MappingType", _data: "SYMMETRIC" },
    }),
  },
};

describe("torchao's config_to_dict JSON", () => {
  it("normalizes the v0.12 8da4w pair like its plain form", () => {
    expect(normalizeDocument(v012)).toEqual(normalizeDocument({
      activation: { dtype: "int8", granularity: "per_token", is_symmetric: false },
      weight: { dtype: "int4", group_size: 32 },
    }));
    expect(validate(v012).diagnostics).toEqual([]);
  });

  it("reads HEAD's QATConfig with IntxFakeQuantizeConfig members (one side null) and TorchAODType dtypes", () => {
    const head = {
      _type: "QATConfig",
      _version: 1,
      _data: {
        base_config: null,
        activation_config: null,
        weight_config: fqConfig("IntxFakeQuantizeConfig", {
          dtype: { _type: "TorchAODType", _data: "INT4" },
          granularity: { _type: "PerAxis", _version: 1, _data: { axis: 0 } },
          mapping_type: { _type: "MappingType", _data: "SYMMETRIC" },
        }),
        step: "prepare",
      },
    };
    const doc = normalizeDocument(head);
    expect(doc).toEqual({ kind: "pair", pair: { weight: expect.objectContaining({ dtype: "int4", granularity: { type: "PerAxis", axis: 0 } }) } });
  });

  it("reads a single FakeQuantizeConfig envelope", () => {
    const single = fqConfig("FakeQuantizeConfig", {
      dtype: dtype("uint4"),
      granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 64 } },
      mapping_type: { _type: "MappingType", _data: "ASYMMETRIC" },
      zero_point_domain: { _type: "ZeroPointDomain", _data: "FLOAT" },
      zero_point_precision: dtype("bfloat16"),
      scale_precision: dtype("bfloat16"),
    });
    expect(normalize(single)).toMatchObject({ dtype: "uint4", granularity: { type: "PerGroup", group_size: 64 }, zero_point_domain: "FLOAT" });
  });

  it("reports torchao's messages at the envelope's own positions", () => {
    const bad = structuredClone(v012) as typeof v012;
    (bad._data.activation_config._data as Record<string, unknown>).mapping_type = { _type: "MappingType", _data: "SYMMETRIC" };
    (bad._data.weight_config._data as Record<string, unknown>).dtype = dtype("int16");
    const text = JSON.stringify(bad, null, 2);
    const ds = validate(text, { filename: "torchao.json" }).diagnostics;
    const dtypeErr = ds.find((d) => d.ruleId === "torchao/dtype-unsupported")!;
    expect(dtypeErr.message).toMatch(/^Unsupported dtype 'torch.int16'/);
    expect(dtypeErr.pointer).toBe("/_data/weight_config/_data/dtype");
    const lines = text.split("\n");
    expect(lines[dtypeErr.line - 1]).toContain('"dtype"');
    const sym = ds.find((d) => d.ruleId === "forward/symmetric-per-token")!;
    expect(sym.pointer).toBe("/_data/activation_config/_data/mapping_type");
  });

  it("a group size inside a PerGroup envelope points at its _data", () => {
    const g1 = structuredClone(v012) as typeof v012;
    (g1._data.weight_config._data as Record<string, unknown>).granularity = { _type: "PerGroup", _version: 1, _data: { group_size: 1 } };
    const d = validate(g1).diagnostics.find((x) => x.ruleId === "forward/group-size")!;
    expect(d.pointer).toBe("/_data/weight_config/_data/granularity/_data/group_size");
  });

  it("a value written in the plain form inside the envelope keeps its own place and literals", () => {
    // Only an enveloped granularity has `_type`/`_data` levels; a plain one is read where it is written.
    const text = '{"_type": "FakeQuantizeConfig", "_version": 1, "_data": {"dtype": {"_type": "torch.dtype", "_data": "int4"}, "granularity": [1.0, 2], "group_size": 32}}';
    const [conflict] = validate(text, { filename: "torchao.json" }).diagnostics;
    expect(conflict).toMatchObject({ ruleId: "torchao/group-size-conflict", message: "`group_size` conflicts with granularity '[1.0, 2]'" });
    expect(() => normalize(text)).toThrow("`group_size` conflicts with granularity '[1.0, 2]'");
    const axis = structuredClone(v012) as typeof v012;
    (axis._data.weight_config._data as Record<string, unknown>).granularity = { type: "PerAxis", axis: 1 };
    const d = validate(JSON.stringify(axis, null, 2), { filename: "torchao.json" }).diagnostics.find((x) => x.ruleId === "torchao/per-axis-axis")!;
    expect(d.pointer).toBe("/_data/weight_config/_data/granularity/axis");
    expect(JSON.stringify(axis, null, 2).split("\n")[d.line - 1]).toContain('"axis": 1');
  });

  it.each<[unknown, string]>([
    [{ _type: "Int4WeightOnlyConfig", _version: 1, _data: { group_size: 128 } }, "/_type"],
    [{ _type: "QATConfig", _version: 1, _data: { base_config: { _type: "Int4WeightOnlyConfig", _version: 1, _data: {} }, activation_config: null, weight_config: null, step: "prepare" } }, "/_data/base_config"],
    [{ _type: "QATConfig", _version: 1, _data: { base_config: null, activation_config: null, weight_config: null, step: "convert" } }, "/_data"],
    [{ _type: "FakeQuantizeConfig", _version: 1, _data: [1, 2] }, "/_data"],
    [{ _type: "IntXQuantizationAwareTrainingConfig", _version: 1, _data: { activation_config: 5 } }, "/_data/activation_config"],
    // A member that is no config envelope: a config class with a _data that is no object, or another class.
    [{ _type: "QATConfig", _version: 1, _data: { weight_config: { _type: "IntxFakeQuantizeConfig", _version: 1, _data: 5 } } }, "/_data/weight_config"],
    [{ _type: "QATConfig", _version: 1, _data: { weight_config: { _type: "QATConfig", _version: 1, _data: {} } } }, "/_data/weight_config"],
    // A field envelope fqc cannot decode: a TorchAODType other than INT1..INT7 (in full), a dtype or enum that is no string, a granularity whose _data is no object.
    ...[["TorchAODType", "INT8"], ["TorchAODType", "XINT4"], ["TorchAODType", "INT4X"], ["torch.dtype", 5]].map(([t, d]): [unknown, string] => [fqConfig("IntxFakeQuantizeConfig", { dtype: { _type: t, _data: d }, group_size: 32 }), "/_data/dtype"]),
    [fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int8"), granularity: "per_token", mapping_type: { _type: "MappingType", _data: 5 } }), "/_data/mapping_type"],
    [fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int4"), granularity: { _type: "PerGroup", _version: 1, _data: 32 } }), "/_data/granularity"],
    [{ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: 5 } }, "/_data/fqn_to_config"],
  ])("what fqc cannot read is one fqc/torchao-envelope error (%#)", (doc, pointer) => {
    const ds = validate(doc).diagnostics;
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ ruleId: "fqc/torchao-envelope", pointer });
    expect(() => normalizeDocument(doc)).toThrow();
  });

  const weightOnly = (data: Record<string, unknown>) => ({
    _type: "QATConfig", _version: 1,
    _data: { base_config: null, activation_config: null, weight_config: fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int4"), granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } } }), ...data },
  });
  it.each([
    [weightOnly({ step: "convert" }), "/_data/step", "Cannot specify `weight_config` or `activation_config` in the convert step"],
    [weightOnly({ step: "train" }), "/_data/step", "`step` must be one of ['prepare', 'convert']"],
    [weightOnly({ step: 1 }), "/_data/step", "`step` must be one of ['prepare', 'convert']"],
    [weightOnly({ step: { _type: "QATStep", _data: "CONVERT" } }), "/_data/step", "Cannot specify `weight_config` or `activation_config` in the convert step"],
    [weightOnly({ step: "prepare", note: "x" }), "/_data/note", "QATConfig.__init__() got an unexpected keyword argument 'note'"],
    [{ ...v012, _data: { ...v012._data, step: "prepare" } }, "/_data/step", "IntXQuantizationAwareTrainingConfig.__init__() got an unexpected keyword argument 'step'"],
    // A QATStep envelope is read by member name (upper case); another class holding "PREPARE" is no step.
    [weightOnly({ step: { _type: "QATStage", _data: "PREPARE" } }), "/_data/step", "`step` must be one of ['prepare', 'convert']"],
    [weightOnly({ step: { _type: "QATStep", _data: "XPREPARE" } }), "/_data/step", "`step` must be one of ['prepare', 'convert']"],
    [weightOnly({ step: { _type: "QATStep", _data: "Prepare" } }), "/_data/step", "`step` must be one of ['prepare', 'convert']"],
  ])("refuses a QAT pair envelope torchao's constructor refuses (%#)", (doc, pointer, message) => {
    expect(validate(doc).diagnostics).toMatchObject([{ ruleId: "fqc/torchao-envelope", pointer, message }]);
    expect(() => normalizeDocument(doc)).toThrow(message);
  });

  it("names the keywords a QAT pair class takes, and reads a QATConfig written without base_config", () => {
    expect(validate(weightOnly({ note: "x" })).diagnostics[0]!.hint).toBe("QATConfig takes base_config, activation_config, weight_config, step.");
    const { base_config: _, ...noBase } = weightOnly({})._data;
    expect(validate({ _type: "QATConfig", _version: 1, _data: noBase }).diagnostics).toEqual([]);
    expect(normalizeDocument({ _type: "QATConfig", _version: 1, _data: noBase })).toEqual(normalizeDocument(weightOnly({})));
  });

  it("tells where a `$schema` goes instead, and to remove any other key beside the envelope", () => {
    const hint = (doc: unknown) => validate(doc).diagnostics[0]!.hint;
    expect(hint({ ...v012, $schema: "s" })).toBe("torchao's JSON has no place for `$schema`: map the file to the schema in the editor's settings instead.");
    expect(hint({ ...v012, note: "x" })).toBe("Remove the key.");
  });

  it("points a finding about a whole config or a whole recipe at its place in the envelope", () => {
    expect(validate({ _type: "IntxFakeQuantizeConfig", _version: 1, _data: { group_size: 32 } }).diagnostics).toMatchObject([{ ruleId: "fqc/missing-dtype", pointer: "/_data" }]);
    expect(validate({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: {} } }).diagnostics).toMatchObject([{ ruleId: "lint/recipe-empty", pointer: "/_data/fqn_to_config" }]);
  });

  it("reads a FqnToConfig without either table as torchao does: an empty recipe (both tables default to empty), not a missing field", () => {
    for (const data of [{}, { module_fqn_to_config: {} }]) {
      const ds = validate({ _type: "FqnToConfig", _version: 1, _data: data }).diagnostics;
      expect(ds.map((d) => [d.ruleId, d.severity]), JSON.stringify(data)).toEqual([["lint/recipe-empty", "warning"]]);
      expect(normalizeDocument({ _type: "FqnToConfig", _version: 1, _data: data })).toEqual({ kind: "recipe", recipe: { entries: [] } });
    }
    // A table written as something else than an object is still refused (torchao's len() of it fails).
    expect(validate({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: null } }).diagnostics[0]).toMatchObject({ ruleId: "fqc/torchao-envelope", pointer: "/_data/fqn_to_config" });
  });

  describe("both tables written, as config_to_dict writes a FqnToConfig", () => {
    const weight = (type: string, data: Record<string, unknown>) => ({ _type: type, _version: 1, _data: { dtype: { _type: "torch.dtype", _data: "int4" }, ...data } });
    const qat = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ _type: "QATConfig", _version: 1, _data: { weight_config: weight("IntxFakeQuantizeConfig", data), ...extra } });
    const recipe = (a: Record<string, unknown>, b: unknown) => ({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: a, module_fqn_to_config: b } });
    const table = { "re:.*proj": qat({ group_size: 32 }), lm_head: null };
    const unequal = (b: unknown) => validate(recipe(table, b)).diagnostics.filter((d) => d.severity === "error");

    it("reads tables equal as torchao compares them: keys in any order, configs by what they construct", () => {
      expect(validate(recipe(table, { lm_head: null, "re:.*proj": qat({ group_size: 32 }) })).diagnostics).toEqual([]);
      // The same config spelled otherwise, and QATConfig's default step written out.
      const spelled = qat({ granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } }, mapping_type: { _type: "MappingType", _data: "SYMMETRIC" } }, { step: "PREPARE" });
      expect(validate(recipe(table, { "re:.*proj": spelled, lm_head: null })).diagnostics).toEqual([]);
      expect(normalizeDocument(recipe(table, { lm_head: null, "re:.*proj": spelled }))).toEqual(normalizeDocument(recipe(table, {})));
    });

    it("refuses unequal tables with torchao's message, at module_fqn_to_config: an edit to one of them only", () => {
      const expected = [{ ruleId: "fqc/torchao-envelope", pointer: "/_data/module_fqn_to_config", message: "`fqn_to_config` and `module_fqn_to_config` are both specified and are not equal!" }];
      for (const b of [
        { "re:.*proj": qat({ group_size: 64 }), lm_head: null }, // a field
        { "re:.*proj": qat({ group_size: 32 }) }, // a key fewer
        { "re:.*proj": qat({ group_size: 32 }), lm_head: qat({ group_size: 32 }) }, // None against a config
        { "re:.*_proj": qat({ group_size: 32 }), lm_head: null }, // a key renamed
        { "re:.*proj": { ...qat({ group_size: 32 }), _type: "IntXQuantizationAwareTrainingConfig" }, lm_head: null }, // the pair's class
        { "re:.*proj": { _type: "QATConfig", _version: 1, _data: { weight_config: weight("FakeQuantizeConfig", { group_size: 32 }) } }, lm_head: null }, // the config's class
        { "re:.*proj": qat({ group_size: 32 }, { activation_config: weight("IntxFakeQuantizeConfig", { granularity: "per_token" }) }), lm_head: null },
      ]) expect(unequal(b), JSON.stringify(b)).toMatchObject(expected);
      expect(() => normalizeDocument(recipe(table, { lm_head: null }))).toThrow("are both specified and are not equal!");
    });

    it("refuses a second table that is no object, and reads the older table alone when the newer is empty", () => {
      expect(unequal(5)).toMatchObject([{ ruleId: "fqc/torchao-envelope", pointer: "/_data/module_fqn_to_config", message: "torchao's `module_fqn_to_config` must be an object, not 5" }]);
      // torchao's len() of None, a number or a boolean raises; of a non-empty list or string, the tables differ.
      for (const b of [null, true, [1], "x"]) expect(unequal(b), JSON.stringify(b)).toMatchObject([{ ruleId: "fqc/torchao-envelope", pointer: "/_data/module_fqn_to_config" }]);
      expect(validate(recipe({}, table)).diagnostics).toEqual([]);
    });

    it("takes an empty list or string as the second table, as torchao does (its length is 0: never compared, never read)", () => {
      for (const empty of [[], ""]) {
        expect(validate(recipe(table, empty)).diagnostics, JSON.stringify(empty)).toEqual([]);
        expect(normalizeDocument(recipe(table, empty))).toEqual(normalizeDocument(recipe(table, {})));
        // The older table alone, the newer one empty: torchao reads the older one.
        const older = { _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: empty, module_fqn_to_config: table } };
        expect(validate(older).diagnostics, JSON.stringify(empty)).toEqual([]);
        expect(normalizeDocument(older)).toEqual(normalizeDocument(recipe(table, {})));
      }
      // The table read must still be one: an empty list alone is no recipe (torchao fails when it applies it).
      expect(validate({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: [] } }).diagnostics[0]).toMatchObject({ ruleId: "fqc/torchao-envelope", pointer: "/_data/fqn_to_config" });
    });
  });

  it("reads an object whose _type is no string as a plain config, not as torchao's JSON", () => {
    const ds = validate({ _type: 5, _data: {} }).diagnostics;
    expect(ds.map((d) => [d.ruleId, d.pointer])).toContainEqual(["fqc/unknown-key", "/_type"]);
    expect(ds.some((d) => d.ruleId === "fqc/torchao-envelope")).toBe(false);
  });

  it("takes QATConfig's step in any case, as torchao lower-cases it, and without it (the default prepare)", () => {
    const plain = normalizeDocument(weightOnly({ step: "prepare" }));
    expect(normalizeDocument(weightOnly({ step: "PREPARE" }))).toEqual(plain);
    expect(normalizeDocument(weightOnly({ step: { _type: "QATStep", _data: "PREPARE" } }))).toEqual(plain);
    expect(normalizeDocument(weightOnly({}))).toEqual(plain);
  });

  it.each([
    [{ ...v012, $schema: "https://fqc.dev/schema/v1/fqc.schema.json" }, "/$schema", "holds only `_type`, `_version` and `_data` at its top, not `$schema`"],
    [{ ...v012, note: "exported by hand" }, "/note", "holds only `_type`, `_version` and `_data` at its top, not `note`"],
    [{ ...v012, _version: "1" }, "/_version", 'must be an integer (the class\'s serialization version, 1), not "1"'],
    [{ ...v012, _version: 1.5 }, "/_version", "must be an integer (the class's serialization version, 1), not 1.5"],
  ])("refuses an envelope whose top the schema refuses: other keys, a non-integer _version (%#)", (doc, pointer, message) => {
    // The schema's torchaoFile branch allows exactly _type, an integer _version and _data: the linter must not accept more.
    const ds = validate(doc).diagnostics;
    expect(ds).toMatchObject([{ ruleId: "fqc/torchao-envelope", pointer, message: expect.stringContaining(message) }]);
    expect(() => normalizeDocument(doc)).toThrow(message);
  });

  it("refuses `$schema` inside a config envelope's _data: there it would be a keyword argument", () => {
    const single = fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int4"), granularity: { _type: "PerAxis", _version: 1, _data: { axis: 0 } } });
    expect(validate(single).diagnostics).toEqual([]);
    const withSchema = { ...single, _data: { ...single._data, $schema: "x" } };
    expect(validate(withSchema).diagnostics).toMatchObject([{
      ruleId: "fqc/torchao-envelope", pointer: "/_data/$schema", message: "IntxFakeQuantizeConfig.__init__() got an unexpected keyword argument '$schema'",
    }]);
  });

  it("a granularity class fake quantization refuses (PerTensor, PerRow, PerBlock) gets torchao's message, as in the plain form", () => {
    for (const [type, data] of [["PerTensor", {}], ["PerRow", {}], ["PerBlock", { block_size: [1, 32] }]] as const) {
      const env = fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int8"), granularity: { _type: type, _version: 1, _data: data } });
      const [d] = validate(env).diagnostics;
      expect(d).toMatchObject({ ruleId: "torchao/granularity-unsupported", pointer: "/_data/granularity" });
      expect(d!.message).toBe(validate({ dtype: "int8", granularity: { type, ...data } }).diagnostics[0]!.message);
    }
  });

  it("an unknown nested envelope is reported where it is", () => {
    const odd = structuredClone(v012) as typeof v012;
    (odd._data.weight_config._data as Record<string, unknown>).mapping_type = { _type: "Frobnicator", _data: "X" };
    const ds = validate(odd).diagnostics;
    expect(ds[0]).toMatchObject({ ruleId: "fqc/torchao-envelope", pointer: "/_data/weight_config/_data/mapping_type" });
  });
});

describe("torchao's FqnToConfig JSON (a recipe)", () => {
  const qat = (weight: unknown, activation: unknown = null) => ({
    _type: "QATConfig",
    _version: 2,
    _data: { base_config: null, activation_config: activation, weight_config: weight, step: { _type: "QATStep", _data: "PREPARE" } },
  });
  const int4 = fqConfig("IntxFakeQuantizeConfig", {
    dtype: { _type: "TorchAODType", _data: "INT4" },
    granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } },
    mapping_type: { _type: "MappingType", _data: "SYMMETRIC" },
  });
  const envelope = (table: Record<string, unknown>, field = "fqn_to_config") => ({
    _type: "FqnToConfig",
    _version: 1,
    _data: { fqn_to_config: field === "fqn_to_config" ? table : {}, module_fqn_to_config: field === "module_fqn_to_config" ? table : {} },
  });

  it("normalizes like the plain recipe whose values are the QATConfigs' pairs", () => {
    const plain = { fqn_to_config: { "model.embed_tokens": null, "re:.*_proj": { weight: { dtype: "int4", group_size: 32 } } } };
    const fromTorchao = normalizeDocument(envelope({ "model.embed_tokens": null, "re:.*_proj": qat(int4) }));
    expect(fromTorchao).toEqual(normalizeDocument(plain));
    // The BC field ModuleFqnToConfig filled is read when fqn_to_config is empty.
    expect(normalizeDocument(envelope({ "model.embed_tokens": null, "re:.*_proj": qat(int4) }, "module_fqn_to_config"))).toEqual(normalizeDocument(plain));
  });
  it("points a rule inside a QATConfig value at the field in the envelope as written", () => {
    const bad = fqConfig("IntxFakeQuantizeConfig", { dtype: { _type: "torch.dtype", _data: "int8" }, granularity: { _type: "PerToken", _version: 1, _data: {} }, mapping_type: { _type: "MappingType", _data: "SYMMETRIC" } });
    const ds = validate(envelope({ lm: qat(int4, bad) })).diagnostics;
    expect(ds.map((d) => [d.ruleId, d.pointer])).toEqual([["forward/symmetric-per-token", "/_data/fqn_to_config/lm/_data/activation_config/_data/mapping_type"]]);
  });
  it("refuses a value that is not a QATConfig, at that value", () => {
    const ds = validate(envelope({ lm: int4 })).diagnostics;
    expect(ds).toMatchObject([{ ruleId: "fqc/torchao-envelope", pointer: "/_data/fqn_to_config/lm", message: expect.stringMatching(/not IntxFakeQuantizeConfig/) }]);
  });
  it("reports an activation-only QATConfig value at that value", () => {
    const act = fqConfig("IntxFakeQuantizeConfig", { dtype: { _type: "torch.dtype", _data: "int8" }, granularity: { _type: "PerToken", _version: 1, _data: {} }, mapping_type: { _type: "MappingType", _data: "ASYMMETRIC" } });
    const ds = validate(envelope({ lm: qat(null, act) })).diagnostics;
    expect(ds.map((d) => [d.ruleId, d.pointer])).toEqual([["fqc/recipe-activation-only", "/_data/fqn_to_config/lm"]]);
  });
});

describe("keys that are JavaScript property names (issue 13)", () => {
  it("a __proto__ key inside torchao's envelope is an unknown key like any other", async () => {
    const { validate } = await import("../../src/config/validate.js");
    const text = JSON.stringify({ _type: "IntxFakeQuantizeConfig", _version: 1, _data: { dtype: { _type: "torch.dtype", _data: "int4" }, granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } } } }).replace('"_data":{"dtype"', '"_data":{"__proto__":{"x":1},"dtype"');
    const unknown = validate(text, { filename: "t.json" }).diagnostics.filter((d) => d.ruleId === "fqc/unknown-key");
    expect(unknown).toHaveLength(1);
    expect(unknown[0].message).toContain("__proto__");
  });

  it("a recipe key __proto__ in torchao's FqnToConfig JSON is checked and normalized like any other key", () => {
    const bad = fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int16"), granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } } });
    const good = fqConfig("IntxFakeQuantizeConfig", { dtype: dtype("int4"), granularity: { _type: "PerGroup", _version: 1, _data: { group_size: 32 } } });
    const qat = (w: unknown) => ({ _type: "QATConfig", _version: 1, _data: { base_config: null, activation_config: null, weight_config: w, step: "prepare" } });
    const recipe = (w: unknown) => JSON.stringify({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: { a: null, PROTO: qat(w) } } }).replace('"PROTO"', '"__proto__"');
    const ds = validate(recipe(bad), { filename: "r.json" }).diagnostics;
    expect(ds.map((d) => [d.ruleId, d.pointer])).toEqual([["torchao/dtype-unsupported", "/_data/fqn_to_config/__proto__/_data/weight_config/_data/dtype"]]);
    const doc = normalizeDocument(recipe(good));
    expect(doc.kind === "recipe" && doc.recipe.entries.map((e) => e.key)).toEqual(["a", "__proto__"]);
  });

  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])("a `_type` of %s names no torchao class, at the top or as a recipe value", (type) => {
    const top = validate(JSON.stringify({ _type: type, _version: 1, _data: { weight_config: null } }), { filename: "t.json" }).diagnostics;
    expect(top.map((d) => [d.ruleId, d.pointer])).toEqual([["fqc/torchao-envelope", "/_type"]]);
    expect(top[0].message).toMatch(new RegExp(`JSON, not ${type}$`));
    const recipe = JSON.stringify({ _type: "FqnToConfig", _version: 1, _data: { fqn_to_config: { a: { _type: type, _version: 1, _data: {} } } } });
    expect(validate(recipe, { filename: "r.json" }).diagnostics.map((d) => d.ruleId)).toEqual(["fqc/torchao-envelope"]);
  });
});
