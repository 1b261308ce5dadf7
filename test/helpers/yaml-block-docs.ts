/**
 * Generated YAML documents for the large-YAML reader's property tests (yaml-block.ts against the yaml package):
 * node trees, the text they are written as (layout drawn from a seed), and the comparisons of both readers.
 */
import { expect } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { childPointer } from "../../src/diagnostics/locate.js";
import { blockYamlSource, BLOCK_YAML_MIN_LENGTH, parseYamlDocument, type SourceDoc } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";

/** A one-line scalar; or over several lines: a plain scalar (`ml`, its lines and the empty lines before each) or a block scalar. */
export type Scalar =
  | { t: "plain" | "dq" | "sq"; text: string }
  | { t: "ml"; lines: Array<{ blanks: number; text: string }> }
  | { t: "block"; header: string; lines: Array<string | null> };
export type Node = Scalar | { t: "seq"; flow: boolean; items: Node[] } | { t: "map"; flow: boolean; entries: Array<[Scalar, Node]> };

export const PLAIN_VALUES = [
  "int4", "int8", "32", "0", "-7", "007", "+1", "0x1F", "0o17", "0.5", "1.", ".5", "-1.5e3", "1e3", "2E-2", "32.0", ".inf", "-.Inf", ".NaN",
  "true", "False", "NULL", "~", "null", "Yes", "per_group", "a b", "a#b", "x-y", "é", "日本", "-x", "1_000", ".", "0b1", "a  b",
  "1234567890123456789", "-0", "PerGroup", "asymmetric", "a'b", 'a"b',
];
/** Plain scalars the reader leaves to the yaml package in some places (`a:b` in a flow collection, `-` as an item) or that are errors there (`a,b` in a flow collection). */
export const WILD_PLAIN_VALUES = ["a:b", "http://x.y/z", "1:30", "-", "a,b", "a]b", "a}b", "-,", "a: b", "@x", "*x", "&x y", "!x", "|", ">", "? x", "%x", "`x", "a #b", "x:"];
const DQ_PIECES = ["a", "int4", " ", "é", "\\n", "\\t", "\\\\", '\\"', "\\/", "\\u00e9", "\\x41", "\\U0001F600", "\\0", "\\_", "\\N", "#", ": ", "'", "32", "\\ "];
const SQ_PIECES = ["a", "int4", " ", "''", "\\", '"', "#", ": ", "é", "32", "[x]"];
const KEY_WORDS = ["dtype", "group_size", "granularity", "mapping_type", "a", "b_c", "layer.0.w", "x-y", "_k", "Null_ish", "k9", "weight", "fqn_to_config"];

const dqText = fc.array(fc.constantFrom(...DQ_PIECES), { maxLength: 5 }).map((p) => p.join(""));
const sqText = fc.array(fc.constantFrom(...SQ_PIECES), { maxLength: 5 }).map((p) => p.join(""));

/** Plain text for the lines of a multi-line plain scalar; the wild ones end it, are errors, or are left to the yaml package. */
export const LINE_TEXTS = ["word", "more words", "x", "a b", "32", "1.5", "true", "null", "é", "a#b", "x-y", "-x", "日本 語", "a\tb", "a'b", 'a"b', "x:y"];
export const WILD_LINE_TEXTS = ["- y", "a: b", "# c", "[x]", "&a", "*a", "x #c", "x\t#c", "'q'", '"q"', "x:", "{a", "? q", "!t", "|", ">"];
/** Lines of block scalars (null: an empty line); the wild ones tab-indent or hold what looks like other YAML. */
export const BLOCK_LINES = ["x", "more text", " indented", "  two deeper", "# not a comment", "a: b", "- item", "é", "x  ", "'q'", "[1, 2]", "32", "\ttab"];
export const WILD_BLOCK_LINES = ["\t", "\tx", " ", "   ", "--- x", "..."];
const BLOCK_HEADERS = ["|", ">", "|-", "|+", ">-", ">+", "|1", "|2", ">2", "|1-", "|2+", ">1+", ">-3", "|+1"];
/** Values with tabs inside: the wild ones put a tab where the package reads it as something else. */
export const TAB_VALUES = ["a\tb", "x \t y", "x\t", "1\t2"];

/**
 * Documents of scalars from `plain`: the reader's whole subset with PLAIN_VALUES, beyond it with WILD_PLAIN_VALUES too.
 * With `lines`, also multi-line plain scalars and block scalars (lines from the given lists) and tabs in values.
 */
