/**
 * A reader for the simplest YAML there is: block mappings of plain keys and
 * plain scalar values, one `key: value` or `key:` per line, nested by
 * indentation. A large YAML config is nearly always this, and the yaml
 * package needs about 10 µs and 1.5 KB per key to build its document (a
 * 10 MB file of 500,000 keys took 8 s and 900 MB); this needs a fraction.
 *
 * It gives the same value and the same positions as the yaml package would
 * (tests compare the two on generated documents), and gives up — returning
 * undefined, so the caller uses the yaml package — on anything else: a
 * comment, a quote, a flow collection, a sequence, a tab, a blank line, a
 * CR, a float, a key that repeats, an indentation the package would read as
 * a continuation line. Nothing here decides what is valid YAML.
 */
import { MAX_JSON_DEPTH } from "./json-structure.js";
import { parsePointer, type PointerPart, type SourceRange } from "./locate.js";

interface Scalar {
  kind: "scalar";
  /** Offsets: start, end of the text, end including the line break after it. */
  range: [number, number, number];
  value: string | number | boolean | null;
}

interface BlockMap {
  kind: "map";
  range: [number, number];
  items: Array<{ key: Scalar; value: Node }>;
  byKey: Map<string, { key: Scalar; value: Node }>;
}

type Node = Scalar | BlockMap;

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Integers that read the same in YAML 1.2's core schema and in Number(): no sign but "-", no leading zero, exact. */
const INT = /^(0|-?[1-9][0-9]{0,14})$/;
const NULL_WORDS = new Set(["null", "Null", "NULL"]);
const BOOL_WORDS = new Map([["true", true], ["True", true], ["TRUE", true], ["false", false], ["False", false], ["FALSE", false]]);

/** A plain scalar's value in the core schema, or undefined when it is not one this reader takes. */
function scalarValue(text: string): string | number | boolean | null | undefined {
  if (INT.test(text)) return Number(text);
  if (!WORD.test(text)) return undefined;
  if (NULL_WORDS.has(text)) return null;
  return BOOL_WORDS.get(text) ?? text;
}

export interface BlockYaml {
  value: unknown;
  root: BlockMap;
  /** Offsets where lines start (as the yaml package's LineCounter records them). */
  lineStarts: number[];
}

