/**
 * Text → value plus a pointer → source-range lookup, for JSON and YAML
 * (yaml). Pure functions; nothing here knows about fake-quant configs.
 *
 * The JSON front end parses with the native JSON.parse first and indexes
 * positions (one linear scan, json-positions.ts) only when a position or a
 * literal is asked for, so a clean file costs little more than JSON.parse;
 * momoa only words the message of a syntax error.
 */
import { parse as momoaParse } from "@humanwhocodes/momoa";
import { parseDocument, LineCounter, isAlias, isMap, isSeq, isScalar, isPair, visit, Pair, YAMLMap } from "yaml";
import type { Document, Node as YamlNode, Tags, YAMLError } from "yaml";
import { indexJsonPositions, keysInSourceOrder, type JsonSpans, type NodeSpan } from "./json-positions.js";
import { lineColumnAt, MAX_JSON_DEPTH, scanJsonStructure } from "./json-structure.js";
import { jsoncProblem } from "./jsonc-problem.js";
import { describeEncodingProblem, findEncodingProblem } from "./encoding.js";
import { MAX_ALIAS_COUNT, parseBlockYaml, type ForeignPiece, type ForeignReader } from "./yaml-block.js";
import { BlockYamlPositions, type BlockYaml } from "./yaml-block-nodes.js";
import { positionInLines } from "./line-starts.js";
import { parentPointer, parsePointer, type PointerPart, type SourceRange } from "./locate.js";

export type SourceFormat = "json" | "yaml" | "value";

/** A parsed document: its value and where each part of it came from. */
export interface SourceDoc {
  readonly format: SourceFormat;
  readonly value: unknown;
  /** Range of the value (or its key) at `pointer`; `undefined` if that pointer does not exist. */
  range(pointer: string, part?: PointerPart): SourceRange | undefined;
  /** True if the number at `pointer` was written as a float literal (`32.0`, `1e3`, `.inf`). */
  isFloat(pointer: string): boolean;
  /** The literal text of the scalar at `pointer`, if known. */
  literal(pointer: string): string | undefined;
  /** The keys of the object at `pointer` in file order (JavaScript lists integer-like keys first), if known. */
  keysInOrder?(pointer: string): string[] | undefined;
  /**
   * Ranges of these pointers (and their ancestors) will be asked for: a source may find just those instead
   * of indexing every node. Asking for another one afterwards still works.
   */
  prepareRanges?(pointers: Iterable<string>): void;
  /** YAML the yaml package read whole: its document, comments included (normalize carries them over without reading the text again). */
  readonly yamlDocument?: Document;
}

export interface SyntaxProblem extends SourceRange {
  message: string;
  hint?: string;
}

export type ParseOutcome = { ok: true; doc: SourceDoc } | { ok: false; error: SyntaxProblem };

const BOM = "\uFEFF";

/** Parse JSON text (strict JSON, like Python's json module minus NaN/Infinity). */
export function parseJsonText(text: string): ParseOutcome {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (e) {
    return { ok: false, error: scanProblem(src) ?? jsonSyntaxProblem(src, e) };
  }
  const problem = scanProblem(src, { value });
  if (problem) return { ok: false, error: problem };
  return { ok: true, doc: new JsonSource(src, value) };
}

/** Duplicate keys and absurd nesting, which JSON.parse lets through, reported like syntax errors (as YAML does). */
function scanProblem(src: string, parsed?: { value: unknown }): SyntaxProblem | undefined {
  const p = scanJsonStructure(src, parsed);
  if (!p) return undefined;
  const at = lineColumnAt(src, p.offset);
  if (p.kind === "too-deep") return tooDeepProblem("JSON", at);
  const first = lineColumnAt(src, p.firstOffset);
  const end = lineColumnAt(src, p.endOffset);
  return {
    message: `duplicate key ${JSON.stringify(p.key)} (first at ${first.line}:${first.column}); JSON parsers disagree on which value wins`,
    ...at,
    endLine: end.line,
    endColumn: end.column,
  };
}

