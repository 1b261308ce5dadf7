/**
 * A reader for the YAML a large config is written in: block mappings and block sequences nested by indentation,
 * whose keys are plain words or quoted strings and whose values are scalars — plain (over several lines too,
 * folded), "double-quoted", 'single-quoted' (on one line), block scalars (`|`, `>`, with chomping `-`/`+` and an
 * indentation indicator, yaml-block-scalar.ts) — or flow collections (`[1, 2]`, `{a: 1, "b": x}`, over several
 * lines too, or a whole JSON document), anchors on values (`&a`) and aliases as values (`*a`), with comment lines
 * and blank lines between them and a comment after a value (`key: value  # note`), tabs in values and where YAML
 * separates tokens on a line, lines ending in LF or CRLF. The yaml package needs about 10 µs and 1.5 KB per node to
 * build its document (a 10 MB file of 580,000 keys took 11 s and 940 MB; its CST alone takes 5 s); this needs a
 * fraction.
 *
 * It gives the same value and the same positions as the yaml package would (tests compare the two on generated
 * documents), toJS's alias-count guard included, and gives up on anything else: a quoted scalar over several
 * lines, a tag, an alias inside an anchored collection or in a flow collection, a tab that indents, a CR not
 * before a LF, a control character, a key that repeats, an empty value (`key:` with nothing under it), an
 * indentation the package would read as a continuation line, a comment right where a nested collection ends.
 * Nothing here decides what is valid YAML: whatever might be an error is left to the yaml package, which words it.
 *
 * Given up where: in a top-level entry of a block mapping at column 0, with a ForeignReader (source.ts: the yaml
 * package), that entry goes to the package as a piece of the text — up to the next line that starts a key — and the
 * reader goes on after it; a piece that is not a clean mapping (a syntax error) is read again with the rest of the
 * text, and after the entry before it as written, whose first error is then the whole text's. Anywhere else, or where
 * a piece cannot stand for its part of the text (an anchor or alias, a repeated key, a document marker),
 * parseBlockYaml returns undefined and the caller reads the whole text with the package (source.ts bounds what it
 * hands the package, pieces included: FULL_YAML_MAX_LENGTH).
 */
import { MAX_JSON_DEPTH } from "./json-structure.js";
import { defineKey } from "../own-key.js";
import { ALIAS, END, FIRST, FOREIGN, KIND, LAST, MAP, NEXT, NodeTable, SCALAR, SEQ, type BlockYaml, type PieceSource } from "./yaml-block-nodes.js";
import { positionInLines } from "./line-starts.js";
import type { SourceRange } from "./locate.js";
import { lineEndAt, nextLineAt, readBlockScalar } from "./yaml-block-scalar.js";
import { BOOL_WORDS, doubleQuotedValue, isContentChar, isFlowIndicator, isPlainStart, NULL_WORDS, plainScalarValue } from "./yaml-scalar.js";

export type { BlockYaml } from "./yaml-block-nodes.js";

/** Plain keys taken: words with dots and dashes (a number, `true` or `null` as a key is left to the yaml package). */
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The yaml package's bound on an implicit key (from its start to the `:`); longer keys are its error. */
const MAX_KEY_LENGTH = 1000;

/** Thrown inside the reader when the text is not in its subset; never escapes parseBlockYaml. */
const GIVE_UP = Symbol("not block YAML this reader takes");
/** Thrown when even a piece read by the yaml package cannot be merged: the whole text goes to the package. */
const GIVE_UP_ALL = Symbol("the whole text goes to the yaml package");

/** Top-level entries the yaml package read from a piece of the text, with positions in the whole text. */
export interface ForeignPiece {
  entries: Array<{ key: string; value: unknown; keyStart: number; keyEnd: number; start: number; end: number }>;
  source: PieceSource;
  /** Where the piece's mapping ends (as the yaml package ranges it), in the whole text. */
  end: number;
}

/**
 * Reads text[start, end) (whole lines, from a top-level key on; its first line is line `line` of the text) with the
 * yaml package: its entries, or its first syntax error, or undefined if the piece is not a mapping of string keys
 * without anchors, aliases or repeated keys (then the text is not split there). With `after`, the piece is read
 * after text[after, start) (the top-level entry before it, as written) rather than a one-line stand-in: where the
 * package's first error depends on how that entry ended.
 */
export type ForeignReader = (
  start: number, end: number, line: number, after?: number,
) => ForeignPiece | { error: SourceRange & { message: string } } | undefined;

/** Pieces read by the yaml package one entry at a time; after that, the rest of the text goes to it in one piece. */
const MAX_PIECES = 64;

/** The state before a top-level entry, to undo it when the reader gives up inside it. */
interface EntryStart {
  /** Where its text starts: after the previous entry's last line of content. */
  pos: number;
  /** Where its first line (at column 0) starts. */
  keyLine: number;
  count: number;
  rootLast: number;
  anchorEvents: number;
}

function giveUp(): never {
  throw GIVE_UP;
}

/** An open block collection: the column of its entries, its node, the JS value being built, and whether it is a sequence at its key's own column. */
interface Open {
  indent: number;
  id: number;
  value: Record<string, unknown> | unknown[];
  sameIndent: boolean;
  /** It has an anchor: an alias inside it is left to the yaml package (a recursive alias, or an alias count that grows). */
  anchored?: boolean;
}

