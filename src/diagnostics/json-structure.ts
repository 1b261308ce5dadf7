/**
 * A structural scan of text that JSON.parse already accepted: it finds what
 * JSON.parse does not report — duplicate keys (JSON.parse silently keeps the
 * last; other parsers keep the first) and absurd nesting (which would exhaust
 * the stack of the recursive AST parser used for positions). Iterative, one
 * pass, no allocation per character.
 */

export const MAX_JSON_DEPTH = 100;

export type StructureProblem =
  | { kind: "too-deep"; offset: number }
  | { kind: "duplicate-key"; key: string; offset: number; firstOffset: number; endOffset: number };

interface Frame {
  /** Keys seen in this object → offset of their first occurrence; null for arrays. */
  keys: Map<string, number> | null;
  expectKey: boolean;
}

/**
 * `parsed`, when given, is JSON.parse's value of `src`: then keys are only counted, and compared with the
 * keys the value kept — equal counts mean no key repeats, and the per-object key sets (a string and a map
 * entry per key) are built only to find which one does.
 */
export function scanJsonStructure(src: string, parsed?: { value: unknown }): StructureProblem | undefined {
  if (parsed) {
    const counted = countKeys(src);
    if (typeof counted !== "number") return counted;
    if (counted === ownKeyCount(parsed.value)) return undefined;
  }
  const stack: Frame[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < src.length; i++) {
        const d = src.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = decodeKey(src.slice(start, i + 1));
        // A key JSON cannot decode (cut short, a control character, a bad escape): the parser reports it, at its place.
        if (key === undefined) return undefined;
        const first = top.keys.get(key);
        if (first !== undefined) return { kind: "duplicate-key", key, offset: start, firstOffset: first, endOffset: i + 1 };
        top.keys.set(key, start);
        top.expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) return { kind: "too-deep", offset: i };
      stack.push({ keys: c === 0x7b ? new Map() : null, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}

/** Object keys written in `src` (or the nesting problem), without decoding any key. */
function countKeys(src: string): number | StructureProblem {
  // One flag per open container: 1 for an object, 0 for an array; whether a key comes next.
  const isObject = new Uint8Array(MAX_JSON_DEPTH + 1);
  let depth = 0;
  let expectKey = false;
  let keys = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < src.length; i++) {
        const d = src.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      if (expectKey) {
        keys++;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= MAX_JSON_DEPTH) return { kind: "too-deep", offset: i };
      isObject[++depth] = c === 0x7b ? 1 : 0;
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = isObject[depth] === 1;
    }
  }
  return keys;
}

/** Own keys of every object in a parsed JSON value (an iterative walk). */
function ownKeyCount(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (const e of v) if (e !== null && typeof e === "object") stack.push(e);
      continue;
    }
    const keys = Object.keys(v);
    n += keys.length;
    for (const k of keys) {
      const e = (v as Record<string, unknown>)[k];
      if (e !== null && typeof e === "object") stack.push(e);
    }
  }
  return n;
}

function decodeKey(literal: string): string | undefined {
  try {
    const key: unknown = JSON.parse(literal);
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

/** 1-based line and column (UTF-16 units) of an offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
