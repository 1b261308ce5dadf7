/**
 * Where each key and value of a JSON text is, found in one pass over text that
 * JSON.parse already accepted. It replaces an AST for positions: momoa's AST
 * of a 40 MB array needed over 4 GB, this needs a few numbers per recorded
 * node. Nodes deeper than MAX_INDEXED_DEPTH, and array elements past
 * MAX_INDEXED_ELEMENTS, are scanned but not recorded (a config is at most
 * three levels deep; a problem inside such a node is shown at its nearest
 * recorded ancestor).
 */
import { childPointer, parsePointer, unescapePointerSegment } from "./locate.js";

export const MAX_INDEXED_DEPTH = 6;
export const MAX_INDEXED_ELEMENTS = 1000;

/** Offsets (UTF-16 units, end exclusive) of a value and, for an object member, its key. */
export interface NodeSpan {
  start: number;
  end: number;
  keyStart?: number;
  keyEnd?: number;
}

const UNRECORDED_KEY = { name: "", start: -1, end: -1 };

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
  /** With a `wanted` set: the names of this node's children to record (none when undefined). */
  children?: ReadonlySet<string>;
}

/**
 * The recorded nodes: pointer → slot, and each slot's four offsets in one typed array (-1: no key). A file of
 * 500,000 keys would otherwise keep 500,000 span objects alive for the garbage collector to trace.
 */
export class JsonSpans {
  private readonly slots = new Map<string, number>();
  private offsets = new Int32Array(4 * 64);

  get size(): number {
    return this.slots.size;
  }

  has(pointer: string): boolean {
    return this.slots.has(pointer);
  }

  get(pointer: string): NodeSpan | undefined {
    const slot = this.slots.get(pointer);
    if (slot === undefined) return undefined;
    const o = this.offsets;
    const at = 4 * slot;
    return o[at + 2] < 0 ? { start: o[at], end: o[at + 1] } : { start: o[at], end: o[at + 1], keyStart: o[at + 2], keyEnd: o[at + 3] };
  }

  /** Record a node; a later node at the same pointer replaces it (the last of duplicate keys wins, as in JSON.parse). */
  set(pointer: string, start: number, end: number, keyStart = -1, keyEnd = -1): void {
    let slot = this.slots.get(pointer);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(pointer, slot);
      if (4 * slot + 4 > this.offsets.length) {
        const grown = new Int32Array(2 * this.offsets.length);
        grown.set(this.offsets);
        this.offsets = grown;
      }
    }
    const at = 4 * slot;
    this.offsets[at] = start;
    this.offsets[at + 1] = end;
    this.offsets[at + 2] = keyStart;
    this.offsets[at + 3] = keyEnd;
  }
}

/**
 * pointer → span for every recorded node of valid JSON text; the last of duplicate keys wins, as in JSON.parse.
 * With `wanted` (a set closed under ancestors: each pointer's parent is in it too), only those pointers are
 * recorded, with the same spans; the keys of other objects are not even decoded. A report lists 100 problems
 * of a file with 500,000 keys: it needs 100 positions, not an index of 500,000.
 */
export function indexJsonPositions(text: string, wanted?: ReadonlySet<string>): JsonSpans {
  const spans = new JsonSpans();
  const stack: Frame[] = [];
  // Parent pointer → the names of its wanted children.
  const childrenOf = wanted && wantedChildren(wanted);
  const childNames = (pointer: string) => childrenOf?.get(pointer);
  // The pointer and whether to record the value that starts next.
  const nextValue = (): { pointer: string; record: boolean; key?: Frame["key"] } => {
    const top = stack[stack.length - 1];
    if (!top) return { pointer: "", record: !wanted || wanted.has("") };
    let record = top.record && stack.length <= MAX_INDEXED_DEPTH;
    if (top.isObject) {
      if (record && childrenOf) record = top.children?.has(top.key!.name) ?? false;
      return { pointer: record ? childPointer(top.pointer, top.key!.name) : "", record, key: top.key };
    }
    const i = top.index++;
    record = record && i < MAX_INDEXED_ELEMENTS;
    if (record && childrenOf) record = top.children?.has(String(i)) ?? false;
    return { pointer: record ? childPointer(top.pointer, i) : "", record };
  };
  const put = (pointer: string, start: number, end: number, key?: Frame["key"]) => {
    if (key) spans.set(pointer, start, end, key.start, key.end);
    else spans.set(pointer, start, end);
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
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      if (expectKey) {
        const top = stack[stack.length - 1];
        // A key of a node that is not recorded is not needed; one without escapes is its own text.
        if (!top.record || stack.length > MAX_INDEXED_DEPTH || (childrenOf && !top.children)) top.key = UNRECORDED_KEY;
        else top.key = { name: escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i), start, end: i + 1 };
        expectKey = false;
      } else {
        const v = nextValue();
        if (v.record) put(v.pointer, start, i + 1, v.key);
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const v = nextValue();
      stack.push({ pointer: v.pointer, start: i, isObject: c === 0x7b, index: 0, ownKey: v.key, record: v.record, children: v.record ? childNames(v.pointer) : undefined });
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

function wantedChildren(wanted: ReadonlySet<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of wanted) {
    if (p === "") continue;
    const i = p.lastIndexOf("/");
    const parent = p.slice(0, i);
    let names = out.get(parent);
    if (!names) out.set(parent, (names = new Set()));
    names.add(unescapePointerSegment(p.slice(i + 1)));
  }
  return out;
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The keys of the object at `pointer` in valid JSON text, in file order (JavaScript enumerates integer-like
 * keys first). One pass; only the containers on the way to the object are followed, nothing is recorded.
 */
export function keysInSourceOrder(text: string, pointer: string): string[] | undefined {
  const target = parsePointer(pointer);
  // Per open container: is it an object, its next array index, and is it on the way to the target (its depth matched)?
  const isObject: boolean[] = [];
  const index: number[] = [];
  const onPath: boolean[] = [];
  let expectKey = false;
  let keyMatches = false;
  let keys: string[] | undefined;
  const decode = (start: number, end: number, escaped: boolean) => (escaped ? (JSON.parse(text.slice(start, end)) as string) : text.slice(start + 1, end - 1));
  // Whether the value starting now is the next container on the way.
  const valueOnPath = (): boolean => {
    const d = isObject.length;
    if (d === 0) return true;
    if (!onPath[d - 1] || d > target.length) return false;
    if (isObject[d - 1]) return keyMatches;
    return String(index[d - 1]++) === target[d - 1];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2c /* , */) {
      expectKey = isObject[isObject.length - 1] ?? false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a || c === 0xfeff) continue;
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      if (expectKey) {
        expectKey = false;
        const d = isObject.length;
        if (!onPath[d - 1]) continue;
        if (keys && d === target.length + 1) keys.push(decode(start, i + 1, escaped));
        else keyMatches = d <= target.length && decode(start, i + 1, escaped) === target[d - 1];
      } else valueOnPath();
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const on = valueOnPath();
      isObject.push(c === 0x7b);
      index.push(0);
      onPath.push(on);
      if (on && isObject.length - 1 === target.length) {
        if (c !== 0x7b) return undefined;
        keys = [];
      }
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (keys && isObject.length - 1 === target.length && onPath[onPath.length - 1]) return keys;
      isObject.pop();
      index.pop();
      onPath.pop();
      expectKey = false;
    } else {
      while (i + 1 < text.length && !isDelimiter(text.charCodeAt(i + 1))) i++;
      valueOnPath();
    }
  }
  return undefined;
}
