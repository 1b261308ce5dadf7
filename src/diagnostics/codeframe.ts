/**
 * A code frame: a few lines of source around a position, with a line-number
 * gutter and `^~~~` under the offending range.
 *
 *     1 | {
 *   > 2 |   "group_szie": 32,
 *       |   ^~~~~~~~~~~~
 *     3 | }
 *
 * Positions are 1-based; columns count UTF-16 code units (what momoa and the
 * yaml package report) and the end column is exclusive. The frame works in
 * display columns: tabs expand to tab stops, other characters take the cells
 * display-width.ts gives them (the report's tables count the same: wide CJK
 * and emoji two, combining marks none), control characters are shown as
 * visible pictures, bidi controls and line separators as escapes (\u202e).
 * Every position is clamped into the text, so a stale or sloppy range still
 * yields a frame instead of throwing.
 */
import { displayWidth } from "./display-width.js";
import { paint, visibleControls } from "./format-ansi.js";
import { oneLine } from "./one-line.js";
import type { Severity } from "./types.js";

export interface CodeFrameOptions {
  color: boolean;
  /** Colour of the marker; default "error" (red). */
  severity?: Severity;
  /** Lines shown before and after the marked line (default 2). */
  contextLines?: number;
  /** Maximum display width of the source text per line (default 100); longer lines are cut around the range. */
  maxWidth?: number;
  /** Tab stop width (default 4). */
  tabWidth?: number;
  /** The source's line index (`lineIndex(source)`), when several frames of one source are drawn: each then costs only its lines. */
  lines?: LineIndex;
}

/** Where each line of a text starts: built once per source, so a frame needs no scan of the whole text. */
export interface LineIndex {
  readonly text: string;
  /** Offset of the first character of each line; a final entry one past the text's end. */
  readonly starts: readonly number[];
}

/** The same line breaks momoa counts: CRLF, LF and a lone CR. */
export function lineIndex(text: string): LineIndex {
  const starts = [0];
  const re = /\r\n|\r|\n/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) starts.push(m.index + m[0].length);
  starts.push(text.length + 1);
  return { text, starts };
}

function lineCount(index: LineIndex): number {
  return index.starts.length - 1;
}

/** Line n (1-based) without its line break. */
function lineText(index: LineIndex, n: number): string {
  const start = index.starts[n - 1];
  let end = index.starts[n] - 1; // the break, or one past the end for the last line
  if (end > index.text.length) end = index.text.length;
  else if (index.text[end] === "\n" && index.text[end - 1] === "\r") end--;
  return index.text.slice(start, end);
}

/** One rendered character: its text, display width and the code-unit span it came from. */
interface Cell {
  text: string;
  width: number;
  /** Display column (0-based) where the cell starts. */
  col: number;
  cuStart: number;
  cuEnd: number;
}

const ELLIPSIS = "…";