/** Where the next collection goes: an entry of `parent` whose value starts on a later line, or further along this one. */
interface Pending {
  parent: Open;
  /** The map key, or undefined for a sequence item (then `index` is its place in the array). */
  key: string | undefined;
  keyStart: number;
  keyEnd: number;
  index: number;
  /** The column of the key or `-` the value belongs to. */
  indent: number;
  /** The anchor written after the key (`key: &a`), named for the collection. */
  anchor?: string;
}

/** An anchored node, as the yaml package's toJS counts it: its value, how often it was reached (1 + its aliases), its weight. */
interface Anchor {
  id: number;
  value: unknown;
  count: number;
  /** The package's alias count of the node: 1, or 0 for an empty collection (or one of empty sequences only); -1 until known. */
  weight: number;
}

/** The yaml package's toJS bound (source.ts passes maxAliasCount 100): an anchor reached more often throws. */
export const MAX_ALIAS_COUNT = 100;
/** Names of anchors taken (the yaml package takes more, `&a:` among them). */
const ANCHOR_NAME = /^[A-Za-z0-9_.-]+$/;

/** A scalar (on one line) or a flow collection (on one or more) that was read: its value, its range and where its last line ends. */
interface Read {
  value: unknown;
  start: number;
  end: number;
  /** The end of the line it ends on (a flow collection may span lines). */
  eol: number;
  /** A plain scalar stopped at a `:` that makes it a key. */
  colon?: boolean;
  /** A block scalar: `end` is the start of the line after it (or the text's end). */
  block?: boolean;
  /** A plain scalar: where its scan stopped (the line's end, a comment, a `:`, a flow indicator). */
  stop?: number;
}

const isDash = (text: string, p: number, eol: number): boolean => text.charCodeAt(p) === 0x2d && (p + 1 === eol || text.charCodeAt(p + 1) === 0x20);
/** A space or a tab: YAML's white space, which separates tokens on a line (but never indents). */
const isWhite = (c: number): boolean => c === 0x20 || c === 0x09;

class Reader {
  private readonly lineStarts = [0];
  private readonly nodes: NodeTable;
  private readonly stack: Open[] = [];
  private pending: Pending | undefined;
  private root: Open | undefined;
  /**
   * Each collection ends where its last value ends, line break included, or after the comment lines that follow
   * that value indented deeper than the innermost open collection (the yaml package counts them in the value).
   */
  private lastValueEnd = 0;
  /**
   * Comment lines since the last value: none, only ones counted in it, or also one that is not (indented no deeper
   * than the innermost collection): after that, no comment is counted in the value.
   */
  private trailing: "none" | "counted" | "other" = "none";
  /**
   * One of those not counted was indented (a comment at column 0 is in no collection's extent): the yaml package
   * counts it in that collection's own extent by rules this reader does not model, and a collection whose last entry
   * is such a collection ends there too, so two collections ending after it are left to the yaml package.
   */
  private indentedComment = false;
  /** Anchors by name: the last one of a name before an alias is the one it refers to. */
  private readonly anchors = new Map<string, Anchor>();
  /** An anchor was reached more often than the yaml package's toJS allows: the document is that error. */
  private aliasOverflow = false;
  /** Anchors set and aliases resolved so far: an entry that did either is not undone (the whole text goes to the package). */
  private anchorEvents = 0;
  /** The top-level entry being read (in a block mapping at column 0, with a foreign reader), and its key once defined. */
  private entry: EntryStart | undefined;
  private entryKey: string | undefined;
  private readonly pieces: PieceSource[] = [];
  /** Where the line after the last line of content read starts. */
  private contentEnd = 0;
  private error: (SourceRange & { message: string }) | undefined;
  /** A top-level key met twice, when that is why the reader gave the whole text up. */
  repeatedKey: { start: number; end: number } | undefined;

  constructor(private readonly text: string, private readonly foreign?: ForeignReader) {
    this.nodes = new NodeTable();
  }

  read(): BlockYaml {
    const text = this.text;
    for (let eol = text.indexOf("\n"); eol >= 0; eol = text.indexOf("\n", eol + 1)) this.lineStarts.push(eol + 1);
    for (let pos = 0; pos >= 0; ) {
      try {
        this.lines(pos);
        break;
      } catch (e) {
        // An entry the reader gives up on goes to the yaml package, and reading goes on after it.
        if (e !== GIVE_UP || !this.entry) throw e;
        pos = this.readForeign(this.entry);
      }
    }
    const base = { nodes: this.nodes, lineStarts: this.lineStarts, aliasOverflow: this.aliasOverflow, pieces: this.pieces };
    if (this.error) return { ...base, value: undefined, error: this.error };
    while (this.stack.length > 0) this.nodes.set(this.stack.pop()!.id, END, this.lastValueEnd);
    return { ...base, value: this.root!.value };
  }

  /** True where a line at column 0 starts a new entry of the root: a block mapping at column 0. */
  private atRootMap(): boolean {
    const root = this.root;
    return this.foreign !== undefined && root !== undefined && root.indent === 0 && this.stack[0] === root && this.pending === undefined && this.nodes.get(root.id, KIND) === MAP;
  }

