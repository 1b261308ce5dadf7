/**
 * The comments of a YAML config, carried over to its canonical form (`normalize --write/--check`), so a team's
 * notes survive the rewrite as they do Prettier's. A comment stays with the key it was written at (above it, or
 * after its value on the same line); a shorthand key's comments go to the canonical key that replaces it
 * (`group_size` → `granularity.group_size`, `is_symmetric` → `mapping_type`); a comment whose key has no
 * counterpart, or that follows a nested collection, goes above the next key that has one, or to the end of the file. The result is its own canonical
 * form: reading it back and carrying its comments again gives the same text.
 */
import { Document, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, type Node } from "yaml";

/** What one key (or sequence item) of the source carries. */
interface Carried {
  /** Comment lines above the key. */
  before?: string;
  /** A blank line above the key. */
  spaceBefore?: boolean;
  /** After a scalar value, on its line. */
  trailing?: string;
  /** Below the key, before a collection's first item. */
  inside?: string;
  /** After a collection's last item (the yaml package also puts here the comments above the key after it). */
  after?: string;
}

interface Collected {
  /** Comments at the top of the file followed by a blank line (the document's own). */
  head?: string;
  /** Comments between a `---` and the content. */
  rootBefore?: string;
  /** Comments right above the first key: they stay at the top, above whichever key comes first now. */
  lead?: string;
  /** Comments at the end of the file. */
  end?: string;
  /** Every key with comments, in file order. */
  entries: Array<{ path: string[]; carried: Carried }>;
}

/**
 * Canonical keys that take over a shorthand key's comments, by the shorthand key's name. A Map: it is looked up by a file's
 * key (a tensor named "toString" in a recipe), which must find no entry.
 */
const SUCCESSORS = new Map<string, string[]>([["group_size", ["granularity", "group_size"]], ["is_symmetric", ["mapping_type"]]]);

function join(...parts: Array<string | null | undefined>): string | undefined {
  const present = parts.filter((p): p is string => typeof p === "string");
  return present.length > 0 ? present.join("\n") : undefined;
}

function isEmpty(c: Carried): boolean {
  return c.before === undefined && !c.spaceBefore && c.trailing === undefined && c.inside === undefined && c.after === undefined;
}

/**
 * The comments and blank lines of `text` (read as `parsed`, when given), or undefined when it holds neither (then there is
 * nothing to carry). Blank lines are carried without comments too: adding a comment must not change where they are.
 */
function collect(text: string, parsed: Document | undefined): Collected | undefined {
  if (!text.includes("#") && !/\n[ \t]*\n/.test(text)) return undefined;
  const doc = parsed ?? parseDocument(text, { uniqueKeys: false, logLevel: "silent" });
  const out: Collected = { head: doc.commentBefore ?? undefined, end: doc.comment ?? undefined, entries: [] };
  const root = doc.contents;
  if (isCollection(root)) {
    if (root.commentBefore != null) out.rootBefore = root.commentBefore;
    visit(root, [], out.entries);
    out.end = join(root.comment, out.end);
    const first = out.entries[0];
    if (isMap(root) && first?.path.length === 1) {
      out.lead = first.carried.before;
      delete first.carried.before;
    }
  }
  return parsed ? withoutCarriageReturns(out) : out;
}

/**
 * The comments as a reading of the text with LF breaks gives them: the yaml package keeps the CR of a CR LF break
 * inside a comment of several lines (`# a\r\n# b` is " a\r\n b"), which would be written back as a stray CR.
 */
function withoutCarriageReturns(c: Collected): Collected {
  const lf = <T>(o: T): T => {
    const copy = { ...o } as Record<string, unknown>;
    for (const [k, v] of Object.entries(copy)) if (typeof v === "string") copy[k] = v.replace(/\r\n/g, "\n");
    return copy as T;
  };
  return { ...lf(c), entries: c.entries.map((e) => ({ path: e.path, carried: lf(e.carried) })) };
}

function visit(node: Node, path: string[], entries: Collected["entries"]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const keyNode = isScalar(pair.key) ? pair.key : undefined;
      const value = pair.value as Node | null;
      const at = key === undefined ? [...path, "\u0000"] : [...path, key];
      entries.push({ path: at, carried: carried(keyNode?.commentBefore, keyNode?.spaceBefore, value) });
      if (isCollection(value)) visitInside(value, at, entries);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const at = [...path, String(i)];
      const n = item as Node | null;
      entries.push({ path: at, carried: carried(n?.commentBefore, n?.spaceBefore, isCollection(n) ? n : null, n) });
      if (isCollection(n)) visitInside(n, at, entries);
    });
  }
}

