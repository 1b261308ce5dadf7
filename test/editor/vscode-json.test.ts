/**
 * The schema as editors see it: VS Code's own JSON engine
 * (vscode-json-languageservice) runs here as the real client, on the
 * published schema files.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import lsMod from "vscode-json-languageservice";
import { describe, expect, it } from "vitest";
import { DTYPE_NAMES } from "../../src/config/dtypes.js";
import {
  CANONICAL_KEYS, FIELD_DOCS, GRANULARITY_STRINGS, MAPPING_TYPES, PAIR_KEYS, SCALE_PRECISION_NULL_DOC, SCALE_PRECISIONS, SHORTHAND_KEYS, VALUE_DOCS, ZERO_POINT_DOMAINS,
  ZERO_POINT_PRECISIONS,
} from "../../src/config/vocabulary.js";
import { normalize } from "../../src/config/normalize.js";
import { CROSS_FIELD_RULE_IDS } from "../../src/config/schema-source.js";
import { validate } from "../../src/config/validate.js";
import { ROOT } from "../helpers/cli.js";

const { getLanguageService, TextDocument } = lsMod;
type Item = { label: string; insertText?: string; documentation?: unknown };

for (const file of ["fqc.schema.json", "fqc.draft-07.schema.json"]) {
  const schema = JSON.parse(readFileSync(path.join(ROOT, "schema", file), "utf8")) as { $id: string };
  // Files named by "$schema" load from disk, as an editor would (the examples point at ../schema/fqc.schema.json).
  const ls = getLanguageService({
    schemaRequestService: async (uri: string) => readFileSync(fileURLToPath(uri), "utf8"),
    workspaceContext: { resolveRelativePath: (rel: string, resource: string) => new URL(rel, resource).href },
  });
  ls.configure({ validate: true, allowComments: false, schemas: [{ uri: schema.$id, fileMatch: ["*.json"], schema }] });
  const open = (text: string, uri = "file:///project/qat.fqc.json") => {
    const doc = TextDocument.create(uri, "json", 1, text);
    return { doc, json: ls.parseJSONDocument(doc) };
  };
  const complete = async (text: string, at = text.indexOf("|")): Promise<Item[]> => {
    const { doc, json } = open(text.replace("|", ""));
    return (await ls.doComplete(doc, doc.positionAt(at), json))?.items ?? [];
  };
  const hover = async (text: string, at: number): Promise<string> => {
    const { doc, json } = open(text);
    const h = await ls.doHover(doc, doc.positionAt(at), json);
    const c = h?.contents;
    return (Array.isArray(c) ? c.join("\n") : typeof c === "string" ? c : (c as { value?: string } | undefined)?.value ?? "").replace(/\\(.)/g, "$1");
  };
  const diagnostics = async (text: string, file?: string) => {
    const { doc, json } = open(text, file ? pathToFileURL(file).href : undefined);
    return ls.doValidation(doc, json);
  };
  const docText = (i: Item) => (typeof i.documentation === "string" ? i.documentation : (i.documentation as { value?: string } | undefined)?.value ?? "");

  describe(`VS Code's JSON engine on schema/${file}`, () => {
    it("offers every config key and the pair keys in an empty file, each with a value placeholder and no preset value", async () => {
      const items = await complete("{|}");
      const labels = items.map((i) => i.label);
      expect(labels).toEqual(expect.arrayContaining([...CANONICAL_KEYS, ...SHORTHAND_KEYS, ...PAIR_KEYS, "fqn_to_config", "$schema"]));
      expect(items.find((i) => i.label === "fqn_to_config")?.insertText).toBe('"fqn_to_config": {$1}');
      for (const i of items.filter((x) => ![...PAIR_KEYS, "fqn_to_config", "$schema"].includes(x.label))) {
        // A snippet that presets a value (e.g. "zero_point_domain": "NONE", "range_learning": true) would write a broken config.
        expect(i.insertText, i.label).toBe(`"${i.label}": $1`);
        expect(docText(i), i.label).not.toBe("");
      }
    });

    it("offers the granularity object's fields, and its three types as values", async () => {
      const labels = (await complete('{"dtype": "int4", "granularity": {|}}')).map((i) => i.label);
      expect(labels).toContain("type");
      const types = await complete('{"dtype": "int4", "granularity": {"type": |}}');
      expect(types.map((i) => i.label)).toEqual(expect.arrayContaining(['"PerToken"', '"PerAxis"', '"PerGroup"']));
      for (const t of types.filter((i) => i.label.startsWith('"Per'))) expect(docText(t), t.label).not.toBe("");
    });

    it("offers every dtype and mapping type as a value, each described", async () => {
      const dtypes = await complete('{"dtype": |}');
      expect(dtypes.map((i) => i.label).sort()).toEqual(DTYPE_NAMES.map((d) => `"${d}"`).sort());
      for (const d of dtypes) expect(docText(d), d.label).toMatch(/-bit (signed|unsigned), integer range/);
      const maps = await complete('{"dtype": "int4", "group_size": 32, "mapping_type": |}');
      for (const m of MAPPING_TYPES) {
        const item = maps.find((i) => i.label === `"${m}"`);
        expect(item, m).toBeDefined();
        expect(docText(item!)).toBe(VALUE_DOCS.mapping_type[m]);
      }
    });

    it("offers null among scale_precision's values, described as keeping the input dtype, and no null for zero_point_precision", async () => {
      const scales = await complete('{"dtype": "int4", "group_size": 32, "scale_precision": |}');
      for (const p of SCALE_PRECISIONS) expect(scales.map((i) => i.label), p).toContain(`"${p}"`);
      const nul = scales.find((i) => i.label === "null");
      expect(nul).toBeDefined();
      expect(docText(nul!)).toBe(SCALE_PRECISION_NULL_DOC);
      const zps = await complete('{"dtype": "int4", "group_size": 32, "zero_point_precision": |}');
      expect(zps.map((i) => i.label)).not.toContain("null");
      expect(await diagnostics('{"dtype": "int4", "group_size": 32, "scale_precision": null}')).toEqual([]);
    });

    it("shows each property's own description on hover, never a rule's", async () => {
      const text = JSON.stringify({ dtype: "int4", group_size: 32, mapping_type: "SYMMETRIC", scale_precision: "float32", zero_point_precision: "int32",
        zero_point_domain: "INT", is_dynamic: true, range_learning: false, eps: null, is_symmetric: null, granularity: null });
      for (const key of [...CANONICAL_KEYS, ...SHORTHAND_KEYS]) {
        const h = await hover(text, text.indexOf(`"${key}"`) + 1);
        expect(h, key).toContain(FIELD_DOCS[key].description.slice(0, 40));
      }
      const pair = JSON.stringify({ activation: { dtype: "int8", granularity: "per_token", is_symmetric: false }, weight: { dtype: "int4", group_size: 32 } });
      for (const role of PAIR_KEYS) expect(await hover(pair, pair.indexOf(`"${role}"`) + 1), role).toContain(`The ${role} fake-quantize config`);
      expect(await hover(text, 0)).toContain("fqc fake-quantize config");
      const g = '{"dtype": "int4", "granularity": {"type": "PerGroup", "group_size": 32}}';
      expect(await hover(g, g.indexOf('"type"') + 1)).toContain("PerGroup: groups of");
    });

    it("offers exactly the values the linter accepts for every enumerated field, and none it refuses", async () => {
      // A base where each field on its own is legal: per_channel, asymmetric (so NONE and the FLOAT domain do not trip a cross-field rule).
      const base = { dtype: "int4", granularity: "per_channel", mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT", zero_point_precision: "float32" };
      const expected: Record<string, readonly unknown[]> = {
        dtype: DTYPE_NAMES, scale_precision: [...SCALE_PRECISIONS, null], zero_point_precision: ZERO_POINT_PRECISIONS, zero_point_domain: ZERO_POINT_DOMAINS,
        mapping_type: [...MAPPING_TYPES, null], is_dynamic: [true, false], range_learning: [true, false],
      };
      for (const [field, values] of Object.entries(expected)) {
        const { [field]: _dropped, ...rest } = base as Record<string, unknown>;
        const text = JSON.stringify(rest).replace(/}$/, `, "${field}": |}`);
        const offered = (await complete(text)).map((i) => JSON.parse(i.label) as unknown);
        expect(offered.map((v) => JSON.stringify(v)).sort(), field).toEqual(values.map((v) => JSON.stringify(v)).sort());
        for (const v of offered) {
          // Legal in the base, or (zero_point_domain NONE) in a per_token config.
          const perToken = { dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" };
          const refusedIn = (b: Record<string, unknown>) => {
            const cfg = { ...b, [field]: v, ...(field === "range_learning" && v === true ? { is_dynamic: false } : {}) };
            return validate(cfg).diagnostics.filter((d) => d.severity === "error" && d.pointer === `/${field}`);
          };
          const refused = refusedIn(rest);
          if (refused.length > 0) expect(refusedIn(perToken), `${field}: ${JSON.stringify(v)}`).toEqual([]);
        }
      }
      // Granularity: its three strings (per_group with a group size) and the object form's types.
      const granularities = (await complete('{"dtype": "int4", "group_size": 32, "granularity": |}')).map((i) => i.label);
      expect(granularities).toEqual(expect.arrayContaining(GRANULARITY_STRINGS.map((g) => `"${g}"`)));
      for (const g of GRANULARITY_STRINGS) {
        const cfg = g === "per_group" ? { dtype: "int4", granularity: g, group_size: 32 } : { dtype: "int8", granularity: g, mapping_type: "ASYMMETRIC" };
        expect(validate(cfg).diagnostics.filter((d) => d.severity === "error"), g).toEqual([]);
      }
      expect((await complete('{"dtype": "int4", "granularity": {"type": "PerAxis", "axis": |}}')).map((i) => i.label)).toEqual(["0"]);
    });

    it("offers a recipe value's config keys and its QAT pair keys, as the linter accepts both", async () => {
      const labels = (await complete('{"fqn_to_config": {"lm_head": {|}}}')).map((i) => i.label);
      expect(labels).toEqual(expect.arrayContaining([...CANONICAL_KEYS, ...SHORTHAND_KEYS, ...PAIR_KEYS]));
      const pair = { fqn_to_config: { lm_head: { activation: { dtype: "int8", granularity: "per_token", is_symmetric: false }, weight: { dtype: "int4", group_size: 32 } } } };
      expect(validate(pair).diagnostics).toEqual([]);
      expect(await diagnostics(JSON.stringify(pair))).toEqual([]);
    });

    it("gives every field the default normalize fills in", () => {
      const defs = (schema as unknown as Record<string, Record<string, { properties: Record<string, { default?: unknown }> }>>)[file.includes("draft-07") ? "definitions" : "$defs"];
      // A config that sets only what it must: every other canonical field is torchao's default.
      const filled = normalize({ dtype: "int4", granularity: "per_channel" }) as unknown as Record<string, unknown>;
      for (const name of ["config", "configFile"]) {
        for (const key of CANONICAL_KEYS.filter((k) => k !== "dtype" && k !== "granularity")) {
          expect(defs[name].properties[key].default, `${name}.${key}`).toEqual(filled[key]);
        }
        // Left out, granularity and the shorthands are None in torchao's constructor.
        for (const key of ["granularity", ...SHORTHAND_KEYS]) expect(defs[name].properties[key].default, `${name}.${key}`).toBeNull();
      }
    });

    it("shows mapping_type's default as SYMMETRIC, not null", () => {
      const defs = (schema as unknown as Record<string, Record<string, { properties?: Record<string, { default?: unknown }> }>>)[file.includes("draft-07") ? "definitions" : "$defs"];
      expect(defs.configFile.properties!.mapping_type.default).toBe("SYMMETRIC");
    });

    it("reports no problem in the bundled JSON examples and in torchao's own config_to_dict JSON, and flags the broken ones", async () => {
      for (const f of ["8da4w.json", "int4-weight-per-group.json", "int8-per-channel.json", "range-learning.json", "uint4-asym-float-domain.json"]) {
        const at = path.join(ROOT, "examples", f);
        expect(await diagnostics(readFileSync(at, "utf8"), at), f).toEqual([]);
      }
      const torchao = {
        _type: "IntXQuantizationAwareTrainingConfig", _version: 1, _data: {
          activation_config: { _type: "FakeQuantizeConfig", _version: 1, _data: { dtype: { _type: "torch.dtype", _data: "int8" } } },
          weight_config: null,
        },
      };
      expect(await diagnostics(JSON.stringify(torchao))).toEqual([]);
      for (const f of ["group-size-vs-per-channel.json", "typo-group-size.json"]) {
        const at = path.join(ROOT, "examples/broken", f);
        const found = await diagnostics(readFileSync(at, "utf8"), at);
        expect(found.length, f).toBeGreaterThan(0);
        expect(found.map((d) => d.message).join(" "), f).not.toContain("Unable to load schema");
      }
    });

    it("words a broken cross-field rule with the rule and its id, not \"Matches a schema that is not allowed.\"", async () => {
      const broken: Record<string, object> = {
        "torchao/group-size-conflict": { dtype: "int4", granularity: "per_channel", group_size: 32 },
        "torchao/per-group-without-group-size": { dtype: "int4", granularity: "per_group" },
        "torchao/granularity-missing": { dtype: "int4" },
        "torchao/mapping-type-and-is-symmetric": { dtype: "int4", group_size: 32, mapping_type: "SYMMETRIC", is_symmetric: true },
        "torchao/dynamic-range-learning": { dtype: "int4", group_size: 32, range_learning: true, zero_point_precision: "float32" },
        "forward/symmetric-per-token": { dtype: "int8", granularity: "per_token" },
        "forward/zero-point-domain-none": { dtype: "int4", group_size: 32, zero_point_domain: "NONE" },
        "forward/range-learning-integer-zero-point": { dtype: "int4", group_size: 32, range_learning: true, is_dynamic: false },
      };
      expect(Object.keys(broken).sort()).toEqual([...CROSS_FIELD_RULE_IDS].sort());
      const cases: Array<[string, object]> = [
        ...Object.entries(broken),
        ["forward/symmetric-per-token", { activation: { dtype: "int8", granularity: "per_token" } }],
        ["torchao/granularity-missing", { fqn_to_config: { lm_head: { dtype: "int4" } } }],
        ["fqc/document", { activation: null, weight: null }],
      ];
      for (const [rule, config] of cases) {
        const messages = (await diagnostics(JSON.stringify(config))).map((d) => d.message);
        expect(messages, rule).toContainEqual(expect.stringContaining(`(fqc rule ${rule}).`));
        expect(messages, rule).not.toContain("Matches a schema that is not allowed.");
      }
    });
  });
}
