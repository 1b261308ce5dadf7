/**
 * Properties of the large-YAML reader (yaml-block.ts) against the yaml package, on generated documents in every form
 * it reads (quoted keys and values, floats, block sequences, flow collections) and on hostile edits of them: wherever
 * the reader answers, the value, every range, literal, number kind and key order are the yaml package's, and the
 * diagnostics of `validate` are the same; wherever the yaml package finds an error, the reader gives up.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { childPointer } from "../../src/diagnostics/locate.js";
import { blockYamlSource, BLOCK_YAML_MIN_LENGTH, parseYamlDocument, parseYamlText, type SourceDoc } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";

type Scalar = { t: "plain" | "dq" | "sq"; text: string };
type Node = Scalar | { t: "seq"; flow: boolean; items: Node[] } | { t: "map"; flow: boolean; entries: Array<[Scalar, Node]> };

const PLAIN_VALUES = [
  "int4", "int8", "32", "0", "-7", "007", "+1", "0x1F", "0o17", "0.5", "1.", ".5", "-1.5e3", "1e3", "2E-2", "32.0", ".inf", "-.Inf", ".NaN",
  "true", "False", "NULL", "~", "null", "Yes", "per_group", "a b", "a#b", "x-y", "é", "日本", "-x", "1_000", ".", "0b1", "a  b",
  "1234567890123456789", "-0", "PerGroup", "asymmetric", "a'b", 'a"b',
];
/** Plain scalars the reader leaves to the yaml package in some places (`a:b` in a flow collection, `-` as an item) or that are errors there (`a,b` in a flow collection). */
const WILD_PLAIN_VALUES = ["a:b", "http://x.y/z", "1:30", "-", "a,b", "a]b", "a}b", "-,", "a: b", "@x", "*x", "&x y", "!x", "|", ">", "? x", "%x", "`x", "a #b", "x:"];
const DQ_PIECES = ["a", "int4", " ", "é", "\\n", "\\t", "\\\\", '\\"', "\\/", "\\u00e9", "\\x41", "\\U0001F600", "\\0", "\\_", "\\N", "#", ": ", "'", "32", "\\ "];
const SQ_PIECES = ["a", "int4", " ", "''", "\\", '"', "#", ": ", "é", "32", "[x]"];
const KEY_WORDS = ["dtype", "group_size", "granularity", "mapping_type", "a", "b_c", "layer.0.w", "x-y", "_k", "Null_ish", "k9", "weight", "fqn_to_config"];

const dqText = fc.array(fc.constantFrom(...DQ_PIECES), { maxLength: 5 }).map((p) => p.join(""));
const sqText = fc.array(fc.constantFrom(...SQ_PIECES), { maxLength: 5 }).map((p) => p.join(""));

