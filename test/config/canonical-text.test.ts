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