export function documents(plain: string[], lines?: { texts: string[]; block: string[] }) {
  const mlScalar = fc
    .tuple(fc.constantFrom(...plain), fc.array(fc.tuple(fc.constantFrom(0, 0, 0, 1, 2), fc.constantFrom(...(lines?.texts ?? ["x"]))), { minLength: 1, maxLength: 3 }))
    .map(([first, l]): Scalar => ({ t: "ml", lines: [{ blanks: 0, text: first }, ...l.map(([blanks, text]) => ({ blanks, text }))] }));
  const blockScalar = fc
    .tuple(fc.constantFrom(...BLOCK_HEADERS), fc.array(fc.option(fc.constantFrom(...(lines?.block ?? ["x"])), { freq: 4 }), { minLength: 1, maxLength: 5 }))
    .map(([header, l]): Scalar => ({ t: "block", header, lines: l }));
  const values = lines ? [...plain, ...TAB_VALUES] : plain;
  const scalar: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...values).map((text): Scalar => ({ t: "plain", text })) },
    { weight: 2, arbitrary: fc.oneof(dqText, fc.constantFrom(...values.filter((t) => !/["\\]/.test(t)))).map((text): Scalar => ({ t: "dq", text })) },
    { weight: 1, arbitrary: fc.oneof(sqText, fc.constantFrom(...values.filter((t) => !t.includes("'")))).map((text): Scalar => ({ t: "sq", text })) },
    { weight: lines ? 3 : 0, arbitrary: mlScalar },
    { weight: lines ? 3 : 0, arbitrary: blockScalar },
  );
  const key: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...KEY_WORDS).map((text): Scalar => ({ t: "plain", text })) },
    { weight: 1, arbitrary: fc.oneof(dqText, fc.constantFrom(...KEY_WORDS)).map((text): Scalar => ({ t: "dq", text })) },
    { weight: 1, arbitrary: fc.oneof(sqText, fc.constantFrom(...KEY_WORDS)).map((text): Scalar => ({ t: "sq", text })) },
  );
  const entries = (value: fc.Arbitrary<Node>, min: number) =>
    fc.uniqueArray(fc.tuple(key, value), { minLength: min, maxLength: 4, selector: ([k]) => (k as { text: string }).text });
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

export const inSubset = documents(PLAIN_VALUES);
export const wild = documents([...PLAIN_VALUES, ...WILD_PLAIN_VALUES]);

/** Layout choices the writer draws from: indentation steps, spaces in flow collections, comments. */
type Draw = () => number;

/** How a document is written: with comment and blank lines, with tabs where YAML separates tokens. */
export interface Layout {
  comments: boolean;
  tabs: boolean;
}

/** A scalar on one line (a multi-line one in a flow collection: its first line; a block scalar: a quoted word). */
function scalarText(s: Scalar): string {
  if (s.t === "ml") return s.lines[0].text;
  if (s.t === "block") return `"${s.lines.find((l) => l !== null) ?? ""}"`.replaceAll("\t", "\\t");
  return s.t === "plain" ? s.text : s.t === "dq" ? `"${s.text}"` : `'${s.text}'`;
}

/** A multi-line plain scalar or a block scalar as the value of an entry of a block collection at column `indent` (a block scalar with its last line break). */
function linesText(s: Scalar & { t: "ml" | "block" }, indent: number, draw: Draw, tabs: boolean): string {
  if (s.t === "ml") {
    let out = s.lines[0].text;
    for (const { blanks, text } of s.lines.slice(1)) {
      for (let b = 0; b < blanks; b++) out += `\n${" ".repeat(draw() % (indent + 3))}`;
      const tab = () => (tabs && draw() % 4 === 0 ? "\t" : "");
      out += `\n${" ".repeat(indent + 1 + (draw() % 3))}${tab()}${text}${tab()}`;
    }
    return out;
  }
  const digit = /[1-9]/.exec(s.header)?.[0];
  const contentIndent = indent + (digit ? Number(digit) : 1 + (draw() % 3));
  const head = `${s.header}${draw() % 5 === 0 ? " # h" : ""}`;
  const body = s.lines.map((l) => (l === null ? " ".repeat(draw() % (contentIndent + 1)) : `${" ".repeat(contentIndent)}${l}`));
  return `${head}\n${body.join("\n")}\n`;
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
function blockText(n: Node, indent: number, draw: Draw, layout: Layout, first = " ".repeat(indent)): string {
  const { comments, tabs } = layout;
  // What follows `key:` and `-`: a space, or with tabs, white space with a tab in it.
  const sep = () => (tabs ? [" ", "\t", " \t", "\t "][draw() % 4] : " ");
  // A scalar over several lines, or any other value on the entry's line, with a comment after it sometimes.
  const value = (v: Node) => {
    if (v.t === "block") return linesText(v, indent, draw, tabs);
    return `${v.t === "ml" ? linesText(v, indent, draw, tabs) : flowText(v, draw, indent)}${after()}\n`;
  };
  const after = () => (comments && draw() % 5 === 0 ? `${tabs && draw() % 2 === 0 ? "\t" : " ".repeat(1 + (draw() % 2))}# note` : "");
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
        out += blockText(item, indent + 1 + gap, draw, layout, `${lead}-${" ".repeat(gap)}`);
      } else {
        out += `${lead}-${sep()}${value(item)}`;
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
        out += `${lead}${scalarText(k)}:\n${blockText(v, indent + deeper, draw, layout)}`;
      } else {
        out += `${lead}${scalarText(k)}:${sep()}${value(v)}`;
      }
      lead = " ".repeat(indent);
    }
    return out;
  }
  // A flow collection as the whole document.
  return `${lead}${flowText(n, draw, -1)}\n`;
}

