/**
 * Block scalars (`|` literal, `>` folded, with chomping `-`/`+` and an indentation indicator) as the yaml package
 * reads them, for yaml-block.ts, and the line helpers both use. Pure functions over the text; undefined wherever
 * the package might read the text otherwise or report an error (the caller then leaves the file to the package):
 * a tab in a line's indentation or in a line of white space, leading empty lines indented deeper than the
 * content, no content at all, `|+` whose last line has no line break.
 */

/** Where the content of the line at `pos` ends: at its line break (`\n`, or the `\r` of `\r\n`) or the text's end. */
export function lineEndAt(text: string, pos: number): number {
  const eol = text.indexOf("\n", pos);
  if (eol < 0) return text.length;
  return eol > pos && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
}

/** Where the line after the one ending at `eol` starts (the text's end after the last line). */
export function nextLineAt(text: string, eol: number): number {
  if (eol >= text.length) return eol;
  return text.charCodeAt(eol) === 0x0d ? eol + 2 : eol + 1;
}

export interface BlockScalar {
  value: string;
  /** The end of its range: past the line break of its last content line (`|+`: of its last empty line), or the text's end. */
  end: number;
}

type Chomping = "strip" | "clip" | "keep";

/** The header `|`/`>` at `p`, its indicators, then white space and a comment or nothing, up to `eol`. */
function header(text: string, p: number, eol: number): { folded: boolean; indent: number; chomping: Chomping } | undefined {
  const folded = text.charCodeAt(p) === 0x3e;
  let indent = 0;
  let chomping: Chomping = "clip";
  let q = p + 1;
  for (let i = 0; i < 2 && q < eol; i++, q++) {
    const c = text.charCodeAt(q);
    if (c >= 0x31 && c <= 0x39 && indent === 0) indent = c - 0x30;
    else if ((c === 0x2d || c === 0x2b) && chomping === "clip") chomping = c === 0x2d ? "strip" : "keep";
    else break;
  }
  if (q === eol) return { folded, indent, chomping };
  const c = text.charCodeAt(q);
  if (c !== 0x20 && c !== 0x09) return undefined;
  while (q < eol && (text.charCodeAt(q) === 0x20 || text.charCodeAt(q) === 0x09)) q++;
  // After the header only a comment may follow.
  if (q < eol && text.charCodeAt(q) !== 0x23) return undefined;
  return { folded, indent, chomping };
}

/** The number of spaces at `pos`, whether the line is nothing but spaces and whether a tab follows them; undefined for a line of white space with a tab. */
function lineIndent(text: string, pos: number, eol: number): { spaces: number; empty: boolean; tab: boolean } | undefined {
  let q = pos;
  while (q < eol && text.charCodeAt(q) === 0x20) q++;
  if (q < eol && text.charCodeAt(q) === 0x09) {
    let r = q;
    while (r < eol && (text.charCodeAt(r) === 0x20 || text.charCodeAt(r) === 0x09)) r++;
    // A line of white space with a tab, or a tab in the indentation: left to the package.
    if (r === eol) return undefined;
  }
  return { spaces: q - pos, empty: q === eol, tab: q < eol && text.charCodeAt(q) === 0x09 };
}

/** Lines of a folded scalar joined as YAML folds them: a single break between two lines of text becomes a space. */
function fold(lines: Array<string | null>): string {
  let out = "";
  let previous: string | undefined;
  let empties = 0;
  for (const line of lines) {
    if (line === null) {
      empties++;
      continue;
    }
    if (previous === undefined) out += "\n".repeat(empties);
    else {
      // A "more indented" line (starting with white space) keeps the breaks around it.
      const spaced = (s: string) => s.charCodeAt(0) === 0x20 || s.charCodeAt(0) === 0x09;
      out += spaced(previous) || spaced(line) ? "\n".repeat(empties + 1) : empties === 0 ? " " : "\n".repeat(empties);
    }
    out += line;
    previous = line;
    empties = 0;
  }
  return out;
}

/**
 * The block scalar whose header is at `p` (its line ending at `eol`), in a block collection at column
 * `parentIndent` (whose entries' content must be indented deeper).
 */
export function readBlockScalar(text: string, p: number, eol: number, parentIndent: number): BlockScalar | undefined {
  const h = header(text, p, eol);
  if (!h) return undefined;
  // Lines, null for an empty one; the indentation of the content (from the indicator, or the first line of text).
  const lines: Array<string | null> = [];
  let indent = h.indent > 0 ? parentIndent + h.indent : -1;
  let leadingSpaces = 0;
  let lastContentEnd = -1;
  let deepBlank = false;
  let pos = nextLineAt(text, eol);
  let stop = text.length;
  while (pos < text.length) {
    const lineEnd = lineEndAt(text, pos);
    const at = lineIndent(text, pos, lineEnd);
    // A tab where the indentation is counted: the yaml package reads the line as the scalar's, or as an error.
    if (!at || (at.tab && (indent < 0 || at.spaces < indent))) return undefined;
    if (indent < 0 && !at.empty) {
      // The first line of text sets the indentation; empty lines before it may not be deeper.
      if (at.spaces <= parentIndent || leadingSpaces > at.spaces) return undefined;
      indent = at.spaces;
    }
    if (indent < 0 || (at.empty && at.spaces <= indent)) {
      if (indent < 0) leadingSpaces = Math.max(leadingSpaces, at.spaces);
      lines.push(null);
    } else if (at.empty && lastContentEnd < 0) {
      // White space deeper than an indicator's indentation before any text.
      return undefined;
    } else if (at.spaces < indent) {
      // A line of text indented less: the scalar has ended.
      stop = pos;
      break;
    } else {
      lines.push(text.slice(pos + indent, lineEnd));
      lastContentEnd = nextLineAt(text, lineEnd);
      deepBlank = at.empty;
    }
    pos = nextLineAt(text, lineEnd);
  }
  // No text at all; or white space deeper than the text after its last line, which the package reads as text or not
  // depending on what follows.
  if (lastContentEnd < 0 || deepBlank) return undefined;
  let trailing = 0;
  while (lines[lines.length - 1 - trailing] === null) trailing++;
  const content = lines.slice(0, lines.length - trailing);
  const body = h.folded ? fold(content) : content.map((l) => l ?? "").join("\n");
  if (h.chomping === "strip") return { value: body, end: lastContentEnd };
  if (h.chomping === "clip") return { value: `${body}\n`, end: lastContentEnd };
  // `|+` keeps the empty lines after the text; one without a line break at the text's end is left to the package.
  const end = stop === text.length ? text.length : stop;
  if (end === text.length && text.charCodeAt(text.length - 1) !== 0x0a) return undefined;
  return { value: `${body}\n${"\n".repeat(trailing)}`, end };
}
