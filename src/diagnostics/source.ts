/**
 * Text → value plus a pointer → source-range lookup, for JSON (momoa) and
 * YAML (yaml). Pure functions; nothing here knows about fake-quant configs.
 *
 * The JSON front end parses with the native JSON.parse first and builds the
 * momoa AST only when a position or a literal is asked for, so a clean file
 * costs little more than JSON.parse.
 */
import { parse as momoaParse } from "@humanwhocodes/momoa";
import type { ValueNode, MemberNode, Node as MomoaNode } from "@humanwhocodes/momoa";
import { parseDocument, LineCounter, isMap, isSeq, isScalar, isPair } from "yaml";
import type { Node as YamlNode } from "yaml";
import { lineColumnAt, MAX_JSON_DEPTH, scanJsonStructure } from "./json-structure.js";
import { parsePointer, type PointerPart, type SourceRange } from "./locate.js";

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
}

export interface SyntaxProblem extends SourceRange {
  message: string;
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
  const problem = scanProblem(src);
  if (problem) return { ok: false, error: problem };
  return { ok: true, doc: new JsonSource(src, value) };
}

/** Duplicate keys and absurd nesting, which JSON.parse lets through, reported like syntax errors (as YAML does). */
function scanProblem(src: string): SyntaxProblem | undefined {
  const p = scanJsonStructure(src);
  if (!p) return undefined;
  const at = lineColumnAt(src, p.offset);
  if (p.kind === "too-deep") {
    return { message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels (a config file is at most 3 levels deep)`, ...at, endLine: at.line, endColumn: at.column + 1 };
  }
  const first = lineColumnAt(src, p.firstOffset);
  const end = lineColumnAt(src, p.endOffset);
  return {
    message: `duplicate key ${JSON.stringify(p.key)} (first at ${first.line}:${first.column}); JSON parsers disagree on which value wins`,
    ...at,
    endLine: end.line,
    endColumn: end.column,
  };
}

function jsonSyntaxProblem(src: string, nativeError: unknown): SyntaxProblem {
  try {
    momoaParse(src, { mode: "json" });
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number };
    const raw = String(err.message ?? "invalid JSON").replace(/\s*\(\d+:\d+\)\s*$/, "");
    // momoa reports "end of input" at 1:1; the real place is the end of the text.
    const at = /end of input/i.test(raw) ? endOf(src) : { line: err.line ?? 1, column: err.column ?? 1 };
    // `"re:a\.b"`: a regex backslash read as a JSON escape.
    const lineText = src.split(/\r\n|\r|\n/)[at.line - 1] ?? "";
    const escape = lineText[at.column - 1] === "\\" || lineText[at.column - 2] === "\\" ? " (in a JSON string a backslash starts an escape: write \\\\ for one backslash, e.g. \"re:model\\\\.layers\")" : "";
    return { message: `JSON syntax error: ${raw}${escape}`, line: at.line, column: at.column, endLine: at.line, endColumn: at.column + 1 };
  }
  // momoa accepted what JSON.parse refused (should not happen): report the native message.
  const msg = nativeError instanceof Error ? nativeError.message : String(nativeError);
  return { message: `JSON syntax error: ${msg}`, line: 1, column: 1, endLine: 1, endColumn: 2 };
}

function endOf(text: string): { line: number; column: number } {
  const lines = text.split(/\r\n|\r|\n/);
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function momoaRange(n: MomoaNode): SourceRange {
  return { line: n.loc.start.line, column: n.loc.start.column, endLine: n.loc.end.line, endColumn: n.loc.end.column };
}

class JsonSource implements SourceDoc {
  readonly format = "json" as const;
  private ast?: ValueNode;
  constructor(private readonly text: string, readonly value: unknown) {}

  private root(): ValueNode {
    this.ast ??= momoaParse(this.text, { mode: "json" }).body;
    return this.ast;
  }

  /** The node at a pointer and, for object members, the member (for its key). Last duplicate wins, as in JSON.parse. */
  private find(pointer: string): { node: ValueNode; member?: MemberNode } | undefined {
    let node = this.root();
    let member: MemberNode | undefined;
    for (const seg of parsePointer(pointer)) {
      if (node.type === "Object") {
        member = undefined;
        for (const m of node.members) {
          const name = m.name.type === "String" ? m.name.value : m.name.name;
          if (name === seg) member = m;
        }
        if (!member) return undefined;
        node = member.value;
      } else if (node.type === "Array") {
        const el = /^(0|[1-9]\d*)$/.test(seg) ? node.elements[Number(seg)] : undefined;
        if (!el) return undefined;
        node = el.value;
        member = undefined;
      } else {
        return undefined;
      }
    }
    return { node, member };
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    return momoaRange(part === "key" && hit.member ? hit.member.name : hit.node);
  }

  literal(pointer: string): string | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    return this.text.slice(hit.node.loc.start.offset, hit.node.loc.end.offset);
  }

  isFloat(pointer: string): boolean {
    const hit = this.find(pointer);
    return hit?.node.type === "Number" && /[.eE]/.test(this.literal(pointer) ?? "");
  }
}

/** Parse YAML text (YAML 1.2 core schema; one document; duplicate keys are errors). */
export function parseYamlText(text: string): ParseOutcome {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const start = pos(e.pos[0]);
    const end = e.pos[1] > e.pos[0] ? pos(e.pos[1]) : { line: start.line, column: start.column + 1 };
    const raw = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    // The yaml library's wording names its own API; say what is wrong with the file instead.
    const msg = /multiple documents/i.test(raw) ? "a config file holds one YAML document, this one has several (remove the extra ---)" : raw;
    return { ok: false, error: { message: `YAML syntax error: ${msg}`, line: start.line, column: start.column, endLine: end.line, endColumn: end.column } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message: `YAML error: ${msg}`, line: 1, column: 1, endLine: 1, endColumn: 2 } };
  }
  return { ok: true, doc: new YamlSource(text, doc.contents as YamlNode | null, value, pos) };
}

class YamlSource implements SourceDoc {
  readonly format = "yaml" as const;
  constructor(
    private readonly text: string,
    private readonly contents: YamlNode | null,
    readonly value: unknown,
    private readonly pos: (offset: number) => { line: number; column: number },
  ) {}

  private find(pointer: string): { node: YamlNode | null; key?: YamlNode } | undefined {
    let node: YamlNode | null = this.contents;
    let key: YamlNode | undefined;
    for (const seg of parsePointer(pointer)) {
      if (isMap(node)) {
        let hit: { key: unknown; value: unknown } | undefined;
        for (const item of node.items) {
          if (!isPair(item)) continue;
          const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
          if (k === seg) hit = item;
        }
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

/** Parse text in the given format. */
export function parseSourceText(text: string, format: "json" | "yaml"): ParseOutcome {
  return format === "yaml" ? parseYamlText(text) : parseJsonText(text);
}
