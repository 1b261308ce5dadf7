/**
 * Properties of the large-YAML reader (yaml-block.ts) on scalars over several lines and tabs: multi-line plain
 * scalars, block scalars (`|`, `>`, chomping, indentation indicators), tabs in values and between tokens. Wherever
 * the reader answers, the value, every range, literal, number kind and key order are the yaml package's; wherever
 * the package finds an error, the reader gives up; `validate` gives the same diagnostics either way.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { parseYamlDocument } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";
import {
  BLOCK_LINES, diagnosticsUnpadded, documentText, documents, expectAgrees, LINE_TEXTS, PLAIN_VALUES, WILD_BLOCK_LINES, WILD_LINE_TEXTS, WILD_PLAIN_VALUES, type Node,
} from "../helpers/yaml-block-docs.js";

const lines = documents(PLAIN_VALUES, { texts: LINE_TEXTS, block: BLOCK_LINES });
const wildLines = documents([...PLAIN_VALUES, ...WILD_PLAIN_VALUES], { texts: [...LINE_TEXTS, ...WILD_LINE_TEXTS], block: [...BLOCK_LINES, ...WILD_BLOCK_LINES] });

/** Counts of the documents the reader answered for, and of those with the form asked about. */
function counter() {
  return { read: 0, runs: 0 };
}

const hasForm = (n: Node, t: string): boolean =>
  n.t === t || (n.t === "seq" && n.items.some((i) => hasForm(i, t))) || (n.t === "map" && n.entries.some(([, v]) => hasForm(v, t)));

describe("large-YAML reader on scalars over several lines and tabs (properties)", () => {
  it("reads multi-line plain scalars and block scalars as the yaml package does", () => {
    const c = counter();
    const withForm = { ml: 0, block: 0 };
    fc.assert(
      fc.property(lines.root, fc.nat(), (root, seed) => {
        c.runs++;
        if (expectAgrees(documentText(root, seed, false))) {
          c.read++;
          if (hasForm(root, "ml")) withForm.ml++;
          if (hasForm(root, "block")) withForm.block++;
        }
      }),
      { numRuns: 500 },
    );
    expect(c.read / c.runs).toBeGreaterThan(0.6);
    expect(withForm.ml).toBeGreaterThan(50);
    expect(withForm.block).toBeGreaterThan(50);
  });

  it("reads them with comments, blank lines, tabs between tokens and CRLF line breaks as the yaml package does", () => {
    const c = counter();
    fc.assert(
      fc.property(lines.root, fc.nat(), fc.boolean(), (root, seed, crlf) => {
        c.runs++;
        const text = documentText(root, seed, true, true);
        if (expectAgrees(crlf ? text.replaceAll("\n", "\r\n") : text)) c.read++;
      }),
      { numRuns: 500 },
    );
    expect(c.read / c.runs).toBeGreaterThan(0.3);
  });

  it("with wild lines (indicators, colons, comments, tabs that indent) answers only where it agrees with the yaml package", () => {
    const c = counter();
    let refused = 0;
    fc.assert(
      fc.property(wildLines.root, fc.nat(), fc.boolean(), (root, seed, tabs) => {
        c.runs++;
        const text = documentText(root, seed, seed % 3 === 0, tabs);
        if (expectAgrees(text)) c.read++;
        if (!parseYamlDocument(text).ok) refused++;
      }),
      { numRuns: 600 },
    );
    expect(c.read).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(30);
  });

  it("after hostile edits (tabs, spaces, line breaks, CRs, indicators inserted or cut) gives up wherever the yaml package finds an error", () => {
    const edits = ["\t", " ", "  ", "\n", "\n\n", "\r", "\r\n", ":", ": ", "#", " #", "- ", "|", ">", "-", "+", "2", "\t\n", "  \n", "CUT", ""];
    let read = 0;
    fc.assert(
      fc.property(lines.root, fc.nat(), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...edits)), { minLength: 1, maxLength: 2 }), (root, seed, changes) => {
        let text = documentText(root, seed, seed % 2 === 0, seed % 3 === 0);
        for (const [where, edit] of changes) {
          const at = Math.floor(where * text.length);
          text = edit === "CUT" ? text.slice(0, at) : edit === "" ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + edit + text.slice(at);
        }
        if (expectAgrees(text)) read++;
      }),
      { numRuns: 600 },
    );
    expect(read).toBeGreaterThan(50);
  });

  it("gives validate's diagnostics unchanged for configs with such scalars read by the reader", () => {
    let compared = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(lines.key, lines.scalar), { minLength: 1, maxLength: 6, selector: ([k]) => (k as { text: string }).text }), fc.nat(), (e, seed) => {
        const text = `dtype: int4\n${documentText({ t: "map", flow: false, entries: e }, seed, true, seed % 2 === 0)}`;
        if (parseBlockYaml(text) && parseYamlDocument(text).ok) compared++;
        expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
      }),
      { numRuns: 150 },
    );
    expect(compared).toBeGreaterThan(30);
  });
});
