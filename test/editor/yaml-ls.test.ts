/**
 * The schema as YAML editors see it: yaml-language-server (Red Hat's VS Code YAML extension, Neovim, Helix, Zed,
 * JetBrains via LSP) runs here as the real client, on YAML configs that name the published schema files by the
 * modeline the README shows.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { getLanguageService } from "yaml-language-server/lib/umd/languageservice/yamlLanguageService.js";
import { describe, expect, it } from "vitest";
import { DTYPE_NAMES } from "../../src/config/dtypes.js";
import { CANONICAL_KEYS, FIELD_DOCS, MAPPING_TYPES, PAIR_KEYS, SHORTHAND_KEYS, VALUE_DOCS } from "../../src/config/vocabulary.js";
import { CROSS_FIELD_RULE_IDS } from "../../src/config/schema-source.js";
import { validate } from "../../src/config/validate.js";
import { ROOT } from "../helpers/cli.js";

type Item = { label: string; insertText?: string; documentation?: unknown };
const docText = (i: Item) => (typeof i.documentation === "string" ? i.documentation : (i.documentation as { value?: string } | undefined)?.value ?? "");

// Schemas named by a modeline load from disk, as an editor would.
const ls = getLanguageService({
  schemaRequestService: async (uri: string) => readFileSync(fileURLToPath(uri), "utf8"),
  workspaceContext: { resolveRelativePath: (rel: string, resource: string) => new URL(rel, resource).href },
});
ls.configure({ validate: true, hover: true, completion: true });
let version = 0;
// A config beside examples/, so that the README's "../schema/..." modeline names the repository's schema files.
const AT = path.join(ROOT, "examples", "editor.fqc.yaml");
const open = (text: string, file = AT) => TextDocument.create(pathToFileURL(file).href, "yaml", ++version, text);

for (const file of ["fqc.schema.json", "fqc.draft-07.schema.json"]) {
  const modeline = `# yaml-language-server: $schema=../schema/${file}\n`;
  const complete = async (text: string): Promise<Item[]> => {
    const at = text.indexOf("|");
    const doc = open(modeline + text.replace("|", ""));
    return (await ls.doComplete(doc, doc.positionAt(modeline.length + at), false)).items as Item[];
  };
  const hover = async (text: string, key: string): Promise<string> => {
    const doc = open(modeline + text);
    const h = await ls.doHover(doc, doc.positionAt(modeline.length + text.indexOf(key) + 1));
    const c = h?.contents as { value?: string } | string | undefined;
    return (typeof c === "string" ? c : c?.value ?? "").replace(/\\(.)/g, "$1");
  };
  const messages = async (text: string, at = AT) => (await ls.doValidation(open(modeline + text, at), false)).map((d) => d.message);

  describe(`yaml-language-server on schema/${file} (modeline)`, () => {
    it("offers every config key and the pair keys in an empty file, each described and with no preset value", async () => {
      const items = await complete("|");
      const keys = [...CANONICAL_KEYS, ...SHORTHAND_KEYS, ...PAIR_KEYS, "fqn_to_config"];
      expect(items.map((i) => i.label)).toEqual(expect.arrayContaining(keys));
      for (const key of [...CANONICAL_KEYS, ...SHORTHAND_KEYS]) {
        const item = items.find((i) => i.label === key)!;
        expect(item.insertText, key).toBe(`${key}: `);
        expect(docText(item), key).toBe(FIELD_DOCS[key].description);
      }
    });

    it("offers every dtype and mapping type as a value, each described", async () => {
      const dtypes = await complete("dtype: |");
      expect(dtypes.map((i) => i.label).sort()).toEqual([...DTYPE_NAMES].sort());
      for (const d of dtypes) expect(docText(d), d.label).toMatch(/-bit (signed|unsigned), integer range/);
      const maps = await complete("dtype: int4\ngroup_size: 32\nmapping_type: |");
      for (const m of MAPPING_TYPES) expect(docText(maps.find((i) => i.label === m)!), m).toBe(VALUE_DOCS.mapping_type[m]);
    });

    it("offers the granularity object's three types as values, each described, at the top level and in a pair", async () => {
      for (const text of ["dtype: int4\ngranularity:\n  type: |", "dtype: int4\ngranularity: {type: |}", "weight:\n  dtype: int4\n  granularity:\n    type: |"]) {
        const types = await complete(text);
        expect(types.map((i) => i.label).sort(), text).toEqual(["PerAxis", "PerGroup", "PerToken"]);
        for (const t of types) expect(docText(t), t.label).toContain(`${t.label}: `);
      }
    });

    it("offers a recipe value's config keys and its QAT pair keys", async () => {
      const labels = (await complete("fqn_to_config:\n  lm_head:\n    |")).map((i) => i.label);
      expect(labels).toEqual(expect.arrayContaining([...CANONICAL_KEYS, ...SHORTHAND_KEYS, ...PAIR_KEYS]));
    });

    it("shows each property's own description on hover", async () => {
      const text = "dtype: int4\ngroup_size: 32\nmapping_type: SYMMETRIC\nscale_precision: float32\nzero_point_precision: int32\n"
        + "zero_point_domain: INT\nis_dynamic: true\nrange_learning: false\neps: null\n";
      for (const key of ["dtype", "group_size", "mapping_type", "scale_precision", "zero_point_precision", "zero_point_domain", "is_dynamic", "range_learning", "eps"]) {
        expect(await hover(text, key), key).toContain(FIELD_DOCS[key].description.slice(0, 40));
      }
    });

    it("reports no problem in the bundled YAML examples and flags the broken one, loading the schema by its relative path", async () => {
      for (const f of ["8da4w.yaml", "llama-recipe.yaml"]) {
        const at = path.join(ROOT, "examples", f);
        expect(await ls.doValidation(open(readFileSync(at, "utf8"), at), false), f).toEqual([]);
      }
      const at = path.join(ROOT, "examples/broken/per-token-symmetric.yaml");
      const found = (await ls.doValidation(open(readFileSync(at, "utf8"), at), false)).map((d) => d.message);
      expect(found).toContainEqual(expect.stringContaining("(fqc rule forward/symmetric-per-token)."));
      expect(found.join(" ")).not.toContain("Unable to load schema");
    });

    it("gives fqc validate's verdict on YAML-specific values, shorthands, pairs and recipes", async () => {
      const cases: Record<string, string> = {
        plain: "dtype: int4\ngroup_size: 32\n",
        "YAML 1.1 yes (a string in YAML 1.2)": "dtype: int4\ngroup_size: 32\nis_dynamic: yes\n",
        "YAML 1.1 on": "dtype: int4\ngroup_size: 32\nrange_learning: on\n",
        "YAML 1.1 no as is_symmetric": "dtype: int8\ngranularity: per_token\nis_symmetric: no\n",
        "0 as is_symmetric": "dtype: int8\ngranularity: per_token\nis_symmetric: 0\n",
        ".nan": "dtype: int4\ngroup_size: 32\neps: .nan\n",
        ".inf": "dtype: int4\ngroup_size: 32\neps: .inf\n",
        "-.inf as is_symmetric": "dtype: int8\ngranularity: per_token\nis_symmetric: -.inf\n",
        "a number as a string": "dtype: int4\ngroup_size: \"32\"\n",
        "hexadecimal": "dtype: int4\ngroup_size: 0x20\n",
        "~ and empty values": "dtype: int4\ngroup_size: 32\nscale_precision: ~\neps:\n",
        "null zero_point_precision": "dtype: int4\ngroup_size: 32\nzero_point_precision: null\n",
        "unknown key": "dtype: int4\ngroup_size: 32\ngroup_sise: 32\n",
        "flow granularity": "dtype: int4\ngranularity: {type: PerAxis, axis: 0}\n",
        "axis 1": "dtype: int4\ngranularity: {type: PerAxis, axis: 1}\n",
        pair: "activation:\n  dtype: int8\n  granularity: per_token\n  is_symmetric: false\nweight:\n  dtype: int4\n  group_size: 32\n",
        "pair with a config key": "activation:\n  dtype: int8\n  granularity: per_token\n  is_symmetric: false\ndtype: int4\n",
        "anchors and aliases": "activation: &a\n  dtype: int8\n  granularity: per_token\n  is_symmetric: false\nweight: *a\n",
        recipe: "fqn_to_config:\n  _default: {dtype: int4, group_size: 32}\n  're:model\\.layers\\.\\d+': null\n  lm_head:\n    weight: {dtype: int8, granularity: per_channel}\n",
        "recipe, bad granularity": "fqn_to_config:\n  lm_head: {dtype: int8, granularity: per_tensor}\n",
        "recipe without a mapping": "fqn_to_config:\n",
      };
      for (const [name, text] of Object.entries(cases)) {
        const fqc = validate(text, { format: "yaml" }).diagnostics.some((d) => d.severity === "error");
        expect((await messages(text)).length > 0, name).toBe(fqc);
      }
    });

    it("words every broken cross-field rule with the rule and its id", async () => {
      const broken: Record<string, string> = {
        "torchao/group-size-conflict": "dtype: int4\ngranularity: per_channel\ngroup_size: 32\n",
        "torchao/per-group-without-group-size": "dtype: int4\ngranularity: per_group\n",
        "torchao/granularity-missing": "dtype: int4\n",
        "torchao/mapping-type-and-is-symmetric": "dtype: int4\ngroup_size: 32\nmapping_type: SYMMETRIC\nis_symmetric: true\n",
        "torchao/dynamic-range-learning": "dtype: int4\ngroup_size: 32\nrange_learning: true\nzero_point_precision: float32\n",
        "forward/symmetric-per-token": "dtype: int8\ngranularity: per_token\n",
        "forward/zero-point-domain-none": "dtype: int4\ngroup_size: 32\nzero_point_domain: NONE\n",
        "forward/range-learning-integer-zero-point": "dtype: int4\ngroup_size: 32\nrange_learning: true\nis_dynamic: false\n",
      };
      expect(Object.keys(broken).sort()).toEqual([...CROSS_FIELD_RULE_IDS].sort());
      for (const [rule, text] of Object.entries(broken)) {
        expect(await messages(text), rule).toContainEqual(expect.stringContaining(`(fqc rule ${rule}).`));
      }
    });
  });
}