/** Documents of scalars from `plain`: the reader's whole subset with PLAIN_VALUES, beyond it with WILD_PLAIN_VALUES too. */
function documents(plain: string[]) {
  const scalar: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...plain).map((text): Scalar => ({ t: "plain", text })) },
    { weight: 2, arbitrary: fc.oneof(dqText, fc.constantFrom(...plain.filter((t) => !/["\\]/.test(t)))).map((text): Scalar => ({ t: "dq", text })) },
    { weight: 1, arbitrary: fc.oneof(sqText, fc.constantFrom(...plain.filter((t) => !t.includes("'")))).map((text): Scalar => ({ t: "sq", text })) },
  );
  const key: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...KEY_WORDS).map((text): Scalar => ({ t: "plain", text })) },
    { weight: 1, arbitrary: fc.oneof(dqText, fc.constantFrom(...KEY_WORDS)).map((text): Scalar => ({ t: "dq", text })) },
    { weight: 1, arbitrary: fc.oneof(sqText, fc.constantFrom(...KEY_WORDS)).map((text): Scalar => ({ t: "sq", text })) },
  );
  const entries = (value: fc.Arbitrary<Node>, min: number) =>
    fc.uniqueArray(fc.tuple(key, value), { minLength: min, maxLength: 4, selector: ([k]) => k.text });
  const { node } = fc.letrec<{ node: Node; flowNode: Node }>((tie) => ({
    flowNode: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 4, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(tie("flowNode"), { maxLength: 3 }).map((items): Node => ({ t: "seq", flow: true, items })) },
      { weight: 1, arbitrary: entries(tie("flowNode"), 0).map((e): Node => ({ t: "map", flow: true, entries: e })) },
    ),
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { weight: 3, arbitrary: tie("flowNode") },
      { weight: 2, arbitrary: fc.array(tie("node"), { minLength: 1, maxLength: 4 }).map((items): Node => ({ t: "seq", flow: false, items })) },
      { weight: 2, arbitrary: entries(tie("node"), 1).map((e): Node => ({ t: "map", flow: false, entries: e })) },
    ),
  }));
  // A block map or sequence at the root, as a config file has, or a flow collection (JSON is YAML).
  const root = fc.oneof(
    { weight: 3, arbitrary: entries(node, 1).map((e): Node => ({ t: "map", flow: false, entries: e })) },
    { weight: 2, arbitrary: fc.array(node, { minLength: 1, maxLength: 4 }).map((items): Node => ({ t: "seq", flow: false, items })) },
    { weight: 1, arbitrary: entries(node, 0).map((e): Node => ({ t: "map", flow: true, entries: e })) },
  );
  return { scalar, key, root };
}

const inSubset = documents(PLAIN_VALUES);
const wild = documents([...PLAIN_VALUES, ...WILD_PLAIN_VALUES]);

/** Layout choices the writer draws from: indentation steps, spaces in flow collections, comments. */
type Draw = () => number;

function scalarText(s: Scalar): string {
  return s.t === "plain" ? s.text : s.t === "dq" ? `"${s.text}"` : `'${s.text}'`;
}

/** A flow collection; with `indent`, sometimes over several lines, each indented past that column (-1: at the root). */
function flowText(n: Node, draw: Draw, indent?: number): string {
  const sp = () => [" ", "", "  "][draw() % 3];
  const br = (otherwise: string) => (indent !== undefined && draw() % 4 === 0 ? `\n${" ".repeat(indent + 1 + (draw() % 3))}` : otherwise);
  if (n.t === "seq") {
    return `[${br(sp())}${n.items.map((i) => flowText(i, draw, indent)).join(`${sp()},${br(sp() || " ")}`)}${n.items.length > 0 && draw() % 4 === 0 ? ", " : ""}${br(sp())}]`;
  }
  if (n.t === "map") {
    const sep = (k: Scalar) => (k.t === "dq" && draw() % 3 === 0 ? "" : br(" "));
    return `{${br(sp())}${n.entries.map(([k, v]) => `${scalarText(k)}:${sep(k)}${flowText(v, draw, indent)}`).join(`,${br(sp() || " ")}`)}${br(sp())}}`;
  }
  return scalarText(n);
}

const isBlock = (n: Node) => (n.t === "seq" || n.t === "map") && !n.flow;

