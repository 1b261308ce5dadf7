/**
 * The large-YAML reader hands the top-level entries it gives up on (an unusual construct, a syntax error) to the
 * yaml package as pieces of the text and merges what it reads: value, positions, the first syntax error and validate's
 * diagnostics are those of the yaml package reading the whole file, wherever the odd entry stands.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { parseYamlDocument, parseYamlText, yamlPieceReader } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";
import { BLOCK_LINES, diagnosticsUnpadded, documentText, documents, expectSame, LINE_TEXTS, PAD, PLAIN_VALUES } from "../helpers/yaml-block-docs.js";

const docs = documents(PLAIN_VALUES, { texts: LINE_TEXTS, block: BLOCK_LINES });

/** Top-level entries the reader leaves to the yaml package: constructs it does not take, and syntax errors. */
const UNUSUAL = [
  "1: a\n", "true: x\n", "a b: c\n", "? complex\n: v\n", "k1: !!str 1\n", 'k2: "multi\n  line"\n', "k3:\n", "k4: # c\n", "k5: [a:b]\n", "k6: x\n  - y\n",
  "k7:\n  - \n  - 2\n", "k8: {a: 1, b: [2,\n  3]}\n", "k9:\n\t- x\n", "k10: &a 1\nk11: *a\n", "k12: *zz\n", "k13:\n  n: ~\n  m:\n", "k14: 'it''s'\n", "x-y:\n  - [a, {b: c}]\n",
  "k15: |\n  block\n   more\n\n", "k16: >-\n  folded\n", "__proto__: 1\n", "k17: 0o17\n", "k18:\n  ? x\n  : y\n", "k19: 'two\n  lines'\n", "k20: a\n  # c\n  b\n", "k21: x\n \ty\n",
];
const BROKEN = [
  "bad: [1, 2\n", 'bad: "x\n', "bad: 'x\n", "bad: {a\n", "  mis: 1\n", "- x\n", "k: a: b\n", "---\n", "...\n", "%YAML 1.2\n", "k: |\nnot indented\n", "x\ty: 1\n", "\tk: 1\n",
  "k: 1\r", "dtype: again\n", "k: [1,\nb: 2]\n", "k: \"a\nb\"\n", "k: @x\n", "k: `x\n", "]\n", "k: {a: 1, a: 2}\n", "k:\n  a: 1\n  a: 2\n", "k: *\n", "k: &\n", "\tx\n", " \tk: 1\n", "  \t\n", "\t# c\n", "k: x\n\t  y\n", " x\n", "  - y\n", "   # c\n  z\n",
];

/** The reader with the package for pieces: value, ranges... as the package's reading of the whole text, or its error. */
function expectAsWholeText(text: string): "pieces" | "error" | "whole" {
  const fast = parseYamlText(text);
  const lib = parseYamlDocument(text);
  const where = JSON.stringify(text.slice(PAD.length));
  if (fast.ok && lib.ok) expectSame(text, fast.doc, lib.doc);
  else expect(fast.ok ? "ok" : fast.error, where).toStrictEqual(lib.ok ? "ok" : lib.error);
  const block = parseBlockYaml(text, yamlPieceReader(text));
  return !block ? "whole" : block.error ? "error" : "pieces";
}

/** A generated document of top-level entries, with `odd` (entry text) inserted before entry `at` (modulo their number). */
const withOdd = (odd: string[]) =>
  fc.tuple(fc.uniqueArray(fc.tuple(docs.key, docs.scalar), { minLength: 1, maxLength: 6, selector: ([k]) => (k as { text: string }).text }), fc.nat(), fc.constantFrom(...odd), fc.nat(), fc.boolean()).map(([entries, seed, entry, at, twice]) => {
    // Each generated entry as its own text, so the odd one goes between two of them.
    const parts = entries.map((e, i) => documentText({ t: "map", flow: false, entries: [e] }, seed + i, i % 2 === 0));
    parts.splice(at % (parts.length + 1), 0, entry);
    if (twice) parts.splice((at * 7) % (parts.length + 1), 0, entry.replace(/^k(\d*)/, "kk$1"));
    return `dtype: int4\n${parts.join("")}`;
  });

