/**
 * The bounds around fqc's large-YAML reader: a `---` opening the one document is read by the reader with the yaml
 * package's values and positions, and a large file (or the rest of one) that only the yaml package could read is
 * refused past FULL_YAML_MAX_LENGTH, at the place the reader stopped, instead of taking seconds per MB.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FULL_YAML_MAX_LENGTH, parseYamlDocument, parseYamlText } from "../../src/diagnostics/source.js";
import { documentText, expectSame, inSubset, PAD } from "../helpers/yaml-block-docs.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { afterAll } from "vitest";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** `lines` top-level keys `key_<i>: <value>`, after `head`. */
const keys = (n: number, value: (i: number) => string, head = "dtype: int4\ngroup_size: 32\n") =>
  head + Array.from({ length: n }, (_, i) => `key_${String(i).padStart(8, "0")}: ${value(i)}\n`).join("");

describe("a large YAML document opened by ---", () => {
  it("is read by fqc's reader with the yaml package's values and positions (generated documents, LF and CRLF)", () => {
    let byReader = 0;
    fc.assert(
      fc.property(inSubset.root, fc.nat(), fc.boolean(), (root, seed, crlf) => {
        const doc = `---\n${PAD}${documentText(root, seed, false)}`;
        const text = crlf ? doc.replaceAll("\n", "\r\n") : doc;
        const fast = parseYamlText(text);
        const lib = parseYamlDocument(text);
        expect(fast.ok).toBe(lib.ok);
        if (fast.ok && lib.ok) expectSame(text, fast.doc, lib.doc);
        // Read by fqc's reader, not handed to the package whole.
        if (fast.ok && lib.ok && Object.getPrototypeOf(fast.doc) !== Object.getPrototypeOf(lib.doc)) byReader++;
      }),
      { numRuns: 60 },
    );
    expect(byReader).toBeGreaterThan(50);
  });

  it("a --- later in the file is still the yaml package's error (several documents)", () => {
    const text = `---\n${PAD}dtype: int4\n---\ngroup_size: 32\n`;
    const fast = parseYamlText(text);
    const lib = parseYamlDocument(text);
    expect(fast.ok || lib.ok).toBe(false);
    if (!fast.ok && !lib.ok) expect(fast.error).toEqual(lib.error);
  });
});

describe("YAML only the yaml package reads, past FULL_YAML_MAX_LENGTH", () => {
  it("a whole file (a top-level sequence with a tag) is refused at 1:1 past the bound, and read below it", () => {
    const item = (i: number) => `- key_${String(i).padStart(8, "0")}: ${i % 10}\n`;
    const over = `- !!str a\n${Array.from({ length: Math.ceil(FULL_YAML_MAX_LENGTH / 15) }, (_, i) => item(i)).join("")}`;
    expect(over.length).toBeGreaterThan(FULL_YAML_MAX_LENGTH);
    const r = parseYamlText(over);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/^this YAML file \(\d+\.\d MB\) holds what fqc's large-file reader leaves to the full YAML parser/);
      expect([r.error.line, r.error.column]).toEqual([1, 1]);
      expect(r.error.hint).toMatch(/save it as JSON/);
    }
    const under = over.slice(0, over.lastIndexOf("\n", FULL_YAML_MAX_LENGTH - 100) + 1);
    expect(parseYamlText(under).ok).toBe(true);
  });

  it("pieces the reader hands the package count against the bound: a tag on every key is refused from the piece past it", () => {
    const text = keys(Math.ceil(FULL_YAML_MAX_LENGTH / 15), (i) => `!!str v${i % 10}`);
    const r = parseYamlText(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/^from line (\d+) on, this YAML \(\d+\.\d MB\) holds/);
      expect(r.error.line).toBeGreaterThan(2);
      expect(r.error.message).toContain(`from line ${r.error.line} on`);
    }
    // The same keys in a small file: the package reads them.
    expect(parseYamlText(keys(100, (i) => `!!str v${i % 10}`)).ok).toBe(true);
  });

  it("a syntax error early in a large file is refused at its entry; one near the end keeps the yaml package's wording", () => {
    const n = Math.ceil(FULL_YAML_MAX_LENGTH / 15);
    const early = parseYamlText(keys(n, (i) => String(i % 10), "dtype: int4\ngroup_size: [32\n"));
    expect(early.ok).toBe(false);
    if (!early.ok) expect([early.error.line, early.error.message.startsWith("from line 2 on")]).toEqual([2, true]);
    const late = parseYamlText(`${keys(n, (i) => String(i % 10))}bad: [1, 2\n`);
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.error.message).toMatch(/^YAML syntax error: /);
  });

  it("a top-level key repeated in a file past the bound is named where and as the yaml package names it", () => {
    const n = Math.ceil(FULL_YAML_MAX_LENGTH / 15);
    for (const at of [3, Math.floor(n / 2), n + 2]) {
      const lines = keys(n, (i) => String(i % 10)).split("\n");
      lines.splice(at, 0, "key_00000007: 1");
      const text = lines.join("\n");
      const fast = parseYamlText(text);
      const lib = parseYamlDocument(text);
      expect(fast.ok || lib.ok).toBe(false);
      if (!fast.ok && !lib.ok) expect(fast.error).toEqual(lib.error);
    }
  });

  it("fqc validate reports the refusal as one syntax problem, exit 2", () => {
    const f = tmp.write("tags.yaml", keys(Math.ceil(FULL_YAML_MAX_LENGTH / 15), (i) => `!!str v${i % 10}`));
    const r = runFqc(["validate", f, "-f", "json"]);
    expect(r.code).toBe(2);
    const d = (JSON.parse(r.stdout) as { files: Array<{ diagnostics: Array<{ ruleId: string; message: string }> }> }).files[0].diagnostics;
    expect(d.map((x) => x.ruleId)).toEqual(["fqc/syntax"]);
  });
});
