/**
 * Where each key and value of a JSON text is, found in one pass over text that
 * JSON.parse already accepted. It replaces an AST for positions: momoa's AST
 * of a 40 MB array needed over 4 GB, this needs a few numbers per recorded
 * node. Nodes deeper than MAX_INDEXED_DEPTH, and array elements past
 * MAX_INDEXED_ELEMENTS, are scanned but not recorded (a config is at most
 * three levels deep; a problem inside such a node is shown at its nearest
 * recorded ancestor).
 */
import { childPointer } from "./locate.js";

export const MAX_INDEXED_DEPTH = 6;
export const MAX_INDEXED_ELEMENTS = 1000;

/** Offsets (UTF-16 units, end exclusive) of a value and, for an object member, its key. */
export interface NodeSpan {
  start: number;
  end: number;
  keyStart?: number;
  keyEnd?: number;
}

interface Frame {
  pointer: string;
  start: number;
  isObject: boolean;
  index: number;
  /** The member key read last (an object's next value belongs to it). */
  key?: { name: string; start: number; end: number };
  /** This node's own key, when it is an object member. */
  ownKey?: { name: string; start: number; end: number };
  record: boolean;
}

/** pointer → span for every recorded node of valid JSON text; the last of duplicate keys wins, as in JSON.parse. */
export function indexJsonPositions(text: string): Map<string, NodeSpan> {
  const spans = new Map<string, NodeSpan>();
  const stack: Frame[] = [];
  // The pointer and whether to record the value that starts next.
  const nextValue = (): { pointer: string; record: boolean; key?: Frame["key"] } => {
    const top = stack[stack.length - 1];
    if (!top) return { pointer: "", record: true };
    const record = top.record && stack.length <= MAX_INDEXED_DEPTH;
    if (top.isObject) return { pointer: record ? childPointer(top.pointer, top.key!.name) : "", record, key: top.key };
    const i = top.index++;
    return { pointer: record && i < MAX_INDEXED_ELEMENTS ? childPointer(top.pointer, i) : "", record: record && i < MAX_INDEXED_ELEMENTS };
  };
  const put = (pointer: string, start: number, end: number, key?: Frame["key"]) => {
    spans.set(pointer, key ? { start, end, keyStart: key.start, keyEnd: key.end } : { start, end });
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c /* , */ || c === 0x3a /* : */ || c === 0xfeff) {
      if (c === 0x2c) expectKey = stack[stack.length - 1]?.isObject ?? false;
      continue;
    }
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      if (expectKey) {
        stack[stack.length - 1].key = { name: JSON.parse(text.slice(start, i + 1)) as string, start, end: i + 1 };
        expectKey = false;
      } else {
        const v = nextValue();
        if (v.record) put(v.pointer, start, i + 1, v.key);
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const v = nextValue();
      stack.push({ pointer: v.pointer, start: i, isObject: c === 0x7b, index: 0, ownKey: v.key, record: v.record });
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      const f = stack.pop()!;
      if (f.record) put(f.pointer, f.start, i + 1, f.ownKey);
      expectKey = false;
    } else {
      // A number, true, false or null: up to the next delimiter.
      const start = i;
      while (i + 1 < text.length && !isDelimiter(text.charCodeAt(i + 1))) i++;
      const v = nextValue();
      if (v.record) put(v.pointer, start, i + 1, v.key);
    }
  }
  return spans;
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
