/**
 * JSON pointers (RFC 6901) and source ranges. Pure helpers shared by every
 * parser front end (JSON, YAML, already-parsed values).
 */
import { parseSourceText } from "./source.js";

/** 1-based positions; `endColumn` is exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What a diagnostic can point at for a given JSON pointer. */
export type PointerPart = "value" | "key";

/** The range used when nothing better is known (object input, empty text). */
export const START_RANGE: SourceRange = Object.freeze({ line: 1, column: 1, endLine: 1, endColumn: 1 });

export function escapePointerSegment(segment: string): string {
  // Most keys hold neither character: two index scans instead of two regex replaces (a file may have 500,000 keys).
  if (!segment.includes("~") && !segment.includes("/")) return segment;
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapePointerSegment(segment: string): string {
  if (!segment.includes("~")) return segment;
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** `["a", "b/c"]` → `"/a/b~1c"`. */
export function toPointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => `/${escapePointerSegment(String(s))}`).join("");
}

/** `"/a/b~1c"` → `["a", "b/c"]`; `""` → `[]`. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split("/").map(unescapePointerSegment);
}

export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${escapePointerSegment(String(key))}`;
}

/** The pointer one level up; the root is its own parent. */
export function parentPointer(pointer: string): string {
  const i = pointer.lastIndexOf("/");
  return i <= 0 ? "" : pointer.slice(0, i);
}

/** True if `pointer` equals `ancestor` or lies below it. */
export function isUnderPointer(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}

/** Resolve a pointer in a plain value; `undefined` when a segment is missing. */
export function getAtPointer(value: unknown, pointer: string): unknown {
  let cur: unknown = value;
  for (const seg of parsePointer(pointer)) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === "object" && Object.prototype.hasOwnProperty.call(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return undefined;
    }
  }
  return cur;
}

/**
 * Find the range for a pointer, walking up to the nearest ancestor that has
 * one (a missing key is reported on the object that lacks it).
 */
export function nearestRange(
  rangeOf: (pointer: string, part: PointerPart) => SourceRange | undefined,
  pointer: string,
  part: PointerPart = "value",
): SourceRange {
  let p = pointer;
  let wanted: PointerPart = part;
  for (;;) {
    const r = rangeOf(p, wanted);
    if (r) return r;
    if (p === "") return START_RANGE;
    p = parentPointer(p);
    wanted = "value";
  }
}

/** Compare two ranges by start position (line, then column). */
export function compareRanges(a: SourceRange, b: SourceRange): number {
  return a.line - b.line || a.column - b.column;
}

/** YAML if the file name says so, JSON otherwise. */
export function formatForFile(file: string | undefined): "json" | "yaml" {
  return file !== undefined && /\.ya?ml$/i.test(file) ? "yaml" : "json";
}

/**
 * Where `pointer` is in `text` (parsed as YAML for .yaml/.yml names, JSON
 * otherwise). `found` is false when the pointer does not exist; the range is
 * then that of the nearest existing ancestor (1:1 if the text does not parse).
 */
export function locatePointer(text: string, file: string | undefined, pointer: string, part: PointerPart = "value"): SourceRange & { found: boolean } {
  const parsed = parseSourceText(text, formatForFile(file));
  if (!parsed.ok) return { ...START_RANGE, found: false };
  const doc = parsed.doc;
  const exact = doc.range(pointer, part);
  if (exact) return { ...exact, found: true };
  return { ...nearestRange((p, k) => doc.range(p, k), pointer, part), found: false };
}