  /** The lines from `pos` on. */
  private lines(pos: number): void {
    const text = this.text;
    while (pos < text.length) {
      const eol = this.lineEnd(pos);
      let p = pos;
      while (text.charCodeAt(p) === 0x20) p++;
      const column = p - pos;
      // A line of white space with a tab in it is blank too (a tab that indents content is left to the yaml package).
      if (text.charCodeAt(p) === 0x09 && skipSpaces(text, p, eol) === eol) p = eol;
      // A blank line, or a comment on a line of its own: no node.
      if (p === eol || text.charCodeAt(p) === 0x23 /* # */) {
        pos = nextLine(text, eol);
        if (p < eol) this.comment(column, pos);
      } else {
        // A line that may start a top-level key (not `-`, which may be an entry of a sequence at its key's column).
        if (column === 0 && this.atRootMap() && startsTopLevelKey(text, pos)) this.startEntry(pos);
        pos = this.line(pos, p, eol);
        this.contentEnd = pos;
      }
    }
    if (this.pending || !this.root) giveUp();
    if (this.indentedComment && this.stack.length > 1) giveUp();
  }

  /**
   * A new top-level entry: the previous one ends (its collections close), and the state is kept to undo this one,
   * from the line after the previous entry's last line of content on (the yaml package may count the blank and
   * comment lines between in an erroneous entry's range).
   */
  private startEntry(keyLine: number): void {
    const pos = this.contentEnd;
    const depth = this.stack.length;
    while (this.stack.length > 1) this.close();
    // As in collectionFor (an indented comment where two collections end); given up while the previous entry is the one undone.
    if (this.indentedComment && depth > 2) giveUp();
    const root = this.root!;
    this.entry = { pos, keyLine, count: this.nodes.count, rootLast: this.nodes.get(root.id, LAST), anchorEvents: this.anchorEvents };
    this.entryKey = undefined;
  }

  /**
   * Undoes the entry that began at `at`, and has the yaml package read it, up to the next line that starts a
   * top-level key (or, after MAX_PIECES pieces or if that piece alone has a syntax error, the rest of the text).
   * Where the reader goes on, or -1 if the package read the rest of the text.
   */
  private readForeign(at: EntryStart): number {
    const text = this.text;
    const root = this.root!;
    const object = root.value as Record<string, unknown>;
    if (this.anchorEvents !== at.anchorEvents) throw GIVE_UP_ALL;
    this.stack.length = 1;
    this.pending = undefined;
    this.nodes.truncate(at.count, root.id, at.rootLast);
    if (this.entryKey !== undefined) delete object[this.entryKey];
    this.entry = undefined;
    this.entryKey = undefined;
    let end = text.length;
    if (this.pieces.length < MAX_PIECES) {
      for (let q = nextLine(text, this.lineEnd(at.keyLine)); q < text.length; q = nextLine(text, this.lineEnd(q))) {
        if (startsTopLevelKey(text, q)) {
          end = q;
          break;
        }
      }
    }
    const line = positionInLines(this.lineStarts, at.pos).line;
    let piece = this.foreign!(at.pos, end, line);
    // A piece the package reads cleanly but that cannot stand for its part (an anchor, a key that is not a string...):
    // the whole text goes to the package (reading the rest first would read most of it twice).
    if (piece === undefined) throw GIVE_UP_ALL;
    if (end < text.length && ("error" in piece || !this.endsBefore(piece, at.pos, end, line))) {
      // An error in the entry alone (or where it was cut), or an entry that reaches into the next key's line when the package
      // reads on: what the package says of the rest of the text is what it says of the whole.
      end = text.length;
      piece = this.foreign!(at.pos, end, line);
    }
    if (piece === undefined) throw GIVE_UP_ALL;
    if ("error" in piece && at.pos > 0) {
      // Which error the package reports first can depend on the entry before (its lexer carries over the indentation
      // that continuation lines need: after `  - x`, a quoted key running onto an indented line is an unclosed quote,
      // after `k: 1` a key over two lines): read once more after that entry as written. Clean after it, the stand-in's
      // error was not the text's: the whole text goes to the package.
      piece = this.foreign!(at.pos, end, line, previousTopLevelLine(text, at.pos));
      if (piece === undefined) throw GIVE_UP_ALL;
    }
    if ("error" in piece) {
      this.error = piece.error;
      return -1;
    }
    for (const e of piece.entries) {
      // A key the reader read too (before or after): the package's duplicate-key error, worded by it.
      if (Object.hasOwn(object, e.key)) {
        this.repeatedKey = { start: e.keyStart, end: e.keyEnd };
        throw GIVE_UP_ALL;
      }
      defineKey(object, e.key, e.value);
      const id = this.nodes.add(FOREIGN, e.start, e.end, e.keyStart, e.keyEnd, e.key, root.id);
      this.nodes.set(id, FIRST, this.pieces.length);
    }
    this.pieces.push(piece.source);
    this.contentEnd = end;
    this.lastValueEnd = piece.end;
    this.trailing = "none";
    this.indentedComment = false;
    return end < text.length ? end : -1;
  }

