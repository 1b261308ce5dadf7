/** canonicalFileText: the text `normalize --check/--write` compares and writes, read as validate reads the file. */
import { afterEach, describe, expect, it, vi } from "vitest";
import YAML from "yaml";
import { canonicalFileText } from "../../src/canonical-text.js";
import { normalizeDocument } from "../../src/config/normalize.js";
import { judge, validate } from "../../src/config/validate.js";
import { FULL_YAML_MAX_LENGTH } from "../../src/diagnostics/source.js";

afterEach(() => vi.restoreAllMocks());

describe("canonicalFileText on YAML", () => {
  it("reads a large YAML file's $schema without handing the whole file to the yaml package (it took 130 s on a 4 MB recipe)", () => {
    const entries = Array.from({ length: 3000 }, (_, i) => `  model.layers.${i}.mlp.up_proj:\n    dtype: int4\n    group_size: 32\n`).join("");
    const text = `# yaml-language-server: $schema=../fqc.schema.json\n$schema: ../fqc.schema.json\nfqn_to_config:\n${entries}`;
    expect(text.length).toBeGreaterThan(FULL_YAML_MAX_LENGTH);
    const parse = vi.spyOn(YAML, "parse");
    const out = canonicalFileText(normalizeDocument(text, { filename: "r.yaml" }), text, "r.yaml");
    expect(parse.mock.calls.filter(([t]) => typeof t === "string" && t.length > FULL_YAML_MAX_LENGTH)).toEqual([]);
    expect(out.startsWith("# yaml-language-server: $schema=../fqc.schema.json\n$schema: ../fqc.schema.json\nfqn_to_config:\n")).toBe(true);
    expect(canonicalFileText(normalizeDocument(out, { filename: "r.yaml" }), out, "r.yaml")).toBe(out);
  });

  it("prints no process warning for a YAML tag the core schema does not resolve, nor for a collection used as a key", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    validate("dtype: !!python/object:os.system int4\ngroup_size: 32\n", { filename: "t.yaml" });
    const keyed = "? [a, b]\n: 1\ndtype: int4\ngroup_size: 32\n";
    validate(keyed, { filename: "k.yaml" });
    const modeline = "# yaml-language-server: $schema=x\ndtype: int4\ngroup_size: 32\n";
    canonicalFileText(normalizeDocument(modeline, { filename: "m.yaml" }), modeline, "m.yaml");
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("canonicalFileText keeps a YAML file's comments", () => {
  const canonical = (text: string, name = "c.yaml") => canonicalFileText(normalizeDocument(text, { filename: name }), text, name);

  it("at the key they were written at, a shorthand key's at the canonical key that replaces it, blank lines and the head kept", () => {
    const text = [
      "# yaml-language-server: $schema=x.json",
      "# int4 weights",
      "",
      "# why these bits",
      "dtype: int4   # four bits",
      "# asymmetric on purpose",
      "is_symmetric: false # asym",
      "# the group",
      "group_size: 32 # g",
      "",
      "# tail note",
      "",
    ].join("\n");
    expect(canonical(text)).toBe(
      [
        "# yaml-language-server: $schema=x.json",
        "# int4 weights",
        "",
        "# why these bits",
        "dtype: int4 # four bits",
        "granularity:",
        "  type: PerGroup",
        "  # the group",
        "  group_size: 32 # g",
        "# asymmetric on purpose",
        "mapping_type: ASYMMETRIC # asym",
        "scale_precision: float32",
        "zero_point_precision: int32",
        "zero_point_domain: INT",
        "is_dynamic: true",
        "range_learning: false",
        "eps: null",
        "",
        "# tail note",
        "",
      ].join("\n"),
    );
  });

  it("keeps blank lines in a file without comments as in a commented one", () => {
    // They were kept only when the file held a `#` somewhere: adding a comment moved the blank lines of the canonical form.
    const plain = "dtype: int4\n\nscale_precision: float32\ngroup_size: 32\n";
    expect(canonical(plain)).toMatch(/\nmapping_type: SYMMETRIC\n\nscale_precision: float32\nzero_point_precision: int32\n/);
    expect(canonical(`# c\n${plain}`)).toBe(`# c\n${canonical(plain)}`);
    expect(canonical(canonical(plain))).toBe(canonical(plain));
    expect(canonical("dtype: int4\ngroup_size: 32\n")).not.toMatch(/\n\n/);
  });

  it("keeps a blank line above a key where it was, and a trailing comment the canonical value takes as its own", () => {
    expect(canonical("# c\ndtype: int4\n\nscale_precision: float32\ngroup_size: 32\n")).toMatch(/\nmapping_type: SYMMETRIC\n\nscale_precision: float32\nzero_point_precision: int32\n/);
    expect(canonical("# c\ndtype: int4\n\nscale_precision: float32 # sp\ngroup_size: 32\n")).toMatch(/\nmapping_type: SYMMETRIC\n\nscale_precision: float32 # sp\nzero_point_precision: int32\n/);
  });

  it("in pairs and recipes, with comments after a nested map kept above the next key, not pulled into the map, and a flow map's on its line kept with its key", () => {
    const recipe = [
      "fqn_to_config:",
      "  # the head",
      "  lm_head: {dtype: int8, granularity: per_channel}  # flow",
      "  # skip embeddings",
      "  model.embed_tokens: null # kept as is",
      "  're:model\\.layers\\.\\d+\\.mlp':",
      "    # mlp",
      "    dtype: int4",
      "    group_size: 32",
      "  # last",
      "  model.norm: null",
      "",
    ].join("\n");
    const out = canonical(recipe, "r.yaml");
    // (It once went above the next key, which then seemed to be what it spoke of.)
    expect(out).toMatch(/^fqn_to_config:\n {2}# the head\n {2}lm_head:\n {4}# flow\n {4}dtype: int8\n/);
    expect(out).toMatch(/\n {4}eps: null\n {2}# skip embeddings\n {2}model\.embed_tokens: null # kept as is\n/);
    expect(out).toMatch(/\n {2}re:model\\\.layers\\\.\\d\+\\\.mlp:\n {4}# mlp\n {4}dtype: int4\n/);
    expect(out).toMatch(/\n {2}# last\n {2}model\.norm: null\n$/);
    const nested = "weight:\n  dtype: int4\n  granularity:\n    type: PerGroup\n    # gs\n    group_size: 32\n  # after granularity\n  mapping_type: ASYMMETRIC\n";
    expect(canonical(nested)).toMatch(/\n {4}# gs\n {4}group_size: 32\n {2}# after granularity\n {2}mapping_type: ASYMMETRIC\n/);
    // Read by the yaml package as the nested map's own (a shallower key follows): still placed after the map's items.
    const last = "weight:\n  dtype: int4\n  granularity:\n    type: PerGroup\n    # gs\n    group_size: 32\n  # after granularity\nactivation:\n  dtype: int8\n  granularity: per_token\n  mapping_type: ASYMMETRIC\n";
    expect(canonical(last)).toMatch(/^# after granularity\nactivation:\n/);
    expect(canonical(last)).toMatch(/\n {4}# gs\n {4}group_size: 32\n/);
    const pair = "# QAT pair\nweight: &w # anchor\n  dtype: int4 # d\n  group_size: 32\n# reuses the weight's\nactivation: *w # alias\n";
    const p = canonical(pair);
    expect(p).toMatch(/^# QAT pair\n# reuses the weight's\nactivation:\n {2}# alias\n {2}dtype: int4\n/);
    expect(p).toMatch(/\nweight:\n {2}# anchor\n {2}dtype: int4 # d\n/);
  });

  it("as their own canonical form (--check passes what --write wrote), with the same config", () => {
    const texts = [
      "dtype: int4 # d\ngroup_size: 32\n",
      "{dtype: int4, # d\n group_size: 32 # g\n}\n",
      "$schema: ./fqc.schema.json # the schema\ndtype: int8\ngranularity: per_channel # pc\n",
      "---\n# after the marker\nactivation: # act\n  dtype: int8\n  granularity: per_token # pt\n  mapping_type: ASYMMETRIC\n# the weight\nweight:\n  dtype: int4\n  granularity: per_group\n  group_size: 32\n# end\n",
      "fqn_to_config:\n  a: {dtype: int4, group_size: 32} # x\n  # y\n  b: null\n# z\n",
    ];
    for (const text of texts) {
      const once = canonical(text);
      expect(once, text).toMatch(/#/);
      expect(canonical(once), text).toBe(once);
      expect(normalizeDocument(once, { filename: "c.yaml" }), text).toEqual(normalizeDocument(text, { filename: "c.yaml" }));
    }
  });

  it("keeps a leading --- (yamllint's document-start rule asks for it), with the comments around it where they were", () => {
    expect(canonical("---\ndtype: int4\ngroup_size: 32\n")).toMatch(/^---\ndtype: int4\ngranularity:\n/);
    expect(canonical("# yaml-language-server: $schema=x.json\n---\n# int4\ndtype: int4\ngroup_size: 32\n")).toMatch(/^# yaml-language-server: \$schema=x\.json\n---\n# int4\ndtype: int4\n/);
    expect(canonical("%YAML 1.2\n---\ndtype: int4\ngroup_size: 32\n")).toMatch(/^---\ndtype: int4\n/);
    expect(canonical("dtype: int4\ngroup_size: 32\n")).toMatch(/^dtype: int4\n/);
    const crlf = "---\r\ndtype: int4\r\ngroup_size: 32\r\n";
    expect(canonical(crlf)).toMatch(/^---\r\ndtype: int4\r\n/);
    expect(canonical(canonical(crlf))).toBe(canonical(crlf));
  });

  it("are YAML's in a .yml or .YAML file too, and a .yaml.json file is JSON", () => {
    const text = "dtype: int4 # d\ngroup_size: 32\n";
    const yaml = canonical(text);
    expect(yaml).toMatch(/^dtype: int4 # d\n/);
    expect(canonical(text, "c.yml")).toBe(yaml);
    expect(canonical(text, "C.YAML")).toBe(yaml);
    const json = '{"dtype": "int4", "group_size": 32}\n';
    expect(canonicalFileText(normalizeDocument(json), json, "c.yaml.json")).toMatch(/^\{\n {2}"dtype": "int4",\n/);
  });

  it("keep a --- only when it opens the document, after blank, comment or directive lines", () => {
    expect(canonical("\n---\ndtype: int4\ngroup_size: 32\n")).toMatch(/^---\ndtype: int4\n/);
    expect(canonical("  # indented\n---\ndtype: int4\ngroup_size: 32\n")).toMatch(/^# indented\n---\ndtype: int4\n/);
    expect(canonical("dtype: int4 # ---\ngroup_size: 32\n")).toMatch(/^dtype: int4 # ---\n/);
  });

  it("leaves a # inside a quoted value alone", () => {
    expect(canonical("fqn_to_config:\n  'a #b': null\n", "r.yaml")).toBe("fqn_to_config:\n  \"a #b\": null\n");
  });

  it("refuses, rather than drops, a comment past the first lines of a YAML file too large for the yaml package", () => {
    const entries = Array.from({ length: 3000 }, (_, i) => `  model.layers.${i}.mlp.up_proj:\n    dtype: int4\n    group_size: 32\n`).join("");
    const text = `# yaml-language-server: $schema=x.json\nfqn_to_config:\n${entries}  lm_head: null # keep it\n`;
    expect(text.length).toBeGreaterThan(FULL_YAML_MAX_LENGTH);
    const doc = normalizeDocument(text, { filename: "r.yaml" });
    expect(() => canonicalFileText(doc, text, "r.yaml")).toThrow(/r\.yaml: line 9003 holds a comment, which fqc cannot keep in a YAML file over 128 KiB/);
    const plain = text.replace(" # keep it", "");
    expect(canonicalFileText(normalizeDocument(plain, { filename: "r.yaml" }), plain, "r.yaml").startsWith("# yaml-language-server: $schema=x.json\nfqn_to_config:\n")).toBe(true);
  });
});

describe("canonicalFileText on a key holding invisible or control characters", () => {
  // Bidi controls (an editor or a diff shows the text around them reordered), C1 controls (a terminal may act on them) and
  // the line separators, each written escaped in the file: normalize must not turn a visible escape into the raw character.
  const KEY = "re:a\u202eb\u2066c\u200fd\u009b31m\u0085e\u2028f\u007f";
  const hidden = /[\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
  const keyOf = (value: unknown) => Object.keys((value as { fqn_to_config: object }).fqn_to_config)[0];

  it("writes them as escapes in JSON and YAML, which read back as the same key, and --check passes on what --write wrote", () => {
    const json = `{"fqn_to_config": {${JSON.stringify(KEY).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}: null}}\n`;
    const yaml = `fqn_to_config:\n  "${KEY.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}": null # kept\n`;
    const readers: [string, string, (t: string) => unknown][] = [[json, "r.json", (t) => JSON.parse(t)], [yaml, "r.yaml", (t) => YAML.parse(t)]];
    for (const [text, file, parse] of readers) {
      expect(keyOf(parse(text)), file).toBe(KEY);
      const out = canonicalFileText(normalizeDocument(text, { filename: file }), text, file);
      expect(out, file).not.toMatch(hidden);
      expect(keyOf(parse(out)), file).toBe(KEY);
      expect(canonicalFileText(normalizeDocument(out, { filename: file }), out, file), file).toBe(out);
    }
  });
});

describe("canonicalFileText on a YAML file past the yaml package's bound", () => {
  const entries = Array.from({ length: 3000 }, (_, i) => `  model.layers.${i}.mlp.up_proj:\n    dtype: int4\n    group_size: 32\n`).join("");
  const big = (head: string, tail = "") => `${head}fqn_to_config:\n${entries}${tail}`;
  const canonical = (text: string) => canonicalFileText(normalizeDocument(text, { filename: "r.yaml" }), text, "r.yaml");

  it("keeps every comment line at its top, and a --- starting it", () => {
    const text = big("# yaml-language-server: $schema=x.json\n# second line\n");
    expect(text.length).toBeGreaterThan(FULL_YAML_MAX_LENGTH);
    expect(canonical(text).startsWith("# yaml-language-server: $schema=x.json\n# second line\nfqn_to_config:\n  model.layers.0.mlp.up_proj:\n")).toBe(true);
    expect(canonical(big("---\n")).startsWith("---\nfqn_to_config:\n")).toBe(true);
  });

  it("refuses a comment on a line of its own past the top, naming the file and the line, and saying what to do", () => {
    const text = big("# head\n", "# a note\n  lm_head: null\n");
    let e: unknown;
    try {
      canonical(text);
    } catch (thrown) {
      e = thrown;
    }
    expect(e).toMatchObject({
      code: "USAGE", file: "r.yaml", hint: "Move the comments to the top of the file, split the recipe, or save it as JSON.",
      message: "r.yaml: line 9003 holds a comment, which fqc cannot keep in a YAML file over 128 KiB; it rewrites such a file only without comments past its first lines",
    });
  });
  it("rewrites one whose only # past the top are inside quoted keys and values, which are no comments", () => {
    const text = big("# head\n", `  're:lm_head #1': null\n  "re:lm_head #2": null\n`);
    const out = canonical(text);
    expect(out.startsWith("# head\nfqn_to_config:\n")).toBe(true);
    expect(out).toContain('re:lm_head #1": null\n');
    expect(() => canonical(`${text}  lm_head: null # a note\n`)).toThrow(/r\.yaml: line 9005 holds a comment/);
  });
});

describe("canonicalFileText from validate's reading of the file (normalize --check/--write)", () => {
  it("gives the text a fresh reading gives, CR LF breaks, a byte-order mark and blank lines included", () => {
    const crlf = (t: string) => t.replace(/\n/g, "\r\n");
    const texts = [
      "# a\n# b\ndtype: int4 # d\n\n# two\n# lines\nscale_precision: float32\ngroup_size: 32\n",
      "weight: # w\n  dtype: int4\n\n  group_size: 32 # g\n# after\nactivation:\n  dtype: int8\n  granularity: per_token\n  mapping_type: ASYMMETRIC\n",
    ];
    for (const text of [...texts, ...texts.map(crlf), ...texts.map((t) => `\uFEFF${crlf(t)}`)]) {
      const judged = judge(text, { filename: "c.yaml" });
      expect(judged.document, text).toBeDefined();
      const fresh = canonicalFileText(judged.document!, text, "c.yaml");
      expect(canonicalFileText(judged.document!, text, "c.yaml", judged.source), JSON.stringify(text)).toBe(fresh);
      expect(fresh).toMatch(/\n\r?\n/);
      // A comment of several lines keeps its breaks as the file's, with no stray CR (the yaml package keeps a CR LF's CR in it).
      expect(fresh).not.toMatch(/\r\r/);
      expect(fresh.replace(/\r\n/g, "\n")).not.toContain("\r");
    }
  });
});

describe("canonicalFileText line breaks", () => {
  const crlf = (t: string) => t.replace(/\n/g, "\r\n");

  it.each([
    ["c.json", '{"$schema": "x.json", "dtype": "int4", "group_size": 32}\n'],
    ["c.yaml", "# yaml-language-server: $schema=x.json\ndtype: int4\ngroup_size: 32\n"],
    ["r.yaml", "fqn_to_config:\n  lm_head:\n    dtype: int8\n    granularity: per_channel\n  model.embed_tokens: null\n"],
  ])("follow a CRLF file's (a Windows checkout): its canonical form is the LF one with CRLF breaks, and is its own canonical form (%s)", (name, source) => {
    const lf = canonicalFileText(normalizeDocument(source, { filename: name }), source, name);
    const windows = crlf(source);
    const out = canonicalFileText(normalizeDocument(windows, { filename: name }), windows, name);
    expect(out).toBe(crlf(lf));
    expect(out).not.toMatch(/[^\r]\n/);
    expect(canonicalFileText(normalizeDocument(out, { filename: name }), out, name)).toBe(out);
    expect(normalizeDocument(out, { filename: name })).toEqual(normalizeDocument(lf, { filename: name }));
  });

  it("follow a JSON file's lone CRs (classic Mac OS), as they follow CRLF: its canonical form is the LF one with CR breaks, and is its own", () => {
    const source = '{"$schema": "x.json", "dtype": "int4", "group_size": 32}\n';
    for (const mac of [source.replace(/\n/g, "\r"), `\uFEFF${source.replace(/\n/g, "\r")}`, '{\r"dtype": "int4",\r"group_size": 32}']) {
      const lfText = mac.replace(/\r/g, "\n");
      const lf = canonicalFileText(normalizeDocument(lfText), lfText, "c.json");
      const out = canonicalFileText(normalizeDocument(mac), mac, "c.json");
      expect(out).toBe(lf.replace(/\n/g, "\r"));
      expect(out).not.toContain("\n");
      expect(canonicalFileText(normalizeDocument(out), out, "c.json")).toBe(out);
    }
    // YAML breaks lines at LF and CRLF alone: a lone CR first (here in a comment, kept as its text) leaves its breaks LF,
    // which read back, where CR breaks would run its lines together.
    const yaml = "# a\rb\ndtype: int4\ngroup_size: 32\n";
    expect(canonicalFileText(normalizeDocument(yaml, { filename: "c.yaml" }), yaml, "c.yaml")).toContain("\ndtype: int4\ngranularity:\n  type: PerGroup\n");
  });

  it("stay LF for an LF file, and keep a byte-order mark before CRLF breaks", () => {
    const source = '{"dtype": "int4", "group_size": 32}\n';
    expect(canonicalFileText(normalizeDocument(source), source, "c.json")).not.toContain("\r");
    // A file with no line break at all gets LF ones.
    const oneLine = '{"dtype": "int4", "group_size": 32}';
    expect(canonicalFileText(normalizeDocument(oneLine), oneLine, "c.json")).toBe(canonicalFileText(normalizeDocument(source), source, "c.json"));
    // The first break decides, even as the text's first characters.
    const leading = `\r\n${crlf(source)}`;
    expect(canonicalFileText(normalizeDocument(leading), leading, "c.json")).toBe(crlf(canonicalFileText(normalizeDocument(source), source, "c.json")));
    const bom = `\uFEFF${crlf(source)}`;
    const out = canonicalFileText(normalizeDocument(bom), bom, "c.json");
    expect(out.startsWith("\uFEFF{\r\n")).toBe(true);
    expect(canonicalFileText(normalizeDocument(out), out, "c.json")).toBe(out);
  });
});

describe("canonicalFileText and a top-level $schema", () => {
  it("keeps a JSON file's $schema as its first key, from the text or from validate's reading alike", () => {
    const text = '{"dtype": "int4", "$schema": "https://example.com/fqc.schema.json", "group_size": 32}\n';
    const judged = judge(text, { filename: "c.json" });
    for (const out of [canonicalFileText(normalizeDocument(text), text, "c.json"), canonicalFileText(judged.document!, text, "c.json", judged.source)]) {
      const keys = Object.keys(JSON.parse(out));
      expect(keys[0]).toBe("$schema");
      expect(JSON.parse(out).$schema).toBe("https://example.com/fqc.schema.json");
      expect(keys.slice(1)).toEqual(Object.keys(JSON.parse(canonicalFileText(normalizeDocument(text), '{"dtype": "int4", "group_size": 32}', "c.json"))));
    }
  });

  it("adds none to a JSON or YAML file without one", () => {
    const json = '{"dtype": "int4", "group_size": 32}\n';
    expect(canonicalFileText(normalizeDocument(json), json, "c.json")).not.toContain("$schema");
    const yaml = "dtype: int4\ngroup_size: 32\n";
    expect(canonicalFileText(normalizeDocument(yaml, { filename: "c.yaml" }), yaml, "c.yaml")).not.toContain("$schema");
  });
});