/** `n` as block YAML whose first line starts at column `indent` (its indentation written, unless `first` says it is after a `- `). */
function blockText(n: Node, indent: number, draw: Draw, comments: boolean, first = " ".repeat(indent)): string {
  const after = () => (comments && draw() % 5 === 0 ? `${" ".repeat(1 + (draw() % 2))}# note` : "");
  const oneLine = () => (comments && draw() % 6 === 0 ? `${" ".repeat(draw() % 8)}# line\n` : comments && draw() % 5 === 0 ? `${" ".repeat(draw() % 3)}\n` : "");
  // Up to two comment or blank lines: a deeper comment after a shallower one, after a blank line...
  const between = () => oneLine() + (draw() % 3 === 0 ? oneLine() : "");
  let out = "";
  let lead = first;
  if (n.t === "seq" && !n.flow) {
    for (const item of n.items) {
      if (out) out += between();
      if (isBlock(item)) {
        // A compact collection after `- `, its column one to three past the dash.
        const gap = 1 + (draw() % 3);
        out += blockText(item, indent + 1 + gap, draw, comments, `${lead}-${" ".repeat(gap)}`);
      } else {
        out += `${lead}- ${flowText(item, draw, indent)}${after()}\n`;
      }
      lead = " ".repeat(indent);
    }
    return out;
  }
  if (n.t === "map" && !n.flow) {
    for (const [k, v] of n.entries) {
      if (out) out += between();
      if (isBlock(v)) {
        // A sequence may stand at its key's own column.
        const deeper = v.t === "seq" && draw() % 3 === 0 ? 0 : 1 + (draw() % 3);
        out += `${lead}${scalarText(k)}:\n${blockText(v, indent + deeper, draw, comments)}`;
      } else {
        out += `${lead}${scalarText(k)}: ${flowText(v, draw, indent)}${after()}\n`;
      }
      lead = " ".repeat(indent);
    }
    return out;
  }
  // A flow collection as the whole document.
  return `${lead}${flowText(n, draw, -1)}\n`;
}

/** A document written with the given layout seed. */
function documentText(root: Node, seed: number, comments: boolean): string {
  let a = seed >>> 0;
  const draw = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a >>> 16;
  };
  return blockText(root, 0, draw, comments);
}

function pointers(v: unknown, at = ""): string[] {
  if (v === null || typeof v !== "object") return [at];
  return [at, ...Object.keys(v).flatMap((k) => pointers((v as Record<string, unknown>)[k], childPointer(at, k)))];
}

function expectSame(text: string, fast: SourceDoc, lib: SourceDoc): void {
  const where = JSON.stringify(text);
  expect(fast.value, where).toStrictEqual(lib.value);
  expect(JSON.stringify(fast.value), where).toBe(JSON.stringify(lib.value)); // key order too
  for (const p of [...pointers(lib.value), "/missing", "/0/x"]) {
    for (const part of ["value", "key"] as const) expect(fast.range(p, part), `${p} ${part} in ${where}`).toStrictEqual(lib.range(p, part));
    expect(fast.literal(p), `${p} in ${where}`).toBe(lib.literal(p));
    expect(fast.isFloat(p), `${p} in ${where}`).toBe(lib.isFloat(p));
    expect(fast.keysInOrder?.(p), `${p} in ${where}`).toStrictEqual(lib.keysInOrder?.(p));
  }
}

/** The reader's answer agrees with the yaml package's: the same document, or no answer (always when the package finds an error). */
function expectAgrees(text: string): boolean {
  const block = parseBlockYaml(text);
  if (!block) return false;
  const lib = parseYamlDocument(text);
  expect(lib.ok ? "ok" : lib.error.message, `read by the reader: ${JSON.stringify(text)}`).toBe("ok");
  if (lib.ok) expectSame(text, blockYamlSource(text, block), lib.doc);
  return true;
}

/** Comment lines in front, enough to take a document past BLOCK_YAML_MIN_LENGTH (so validate reads it with the reader). */
const PAD_LINES = Math.ceil(BLOCK_YAML_MIN_LENGTH / 64);
const PAD = `${"# padding to make this a large file ...........................\n".repeat(PAD_LINES)}`;

/** validate's diagnostics of the padded text, with lines counted as in the text without the padding. */
function diagnosticsUnpadded(text: string) {
  return validate(PAD + text, { filename: "c.yaml" }).diagnostics.map((d) => ({
    ...d,
    ...(d.line > PAD_LINES ? { line: d.line - PAD_LINES, endLine: d.endLine - PAD_LINES } : {}),
  }));
}

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
    const config = fc.uniqueArray(fc.tuple(key, configValue), { minLength: 1, maxLength: 6, selector: ([k]) => k.text });
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
