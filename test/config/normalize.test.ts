import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalJson, normalize, normalizeDocument, schemaUriOf } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";
import { FqcError } from "../../src/errors.js";
import { CANONICAL_KEYS } from "../../src/config/vocabulary.js";
import { canonicalFileText } from "../../src/canonical-text.js";
import { caught } from "../helpers/js-callers.js";

const W = { dtype: "int4", group_size: 32 };
const A = { dtype: "int8", granularity: "per_token", is_symmetric: false };

describe("normalizeDocument", () => {
  it("normalizes a pair with activation before weight, whatever the input order", () => {
    const doc = normalizeDocument({ weight: W, activation: A });
    expect(doc.kind).toBe("pair");
    const text = canonicalJson(doc);
    expect(Object.keys(JSON.parse(text))).toEqual(["activation", "weight"]);
    expect(JSON.parse(text).weight.granularity).toEqual({ type: "PerGroup", group_size: 32 });
    expect(JSON.parse(text).activation.mapping_type).toBe("ASYMMETRIC");
  });

  it("omits absent and null sides", () => {
    expect(canonicalJson(normalizeDocument({ weight: W, activation: null }))).not.toContain("activation");
  });

  it("ignores a top-level $schema and can write it back first", () => {
    const input = { $schema: "https://fqc.dev/schema/v1/fqc.schema.json", ...W };
    const doc = normalizeDocument(input);
    expect(canonicalJson(doc)).not.toContain("$schema");
    const text = canonicalJson(doc, { schema: schemaUriOf(input) });
    expect(Object.keys(JSON.parse(text))).toEqual(["$schema", ...CANONICAL_KEYS]);
  });

  it("throws torchao's first error of the first failing member", () => {
    expect(() => normalizeDocument({ activation: A, weight: { dtype: "int4", granularity: "per_group" } })).toThrow(
      "Granularity was 'per_group' but no `group_size` was set",
    );
    expect(() => normalizeDocument([1])).toThrow(FqcError);
    expect(() => normalizeDocument({ activation: null })).toThrow(/at least one of/);
  });

  it("refuses a group_size past 2^53 rather than print a number other than the one written", () => {
    for (const input of ['{"dtype": "int4", "group_size": 1152921504606846977}', "dtype: int4\ngroup_size: 9007199254740993\n", { dtype: "int4", group_size: 2 ** 60 }]) {
      const opts = typeof input === "string" && input.startsWith("dtype") ? { filename: "c.yaml" } : {};
      expect(() => normalize(input, opts)).toThrow(/is 2\^53 or more/);
    }
    expect(() => normalizeDocument({ fqn_to_config: { lm_head: { dtype: "int4", group_size: 2 ** 53 } } })).toThrow(/is 2\^53 or more/);
    expect(normalize({ dtype: "int4", group_size: 2 ** 53 - 1 }).granularity).toEqual({ type: "PerGroup", group_size: 2 ** 53 - 1 });
    // A config error (exit 1 from the CLI), with the fix.
    const e = caught(() => normalize({ dtype: "int4", group_size: 2 ** 60 }));
    expect(e).toBeInstanceOf(FqcError);
    expect((e as FqcError).code).toBe("CONFIG");
    expect((e as FqcError).hint).toBe("Use the number of elements per group, e.g. 32, 64 or 128 (fqc validate reports it as forward/group-size).");
  });
  it("throws fqc's message for an unknown key, with a suggestion", () => {
    expect(() => normalize({ dtype: "int4", group_size: 32, symmetric: true })).toThrow("FakeQuantizeConfig.__init__() got an unexpected keyword argument 'symmetric'; did you mean `is_symmetric`?");
    expect(() => normalize({ group_size: 32 })).toThrow("missing required key `dtype`");
  });
});

describe("schemaUriOf", () => {
  it("gives a top-level string $schema, and nothing for any other value", () => {
    expect(schemaUriOf({ $schema: "s", dtype: "int4" })).toBe("s");
    for (const v of [{ $schema: 5 }, { $schema: null }, {}, null, "s", ["s"]]) expect(schemaUriOf(v)).toBeUndefined();
  });
});