/** A collection's items, then the comments after its last one (in file order, so they go above what follows it). */
function visitInside(node: Node, path: string[], entries: Collected["entries"]): void {
  visit(node, path, entries);
  if (node.comment != null) entries.push({ path, carried: { after: node.comment } });
}

function carried(before: string | null | undefined, spaceBefore: boolean | undefined, value: Node | null, item?: Node | null): Carried {
  const c: Carried = {};
  if (before != null) c.before = before;
  if (spaceBefore) c.spaceBefore = true;
  if (isCollection(value)) {
    if (value.commentBefore != null && value !== item) c.inside = value.commentBefore;
  } else {
    const v = item ?? value;
    if ((isScalar(v) || isAlias(v)) && v.comment != null) c.trailing = v.comment;
  }
  return c;
}

/** Where the canonical document's keys are, by path. */
function indexPairs(node: unknown, path: string[], into: Map<string, { key: Node; value: Node }>): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const at = [...path, String(pair.key.value)];
    into.set(JSON.stringify(at), { key: pair.key, value: pair.value as Node });
    indexPairs(pair.value, at, into);
  }
}

/**
 * A `---` before the content (after blank, comment or directive lines): yamllint's default `document-start` rule asks
 * for one, so a file that has it keeps it.
 */
export function startsWithDocumentMarker(text: string): boolean {
  return /^(?:[ \t]*(?:#[^\n]*)?\n|%[^\n]*\n)*---(?=[ \t\n]|$)/.test(text);
}

/**
 * `value` as YAML text, with the comments of `sourceText` carried over, and its `---` when it starts with one.
 * `parsed`: the yaml package's reading of that text, perhaps with CR LF breaks and a byte-order mark (its comments are
 * taken as the LF text's), when the caller has one; else the text is read here.
 */
export function yamlWithComments(value: unknown, sourceText: string, parsed?: Document): string {
  const doc = new Document(value);
  if (startsWithDocumentMarker(sourceText)) doc.directives!.docStart = true;
  const source = collect(sourceText, parsed);
  if (!source) return doc.toString();
  const pairs = new Map<string, { key: Node; value: Node }>();
  indexPairs(doc.contents, [], pairs);
  const find = (path: string[]) => {
    const direct = pairs.get(JSON.stringify(path));
    if (direct) return direct;
    const successor = SUCCESSORS.get(path[path.length - 1]);
    return successor ? pairs.get(JSON.stringify([...path.slice(0, -1), ...successor])) : undefined;
  };
  // Comments whose key has no counterpart wait for the next key that has one.
  let pending: string | undefined;
  for (const { path, carried: c } of source.entries) {
    if (isEmpty(c) && pending === undefined) continue;
    const target = find(path);
    if (!target) {
      pending = join(pending, c.before, c.inside, c.trailing, c.after);
      continue;
    }
    const { key, value } = target;
    const collection = isCollection(value);
    key.commentBefore = join(key.commentBefore, pending, c.before, collection || value.comment == null ? undefined : c.trailing);
    pending = undefined;
    if (c.spaceBefore) key.spaceBefore = true;
    if (collection) value.commentBefore = join(value.commentBefore, c.trailing, c.inside);
    else if (c.trailing !== undefined && value.comment == null) value.comment = c.trailing;
    // The yaml package reads comments after a nested collection as that collection's, whatever their indentation, and
    // writes them indented inside it: written above the next key instead, they read back the same way every time.
    pending = join(collection ? undefined : c.inside, c.after);
  }
  const first = isMap(doc.contents) ? doc.contents.items[0]?.key : undefined;
  if (isScalar(first)) first.commentBefore = join(source.lead, first.commentBefore);
  else pending = join(source.lead, pending);
  // After a `---` they stay after it; without one they read back as the first key's.
  if (doc.directives?.docStart && isCollection(doc.contents)) doc.contents.commentBefore = join(source.rootBefore, doc.contents.commentBefore) ?? null;
  else if (isScalar(first)) first.commentBefore = join(source.rootBefore, first.commentBefore);
  else pending = join(source.rootBefore, pending);
  doc.commentBefore = source.head ?? null;
  doc.comment = join(pending, source.end) ?? null;
  return doc.toString();
}