  private close(): void {
    this.nodes.set(this.stack.pop()!.id, END, this.lastValueEnd);
  }

  /** A comment line at `column`, the next line starting at `next` (between a `key:` and its collection, it is in no node). */
  private comment(column: number, next: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || this.pending) return;
    if (column > top.indent && this.trailing !== "other") {
      this.lastValueEnd = next;
      this.trailing = "counted";
    } else {
      this.trailing = "other";
      if (column > 0) this.indentedComment = true;
    }
  }

  /** Where the content of the line at `pos` ends: at its line break (`\n`, or the `\r` of `\r\n`) or the text's end. */
  /**
   * Whether the package, reading on into the line at `end` (a top-level key, by the reader's judgement), still ends the
   * piece's entries there and starts a new one: a malformed entry (`? "'"': |`) can take in the lines after it when
   * more text follows, which the piece read alone does not show.
   */
  private endsBefore(piece: ForeignPiece, start: number, end: number, line: number): boolean {
    const probe = this.foreign!(start, nextLine(this.text, this.lineEnd(end)), line);
    return probe !== undefined && !("error" in probe) && probe.entries.length === piece.entries.length + 1
      && probe.entries[piece.entries.length].keyStart >= end
      && piece.entries.every((e, i) => probe.entries[i].key === e.key && probe.entries[i].end === e.end);
  }

  private lineEnd(pos: number): number {
    return lineEndAt(this.text, pos);
  }

  /**
   * The nodes of one line (`- - key: value` opens a sequence, a sequence and a mapping), and of the lines a flow
   * collection on it continues on; where the next line starts.
   */
  private line(lineStart: number, p: number, eol: number): number {
    const text = this.text;
    // A flow collection as the whole document (JSON is YAML).
    if (!this.root && (text.charCodeAt(p) === 0x5b || text.charCodeAt(p) === 0x7b)) {
      if (p !== lineStart) giveUp();
      const r = this.flow(p, eol, 1, -1, -1, -1, -1, undefined);
      this.root = { indent: -1, id: 0, value: r.value as Record<string, unknown>, sameIndent: false };
      return this.endOfLine(r.end, r.eol);
    }
    for (;;) {
      const column = p - lineStart;
      const dash = isDash(text, p, eol);
      const top = this.collectionFor(column, dash, p);
      if (dash) {
        const q = skipSpaces(text, p + 1, eol);
        // `-` with nothing after it (null, or a collection on the next lines), or only a comment.
        if (q === eol || text.charCodeAt(q) === 0x23) giveUp();
        const items = top.value as unknown[];
        if (isDash(text, q, eol) || this.isKeyAt(q, eol)) {
          // A compact collection's column after a tab is not one this reader counts.
          for (let t = p + 1; t < q; t++) if (text.charCodeAt(t) === 0x09) giveUp();
          items.push(null);
          this.pending = { parent: top, key: undefined, keyStart: -1, keyEnd: -1, index: items.length - 1, indent: column };
          p = q;
          continue;
        }
        let v = q;
        let anchor: string | undefined;
        const c = text.charCodeAt(v);
        // `-` then a tab before an anchor or alias: the yaml package counts the tab as indentation (an error).
        if ((c === 0x26 || c === 0x2a) && text.charCodeAt(v - 1) === 0x09) giveUp();
        if (c === 0x26 /* & */) {
          ({ name: anchor, next: v } = this.name(v, eol));
          // `- &a` before a collection, a comment or nothing: left to the yaml package.
          if (v === eol || text.charCodeAt(v) === 0x23 || isDash(text, v, eol) || this.isKeyAt(v, eol)) giveUp();
        }
        const r = this.value(v, eol, top, -1, -1, undefined, anchor);
        items.push(r.value);
        return r.block ? this.afterBlockScalar(r.end) : this.endOfLine(r.end, r.eol);
      }
      const key = this.key(p, eol);
      const object = top.value as Record<string, unknown>;
      // A repeated key: the yaml package words that error.
      if (Object.hasOwn(object, key.value)) giveUp();
      let q = skipSpaces(text, key.colon + 1, eol);
      let anchor: string | undefined;
      if (text.charCodeAt(q) === 0x26 /* & */) ({ name: anchor, next: q } = this.name(q, eol));
      if (q === eol) {
        // The key's collection comes on the next lines.
        if (top === this.root) this.entryKey = key.value;
        defineKey(object, key.value, null);
        this.pending = { parent: top, key: key.value, keyStart: key.start, keyEnd: key.end, index: -1, indent: column, anchor };
        return nextLine(text, eol);
      }
      // A comment where the value should be (null to the yaml package), or a sequence on the key's line.
      if (text.charCodeAt(q) === 0x23 || isDash(text, q, eol)) giveUp();
      if (top === this.root) this.entryKey = key.value;
      const r = this.value(q, eol, top, key.start, key.end, key.value, anchor);
      defineKey(object, key.value, r.value);
      return r.block ? this.afterBlockScalar(r.end) : this.endOfLine(r.end, r.eol);
    }
  }

  /** The open collection a node at `column` belongs to, opening or closing collections as indentation says. */
  private collectionFor(column: number, dash: boolean, p: number): Open {
    const pending = this.pending;
    if (pending) {
      // A nested collection: a mapping deeper than its key; a sequence may stand at its key's own column, not its `-`'s.
      const deepEnough = column > pending.indent || (dash && column === pending.indent && pending.key !== undefined);
      if (!deepEnough || this.stack.length >= MAX_JSON_DEPTH) giveUp();
      const parent = pending.parent;
      const id = this.nodes.add(dash ? SEQ : MAP, p, p, pending.keyStart, pending.keyEnd, pending.key, parent.id);
      const open: Open = { indent: column, id, value: dash ? [] : {}, sameIndent: column === pending.indent, anchored: pending.anchor !== undefined };
      if (pending.anchor !== undefined) {
        this.anchors.set(pending.anchor, { id, value: open.value, count: 1, weight: -1 });
        this.anchorEvents++;
      }
      if (pending.key === undefined) (parent.value as unknown[])[pending.index] = open.value;
      else defineKey(parent.value as Record<string, unknown>, pending.key, open.value);
      this.stack.push(open);
      this.pending = undefined;
      return open;
    }
    if (this.stack.length === 0) {
      if (column !== 0 || this.root) giveUp();
      const id = this.nodes.add(dash ? SEQ : MAP, p, p, -1, -1, undefined, -1);
      this.root = { indent: 0, id, value: dash ? [] : {}, sameIndent: false };
      this.stack.push(this.root);
      // The first entry of a block mapping may go to the yaml package too (from the text's start).
      if (this.atRootMap() && startsTopLevelKey(this.text, p)) this.entry = { pos: 0, keyLine: p, count: this.nodes.count, rootLast: -1, anchorEvents: this.anchorEvents };
      return this.root;
    }
    const depth = this.stack.length;
    while (this.stack[this.stack.length - 1].indent > column) this.close();
    let top = this.stack[this.stack.length - 1];
    const kind = this.nodes.get(top.id, KIND);
    // A key at the column of a sequence that stands at its key's column: that sequence has ended.
    if (top.sameIndent && kind === SEQ && !dash && top.indent === column) {
      this.close();
      top = this.stack[this.stack.length - 1];
    }
    if (this.indentedComment && depth - this.stack.length > 1) giveUp();
    // A line at a column no open collection has (a continuation or an error), or an entry of the other kind.
    if (top.indent !== column || (this.nodes.get(top.id, KIND) === SEQ) !== dash) giveUp();
    return top;
  }

  /**
   * A scalar or a flow collection in block context at `p` (a plain scalar runs to the line's end or a comment), as
   * a node of `parent` with the given key; its value and where it ends.
   */
  private value(p: number, eol: number, parent: Open, keyStart: number, keyEnd: number, key: string | undefined, anchor?: string): Read {
    const c = this.text.charCodeAt(p);
    if (c === 0x2a /* * */) {
      if (anchor !== undefined) giveUp();
      return this.alias(p, eol, parent, keyStart, keyEnd, key);
    }
    const id = this.nodes.count;
    const r = this.valueNode(p, eol, parent, keyStart, keyEnd, key);
    if (anchor !== undefined) {
      this.anchors.set(anchor, { id, value: r.value, count: 1, weight: -1 });
      this.anchorEvents++;
    }
    return r;
  }

  /** `&name` or `*name` at `p`, followed by white space or the line's end; the name and where the next token starts. */
  private name(p: number, eol: number): { name: string; end: number; next: number } {
    const text = this.text;
    let q = p + 1;
    while (q < eol && !isWhite(text.charCodeAt(q))) q++;
    const name = text.slice(p + 1, q);
    if (!ANCHOR_NAME.test(name)) giveUp();
    return { name, end: q, next: skipSpaces(text, q, eol) };
  }

  /**
   * An alias at `p`: the value of its anchor (a collection: the same object, as the yaml package's toJS gives it),
   * counted as toJS counts it; a node of its own, with nothing below it.
   */
  private alias(p: number, eol: number, parent: Open, keyStart: number, keyEnd: number, key: string | undefined): Read {
    const { name, end } = this.name(p, eol);
    const anchor = this.anchors.get(name);
    // An unknown anchor is the yaml package's error; an alias inside an anchored collection, its count to keep.
    if (!anchor || this.stack.some((o) => o.anchored)) giveUp();
    anchor.count++;
    this.anchorEvents++;
    if (anchor.weight < 0) anchor.weight = this.aliasWeight(anchor.id);
    if (anchor.count * anchor.weight > MAX_ALIAS_COUNT) this.aliasOverflow = true;
    this.nodes.add(ALIAS, p, end, keyStart, keyEnd, key, parent.id);
    return { value: anchor.value, start: p, end, eol };
  }

  /** The yaml package's getAliasCount of a node without aliases in it: 1 for a scalar or a mapping with entries, a sequence's largest. */
  private aliasWeight(id: number): number {
    const d = this.nodes;
    const kind = d.get(id, KIND);
    if (kind !== MAP && kind !== SEQ) return 1;
    const first = d.get(id, FIRST);
    if (first < 0) return 0;
    if (kind === MAP) return 1;
    let weight = 0;
    for (let child = first; child >= 0 && weight < 1; child = d.get(child, NEXT)) weight = Math.max(weight, this.aliasWeight(child));
    return weight;
  }

  /** A scalar or flow collection (without anchor or alias) in block context at `p`. */
  private valueNode(p: number, eol: number, parent: Open, keyStart: number, keyEnd: number, key: string | undefined): Read {
    const c = this.text.charCodeAt(p);
    // Its lines past the first must be indented deeper than the collection the entry is in.
    if (c === 0x5b || c === 0x7b) return this.flow(p, eol, 1, parent.indent, parent.id, keyStart, keyEnd, key);
    let r: Read;
    if (c === 0x7c || c === 0x3e) {
      const b = readBlockScalar(this.text, p, eol, parent.indent) ?? giveUp();
      r = { value: b.value, start: p, end: b.end, eol: -1, block: true };
    } else {
      r = c === 0x22 || c === 0x27 ? this.quoted(p, eol) : this.plain(p, eol, false);
      // `key: a: b` (a map on a key's line) or `- a:` at the line's end.
      if (r.colon) giveUp();
      // A plain scalar that runs to the line's end may go on on the lines below.
      if (c !== 0x22 && c !== 0x27 && r.stop === eol) r = this.continuation(r, parent.indent);
    }
    this.nodes.add(SCALAR, r.start, r.end, keyStart, keyEnd, key, parent.id);
    return r;
  }

  /**
   * The lines that continue the plain scalar `first` (each indented deeper than `parentIndent`), folded as YAML
   * folds them: one line break becomes a space, each empty line a line break, white space around lines dropped.
   * The scalar ends before a line indented no deeper, a comment line, or the text's end; after a comment.
   */
  private continuation(first: Read, parentIndent: number): Read {
    const text = this.text;
    let value: string | undefined;
    let end = first.end;
    let lastEol = first.eol;
    let breaks = 0;
    for (let pos = nextLine(text, first.eol); pos < text.length; ) {
      const eol = this.lineEnd(pos);
      let q = pos;
      while (q < eol && text.charCodeAt(q) === 0x20) q++;
      const spaces = q - pos;
      if (q < eol && text.charCodeAt(q) === 0x09) {
        // A tab in the indentation, or in a line of white space between lines of the scalar: left to the yaml package.
        if (spaces <= parentIndent) giveUp();
        q = skipSpaces(text, q, eol);
        if (q === eol) giveUp();
      }
      if (q === eol) {
        breaks++;
        pos = nextLine(text, eol);
        continue;
      }
      if (spaces <= parentIndent || text.charCodeAt(q) === 0x23) break;
      // `- x`, `[`, `&a`... on a continuation line: text to YAML, but left to the yaml package here.
      if (!isPlainStart(text, q, eol)) giveUp();
      const scan = this.plainEnd(q, eol, false);
      // `a: x` on a continuation line is the yaml package's error.
      if (scan.colon) giveUp();
      value = (value ?? text.slice(first.start, first.end)) + (breaks === 0 ? " " : "\n".repeat(breaks)) + text.slice(q, scan.end);
      breaks = 0;
      end = scan.end;
      lastEol = eol;
      if (scan.stop < eol) break;
      pos = nextLine(text, eol);
    }
    if (value === undefined) return first;
    return { value: plainScalarValue(value), start: first.start, end, eol: lastEol };
  }

  /** After a block scalar, which ends at a line's start: where the next line starts. */
  private afterBlockScalar(end: number): number {
    this.lastValueEnd = end;
    // The yaml package counts no comment line after a block scalar in the collection's value.
    this.trailing = "other";
    this.indentedComment = false;
    return end;
  }

  /** After a value: the end of the line, or spaces and a comment; where the next line starts. */
  private endOfLine(end: number, eol: number): number {
    const text = this.text;
    let q = end;
    while (q < eol && isWhite(text.charCodeAt(q))) q++;
    // A comment after the value is part of its line.
    if (q < eol && (q === end || text.charCodeAt(q) !== 0x23)) giveUp();
    const next = nextLine(text, eol);
    this.lastValueEnd = next;
    this.trailing = "none";
    this.indentedComment = false;
    return next;
  }

  /** True if a key (`word:` or `"quoted":` followed by a space or the line's end) starts at `p`. */
  private isKeyAt(p: number, eol: number): boolean {
    const c = this.text.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const end = c === 0x22 ? this.doubleQuotedEnd(p, eol) : this.singleQuotedEnd(p, eol);
      return this.text.charCodeAt(end) === 0x3a && (end + 1 === eol || isWhite(this.text.charCodeAt(end + 1)));
    }
    if (!isPlainStart(this.text, p, eol)) return false;
    return this.plainEnd(p, eol, false).colon;
  }

  /** A block mapping's key at `p`, up to its `:`. */
  private key(p: number, eol: number): { value: string; start: number; end: number; colon: number } {
    const text = this.text;
    const c = text.charCodeAt(p);
    let value: string;
    let end: number;
    if (c === 0x22 || c === 0x27) {
      const r = this.quoted(p, eol);
      value = r.value as string;
      end = r.end;
      if (text.charCodeAt(end) !== 0x3a) giveUp();
    } else {
      if (!isPlainStart(text, p, eol)) giveUp();
      const scan = this.plainEnd(p, eol, false);
      if (!scan.colon) giveUp();
      end = scan.end;
      value = text.slice(p, end);
      if (end !== scan.stop || !KEY.test(value) || NULL_WORDS.has(value) || BOOL_WORDS.has(value)) giveUp();
    }
    const colon = end;
    if (colon - p > MAX_KEY_LENGTH) giveUp();
    if (colon + 1 < eol && !isWhite(text.charCodeAt(colon + 1))) giveUp();
    return { value, start: p, end, colon };
  }

  /**
   * Where a one-line plain scalar starting at `p` ends (trailing spaces not included) and what stopped it: a `: `
   * (or `:` at the line's end) makes it a key; in flow context also `,[]{}`; ` #` starts a comment.
   */
  private plainEnd(p: number, eol: number, flow: boolean): { end: number; stop: number; colon: boolean } {
    const text = this.text;
    let q = p;
    let end = p;
    while (q < eol) {
      const c = text.charCodeAt(q);
      if (isWhite(c)) {
        if (text.charCodeAt(q + 1) === 0x23 && q + 1 < eol) break;
        q++;
        continue;
      }
      if (c === 0x3a) {
        const n = q + 1 < eol ? text.charCodeAt(q + 1) : 0x20;
        if (isWhite(n)) return { end, stop: q, colon: true };
        // `a:b` is one scalar in block context; in flow context it is left to the yaml package.
        if (flow) giveUp();
      } else if (flow && isFlowIndicator(c)) {
        break;
      } else if (!isContentChar(c)) {
        giveUp();
      }
      q++;
      end = q;
    }
    return { end, stop: q, colon: false };
  }

  private plain(p: number, eol: number, flow: boolean): Read {
    if (!isPlainStart(this.text, p, eol)) giveUp();
    const scan = this.plainEnd(p, eol, flow);
    return { value: plainScalarValue(this.text.slice(p, scan.end)), start: p, end: scan.end, eol, colon: scan.colon, stop: scan.stop };
  }

  /** The offset just after the closing quote of a one-line double-quoted scalar at `p` (gives up if it is not closed on the line). */
  private doubleQuotedEnd(p: number, eol: number): number {
    const text = this.text;
    for (let q = p + 1; q < eol; q++) {
      const c = text.charCodeAt(q);
      if (c === 0x22) return q + 1;
      if (c === 0x5c) q++;
      else if (!isContentChar(c) && c !== 0x09) giveUp();
    }
    return giveUp();
  }

  private singleQuotedEnd(p: number, eol: number): number {
    const text = this.text;
    for (let q = p + 1; q < eol; q++) {
      const c = text.charCodeAt(q);
      if (c === 0x27) {
        if (text.charCodeAt(q + 1) !== 0x27 || q + 1 >= eol) return q + 1;
        q++;
      } else if (!isContentChar(c) && c !== 0x09) giveUp();
    }
    return giveUp();
  }

  /** A one-line quoted scalar at `p`, its escapes resolved as the yaml package does. */
  private quoted(p: number, eol: number): Read {
    const text = this.text;
    if (text.charCodeAt(p) === 0x27) {
      const end = this.singleQuotedEnd(p, eol);
      return { value: text.slice(p + 1, end - 1).replaceAll("''", "'"), start: p, end, eol };
    }
    const end = this.doubleQuotedEnd(p, eol);
    // An unknown escape or a bad code point is the yaml package's error.
    const value = doubleQuotedValue(text.slice(p + 1, end - 1)) ?? giveUp();
    return { value, start: p, end, eol };
  }

  /**
   * A flow collection at `p` (`[` or `{`), nested `depth` levels below its block parent, as a node of `parent`. It
   * may span lines, each indented deeper than `minIndent` (the column of the block collection it is in; -1 at the
   * root); each key and scalar in it stays on one line.
   */
  private flow(p: number, eol: number, depth: number, minIndent: number, parent: number, keyStart: number, keyEnd: number, key: string | undefined): Read {
    const text = this.text;
    // Levels of nesting: the open block collections, then this one; as JSON, at most MAX_JSON_DEPTH.
    if (this.stack.length + depth > MAX_JSON_DEPTH) giveUp();
    const seq = text.charCodeAt(p) === 0x5b;
    const close = seq ? 0x5d : 0x7d;
    const id = this.nodes.add(seq ? SEQ : MAP, p, p, keyStart, keyEnd, key, parent);
    const value: Record<string, unknown> | unknown[] = seq ? [] : {};
    const at = { q: p + 1, eol };
    this.flowSpace(at, minIndent);
    while (text.charCodeAt(at.q) !== close) {
      let entryKeyStart = -1;
      let entryKeyEnd = -1;
      let entryKey: string | undefined;
      if (!seq) {
        const q = at.q;
        entryKeyStart = q;
        const c = text.charCodeAt(q);
        if (c === 0x22 || c === 0x27) {
          const r = this.quoted(q, at.eol);
          entryKey = r.value as string;
          entryKeyEnd = r.end;
        } else {
          if (!isPlainStart(text, q, at.eol)) giveUp();
          const scan = this.plainEnd(q, at.eol, true);
          entryKeyEnd = scan.end;
          entryKey = text.slice(entryKeyStart, entryKeyEnd);
          // A plain key is followed by `: ` (or `:` at the line's end); a quoted one may be followed by `:1` (JSON).
          if (!scan.colon || scan.stop !== entryKeyEnd || !KEY.test(entryKey) || NULL_WORDS.has(entryKey) || BOOL_WORDS.has(entryKey)) giveUp();
        }
        if (text.charCodeAt(entryKeyEnd) !== 0x3a || entryKeyEnd - entryKeyStart > MAX_KEY_LENGTH || Object.hasOwn(value, entryKey)) giveUp();
        at.q = entryKeyEnd + 1;
        this.flowSpace(at, minIndent);
      }
      const q = at.q;
      const c = text.charCodeAt(q);
      let r: Read;
      if (c === 0x5b || c === 0x7b) r = this.flow(q, at.eol, depth + 1, minIndent, id, entryKeyStart, entryKeyEnd, entryKey);
      else {
        r = c === 0x22 || c === 0x27 ? this.quoted(q, at.eol) : this.plain(q, at.eol, true);
        this.nodes.add(SCALAR, r.start, r.end, entryKeyStart, entryKeyEnd, entryKey, id);
      }
      // `[a: 1]` (a pair in a sequence) or `{a: b: c}`.
      if (r.colon || text.charCodeAt(r.end) === 0x3a) giveUp();
      if (seq) (value as unknown[]).push(r.value);
      else defineKey(value as Record<string, unknown>, entryKey!, r.value);
      at.q = r.end;
      at.eol = r.eol;
      this.flowSpace(at, minIndent);
      if (text.charCodeAt(at.q) === 0x2c) {
        at.q++;
        this.flowSpace(at, minIndent);
      } else if (text.charCodeAt(at.q) !== close) {
        giveUp();
      }
    }
    this.nodes.set(id, END, at.q + 1);
    return { value, start: p, end: at.q + 1, eol: at.eol };
  }

  /**
   * Skips what separates tokens in a flow collection (spaces, a comment after a space, line breaks) to the next
   * token, moving `at` to later lines as needed. Gives up at the text's end or at a line not indented deeper than
   * `minIndent`.
   */
  private flowSpace(at: { q: number; eol: number }, minIndent: number): void {
    const text = this.text;
    let q = at.q;
    let eol = at.eol;
    for (;;) {
      const from = q;
      while (q < eol && text.charCodeAt(q) === 0x20) q++;
      // A comment needs a space before it (or the line's start, below); `"a"#` is the yaml package's error.
      if (q < eol && !(text.charCodeAt(q) === 0x23 && q > from)) break;
      if (eol >= text.length) giveUp();
      const lineStart = nextLine(text, eol);
      eol = this.lineEnd(lineStart);
      q = lineStart;
      while (q < eol && text.charCodeAt(q) === 0x20) q++;
      if (q === eol) continue;
      if (q - lineStart <= minIndent) giveUp();
      if (text.charCodeAt(q) === 0x23) q = eol;
      else break;
    }
    at.q = q;
    at.eol = eol;
  }
}