/** Nesting past MAX_JSON_DEPTH, at the collection that goes one level too deep: a syntax error in JSON and YAML alike. */
function tooDeepProblem(format: "JSON" | "YAML", at: { line: number; column: number }): SyntaxProblem {
  return { message: `${format} nested deeper than ${MAX_JSON_DEPTH} levels (a config file is at most 3 levels deep)`, ...at, endLine: at.line, endColumn: at.column + 1 };
}

function jsonSyntaxProblem(src: string, nativeError: unknown): SyntaxProblem {
  if (/^[ \t\r\n]*$/.test(src)) {
    const end = endOf(src);
    return { message: "JSON syntax error: the file is empty", hint: 'A config file holds a JSON object, e.g. {"dtype": "int4", "group_size": 32}.', ...end, endLine: end.line, endColumn: end.column + 1 };
  }
  try {
    momoaParse(src, { mode: "json" });
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number; offset?: number };
    const jsonc = err.offset === undefined ? undefined : jsoncProblem(src, err.offset);
    if (jsonc) return jsonc;
    const raw = String(err.message ?? "invalid JSON").replace(/\s*\(\d+:\d+\)\s*$/, "");
    // momoa reports "end of input" at 1:1; the real place is the end of the text.
    const at = /end of input/i.test(raw) ? endOf(src) : { line: err.line ?? 1, column: err.column ?? 1 };
    // `"re:a\.b"`: a regex backslash read as a JSON escape.
    const lineText = src.split(/\r\n|\r|\n/)[at.line - 1] ?? "";
    const escape = lineText[at.column - 1] === "\\" || lineText[at.column - 2] === "\\" ? " (in a JSON string a backslash starts an escape: write \\\\ for one backslash, e.g. \"re:model\\\\.layers\")" : "";
    return { message: `JSON syntax error: ${raw}${escape}`, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 };
  }
  // momoa accepted what JSON.parse refused (a raw control character in a string): report the native message, at its place.
  return nativeSyntaxProblem(src, nativeError);
}

/** V8's message, without the excerpt of the text it may quote (which can hold newlines), at the position it names. */
function nativeSyntaxProblem(src: string, nativeError: unknown): SyntaxProblem {
  const msg = nativeError instanceof Error ? nativeError.message : String(nativeError);
  const position = /at position (\d+)/.exec(msg);
  const at = position ? lineColumnAt(src, Math.min(Number(position[1]), src.length)) : { line: 1, column: 1 };
  const words = msg.replace(/,? ".*" is not valid JSON$/s, "").replace(/ in JSON at position \d+.*$/s, "").replace(/\s+/g, " ");
  return { message: `JSON syntax error: ${words}`, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 };
}