export function codeFrame(
  source: string,
  line: number,
  column: number,
  endLine: number,
  endColumn: number,
  opts: CodeFrameOptions,
): string {
  const p = paint(opts.color);
  const context = Math.max(0, opts.contextLines ?? 2);
  const maxWidth = Math.max(8, opts.maxWidth ?? 100);
  const tabWidth = Math.max(1, opts.tabWidth ?? 4);
  const severity = opts.severity ?? "error";

  const index = opts.lines?.text === source ? opts.lines : lineIndex(source);
  const count = lineCount(index);
  const lineNo = clampInt(line, 1, count);
  const fullText = lineText(index, lineNo);

  let start = clampInt(column, 1, fullText.length + 1) - 1;
  let end: number;
  if (endLine > lineNo) end = fullText.length; // multi-line range: underline to the end of the first line
  else if (endLine === lineNo) end = clampInt(endColumn, 1, fullText.length + 1) - 1;
  else end = start;
  if (end < start) end = start;
  // Only a stretch of a very long line (a minified file, a 1 MB key) can be shown: lay out just that stretch, so a frame costs
  // the same on any line. Cut at a tab or wide character, the columns of the stretch may differ by a few from the full line's.
  const reach = 2 * maxWidth;
  const sliceStart = start > reach ? start - reach : 0;
  const sliceEnd = Math.min(fullText.length, Math.min(end, start + reach) + reach);
  const text = fullText.slice(sliceStart, sliceEnd);
  start -= sliceStart;
  end = Math.min(end, sliceEnd) - sliceStart;

  const cells = layout(text, tabWidth);
  const lineWidth = widthOf(cells);
  const caretCol = displayColumn(cells, start, lineWidth);
  const caretEndCol = Math.max(caretCol + 1, displayColumn(cells, end, lineWidth));

  // A horizontal window (in display columns) that keeps the range in view on very long lines. It moves only when the range
  // does not fit from the line's start: the start of a line (its indentation, its key) is what a reader recognizes it by.
  let winStart = 0;
  if (caretEndCol > maxWidth) {
    winStart = Math.max(0, caretCol - Math.floor(maxWidth / 3));
  }
  const winEnd = winStart + maxWidth;
  const clipped = winStart > 0;

  const first = Math.max(1, lineNo - context);
  // The empty "line" after a final newline is not worth a context row.
  const lastReal = count > 1 && index.starts[count - 1] === source.length && lineNo < count ? count - 1 : count;
  const last = Math.min(lastReal, lineNo + context);
  const gutterWidth = String(last).length;
  const out: string[] = [];

  for (let n = first; n <= last; n++) {
    const shown = clip(n === lineNo ? cells : layout(contextText(lineText(index, n), sliceStart, winEnd), tabWidth), winStart, winEnd, clipped);
    const marker = n === lineNo ? p.bold(p.severity(severity, ">")) : " ";
    const gutter = p.gray(`${String(n).padStart(gutterWidth)} |`);
    out.push(`${marker} ${gutter}${shown === "" ? "" : " " + shown}`);
    if (n === lineNo) {
      const from = Math.max(caretCol, winStart) - winStart;
      const to = Math.min(caretEndCol, winEnd) - winStart;
      const width = Math.max(1, to - from);
      const underline = "^" + "~".repeat(width - 1);
      const pad = " ".repeat(from + (clipped ? ELLIPSIS.length : 0));
      out.push(`  ${p.gray(`${" ".repeat(gutterWidth)} |`)} ${pad}${p.bold(p.severity(severity, underline))}`);
    }
  }
  return out.join("\n");
}

/** The stretch of a context line under the marked line's stretch: from the same offset, and no more than the window can show (with a margin for zero-width characters). */
function contextText(text: string, from: number, rightEdge: number): string {
  return text.slice(from, from + 2 * rightEdge + 64);
}

function clampInt(v: number, lo: number, hi: number): number {
  const n = Number.isFinite(v) ? Math.trunc(v) : lo;
  return n < lo ? lo : n > hi ? hi : n;
}

function layout(text: string, tabWidth: number): Cell[] {
  const cells: Cell[] = [];
  let col = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    let shown: string;
    let width: number;
    if (cp === 0x09) {
      width = tabWidth - (col % tabWidth);
      shown = " ".repeat(width);
    } else {
      const c = String.fromCodePoint(cp);
      shown = visibleControls(c);
      // A bidi control or line separator, which visibleControls leaves as is, would reorder or break the framed line:
      // escaped as in messages.
      if (shown === c && oneLine(c) !== c) shown = oneLine(c);
      width = displayWidth(shown);
    }
    cells.push({ text: shown, width, col, cuStart: i, cuEnd: i + size });
    col += width;
    i += size;
  }
  return cells;
}

function widthOf(cells: Cell[]): number {
  const lastCell = cells[cells.length - 1];
  return lastCell === undefined ? 0 : lastCell.col + lastCell.width;
}

/** Display column of a code-unit offset; offsets inside a surrogate pair map to the pair's cell. */
function displayColumn(cells: Cell[], cu: number, lineWidth: number): number {
  for (const c of cells) if (cu < c.cuEnd) return c.col;
  return lineWidth;
}

/** The cells that fit entirely in [winStart, winEnd), with an ellipsis where text was cut. */
function clip(cells: Cell[], winStart: number, winEnd: number, clipped: boolean): string {
  let s = "";
  let cursor = winStart;
  let cutRight = false;
  for (const c of cells) {
    if (c.col < winStart) continue;
    if (c.col + c.width > winEnd) {
      cutRight = true;
      break;
    }
    s += " ".repeat(c.col - cursor) + c.text; // a wide char or tab straddling winStart leaves a gap
    cursor = c.col + c.width;
  }
  const hasLeft = cells.length > 0 && cells[0].col < winStart;
  const prefix = clipped ? (hasLeft ? ELLIPSIS : " ".repeat(ELLIPSIS.length)) : "";
  const line = prefix + s + (cutRight ? ELLIPSIS : "");
  return line.trimEnd();
}
