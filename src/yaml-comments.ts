/**
 * The comments of a YAML config, carried over to its canonical form (`normalize --write/--check`), so a team's
 * notes survive the rewrite as they do Prettier's. A comment stays with the key it was written at (above it, or
 * after its value on the same line; one between the key and a value below it goes above it); a shorthand key's comments go to the canonical key that replaces it
 * (`group_size` → `granularity.group_size`, `is_symmetric` → `mapping_type`); a comment whose key has no
 * counterpart, or that follows a nested block collection, goes above the next key that has one, or to the end of the file;
 * a blank line above a key is kept unless that key now comes first in its map. The result is its own canonical
 * form: reading it back and carrying its comments again gives the same text.
 */
import { Document, isCollection, isMap, isNode, isPair, parseDocument, type Node, type Scalar, type YAMLMap } from "yaml";
import { jsKeyOf } from "./diagnostics/source.js";
import { VISIBLE_STRING } from "./visible-text.js";

/** What one key of the source carries. */
interface Carried {
  /** Comment lines above the key, in the key (an alias or a collection) and between it and a scalar value. */
  before?: string | null;
  /** A blank line above the key. */
  spaceBefore?: boolean;
  /** After a scalar value, on its line. */
  trailing?: string | null;
  /** Below the key, before a collection's first item. */
  inside?: string | null;
}

/** A key's comments, or comments after a nested collection's last item (the yaml package also puts here those above the key after it). */
type Entry = { path: string[]; carried: Carried } | { after?: string | null };