/** The document, when `text` is entirely block mappings of plain scalars (see above); undefined otherwise. */
export function parseBlockYaml(text: string): BlockYaml | undefined {
  if (text.length === 0 || text.includes("\r") || text.includes("\t")) return undefined;
  const lineStarts = [0];
  // Open maps, innermost last, with their indentation and the JS object being built.
  const stack: Array<{ indent: number; node: BlockMap; object: Record<string, unknown> }> = [];
  let pendingKey: { key: Scalar; indent: number } | undefined; // a `key:` whose nested map starts on the next line
  let rootObject: Record<string, unknown> | undefined;
  let root: BlockMap | undefined;
  // Each map ends where its last value ends, line break included, as the yaml package has it.
  const closeTo = (indent: number, end: number) => {
    while (stack.length > 0 && stack[stack.length - 1].indent > indent) {
      stack.pop()!.node.range[1] = end;
    }
  };
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf("\n", pos);
    const hasNewline = eol >= 0;
    if (!hasNewline) eol = text.length;
    const next = hasNewline ? eol + 1 : eol;
    if (hasNewline) lineStarts.push(next);
    let indent = 0;
    while (text.charCodeAt(pos + indent) === 0x20) indent++;
    const colon = text.indexOf(":", pos + indent);
    if (colon < 0 || colon >= eol) return undefined;
    const keyText = text.slice(pos + indent, colon);
    if (!KEY.test(keyText) || NULL_WORDS.has(keyText) || BOOL_WORDS.has(keyText)) return undefined;
    const keyStart = pos + indent;
    const key: Scalar = { kind: "scalar", range: [keyStart, colon, colon], value: keyText };

    let map: BlockMap;
    let object: Record<string, unknown>;
    if (pendingKey) {
      // The first key of a nested map: deeper than its parent's key.
      if (indent <= pendingKey.indent || stack.length >= MAX_JSON_DEPTH) return undefined;
      map = { kind: "map", range: [keyStart, keyStart], items: [], byKey: new Map() };
      object = {};
      const parent = stack[stack.length - 1];
      const item = { key: pendingKey.key, value: map as Node };
      parent.node.items.push(item);
      parent.node.byKey.set(String(pendingKey.key.value), item);
      defineKey(parent.object, String(pendingKey.key.value), object);
      stack.push({ indent, node: map, object });
      pendingKey = undefined;
    } else if (stack.length === 0) {
      if (indent !== 0 || root) return undefined;
      map = { kind: "map", range: [keyStart, keyStart], items: [], byKey: new Map() };
      object = {};
      root = map;
      rootObject = object;
      stack.push({ indent, node: map, object });
    } else {
      closeTo(indent, pos);
      const top = stack[stack.length - 1];
      // A line at an indentation no open map has: a continuation or an error for the yaml package.
      if (!top || top.indent !== indent) return undefined;
      map = top.node;
      object = top.object;
    }
    if (map.byKey.has(keyText)) return undefined; // a repeated key: the yaml package words that error

    const rest = text.slice(colon + 1, eol);
    if (rest === "") {
      pendingKey = { key, indent };
      // The key's nested map is added when its first line comes.
      pos = next;
      continue;
    }
    if (rest.charCodeAt(0) !== 0x20) return undefined;
    const valueText = rest.slice(1);
    const value = scalarValue(valueText);
    if (value === undefined) return undefined;
    const valueStart = colon + 2;
    const scalar: Scalar = { kind: "scalar", range: [valueStart, eol, next], value };
    const item = { key, value: scalar as Node };
    map.items.push(item);
    map.byKey.set(keyText, item);
    defineKey(object, keyText, value);
    pos = next;
  }
  // A `key:` with nothing under it is null to the yaml package, with positions this reader does not model.
  if (pendingKey || !root || !rootObject) return undefined;
  closeTo(-1, text.length);
  return { value: rootObject, root, lineStarts };
}

/** o[k] = v as an own data property, also for k "__proto__". */
function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** Positions in a document read by parseBlockYaml, with YamlSource's semantics. */
export class BlockYamlPositions {
  constructor(private readonly text: string, private readonly doc: BlockYaml) {}

  private find(pointer: string): { node: Node; key?: Scalar } | undefined {
    let node: Node = this.doc.root;
    let key: Scalar | undefined;
    for (const seg of parsePointer(pointer)) {
      if (node.kind !== "map") return undefined;
      const hit = node.byKey.get(seg);
      if (!hit) return undefined;
      key = hit.key;
      node = hit.value;
    }
    return { node, key };
  }

  /** 1-based line and column, as the yaml package's LineCounter.linePos gives them. */
  private position(offset: number): { line: number; column: number } {
    const starts = this.doc.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  private rangeOf(r: readonly number[]): SourceRange {
    const s = this.position(r[0]);
    const e = this.position(r[1]);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    if (part === "key" && hit.key) return this.rangeOf(hit.key.range);
    return this.rangeOf(hit.node.range);
  }

  literal(pointer: string): string | undefined {
    const hit = this.find(pointer);
    return hit ? this.text.slice(hit.node.range[0], hit.node.range[1]) : undefined;
  }

  isFloat(pointer: string): boolean {
    const hit = this.find(pointer);
    if (!hit || hit.node.kind !== "scalar" || typeof hit.node.value !== "number") return false;
    const lit = this.literal(pointer) ?? "";
    return !/^0x/i.test(lit) && /[.eE]|inf|nan/i.test(lit);
  }

  keysInOrder(pointer: string): string[] | undefined {
    const hit = this.find(pointer);
    return hit?.node.kind === "map" ? hit.node.items.map((i) => String(i.key.value)) : undefined;
  }
}
