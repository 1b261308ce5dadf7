/**
 * The nodes of a document read by yaml-block.ts, and positions in it with YamlSource's semantics (source.ts).
 */
import { parsePointer, type PointerPart, type SourceRange } from "./locate.js";
import { positionInLines } from "./line-starts.js";

/**
 * Every node of the document — each map entry, each sequence item, the root — in flat Int32Arrays of
 * NODE_FIELDS numbers per node: its kind, its value's start and end (a collection's range), its key's start and
 * end (-1 for sequence items and the root), and links to its first and last child and its next sibling. Flat,
 * because a 10 MB file has half a million nodes: an object per node (or per collection) keeps the garbage
 * collector busy for seconds. Map keys (node id → key) are kept beside it, in file order.
 */
const NODE_FIELDS = 8;
export const KIND = 0;
const START = 1;
export const END = 2;
const KEY_START = 3;
const KEY_END = 4;
export const FIRST = 5;
export const LAST = 6;
export const NEXT = 7;
export const SCALAR = 0;
export const MAP = 1;
export const SEQ = 2;
/** An alias (`*a`): its range is the alias's own; nothing below it has a range, as for the yaml package. */
export const ALIAS = 3;
/** A top-level entry the yaml package read (a piece of the text the reader gave up on): FIRST holds its piece's index. */
export const FOREIGN = 4;

/** Nodes per chunk of the table: chunks, not one array regrown, so a large file touches no more memory than it uses. */
const CHUNK_BITS = 14;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

export class NodeTable {
  private readonly chunks: Int32Array[] = [];
  count = 0;
  readonly keys: Array<string | undefined> = [];

  get(id: number, field: number): number {
    return this.chunks[id >> CHUNK_BITS][(id & CHUNK_MASK) * NODE_FIELDS + field];
  }

  set(id: number, field: number, value: number): void {
    this.chunks[id >> CHUNK_BITS][(id & CHUNK_MASK) * NODE_FIELDS + field] = value;
  }

  /** A new node, appended to `parent`'s children (parent -1: the root). */
  add(kind: number, start: number, end: number, keyStart: number, keyEnd: number, key: string | undefined, parent: number): number {
    const id = this.count++;
    if ((id & CHUNK_MASK) === 0 && this.chunks.length <= id >> CHUNK_BITS) this.chunks.push(new Int32Array(NODE_FIELDS << CHUNK_BITS));
    const d = this.chunks[id >> CHUNK_BITS];
    const at = (id & CHUNK_MASK) * NODE_FIELDS;
    d[at + KIND] = kind;
    d[at + START] = start;
    d[at + END] = end;
    d[at + KEY_START] = keyStart;
    d[at + KEY_END] = keyEnd;
    d[at + FIRST] = -1;
    d[at + LAST] = -1;
    d[at + NEXT] = -1;
    this.keys.push(key);
    if (parent >= 0) {
      const last = this.get(parent, LAST);
      if (last < 0) this.set(parent, FIRST, id);
      else this.set(last, NEXT, id);
      this.set(parent, LAST, id);
    }
    return id;
  }

  /** Forgets the nodes from `count` on; `parent`'s last child becomes `lastChild` (-1: none). */
  truncate(count: number, parent: number, lastChild: number): void {
    this.count = count;
    this.keys.length = count;
    this.set(parent, LAST, lastChild);
    if (lastChild < 0) this.set(parent, FIRST, -1);
    else this.set(lastChild, NEXT, -1);
  }
}

/** Positions in a piece of the text the yaml package read, in the whole text's lines (source.ts's YamlSource). */
export interface PieceSource {
  range(pointer: string, part?: PointerPart): SourceRange | undefined;
  literal(pointer: string): string | undefined;
  isFloat(pointer: string): boolean;
  keysInOrder?(pointer: string): string[] | undefined;
}

export interface BlockYaml {
  value: unknown;
  /** The nodes (see NodeTable); the root is node 0. */
  nodes: NodeTable;
  /** Offsets where lines start (as the yaml package's LineCounter records them). */
  lineStarts: number[];
  /** An anchor is reached through more aliases than the yaml package's toJS allows (its "Excessive alias count" error). */
  aliasOverflow: boolean;
  /** Pieces of the text (runs of top-level entries) the yaml package read, for FOREIGN nodes. */
  pieces: PieceSource[];
  /** The yaml package's first syntax error, found in a piece it read (the rest of the text from an entry on). */
  error?: SourceRange & { message: string };
}

const INDEX = /^(0|[1-9]\d*)$/;

/** A node found by pointer: its id in the table and its JS value. */
interface Hit {
  id: number;
  value: unknown;
}