interface Collected {
  /** Comments at the top of the file followed by a blank line (the document's own). */
  head?: string;
  /** Comments between a `---` (or an anchor, a tag, a flow map's `{`) and the content. */
  rootBefore?: string | null;
  /** Comments right above the first key: they stay at the top, above whichever key comes first now. */
  lead?: string | null;
  /** Comments at the end of the file. */
  end?: string;
  /** Every key, in file order. */
  entries: Entry[];
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

/**
 * The comments and blank lines of `text` (read as `parsed`, when given), or undefined when it holds neither (then there is
 * nothing to carry). Blank lines are carried without comments too: adding a comment must not change where they are.
 * The text is one normalize read as a config: its root is a map with at least one key.
 */
function collect(text: string, parsed: Document | undefined): Collected | undefined {
  if (!text.includes("#") && !/\n[ \t]*\n/.test(text)) return undefined;
  // Without `parsed` (a file fqc's large-file reader read) the text is read here: its keys are unique already (the
  // package's own check compares each key with every earlier one), and a collection key must warn nothing (jsKeyOf).
  const doc = parsed ?? parseDocument(text, { uniqueKeys: false, logLevel: "silent" });
  const root = doc.contents as YAMLMap;
  const out: Collected = { head: doc.commentBefore ?? undefined, rootBefore: root.commentBefore, entries: [] };
  visit(root, [], out.entries, doc);
  out.end = join(root.comment, doc.comment);
  const first = out.entries[0] as { carried: Carried };
  out.lead = first.carried.before;
  delete first.carried.before;
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
  return { ...lf(c), entries: c.entries.map((e) => ("path" in e ? { path: e.path, carried: lf(e.carried) } : lf(e))) };
}

/**
 * A map's keys, by the name the config gives them (an alias key is its anchor's value, `? [a, b]` is "[ a, b ]"),
 * then the comments after a nested collection (in file order, so they go above what follows it). A sequence is
 * never walked: the one a config holds is torchao's empty `module_fqn_to_config: []`.
 */
function visit(map: YAMLMap, path: string[], entries: Entry[], doc: Document): void {
  for (const pair of map.items) {
    // The yaml package reads an empty key as an empty scalar; a value may be missing (`? key` alone).
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    const at = [...path, jsKeyOf(pair, doc)];
    entries.push({ path: at, carried: carried(commentsOf(key), key.spaceBefore, value) });
    if (isMap(value)) visit(value, at, entries, doc);
    // A flow collection's comment is the one after it on its line: its key's, carried above.
    if (isCollection(value) && !value.flow) entries.push({ after: value.comment });
  }
}

/** Every comment in a node, in file order: a key written as an alias, a block scalar or a flow collection has its own. */
function commentsOf(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  const inner = isCollection(node) ? (node.items as unknown[]).map((item) => (isPair(item) ? join(commentsOf(item.key), commentsOf(item.value)) : commentsOf(item))) : [];
  return join(node.commentBefore, ...inner, node.comment);
}

function carried(before: string | undefined, spaceBefore: boolean | undefined, value: Node | null): Carried {
  if (isCollection(value)) return { before, spaceBefore, inside: value.commentBefore, trailing: value.flow ? value.comment : undefined };
  // A scalar (or alias) value written below its key, or after `? key`, has the comments between them as its own.
  return { before: join(before, value?.commentBefore), spaceBefore, trailing: value?.comment };
}

/** Where the canonical document's keys are, by path, and whether each is the first of its map. */
type Pairs = Map<string, { key: Scalar; value: Node; first: boolean }>;

/** The canonical document is built from a config object: its maps' keys are strings. */
function indexPairs(map: YAMLMap<Scalar, Node>, path: string[], into: Pairs): void {
  map.items.forEach((pair, i) => {
    const at = [...path, String(pair.key.value)];
    into.set(JSON.stringify(at), { key: pair.key, value: pair.value!, first: i === 0 });
    if (isMap(pair.value)) indexPairs(pair.value as YAMLMap<Scalar, Node>, at, into);
  });
}

/**
 * A `---` before the content (after blank, comment or directive lines): yamllint's default `document-start` rule asks
 * for one, so a file that has it keeps it.
 */
export function startsWithDocumentMarker(text: string): boolean {
  // A config follows the marker: a space or a line break does too.
  return /^(?:[ \t]*(?:#[^\n]*)?\n|%[^\n]*\n)*---(?=[ \t\n])/.test(text);
}

/**
 * `value` as YAML text, with the comments of `sourceText` carried over, and its `---` when it starts with one.
 * `parsed`: the yaml package's reading of that text, perhaps with CR LF breaks and a byte-order mark (its comments are
 * taken as the LF text's), when the caller has one; else the text is read here.
 */
export function yamlWithComments(value: unknown, sourceText: string, parsed?: Document): string {
  const doc = new Document(value, { customTags: (tags) => [VISIBLE_STRING, ...tags] });
  if (startsWithDocumentMarker(sourceText)) doc.directives!.docStart = true;
  const source = collect(sourceText, parsed);
  if (!source) return doc.toString();
  const pairs: Pairs = new Map();
  indexPairs(doc.contents as YAMLMap<Scalar, Node>, [], pairs);
  const find = (path: string[]) => {
    const direct = pairs.get(JSON.stringify(path));
    if (direct) return direct;
    const successor = SUCCESSORS.get(path[path.length - 1]);
    return successor ? pairs.get(JSON.stringify([...path.slice(0, -1), ...successor])) : undefined;
  };
  // Comments whose key has no counterpart wait for the next key that has one; so do those after a nested collection:
  // the yaml package reads them as that collection's, whatever their indentation, and writes them indented inside it.
  let pending: string | undefined;
  for (const e of source.entries) {
    const target = "path" in e ? find(e.path) : undefined;
    if (!target) {
      pending = "path" in e ? join(pending, e.carried.before, e.carried.inside, e.carried.trailing) : join(pending, e.after);
      continue;
    }
    const { key, value, first } = target;
    const c = (e as { carried: Carried }).carried;
    // Joined to what is there, though normalize refuses two keys for one canonical key (a repeated key, a shorthand beside its canonical key).
    if (isCollection(value)) {
      key.commentBefore = join(key.commentBefore, pending, c.before);
      value.commentBefore = join(value.commentBefore, c.trailing, c.inside);
    } else {
      key.commentBefore = join(key.commentBefore, pending, c.before, c.inside);
      value.comment = join(value.comment, c.trailing);
    }
    pending = undefined;
    // A blank line above a key that now comes first in its map would be written as one above the map's first line (or
    // a line of spaces), which reads back as none: `--check` would fail on what `--write` wrote.
    if (c.spaceBefore && !first) key.spaceBefore = true;
  }
  // Those above the content stay at the top, above the key now first (after a `---` they read back as the root's: the
  // yaml package writes them after it either way).
  const top = (doc.contents as YAMLMap<Scalar>).items[0].key;
  top.commentBefore = join(source.rootBefore, source.lead, top.commentBefore);
  doc.commentBefore = source.head ?? null;
  // A blank line after the last comment (a nested map's comment ends with one there) would not read back: the end has none.
  doc.comment = join(pending, source.end)?.replace(/\n+$/, "") ?? null;
  return doc.toString();
}
