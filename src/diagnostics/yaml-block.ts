/**
 * A reader for the simplest YAML there is: block mappings of plain keys and
 * plain scalar values, one `key: value` or `key:` per line, nested by
 * indentation, with comment lines and blank lines between them. A large YAML config is nearly always this, and the yaml
 * package needs about 10 µs and 1.5 KB per key to build its document (a
 * 10 MB file of 500,000 keys took 8 s and 900 MB); this needs a fraction.
 *
 * It gives the same value and the same positions as the yaml package would
 * (tests compare the two on generated documents), and gives up — returning
 * undefined, so the caller uses the yaml package — on anything else: a
 * quote, a flow collection, a sequence, a tab, a
 * CR, a float, a key that repeats, an indentation the package would read as
 * a continuation line. Comments on lines of their own and blank lines are
 * skipped, and so is a comment after a value (`key: value  # note`), unless
 * a nested map ends on that line. Nothing here decides what is valid YAML.
 */
import { MAX_JSON_DEPTH } from "./json-structure.js";
import { parsePointer, type PointerPart, type SourceRange } from "./locate.js";
import { positionInLines } from "./line-starts.js";

/**
 * One block map: its keys in file order and, per key, five offsets — key start and end, value start, value end,
 * value end with its line break — in one flat array (the value offsets are -1 for a nested map, in `children`).
 * Flat, because a 10 MB file has 500,000 keys: objects per key would keep the garbage collector busy.
 */
interface BlockMap {
  range: [number, number];
  keys: string[];
  offsets: number[];
  children: Array<BlockMap | undefined>;
  /** key → index, built on the first lookup. */
  byKey?: Map<string, number>;
}

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

function blockMap(start: number): BlockMap {
  return { range: [start, start], keys: [], offsets: [], children: [] };
}

/** The document, when `text` is entirely block mappings of plain scalars (see above); undefined otherwise. */
export function parseBlockYaml(text: string): BlockYaml | undefined {
  if (text.length === 0 || text.includes("\r") || text.includes("\t")) return undefined;
  const lineStarts = [0];
  // Open maps, innermost last, with their indentation and the JS object being built.
  const stack: Array<{ indent: number; node: BlockMap; object: Record<string, unknown> }> = [];
  // A `key:` whose nested map starts on the next line: its map, its object, its indentation.
  let pending: { node: BlockMap; object: Record<string, unknown>; indent: number } | undefined;
  // Each map ends where its last value ends, line break included (not at a comment or blank line after it), as the yaml package has it.
  // A comment or blank line right before a map ends may count in that map's extent for the yaml package (by
  // rules of indentation this reader does not model): such a document is left to the yaml package.
  let lastValueEnd = 0;
  let afterValue = false;
  const closeTo = (indent: number): boolean => {
    while (stack.length > 0 && stack[stack.length - 1].indent > indent) {
      if (afterValue) return false;
      stack.pop()!.node.range[1] = lastValueEnd;
    }
    return true;
  };
  let root: { node: BlockMap; object: Record<string, unknown> } | undefined;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf("\n", pos);
    const hasNewline = eol >= 0;
    if (!hasNewline) eol = text.length;
    const next = hasNewline ? eol + 1 : eol;
    if (hasNewline) lineStarts.push(next);
    let indent = 0;
    while (text.charCodeAt(pos + indent) === 0x20) indent++;
    const keyStart = pos + indent;
    // A blank line, or a comment on a line of its own: no node, whatever its indentation.
    if (keyStart === eol || text.charCodeAt(keyStart) === 0x23 /* # */) {
      afterValue = true;
      pos = next;
      continue;
    }
    const colon = text.indexOf(":", keyStart);
    if (colon < 0 || colon >= eol) return undefined;
    const keyText = text.slice(keyStart, colon);
    if (!KEY.test(keyText) || NULL_WORDS.has(keyText) || BOOL_WORDS.has(keyText)) return undefined;

    let top: { indent: number; node: BlockMap; object: Record<string, unknown> };
    if (pending) {
      // The first key of a nested map: deeper than its parent's key.
      if (indent <= pending.indent || stack.length >= MAX_JSON_DEPTH) return undefined;
      pending.node.range[0] = keyStart;
      top = { indent, node: pending.node, object: pending.object };
      stack.push(top);
      pending = undefined;
    } else if (stack.length === 0) {
      if (indent !== 0 || root) return undefined;
      top = { indent, node: blockMap(keyStart), object: {} };
      root = top;
      stack.push(top);
    } else {
      if (!closeTo(indent)) return undefined;
      // A line at an indentation no open map has: a continuation or an error for the yaml package.
      if (stack.length === 0 || stack[stack.length - 1].indent !== indent) return undefined;
      top = stack[stack.length - 1];
    }
    // A repeated key: the yaml package words that error.
    if (Object.hasOwn(top.object, keyText)) return undefined;
    const map = top.node;
    map.keys.push(keyText);
    const rest = text.slice(colon + 1, eol);
    if (rest === "") {
      // The key's nested map; its first line comes next.
      const node = blockMap(next);
      const object = {};
      map.offsets.push(keyStart, colon, -1, -1, -1);
      map.children.push(node);
      defineKey(top.object, keyText, object);
      pending = { node, object, indent };
      pos = next;
      continue;
    }
    if (rest.charCodeAt(0) !== 0x20) return undefined;
    // A comment after the value (`key: value  # note`): " #" ends a plain scalar, and the spaces before it are not part of it.
    const hash = rest.indexOf(" #");
    const scalar = hash < 0 ? rest.slice(1) : rest.slice(1, hash).trimEnd();
    const value = scalarValue(scalar);
    if (value === undefined) return undefined;
    map.offsets.push(keyStart, colon, colon + 2, colon + 2 + scalar.length, next);
    map.children.push(undefined);
    defineKey(top.object, keyText, value);
    lastValueEnd = next;
    // The comment then counts as one after the value: a nested map that ends right here is left to the yaml package.
    afterValue = hash >= 0;
    pos = next;
  }
  // A `key:` with nothing under it is null to the yaml package, with positions this reader does not model.
  if (pending || !root) return undefined;
  if (afterValue) {
    // Trailing comments: fine after the root map's last key, not when nested maps end there too.
    if (!closeTo(0)) return undefined;
    afterValue = false;
  }
  closeTo(-1);
  return { value: root.object, root: root.node, lineStarts };
}