/** A document written with the given layout seed. */
export function documentText(root: Node, seed: number, comments: boolean, tabs = false): string {
  let a = seed >>> 0;
  const draw = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a >>> 16;
  };
  return blockText(root, 0, draw, { comments, tabs });
}

export function pointers(v: unknown, at = ""): string[] {
  if (v === null || typeof v !== "object") return [at];
  return [at, ...Object.keys(v).flatMap((k) => pointers((v as Record<string, unknown>)[k], childPointer(at, k)))];
}

export function expectSame(text: string, fast: SourceDoc, lib: SourceDoc): void {
  const where = JSON.stringify(text);
  expect(fast.value, where).toStrictEqual(lib.value);
  expect(JSON.stringify(fast.value), where).toBe(JSON.stringify(lib.value)); // key order too
  for (const p of [...pointers(lib.value), "/missing", "/0/x"]) {
    for (const part of ["value", "key"] as const) expect(fast.range(p, part), `${p} ${part} in ${where}`).toStrictEqual(lib.range(p, part));
    expect(fast.literal(p), `${p} in ${where}`).toBe(lib.literal(p));
    expect(fast.isFloat(p), `${p} in ${where}`).toBe(lib.isFloat(p));
    expect(fast.keysInOrder?.(p), `${p} in ${where}`).toStrictEqual(lib.keysInOrder?.(p));
  }
  expect(sharing(fast.value), `objects reached twice in ${where}`).toStrictEqual(sharing(lib.value));
}

/** For each object or array reached again (through an alias), the pointers of both places: the same object, as toJS gives it, not a copy. */
export function sharing(v: unknown): Array<[string, string]> {
  const first = new Map<object, string>();
  const shared: Array<[string, string]> = [];
  const walk = (x: unknown, at: string): void => {
    if (x === null || typeof x !== "object") return;
    const seen = first.get(x);
    if (seen !== undefined) {
      shared.push([at, seen]);
      return;
    }
    first.set(x, at);
    for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], childPointer(at, k));
  };
  walk(v, "");
  return shared;
}

/** The reader's answer agrees with the yaml package's: the same document, or no answer (always when the package finds an error). */
export function expectAgrees(text: string): boolean {
  const block = parseBlockYaml(text);
  if (!block) return false;
  const lib = parseYamlDocument(text);
  const expected = block.aliasOverflow ? "YAML error: Excessive alias count indicates a resource exhaustion attack" : "ok";
  expect(lib.ok ? "ok" : lib.error.message, `read by the reader: ${JSON.stringify(text)}`).toBe(expected);
  if (lib.ok && !block.aliasOverflow) expectSame(text, blockYamlSource(text, block), lib.doc);
  return true;
}

/** Comment lines in front, enough to take a document past BLOCK_YAML_MIN_LENGTH (so validate reads it with the reader). */
export const PAD_LINES = Math.ceil(BLOCK_YAML_MIN_LENGTH / 64);
export const PAD = `${"# padding to make this a large file ...........................\n".repeat(PAD_LINES)}`;

/** validate's diagnostics of the padded text, with lines counted as in the text without the padding. */
export function diagnosticsUnpadded(text: string) {
  return validate(PAD + text, { filename: "c.yaml" }).diagnostics.map((d) => ({
    ...d,
    ...(d.line > PAD_LINES ? { line: d.line - PAD_LINES, endLine: d.endLine - PAD_LINES } : {}),
  }));
}

