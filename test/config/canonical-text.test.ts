/** canonicalFileText: the text `normalize --check/--write` compares and writes, read as validate reads the file. */
import { afterEach, describe, expect, it, vi } from "vitest";
import YAML from "yaml";
import { canonicalFileText } from "../../src/canonical-text.js";
import { normalizeDocument } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";
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

  it("stay LF for an LF file, and keep a byte-order mark before CRLF breaks", () => {
    const source = '{"dtype": "int4", "group_size": 32}\n';
    expect(canonicalFileText(normalizeDocument(source), source, "c.json")).not.toContain("\r");
    const bom = `\uFEFF${crlf(source)}`;
    const out = canonicalFileText(normalizeDocument(bom), bom, "c.json");
    expect(out.startsWith("\uFEFF{\r\n")).toBe(true);
    expect(canonicalFileText(normalizeDocument(out), out, "c.json")).toBe(out);
  });
});