function endOf(text: string): { line: number; column: number } {
  const lines = text.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

class JsonSource implements SourceDoc {
  readonly format = "json" as const;
  private spans?: JsonSpans;
  private lineStarts?: number[];
  constructor(private readonly text: string, readonly value: unknown) {}

  /** The pointers the index was limited to (prepareRanges), with their ancestors; undefined: every node. */
  private wanted?: Set<string>;

  prepareRanges(pointers: Iterable<string>): void {
    if (this.spans) return;
    const wanted = new Set<string>();
    for (const p of pointers) {
      for (let q = p; !wanted.has(q); q = parentPointer(q)) {
        wanted.add(q);
        if (q === "") break;
      }
    }
    this.wanted = wanted;
    this.spans = indexJsonPositions(this.text, wanted);
  }

  private span(pointer: string): NodeSpan | undefined {
    if (this.wanted && !this.wanted.has(pointer)) {
      // A pointer nobody announced: index everything after all.
      this.wanted = undefined;
      this.spans = undefined;
    }
    this.spans ??= indexJsonPositions(this.text);
    return this.spans.get(pointer);
  }

  /** 1-based line and column of an offset, by binary search over the line starts (built once). */
  private position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      const starts = [0];
      const re = /\r\n|\r|\n/g;
      for (let m = re.exec(this.text); m !== null; m = re.exec(this.text)) starts.push(m.index + m[0].length);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    return positionInLines(starts, offset);
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const s = this.span(pointer);
    if (!s) return undefined;
    const [from, to] = part === "key" && s.keyStart !== undefined ? [s.keyStart, s.keyEnd!] : [s.start, s.end];
    const a = this.position(from);
    const b = this.position(to);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  literal(pointer: string): string | undefined {
    const s = this.span(pointer);
    return s ? this.text.slice(s.start, s.end) : undefined;
  }

  isFloat(pointer: string): boolean {
    const lit = this.literal(pointer);
    return lit !== undefined && /^-?\d/.test(lit) && /[.eE]/.test(lit);
  }

  keysInOrder(pointer: string): string[] | undefined {
    return keysInSourceOrder(this.text, pointer);
  }
}

/** Below this size the yaml package reads every YAML file; above it, yaml-block.ts reads what it can (block collections of one-line scalars and flow collections). */
export const BLOCK_YAML_MIN_LENGTH = 64 * 1024;

/**
 * The most text fqc hands the yaml package in one file (the whole file, or the pieces fqc's reader gives up on): it
 * needs about 10 µs and 1.5 KB per node, up to 5 µs per byte for dense flow collections (2 MiB of them took 9.8 s),
 * and the rest of a 10 MB file still costs fqc's reader 2–4 s. Past this, such a file is refused (exit 2, naming the
 * place where fqc's reader stopped when it knows it) rather than read for seconds per MB.
 */
export const FULL_YAML_MAX_LENGTH = 128 * 1024;

/** A document start marker alone on the first line, read by fqc's reader as the comment of the same length it is to the document. */
const LEADING_DOCUMENT_START = /^---(?=\r?\n)/;

/** Parse YAML text (YAML 1.2 core schema; one document; duplicate keys are errors). */
export function parseYamlText(withBom: string): ParseOutcome {
  // Columns count from after a byte-order mark, as in JSON and in editors (which hide it).
  const text = withBom.startsWith(BOM) ? withBom.slice(1) : withBom;
  return withLoneCarriageReturn(text, parseYamlBody(text));
}

/** A failed reading of a text with a lone CR, told as that (what parseYamlText and parseYamlDocument both do, so they agree). */
function withLoneCarriageReturn(text: string, outcome: ParseOutcome): ParseOutcome {
  if (outcome.ok) return outcome;
  return { ok: false, error: loneCarriageReturnProblem(text) ?? outcome.error };
}

/**
 * The yaml package breaks lines at LF and CR LF only: a file whose lines end in a lone CR (classic Mac OS) reads as
 * one long line, and its error (often "Nested mappings are not allowed in compact mappings" at 1:8) names a place
 * no editor shows, since editors break lines at a lone CR too. Such a file is told so, at its first lone CR.
 */
function loneCarriageReturnProblem(text: string): SyntaxProblem | undefined {
  const cr = /\r(?!\n)/.exec(text);
  if (!cr) return undefined;
  const at = lineColumnAt(text, cr.index);
  return {
    message: "YAML syntax error: this line ends with a lone carriage return (CR); fqc reads YAML line breaks as LF or CR LF only, so the lines after it run together",
    hint: "Save the file with LF (or CR LF) line breaks, e.g. tr '\\r' '\\n' < old.yaml > new.yaml.",
    line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1,
  };
}

function parseYamlBody(text: string): ParseOutcome {
  if (text.length >= BLOCK_YAML_MIN_LENGTH) {
    // `---` starting the one document changes no value and no position; the reader takes it as the comment `#--`.
    const readable = text.replace(LEADING_DOCUMENT_START, "#--");
    const why: { repeatedKey?: { start: number; end: number } } = {};
    const block = parseBlockYaml(readable, yamlPieceReader(text), why);
    // The package's first syntax error, found where the reader handed it a piece of the text.
    if (block?.error) return { ok: false, error: block.error };
    // Too many aliases to one anchor: the error the yaml package's toJS throws on this document.
    if (block?.aliasOverflow) return toJsFailure(new ReferenceError(EXCESSIVE_ALIASES));
    if (block) return { ok: true, doc: blockYamlSource(text, block) };
    if (text.length > FULL_YAML_MAX_LENGTH) {
      // Too large for the package: a top-level key met twice is named as the package words it; anything else is refused.
      return { ok: false, error: why.repeatedKey ? repeatedKeyProblem(text, why.repeatedKey) : tooLargeForYamlPackage(text.length, 1) };
    }
  }
  return parseYamlDocument(text);
}

function repeatedKeyProblem(text: string, key: { start: number; end: number }): SyntaxProblem {
  return duplicateKeyProblem(lineColumnAt(text, key.start), lineColumnAt(text, key.end));
}

/** The yaml package's duplicate-key error (fqc checks keys itself: see parseYamlDocument), at the repeated key. */
function duplicateKeyProblem(start: { line: number; column: number }, end: { line: number; column: number }): SyntaxProblem {
  return { message: "YAML syntax error: Map keys must be unique", line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** The refusal of a large YAML file, or the rest of one from `line` on, that only the yaml package could read. */
function tooLargeForYamlPackage(length: number, line: number): SyntaxProblem {
  const mb = (length / 1e6).toFixed(1);
  const what = line > 1 ? `from line ${line} on, this YAML (${mb} MB)` : `this YAML file (${mb} MB)`;
  return {
    message: `${what} holds what fqc's large-file reader leaves to the full YAML parser (a syntax error, or a form such as a tag or a ? key), which reads at most ${FULL_YAML_MAX_LENGTH / 1024} KiB of a file (it takes seconds per MB)`,
    hint: "Fix the YAML there, write it as the README's Limits → Large YAML describes, or save it as JSON.",
    line, column: 1, endLine: line, endColumn: 1,
  };
}

/** A document read by yaml-block.ts, as a SourceDoc. */
export function blockYamlSource(text: string, block: BlockYaml): SourceDoc {
  const at = new BlockYamlPositions(text, block);
  return {
    format: "yaml",
    value: block.value,
    range: (p, part) => at.range(p, part),
    isFloat: (p) => at.isFloat(p),
    literal: (p) => at.literal(p),
    keysInOrder: (p) => at.keysInOrder(p),
  };
}

/**
 * The yaml package resolves !!binary, !!set, !!omap, !!pairs and !!timestamp (YAML 1.1's types) even under the core
 * schema, and under `%YAML 1.1` as that schema's own: bytes, a Set, a Map or a Date would then be judged as config
 * values, with messages that make no sense (torchao's dtype message showing a set as '{}'). Without them, such a tag
 * is one the schema does not resolve, refused at the tag like any other.
 */
const YAML_11_TYPES = new Set(["binary", "set", "omap", "pairs", "timestamp"].map((t) => `tag:yaml.org,2002:${t}`));
const CORE_TAGS_ONLY = {
  resolveKnownTags: false,
  customTags: (tags: Tags) => tags.filter((t) => typeof t === "string" || !YAML_11_TYPES.has(t.tag)),
} as const;

/** Parse YAML text with the yaml package. */
export function parseYamlDocument(text: string): ParseOutcome {
  return withLoneCarriageReturn(text, parseWithYamlPackage(text));
}

function parseWithYamlPackage(text: string): ParseOutcome {
  const lc = new LineCounter();
  // The yaml package's own uniqueKeys check compares each key with every earlier one (100,000 keys took minutes): ours uses a set.
  // logLevel "error": the package's warnings (a collection as a key) would go to process.emitWarning, i.e. stderr.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: false, logLevel: "error", ...CORE_TAGS_ONLY });
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // Before the package's errors: nesting deep enough to exhaust its recursive composer is one of them ("Maximum call stack size exceeded").
  const deep = tooDeepCollection(doc.contents);
  if (deep !== undefined) return { ok: false, error: tooDeepProblem("YAML", pos(deep)) };
  if (doc.errors.length > 0) return { ok: false, error: yamlSyntaxProblem(doc.errors[0], pos) };
  // A tag before a repeated key, as the large-file reader meets them: it hands a tagged entry to the package, which names the tag.
  const tag = unresolvedTagProblem(text, doc.warnings, pos);
  if (tag) return { ok: false, error: tag };
  const duplicate = firstDuplicateKey(doc.contents);
  if (duplicate?.range) return { ok: false, error: duplicateKeyProblem(pos(duplicate.range[0]), pos(duplicate.range[1])) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return toJsFailure(e);
  }
  return { ok: true, doc: new YamlSource(text, doc, value, pos, true) };
}

/** A syntax error of the yaml package, at its place, in words about the file. */
function yamlSyntaxProblem(e: YAMLError, pos: (offset: number) => { line: number; column: number }): SyntaxProblem {
  const start = pos(e.pos[0]);
  const end = e.pos[1] > e.pos[0] ? pos(e.pos[1]) : { line: start.line, column: start.column + 1 };
  // prettyErrors words the place in the piece it read: the place is given by the range instead.
  const raw = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  // The yaml library's wording names its own API; say what is wrong with the file instead.
  const msg = /multiple documents/i.test(raw) ? "a config file holds one YAML document, this one has several (remove the extra ---)" : raw;
  return { message: `YAML syntax error: ${msg}`, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/**
 * A tag the core schema does not resolve (`!!python/object:…`, `!local`, `!!float 32`): the yaml package only warns and
 * reads the value as a string, which would pass as that string; a Python loader refuses the file (yaml.safe_load) or,
 * worse, runs it. The whole value is in question: a syntax error at the tag.
 */
function unresolvedTagProblem(text: string, warnings: readonly YAMLError[], pos: (offset: number) => { line: number; column: number }): SyntaxProblem | undefined {
  const w = warnings.find((x) => x.code === "TAG_RESOLVE_FAILED");
  if (!w) return undefined;
  const start = pos(w.pos[0]);
  const end = w.pos[1] > w.pos[0] ? pos(w.pos[1]) : { line: start.line, column: start.column + 1 };
  return {
    message: `YAML syntax error: the tag ${text.slice(w.pos[0], w.pos[1])} does not resolve for this value in YAML 1.2's core schema, which fqc reads`,
    hint: "Remove the tag: config values are plain strings, numbers, booleans, null, maps and sequences (a Python loader such as yaml.safe_load refuses !!python/... tags too).",
    line: start.line, column: start.column, endLine: end.line, endColumn: end.column,
  };
}

/** The yaml package as yaml-block.ts's reader of the top-level entries it gives up on in `text`. */
export function yamlPieceReader(text: string): ForeignReader {
  // Every piece counts against the package's share of the file: past it, the file is refused from that piece on. A piece
  // read again with the rest of the text (after a syntax error) replaces its first reading.
  let read = 0;
  let last = { start: -1, length: 0 };
  return (start, end, line, after) => {
    if (start === last.start) read -= last.length;
    // The entry before a piece is read with it only where it fits the package's share; past it the one-line stand-in serves.
    const lead = after !== undefined && read + (end - after) <= FULL_YAML_MAX_LENGTH ? after : undefined;
    last = { start, length: end - (lead ?? start) };
    read += last.length;
    if (read > FULL_YAML_MAX_LENGTH) return { error: tooLargeForYamlPackage(text.length - start, line) };
    return readYamlPiece(text, start, end, line, lead);
  };
}

/**
 * A piece of a large YAML text (whole lines from a top-level key on, starting on line `line`) read by the yaml
 * package for yaml-block.ts: its top-level entries and their positions in the whole text, or its first syntax error
 * there; undefined where the piece cannot stand for its part of the whole text (not a mapping of string keys, an
 * anchor or alias, a repeated key).
 */
function readYamlPiece(text: string, start: number, end: number, line: number, after?: number): ReturnType<ForeignReader> {
  // After an entry of the piece's own, as the piece stands in the whole text (not at the document's start, where
  // `%` begins a directive and a stray `]` is worded otherwise); a piece from the text's start as it is. Or after the
  // entry before it as written (`after`), when which error comes first depends on it.
  const lead = start === 0 ? "" : after !== undefined ? text.slice(after, start) : PIECE_LEAD;
  const leadLines = lineBreaks(lead);
  const piece = lead + text.slice(start, end);
  // A document marker, directive or byte-order mark: the piece may end or begin a document the whole text does not.
  if (DOCUMENT_MARK.test(piece) || piece.includes(BOM)) return undefined;
  const shift = start - lead.length;
  const lc = new LineCounter();
  const doc = parseDocument(piece, { lineCounter: lc, prettyErrors: true, uniqueKeys: false, logLevel: "error", ...CORE_TAGS_ONLY });
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line + line - 1 - leadLines, column: p.col };
  };
  const deep = tooDeepCollection(doc.contents);
  if (deep !== undefined) return { error: tooDeepProblem("YAML", pos(deep)) };
  if (doc.errors.length > 0) return { error: yamlSyntaxProblem(doc.errors[0], pos) };
  const tag = unresolvedTagProblem(piece, doc.warnings, pos);
  if (tag) return { error: tag };
  const root = doc.contents;
  // The entry before, read without error, is the reader's own: a clean piece is read again with the stand-in.
  if (after !== undefined && lead) return undefined;
  if (!isMap(root) || !root.range || (lead && root.range[0] !== 0) || firstDuplicateKey(root)) return undefined;
  const first = root.items[0];
  if (lead && (!isScalar(first?.key) || first.key.value !== "_" || first.key.range?.[0] !== 0)) return undefined;
  let anchored = false;
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node) || (node as { anchor?: string }).anchor) {
        anchored = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (anchored) return undefined;
  const value = doc.toJS() as Record<string, unknown>;
  const entries: ForeignPiece["entries"] = [];
  for (const item of lead ? root.items.slice(1) : root.items) {
    const key = item.key;
    if (!isScalar(key) || typeof key.value !== "string" || !key.range) return undefined;
    const valueRange = (item.value as YamlNode | null)?.range ?? key.range;
    entries.push({ key: key.value, value: Object.getOwnPropertyDescriptor(value, key.value)?.value, keyStart: shift + key.range[0], keyEnd: shift + key.range[1], start: shift + valueRange[0], end: shift + valueRange[1] });
  }
  return { entries, source: new YamlSource(piece, doc, value, pos), end: shift + root.range[1] };
}

function lineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

/** `---` or `...` (with white space or nothing after) or `%` at a line's start. */
const DOCUMENT_MARK = /^(?:(?:---|\.\.\.)(?:[ \t\r\n]|$)|%)/m;

/** The entry a piece is read after (one line; its key is dropped from the piece's entries). */
const PIECE_LEAD = "_: 0\n";

/** The yaml package's words when an anchor is reached through more than MAX_ALIAS_COUNT aliases (an "alias bomb"). */
const EXCESSIVE_ALIASES = "Excessive alias count indicates a resource exhaustion attack";

/** A document the yaml package's toJS refused (an alias bomb, an alias to an unknown anchor): the whole file is in question. */
function toJsFailure(e: unknown): ParseOutcome {
  const msg = e instanceof Error ? e.message : String(e);
  return { ok: false, error: { message: `YAML error: ${msg}`, line: 1, column: 1, endLine: 1, endColumn: 2 } };
}

/**
 * Offset of the first collection nested deeper than MAX_JSON_DEPTH (the top-level collection is level 1), as JSON
 * counts; an iterative walk. Where the package's composer ran out of stack, the tree it built still reaches that deep.
 */
function tooDeepCollection(root: unknown): number | undefined {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_JSON_DEPTH) return node.range?.[0] ?? 0;
    // Last item first on the stack, so the walk meets the document's nodes in order.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i];
      if (isPair(item)) {
        stack.push([item.value, depth + 1]);
        stack.push([item.key, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/** The first key that repeats an earlier key of its map, in any map of the document (an iterative walk). */
function firstDuplicateKey(root: unknown): YamlNode | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
        if (seen.has(k)) return item.key as YamlNode;
        seen.add(k);
        stack.push(item.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

/**
 * A map entry's key as the yaml package's toJS names it in the value (its addPairToJSMap): a scalar's value as a
 * string (null → ""), and a collection or alias key as its flow text (`? [a, b]` → "[ a, b ]"), which the package
 * alone words: it is asked, over a map of that one key.
 */
export function jsKeyOf(item: Pair, doc: Document): string {
  const key = item.key;
  if (isScalar(key)) return key.value === null || key.value === undefined ? "" : String(key.value);
  if (key === null || key === undefined) return "";
  const one = new YAMLMap(doc.schema);
  one.items.push(new Pair(key, null));
  return Object.keys(one.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT }) as object)[0] ?? "";
}

class YamlSource implements SourceDoc {
  readonly format = "yaml" as const;
  private readonly contents: YamlNode | null;
  readonly yamlDocument?: Document;
  /** `whole`: the document is the whole file's (not a piece the large-file reader handed the package). */
  constructor(
    private readonly text: string,
    private readonly doc: Document,
    readonly value: unknown,
    private readonly pos: (offset: number) => { line: number; column: number },
    whole = false,
  ) {
    this.contents = doc.contents as YamlNode | null;
    if (whole) this.yamlDocument = doc;
  }

  /** Each map's pairs by key, built on first lookup (see JsonSource.membersOf). */
  private readonly pairsOf = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();

  private pair(node: YamlNode & { items: unknown[] }, name: string): { key: unknown; value: unknown } | undefined {
    let byKey = this.pairsOf.get(node);
    if (!byKey) {
      byKey = new Map();
      for (const item of node.items) {
        if (!isPair(item)) continue;
        byKey.set(jsKeyOf(item, this.doc), item);
      }
      this.pairsOf.set(node, byKey);
    }
    return byKey.get(name);
  }

  private find(pointer: string): { node: YamlNode | null; key?: YamlNode } | undefined {
    let node: YamlNode | null = this.contents;
    let key: YamlNode | undefined;
    for (const seg of parsePointer(pointer)) {
      if (isMap(node)) {
        const hit = this.pair(node, seg);
        if (!hit) return undefined;
        key = hit.key as YamlNode;
        node = (hit.value as YamlNode | null) ?? null;
      } else if (isSeq(node)) {
        const el = /^(0|[1-9]\d*)$/.test(seg) ? node.items[Number(seg)] : undefined;
        if (el === undefined) return undefined;
        node = el as YamlNode;
        key = undefined;
      } else {
        return undefined;
      }
    }
    return { node, key };
  }

  private rangeOfNode(n: YamlNode | null | undefined): SourceRange | undefined {
    const r = n?.range;
    if (!r) return undefined;
    const s = this.pos(r[0]);
    const e = this.pos(r[1]);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    if (part === "key" && hit.key) return this.rangeOfNode(hit.key);
    // `key:` with no value: point at the key.
    return this.rangeOfNode(hit.node) ?? this.rangeOfNode(hit.key) ?? (pointer === "" ? undefined : undefined);
  }

  keysInOrder(pointer: string): string[] | undefined {
    const node = this.find(pointer)?.node;
    if (!isMap(node)) return undefined;
    return node.items.filter(isPair).map((item) => jsKeyOf(item, this.doc));
  }

  literal(pointer: string): string | undefined {
    const hit = this.find(pointer);
    const r = hit?.node?.range;
    return r ? this.text.slice(r[0], r[1]) : undefined;
  }

  isFloat(pointer: string): boolean {
    const hit = this.find(pointer);
    if (!hit || !isScalar(hit.node) || typeof hit.node.value !== "number") return false;
    const lit = this.literal(pointer) ?? "";
    return !/^0x/i.test(lit) && /[.eE]|inf|nan/i.test(lit);
  }
}

/** An already-parsed value: every position is 1:1, number kinds come from the value. */
export function valueSource(value: unknown): SourceDoc {
  return {
    format: "value",
    value,
    range: () => undefined,
    isFloat: () => false,
    literal: () => undefined,
  };
}

/** Parse text in the given format; text in another encoding than UTF-8 is a syntax problem saying which. */
export function parseSourceText(text: string, format: "json" | "yaml"): ParseOutcome {
  const foreign = findEncodingProblem(text);
  if (foreign) {
    const { message, hint } = describeEncodingProblem(foreign);
    // The whole file is in question, not one place in it: point at its start.
    return { ok: false, error: { message, hint, line: 1, column: 1, endLine: 1, endColumn: 2 } };
  }
  return format === "yaml" ? parseYamlText(text) : parseJsonText(text);
}