/** Positions in a document read by parseBlockYaml, with YamlSource's semantics. */
export class BlockYamlPositions {
  /** Per collection looked into: its children by key (a map) or in order (a sequence), built on the first lookup. */
  private readonly childrenOf = new Map<number, Map<string, number> | number[]>();

  constructor(private readonly text: string, private readonly doc: BlockYaml) {}

  private children(id: number): Map<string, number> | number[] {
    let c = this.childrenOf.get(id);
    if (!c) {
      const d = this.doc.nodes;
      const first = d.get(id, FIRST);
      if (d.get(id, KIND) === MAP) {
        const byKey = new Map<string, number>();
        for (let child = first; child >= 0; child = d.get(child, NEXT)) byKey.set(d.keys[child]!, child);
        c = byKey;
      } else {
        const ids: number[] = [];
        for (let child = first; child >= 0; child = d.get(child, NEXT)) ids.push(child);
        c = ids;
      }
      this.childrenOf.set(id, c);
    }
    return c;
  }

  /** The piece the yaml package read that holds `pointer` (below a top-level entry of its own), if any. */
  private piece(pointer: string): PieceSource | undefined {
    if (this.doc.pieces.length === 0 || pointer === "" || this.doc.nodes.get(0, KIND) !== MAP) return undefined;
    const child = (this.children(0) as Map<string, number>).get(parsePointer(pointer)[0]);
    if (child === undefined || this.doc.nodes.get(child, KIND) !== FOREIGN) return undefined;
    return this.doc.pieces[this.doc.nodes.get(child, FIRST)];
  }

  private find(pointer: string): Hit | undefined {
    const d = this.doc.nodes;
    let id = 0;
    let value: unknown = this.doc.value;
    for (const seg of parsePointer(pointer)) {
      const kind = d.get(id, KIND);
      if (kind === SCALAR || kind === ALIAS || kind === FOREIGN) return undefined;
      const c = this.children(id);
      let child: number | undefined;
      if (kind === SEQ) {
        child = INDEX.test(seg) ? (c as number[])[Number(seg)] : undefined;
        if (child !== undefined) value = (value as unknown[])[Number(seg)];
      } else {
        child = (c as Map<string, number>).get(seg);
        if (child !== undefined) value = (value as Record<string, unknown>)[seg];
      }
      if (child === undefined) return undefined;
      id = child;
    }
    return { id, value };
  }

  /** 1-based line and column, as the yaml package's LineCounter.linePos gives them. */
  private position(offset: number): { line: number; column: number } {
    return positionInLines(this.doc.lineStarts, offset);
  }

  private rangeOf(from: number, to: number): SourceRange {
    const s = this.position(from);
    const e = this.position(to);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }

  range(pointer: string, part: PointerPart = "value"): SourceRange | undefined {
    const piece = this.piece(pointer);
    if (piece) return piece.range(pointer, part);
    const hit = this.find(pointer);
    if (!hit) return undefined;
    const d = this.doc.nodes;
    // Sequence items and the root have no key: their own range, as for the yaml package.
    if (part === "key" && d.get(hit.id, KEY_START) >= 0) return this.rangeOf(d.get(hit.id, KEY_START), d.get(hit.id, KEY_END));
    return this.rangeOf(d.get(hit.id, START), d.get(hit.id, END));
  }

  literal(pointer: string): string | undefined {
    const piece = this.piece(pointer);
    if (piece) return piece.literal(pointer);
    const hit = this.find(pointer);
    if (!hit) return undefined;
    return this.text.slice(this.doc.nodes.get(hit.id, START), this.doc.nodes.get(hit.id, END));
  }

  /** A number written as a float literal (`0.5`, `1e3`, `.inf`), as YamlSource decides it. */
  isFloat(pointer: string): boolean {
    const piece = this.piece(pointer);
    if (piece) return piece.isFloat(pointer);
    const hit = this.find(pointer);
    if (!hit || typeof hit.value !== "number" || this.doc.nodes.get(hit.id, KIND) === ALIAS) return false;
    const lit = this.text.slice(this.doc.nodes.get(hit.id, START), this.doc.nodes.get(hit.id, END));
    return !/^0x/i.test(lit) && /[.eE]|inf|nan/i.test(lit);
  }

  keysInOrder(pointer: string): string[] | undefined {
    const piece = this.piece(pointer);
    if (piece) return piece.keysInOrder?.(pointer);
    const hit = this.find(pointer);
    if (!hit || this.doc.nodes.get(hit.id, KIND) !== MAP) return undefined;
    return [...(this.children(hit.id) as Map<string, number>).keys()];
  }
}
