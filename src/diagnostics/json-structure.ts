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

export function scanJsonStructure(src: string): StructureProblem | undefined {
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
        let key: string;
        try {
          key = JSON.parse(src.slice(start, i + 1)) as string;
        } catch {
          // A bad escape (`"re:a\.b"`): the syntax-error path reports it; nothing more to scan.
          return undefined;
        }
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
