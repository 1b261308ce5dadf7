/**
 * Properties of the large-YAML reader (yaml-block.ts) against the yaml package, on generated documents in every form
 * it reads (quoted keys and values, floats, block sequences, flow collections) and on hostile edits of them: wherever
 * the reader answers, the value, every range, literal, number kind and key order are the yaml package's, and the
 * diagnostics of `validate` are the same; wherever the yaml package finds an error, the reader gives up.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { parseYamlDocument, parseYamlText } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";
import { diagnosticsUnpadded, documentText, expectAgrees, inSubset, PAD, wild, type Node, type Scalar } from "../helpers/yaml-block-docs.js";

describe("large-YAML reader against the yaml package (properties)", () => {
  it("reads generated documents of quoted keys and values, floats, block sequences and flow collections as the yaml package does", () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(inSubset.root, fc.nat(), (root, seed) => {
        runs++;
        const text = documentText(root, seed, false);
        if (expectAgrees(text)) read++;
      }),
      { numRuns: 400 },
    );
    // Without comments and blank lines, every such document is in the reader's subset (but an odd one, e.g. `-   - x` past a seq's column).
    expect(read / runs).toBeGreaterThan(0.97);
  });

  it("reads documents with CRLF line breaks as the yaml package does", () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(inSubset.root, fc.nat(), (root, seed) => {
        runs++;
        if (expectAgrees(documentText(root, seed, seed % 2 === 0).replaceAll("\n", "\r\n"))) read++;
      }),
      { numRuns: 200 },
    );
    expect(read / runs).toBeGreaterThan(0.5);
  });

  it("reads JSON, compact or indented, as the yaml package does", () => {
    let read = 0;
    let runs = 0;
    const root = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.array(fc.jsonValue({ maxDepth: 3 })));
    fc.assert(
      fc.property(root, fc.constantFrom(undefined, 1, 2, 4), (value, indent) => {
        runs++;
        if (expectAgrees(`${JSON.stringify(value, null, indent)}\n`)) read++;
      }),
      { numRuns: 300 },
    );
    expect(read / runs).toBeGreaterThan(0.9);
  });

  it("with comment lines, blank lines and comments after values, answers only where it agrees with the yaml package", () => {
    let read = 0;
    fc.assert(
      fc.property(wild.root, fc.nat(), (root, seed) => {
        if (expectAgrees(documentText(root, seed, true))) read++;
      }),
      { numRuns: 300 },
    );
    expect(read).toBeGreaterThan(30);
  });

  it("reads tabs in comments as the yaml package does (a tab anywhere else goes to the package)", () => {
    let read = 0;
    fc.assert(
      fc.property(wild.root, fc.nat(), (root, seed) => {
        const text = documentText(root, seed, true).replaceAll("# ", "#\t ");
        if (expectAgrees(text) && text.includes("\t")) read++;
      }),
      { numRuns: 200 },
    );
    expect(read).toBeGreaterThan(10);
  });

  it("after hostile edits (a quote or bracket never closed, tabs, CRs, colons, dashes, anchors, cut text) gives up wherever the yaml package finds an error", () => {
    const edits = ['"', "'", "[", "{", "]", "}", "\t", "\r", "\r\n", ":", ": ", "#", " #", "- ", "-", "\n", " ", "  ", "&a ", "*a", "|", "\\", ",", "? ", "!!str ", "\u0085", "\ufeff"];
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(inSubset.root, fc.nat(), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...edits, "", "CUT")), { minLength: 1, maxLength: 2 }), (root, seed, changes) => {
        let text = documentText(root, seed, seed % 2 === 0);
        for (const [where, edit] of changes) {
          const at = Math.floor(where * text.length);
          text = edit === "CUT" ? text.slice(0, at) : edit === "" ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + edit + text.slice(at);
        }
        if (expectAgrees(text)) read++;
        if (!parseYamlDocument(text).ok) refused++;
      }),
      { numRuns: 500 },
    );
    expect(read).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(50);
  });

  it("gives validate's diagnostics (message, rule, line:col, values) unchanged for configs read by the reader, syntax errors included", () => {
    const { scalar, key } = inSubset;
    const configValue = fc.oneof(
      scalar,
      fc.constantFrom<Scalar>({ t: "plain", text: "32.0" }, { t: "dq", text: "int4" }, { t: "sq", text: "per_group" }, { t: "plain", text: "1e3" }),
      fc.array(scalar, { maxLength: 2 }).map((items): Node => ({ t: "seq", flow: true, items })),
      fc.array(scalar, { minLength: 1, maxLength: 2 }).map((items): Node => ({ t: "seq", flow: false, items })),
    );
    const config = fc.uniqueArray(fc.tuple(key, configValue), { minLength: 1, maxLength: 6, selector: ([k]) => (k as { text: string }).text });
    let compared = 0;
    fc.assert(
      fc.property(config, fc.nat(), fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 5, arbitrary: fc.constantFrom("[", '"', "\t", "x: 1\n  y: 2\n", "&a ") }), (e, seed, hostile) => {
        let text = documentText({ t: "map", flow: false, entries: e }, seed, true);
        if (hostile) text = text.slice(0, text.length >> 1) + hostile + text.slice(text.length >> 1);
        // The reader took the padded file: its diagnostics are the yaml package's (the text alone is read by the package).
        const padded = parseYamlText(PAD + text);
        if (padded.ok && parseBlockYaml(PAD + text)) compared++;
        expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
      }),
      { numRuns: 120 },
    );
    expect(compared).toBeGreaterThan(25);
  });
});