/** o[k] = v as an own data property, also for k "__proto__". */
function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** Positions in a document read by parseBlockYaml, with YamlSource's semantics. */
export class BlockYamlPositions {
  constructor(private readonly text: string, private readonly doc: BlockYaml) {}

  /** The map holding the node at `pointer` and the node's index in it; for the root, no map. */
  private find(pointer: string): { map?: BlockMap; index: number; node?: BlockMap } | undefined {
    let node: BlockMap | undefined = this.doc.root;
    let map: BlockMap | undefined;
    let index = -1;
    for (const seg of parsePointer(pointer)) {
      if (!node) return undefined;
      if (!node.byKey) {
        const byKey = new Map<string, number>();
        node.keys.forEach((k, i) => byKey.set(k, i));
        node.byKey = byKey;
      }
      const i = node.byKey.get(seg);
      if (i === undefined) return undefined;
      map = node;
      index = i;
      node = node.children[i];
    }
    return { map, index, node };
  }

  /** [start, end] of the value at `pointer`. */
  private valueRange(hit: { map?: BlockMap; index: number; node?: BlockMap }): readonly number[] {
    if (hit.node) return hit.node.range;
    const at = 5 * hit.index;
    return [hit.map!.offsets[at + 2], hit.map!.offsets[at + 3]];
  }

  /** 1-based line and column, as the yaml package's LineCounter.linePos gives them. */
  private position(offset: number): { line: number; column: number } {
    const starts = this.doc.lineStarts;
    return positionInLines(starts, offset);
  }

  private rangeOf(r: readonly number[]): SourceRange {
    const s = this.position(r[0]);
    const e = this.position(r[1]);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    if (part === "key" && hit.map) return this.rangeOf(hit.map.offsets.slice(5 * hit.index, 5 * hit.index + 2));
    return this.rangeOf(this.valueRange(hit));
  }

  literal(pointer: string): string | undefined {
    const hit = this.find(pointer);
    if (!hit) return undefined;
    const [start, end] = this.valueRange(hit);
    return this.text.slice(start, end);
  }

  /** Its numbers are integers written as such: never a float literal. */
  isFloat(): boolean {
    return false;
  }

  keysInOrder(pointer: string): string[] | undefined {
    const node = this.find(pointer)?.node;
    return node ? [...node.keys] : undefined;
  }
}