describe("top-level entries the large-YAML reader gives up on, read by the yaml package as pieces", () => {
  it("reads a document with unusual entries anywhere as the yaml package reads the whole of it", () => {
    const seen = { pieces: 0, error: 0, whole: 0 };
    fc.assert(
      fc.property(withOdd(UNUSUAL), (text) => {
        seen[expectAsWholeText(PAD + text)]++;
      }),
      { numRuns: 400 },
    );
    expect(seen.pieces).toBeGreaterThan(150);
  });

  it("gives the yaml package's first syntax error of the whole document, wherever the broken entry stands", () => {
    const seen = { pieces: 0, error: 0, whole: 0 };
    fc.assert(
      fc.property(withOdd(BROKEN), (text) => {
        seen[expectAsWholeText(PAD + text)]++;
      }),
      { numRuns: 400 },
    );
    expect(seen.error).toBeGreaterThan(150);
  });

  it("an odd entry that takes in the next key's line when the package reads on is read with the rest of the text (a draw of the property below)", () => {
    // Read alone, `? "'"': |` ends before `_k`; read with what follows, the package takes `_k: int4` into it.
    for (const tail of [`? "'"': |\n \n       # line\n_k:\tint4\t# note\n`, `? "'"': |\n\n_k: int4\nz: 1\n`]) {
      const text = `${PAD}dtype: int4\n${tail}`;
      expectAsWholeText(text);
      const read = parseYamlText(text);
      expect(read.ok && Object.keys(read.doc.value as object)).toEqual(["dtype", "'"]);
    }
  });

  it("gives the error the whole text gives where it depends on how the entry before ended (a draw of the property test)", () => {
    // The same broken line, `"` then spaces, and a line indented by 2: after `  - int4` the package reports an unclosed
    // quote (a continuation line must be indented past the dash), after `b_c: 1` a key over two lines.
    for (const before of ["b_c:\n  - int4\n", "b_c: 1\n", "b_c:\n  - int4\n# note\n\n", "a: 1\nb_c:\n  - k: int4\n"]) {
      const text = `${before}"  \n  - "int4"\n`;
      expectAsWholeText(PAD + text);
      expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
    }
  });

  it("after hostile edits anywhere (tabs, breaks, indicators, cut text), reads the document as the yaml package reads the whole of it", () => {
    const edits = ["\t", " ", "\n", "\n\n", "\r", ":", ": ", "#", " #", "- ", "|", ">", "[", "{", "]", '"', "'", "&a ", "*a", "---\n", "? ", "!!str ", "\ufeff", "\u0085", "CUT", ""];
    const seen = { pieces: 0, error: 0, whole: 0 };
    fc.assert(
      fc.property(docs.root, fc.nat(), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...edits)), { minLength: 1, maxLength: 2 }), (root, seed, changes) => {
        let text = documentText(root, seed, seed % 2 === 0, seed % 3 === 0);
        for (const [where, edit] of changes) {
          const at = Math.floor(where * text.length);
          text = edit === "CUT" ? text.slice(0, at) : edit === "" ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + edit + text.slice(at);
        }
        seen[expectAsWholeText(`${PAD}dtype: int4\n${text}`)]++;
      }),
      { numRuns: 600 },
    );
    expect(seen.pieces + seen.error).toBeGreaterThan(200);
  });

  it("gives validate's diagnostics of the whole document by the yaml package, for unusual and broken entries", () => {
    fc.assert(
      fc.property(withOdd([...UNUSUAL, ...BROKEN]), (text) => {
        expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
      }),
      { numRuns: 200 },
    );
  });
});