describe("canonicalJson", () => {
  it("writes 2-space indented JSON with a trailing newline, keys in torchao's field order", () => {
    const text = canonicalJson(normalizeDocument({ is_symmetric: false, group_size: 64, dtype: "uint4", zero_point_domain: "FLOAT" }));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe('  "dtype": "uint4",');
    expect(Object.keys(JSON.parse(text))).toEqual([...CANONICAL_KEYS]);
    expect(text).toContain('"granularity": {\n    "type": "PerGroup",\n    "group_size": 64\n  }');
  });

  it("keeps a recipe entry whose key is __proto__, in JSON and YAML", () => {
    const text = '{"fqn_to_config": {"a": null, "__proto__": {"dtype": "int4", "group_size": 32}, "b": null}}';
    const json = canonicalJson(normalizeDocument(text));
    expect(Object.keys(JSON.parse(json).fqn_to_config)).toEqual(["a", "__proto__", "b"]);
    expect(JSON.parse(json).fqn_to_config.__proto__).toMatchObject({ dtype: "int4", granularity: { type: "PerGroup", group_size: 32 } });
    const yaml = canonicalFileText(normalizeDocument(text), "fqn_to_config: {}\n", "r.yaml");
    expect(normalizeDocument(yaml, { filename: "r.yaml" })).toEqual(normalizeDocument(text));
  });

  it("writes a granularity's keys in torchao's order when the document was built by hand", () => {
    const c = normalize({ dtype: "int4", group_size: 32 });
    const built = { ...c, granularity: { group_size: 32, type: "PerGroup" as const } };
    expect(canonicalJson({ kind: "single", config: built })).toBe(canonicalJson({ kind: "single", config: c }));
  });

  it("refuses a document of another kind, whatever else it holds", () => {
    const e = caught(() => canonicalJson({ kind: "table", recipe: { entries: [] } } as unknown as Parameters<typeof canonicalJson>[0]));
    expect(e).toBeInstanceOf(FqcError);
    expect((e as FqcError).code).toBe("USAGE");
    expect((e as Error).message).toBe("canonicalJson: doc must be what normalizeDocument returns ({ kind, ... }), not an object");
  });

  it("is a fixed point: normalizing canonical text gives the same text", () => {
    const text = canonicalJson(normalizeDocument({ activation: A, weight: W }));
    expect(canonicalJson(normalizeDocument(JSON.parse(text)))).toBe(text);
    expect(validate(text).diagnostics).toEqual([]);
  });
});

describe("idempotence", () => {
  const arb = fc.record(
    {
      dtype: fc.constantFrom("int2", "int4", "int8", "uint4", "uint8"),
      granularity: fc.constantFrom<unknown>(null, "per_token", "per_channel", "per_group", { type: "PerToken" }, { type: "PerAxis", axis: 0 }, { type: "PerGroup", group_size: 16 }),
      mapping_type: fc.constantFrom<unknown>(null, "SYMMETRIC", "ASYMMETRIC"),
      scale_precision: fc.constantFrom("float32", "bfloat16", "float16"),
      zero_point_precision: fc.constantFrom("int32", "float32", "bfloat16"),
      zero_point_domain: fc.constantFrom("INT", "FLOAT", "NONE"),
      is_dynamic: fc.boolean(),
      range_learning: fc.boolean(),
      eps: fc.constantFrom<unknown>(null, 1e-6, 0.5),
      group_size: fc.constantFrom<unknown>(null, 32, 128),
      is_symmetric: fc.constantFrom<unknown>(null, true, false),
    },
    { requiredKeys: ["dtype"] },
  );

  it("normalize(normalize(x)) equals normalize(x) whenever x constructs, and errors are FqcError CONFIG otherwise", () => {
    let constructed = 0;
    fc.assert(
      fc.property(arb, (x) => {
        let n;
        try {
          n = normalize(x);
        } catch (e) {
          expect(e).toBeInstanceOf(FqcError);
          expect((e as FqcError).code).toBe("CONFIG");
          return;
        }
        constructed++;
        expect(normalize(n)).toEqual(n);
        expect(Object.keys(n)).toEqual([...CANONICAL_KEYS]);
      }),
      { numRuns: 2000 },
    );
    expect(constructed).toBeGreaterThan(100);
  });
});

describe("text input", () => {
  it("keeps Python's float/int distinction that a parsed value loses", () => {
    expect(() => normalize('{"dtype": "int4", "granularity": 32.0}')).toThrow("Granularity '32.0' has unexpected type <class 'float'>");
    expect(() => normalize({ dtype: "int4", granularity: 32.0 })).toThrow("Granularity '32' has unexpected type <class 'int'>");
    expect(() => normalizeDocument("weight:\n  dtype: int4\n  granularity: 1.0e-6\n", { filename: "q.yaml" })).toThrow("Granularity '1e-06' has unexpected type <class 'float'>");
  });
  it("normalizes text like the value and reports syntax errors as CONFIG errors", () => {
    expect(normalize('{"dtype": "int4", "group_size": 32}')).toEqual(normalize(W));
    expect(() => normalizeDocument('{"dtype": "int4",}')).toThrow(/JSON syntax error/);
  });
});
