import { describe, expect, it } from "vitest";
import { codeFrame } from "../../src/diagnostics/codeframe.js";
import { displayWidth } from "../../src/diagnostics/display-width.js";
import { ANSI, stripAnsi } from "./fixture.js";

const plain = { color: false } as const;

/** Splits a frame into rows of {marked, lineNo, text} and the underline row. */
function parse(frame: string) {
  const rows = frame.split("\n");
  const markerIdx = rows.findIndex((r) => /^\s+\|\s*\^/.test(r) || /^ +\| +\^/.test(r));
  const marker = rows[markerIdx];
  const marked = rows[markerIdx - 1];
  const bar = marked.indexOf("|");
  const content = (row: string) => row.slice(bar + 2);
  const caretAt = marker.indexOf("^") - (bar + 2);
  const underline = marker.slice(marker.indexOf("^")).trimEnd();
  return { rows, marked, markedText: content(marked), caretAt, underline, lineNos: rows.filter((r) => r !== marker).map((r) => Number(r.slice(1, bar).trim())) };
}

const SRC = ['{', '  "dtype": "int4",', '  "group_szie": 32,', '  "mapping_type": "SYMMETRIC"', "}"].join("\n");

describe("codeFrame", () => {
  it("marks the line with > and puts ^~~~ under exactly the range", () => {
    const f = parse(codeFrame(SRC, 3, 3, 3, 15, plain));
    expect(f.marked.startsWith(">")).toBe(true);
    expect(f.markedText.slice(f.caretAt, f.caretAt + f.underline.length)).toBe('"group_szie"');
    expect(f.underline).toBe("^" + "~".repeat(11));
  });

  it("shows two lines of context with a right-aligned line-number gutter", () => {
    const f = parse(codeFrame(SRC, 3, 3, 3, 15, plain));
    expect(f.lineNos).toEqual([1, 2, 3, 4, 5]);
    const g = parse(codeFrame(SRC, 1, 1, 1, 2, { color: false, contextLines: 1 }));
    expect(g.lineNos).toEqual([1, 2]);
    const many = Array.from({ length: 12 }, (_, i) => `"line${i + 1}"`).join("\n");
    const h = codeFrame(many, 10, 1, 10, 9, plain);
    expect(h.split("\n")[0]).toBe("   8 | \"line8\"");
    expect(h).toContain('> 10 | "line10"');
  });

  it("expands tabs so the caret stays under the token", () => {
    const src = '{\n\t\t"group_szie": 32\n}';
    const f = parse(codeFrame(src, 2, 3, 2, 15, plain));
    expect(f.markedText).toBe('        "group_szie": 32');
    expect(f.markedText.slice(f.caretAt, f.caretAt + f.underline.length)).toBe('"group_szie"');
    // A tab after text advances to the next tab stop only.
    const g = parse(codeFrame('ab\t"x"', 1, 4, 1, 7, { color: false, tabWidth: 4 }));
    expect(g.markedText).toBe('ab  "x"');
    expect(g.caretAt).toBe(4);
  });

  it("gives the same frame for CRLF, LF and lone-CR line breaks", () => {
    const lf = codeFrame(SRC, 3, 3, 3, 15, plain);
    expect(codeFrame(SRC.replace(/\n/g, "\r\n"), 3, 3, 3, 15, plain)).toBe(lf);
    expect(codeFrame(SRC.replace(/\n/g, "\r"), 3, 3, 3, 15, plain)).toBe(lf);
    expect(lf).not.toContain("\r");
  });

  it("clamps a range past the end of the line to just after its last character", () => {
    const f = parse(codeFrame(SRC, 2, 40, 2, 60, plain));
    expect(f.caretAt).toBe('  "dtype": "int4",'.length);
    expect(f.underline).toBe("^");
    const g = parse(codeFrame(SRC, 2, 12, 2, 99, plain));
    expect(f.markedText).toBe('  "dtype": "int4",');
    expect(g.markedText.slice(g.caretAt)).toBe('"int4",');
    expect(g.underline.length).toBe('"int4",'.length);
  });

  it("clamps a line past the end of the file to the last line, and nonsense positions to the start", () => {
    const f = parse(codeFrame(SRC, 99, 1, 99, 2, plain));
    expect(f.marked).toMatch(/^> 5 \| \}$/);
    const g = parse(codeFrame(SRC, 0, -3, 0, NaN, plain));
    expect(g.marked).toMatch(/^> 1 \| \{$/);
    expect(g.caretAt).toBe(0);
  });

  it("underlines a multi-line range to the end of its first line", () => {
    const src = '{\n  "weight": {\n    "dtype": "int4"\n  }\n}';
    const f = parse(codeFrame(src, 2, 13, 4, 4, plain));
    expect(f.markedText.slice(f.caretAt)).toBe("{");
    expect(f.underline).toBe("^");
    const g = parse(codeFrame(src, 2, 3, 4, 4, plain));
    expect(g.underline.length).toBe('"weight": {'.length);
  });

  it("draws a single caret for an empty range and for an end before the start", () => {
    expect(parse(codeFrame(SRC, 3, 3, 3, 3, plain)).underline).toBe("^");
    expect(parse(codeFrame(SRC, 3, 9, 2, 1, plain)).underline).toBe("^");
  });

  it("frames an empty file", () => {
    const frame = codeFrame("", 1, 1, 1, 1, plain);
    expect(frame).toBe("> 1 |\n    | ^");
  });

  it("cuts very long lines around the range, with ellipses, keeping the caret aligned", () => {
    const long = '{"values": [' + Array.from({ length: 400 }, (_, i) => i).join(", ") + '], "group_szie": 32}';
    const col = long.indexOf('"group_szie"') + 1;
    const frame = codeFrame(long, 1, col, 1, col + 12, { color: false, maxWidth: 80 });
    const f = parse(frame);
    expect(f.markedText.startsWith("…")).toBe(true);
    expect(f.markedText.length).toBeLessThanOrEqual(81);
    expect(f.markedText.slice(f.caretAt, f.caretAt + f.underline.length)).toBe('"group_szie"');
    const early = parse(codeFrame(long, 1, 2, 1, 10, { color: false, maxWidth: 80 }));
    expect(early.markedText.endsWith("…")).toBe(true);
    expect(early.markedText.startsWith("{")).toBe(true);
    expect(early.markedText.slice(early.caretAt, early.caretAt + 8)).toBe('"values"');
  });

  it("aligns the caret after wide CJK characters and emoji", () => {
    const src = '{"名前": "😀x", "k": 1}';
    const col = src.indexOf('"k"') + 1;
    const f = parse(codeFrame(src, 1, col, 1, col + 3, plain));
    // Display columns: 名 and 前 and 😀 take two cells each.
    const prefix = src.slice(0, col - 1);
    // 名 and 前 are one code unit but two cells; 😀 is two code units and two cells.
    expect(f.caretAt).toBe(prefix.length + 2);
    expect(f.markedText.slice(0, 4)).toBe('{"名前');
    expect(f.underline).toBe("^~~");
    // A range over the emoji is two cells wide.
    const e = src.indexOf("😀") + 1;
    expect(parse(codeFrame(src, 1, e, 1, e + 2, plain)).underline).toBe("^~");
  });

  it("measures combining marks as zero and fullwidth forms as two cells", () => {
    const src = '"e\u0301", "k"';
    const col = src.indexOf('"k"') + 1;
    expect(parse(codeFrame(src, 1, col, 1, col + 3, plain)).caretAt).toBe(src.length - 3 - 1);
    const wide = '"\uff21", "k"';
    expect(parse(codeFrame(wide, 1, wide.indexOf('"k"') + 1, 1, wide.length + 1, plain)).caretAt).toBe(wide.length - 3 + 1);
  });

  it("counts every character's cells as the report's tables do, emoji of every block and vertical forms included", () => {
    // The caret after 🚀, ❌ or 🫠 stood one cell left of the token: the frame knew fewer wide characters than displayWidth.
    for (const c of ["😀", "🚀", "❌", "⚡", "🫠", "🇩🇪", "\ufe10", "\ua960", "\ufe50", "漢", "e\u0301", "\u200d", "é", "\u{1D430}"]) {
      const src = `{"a": "${c}", "k": 1}`;
      const col = src.indexOf('"k"') + 1;
      const f = parse(codeFrame(src, 1, col, 1, col + 3, plain));
      // The caret is as many cells in as the shown line's text before the token takes.
      expect(f.markedText, c).toBe(src);
      expect(f.caretAt, c).toBe(displayWidth(src.slice(0, col - 1)));
    }
  });

  it("shows control characters from the file as visible symbols, never raw escapes", () => {
    const src = '{"a\u001b[31m": 1}';
    const frame = codeFrame(src, 1, 2, 1, 10, plain);
    expect(frame).not.toContain("\u001b");
    expect(frame).toContain("\u241b[31m");
  });

  it("shows bidi controls and line separators from the file as escapes, with the caret still under the token", () => {
    // Raw, U+202E would show the rest of the framed line reversed, and U+2028 may break it.
    const src = '{"gro\u202eup\u2066": 1, "x\u2028y": 2, "k": 3}';
    const col = src.indexOf('"k"') + 1;
    const f = parse(codeFrame(src, 1, col, 1, col + 3, plain));
    expect(f.markedText).toBe('{"gro\\u202eup\\u2066": 1, "x\\u2028y": 2, "k": 3}');
    expect(f.markedText.slice(f.caretAt, f.caretAt + f.underline.length)).toBe('"k"');
    expect(codeFrame(src, 1, 2, 1, 12, plain)).not.toMatch(/[\u202e\u2066\u2028]/);
  });

  it("emits no ANSI escapes without colour and coloured markers with it", () => {
    expect(codeFrame(SRC, 3, 3, 3, 15, plain)).not.toMatch(ANSI);
    const coloured = codeFrame(SRC, 3, 3, 3, 15, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain("\x1b[31m");
    expect(codeFrame(SRC, 3, 3, 3, 15, { color: true, severity: "warning" })).toContain("\x1b[33m");
    expect(stripAnsi(coloured)).toBe(codeFrame(SRC, 3, 3, 3, 15, plain));
  });
});

describe("codeFrame at the edges of its window", () => {
  it("shows a line exactly as wide as the window whole, with no ellipsis", () => {
    const rows = codeFrame(`${"x".repeat(100)}\nab`, 1, 90, 1, 92, plain).split("\n");
    expect(rows[0]).toBe(`> 1 | ${"x".repeat(100)}`);
    expect(rows[1]).toBe(`    | ${" ".repeat(89)}^~`);
  });

  it("keeps a long line's start in view when the range fits there, and moves only for a range past the window", () => {
    const line = `${"a".repeat(40)}ERR${"z".repeat(200)}`;
    expect(codeFrame(line, 1, 41, 1, 44, { color: false, maxWidth: 80 }).split("\n")).toEqual([
      `> 1 | ${"a".repeat(40)}ERR${"z".repeat(37)}…`,
      `    | ${" ".repeat(40)}^~~`,
    ]);
    // Ending on the window's last cell still fits; one cell further moves the window.
    expect(codeFrame(line, 1, 78, 1, 81, { color: false, maxWidth: 80 }).split("\n")[0]).toBe(`> 1 | ${line.slice(0, 80)}…`);
    expect(codeFrame(line, 1, 79, 1, 82, { color: false, maxWidth: 80 }).split("\n")[0]).toMatch(/^> 1 \| …/);
  });

  it("cuts a context line at the window's right edge, as the marked line is cut", () => {
    expect(codeFrame("0123456789abc\nxy", 2, 1, 2, 2, { color: false, maxWidth: 10 }).split("\n")).toEqual(["  1 | 0123456789…", "> 2 | xy", "    | ^"]);
    expect(codeFrame(`${"c".repeat(120)}\nxy`, 2, 1, 2, 2, plain).split("\n")[0]).toBe(`  1 | ${"c".repeat(100)}…`);
  });

  it("frames a long line cut on the left beside an empty context line", () => {
    expect(codeFrame(`\n${"x".repeat(300)}ERR`, 2, 301, 2, 304, { color: false, maxWidth: 80 }).split("\n")).toEqual([
      "  1 |",
      `> 2 | …${"x".repeat(26)}ERR`,
      `    | ${" ".repeat(27)}^~~`,
    ]);
  });

  it("counts U+FFFF as one code unit and an end line before the start as an empty range", () => {
    expect(parse(codeFrame('"\uffff", "k"', 1, 6, 1, 9, plain)).underline).toBe("^~~");
    expect(parse(codeFrame('"\uffff", "k"', 1, 6, 1, 9, plain)).caretAt).toBe(5);
    expect(parse(codeFrame('{"a": 1, "kk": 2}', 1, 10, 0, 14, plain)).underline).toBe("^");
  });
});

describe("codeFrame at the end of a file", () => {
  it("does not show the empty remainder after a final newline as context", () => {
    const frame = codeFrame("a: 1\nb: 2\n", 2, 4, 2, 5, plain);
    expect(frame.split("\n").map((r) => r.slice(0, 4))).toEqual(["  1 ", "> 2 ", "    "]);
    // ...but a position on that last empty line is still framed.
    expect(codeFrame("a: 1\n", 2, 1, 2, 1, plain)).toBe("  1 | a: 1\n> 2 |\n    | ^");
  });
});