const nextLine = nextLineAt;

/** Past spaces and tabs (the separation after `- ` or `key:`). */
function skipSpaces(text: string, p: number, eol: number): number {
  while (p < eol && isWhite(text.charCodeAt(p))) p++;
  return p;
}

/** Where the last line before `pos` that starts a top-level key begins (0 if none does: comments only). */
function previousTopLevelLine(text: string, pos: number): number {
  for (let q = text.lastIndexOf("\n", pos - 2); q >= 0; q = text.lastIndexOf("\n", q - 1)) {
    if (startsTopLevelKey(text, q + 1)) return q + 1;
  }
  return 0;
}

/**
 * A line at column 0 that may start a top-level key of a block mapping: a quoted key or a plain scalar's first
 * character (not `-`, a sequence entry's or a document marker's; not `&`, `!`, `[`... which may be the previous key's
 * value; not `.`, `%`, a comment or white space).
 */
function startsTopLevelKey(text: string, q: number): boolean {
  const c = text.charCodeAt(q);
  if (c === 0x22 || c === 0x27) return true;
  if (c === 0x2d || c === 0x2e) return false;
  return isPlainStart(text, q, lineEndAt(text, q));
}

/**
 * The document, when `text` is entirely in this reader's subset of YAML (see above); undefined otherwise. With
 * `foreign`, top-level entries of a block mapping that are not are read by it (the yaml package).
 */
export function parseBlockYaml(text: string, foreign?: ForeignReader, why?: { repeatedKey?: { start: number; end: number } }): BlockYaml | undefined {
  // A CR is taken only as part of a CRLF line break (a lone CR breaks a line for the yaml package, in a comment too). A
  // tab is refused wherever the reader looks (indentation, scalars, between tokens), so one is read only in a comment.
  if (text.length === 0 || /\r(?!\n)/.test(text)) return undefined;
  const reader = new Reader(text, foreign);
  try {
    return reader.read();
  } catch (e) {
    if (e !== GIVE_UP && e !== GIVE_UP_ALL) throw e;
    // Where the caller cannot hand the whole text to the package, it can still name a repeated key.
    if (why && reader.repeatedKey) why.repeatedKey = reader.repeatedKey;
    return undefined;
  }
}
