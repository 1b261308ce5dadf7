import { describe, expect, it } from "vitest";
import { formatStylish } from "../../src/diagnostics/format-stylish.js";
import type { FormatInput } from "../../src/diagnostics/format-types.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { ANSI, CLEAN_FILE, DIAGNOSTICS, fixtureInput, NEWLINE_FILE, ODD_FILE, PAIR_FILE, PAIR_SOURCE, span, stripAnsi } from "./fixture.js";

const plain = formatStylish(fixtureInput(), { color: false });
const rows = plain.split("\n");

describe("formatStylish", () => {
  it("prints a header for each file with problems, and none for clean files", () => {
    expect(rows).toContain(PAIR_FILE);
    expect(rows).toContain(ODD_FILE);
    expect(rows).toContain("<stdin>");
    expect(plain).not.toContain(CLEAN_FILE);
    // Files appear in the order they were checked.
    expect(rows.indexOf(PAIR_FILE)).toBeLessThan(rows.indexOf(ODD_FILE));
  });

  it("prints line:col, severity, message and rule id on one row", () => {
    for (const d of DIAGNOSTICS) {
      const firstLine = d.message.split("\n")[0];
      const row = rows.find((r) => r.includes(firstLine));
      expect(row, d.message).toBeDefined();
      expect(row!).toMatch(new RegExp(`^  ${d.line}:${d.column}\\s+${d.severity}\\s+`));
      expect(row!.trimEnd().endsWith(d.ruleId)).toBe(true);
    }
  });

  it("aligns the severity and message columns within a file", () => {
    const pairRows = rows.filter((r) => /^ {2}\d+:\d+/.test(r) && (r.includes("per token") || r.includes("group_szie")));
    expect(pairRows).toHaveLength(2);
    expect(pairRows[0].indexOf("error")).toBe(pairRows[1].indexOf("error"));
  });

  it("prints the hint under the message", () => {
    const row = rows.findIndex((r) => r.includes("Unknown key 'group_szie'"));
    expect(rows[row + 1].trim()).toBe('hint: did you mean "group_size"?');
    expect(rows[row + 1].indexOf("hint")).toBe(rows[row].indexOf("Unknown"));
  });

  it("puts a code frame with the caret under the offending column", () => {
    const s = span(PAIR_SOURCE, '"group_szie"');
    const marked = rows.findIndex((r) => /^\s+>\s+9 \|/.test(r));
    expect(marked).toBeGreaterThan(0);
    const caret = rows[marked + 1];
    const bar = rows[marked].indexOf("|");
    // The source line starts with two tabs, expanded to 4-column stops.
    const shownLine = rows[marked].slice(bar + 2);
    expect(shownLine).toBe('        "group_szie": 32,');
    expect(shownLine.slice(caret.indexOf("^") - bar - 2)).toMatch(/^"group_szie"/);
    expect(caret.slice(caret.indexOf("^"))).toBe("^" + "~".repeat(s.endColumn - s.column - 1));
  });

  it("indents continuation lines of a multi-line message under the message", () => {
    const row = rows.findIndex((r) => r.includes("eps: 0 gives scale 0"));
    expect(rows[row + 1].trim()).toBe("then 1/0 = inf");
    expect(rows[row + 1].indexOf("then")).toBe(rows[row].indexOf("eps: 0 gives"));
  });

  it("keeps unicode and % intact, and shows a newline in a file name as a visible symbol", () => {
    expect(plain).toContain("configs/ünïcode 名前, v1:100%.yaml");
    expect(plain).toContain("100% NaN output");
    expect(rows).toContain("configs/odd\u240aname.json");
    expect(plain).not.toContain(NEWLINE_FILE);
  });

  it("prints no frame when the source text is not available", () => {
    const row = rows.findIndex((r) => r.includes("Unexpected token"));
    expect(rows[row + 1]).toBe("");
    expect(rows[row + 2]).toMatch(/^✖/);
  });

  it("ends with ESLint's summary line", () => {
    expect(rows.filter((r) => r !== "").at(-1)).toBe("✖ 5 problems (4 errors, 1 warning)");
    const onlyWarning = formatStylish(fixtureInput({ diagnostics: DIAGNOSTICS.filter((d) => d.severity === "warning") }), { color: false });
    expect(onlyWarning.trimEnd().split("\n").at(-1)).toBe("✖ 1 problem (0 errors, 1 warning)");
  });

  it("prints nothing for a clean run", () => {
    expect(formatStylish(fixtureInput({ diagnostics: [] }), { color: false })).toBe("");
  });

  it("never has two blank lines in a row, and ends with one newline", () => {
    expect(plain).not.toMatch(/\n\n\n/);
    expect(plain.endsWith("\n") && !plain.endsWith("\n\n")).toBe(true);
  });

  it("uses no ANSI escapes without colour; with colour it differs only by escapes", () => {
    expect(plain).not.toMatch(ANSI);
    const coloured = formatStylish(fixtureInput(), { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain("\x1b[31merror");
    expect(coloured).toContain("\x1b[33mwarning");
    expect(stripAnsi(coloured)).toBe(plain);
  });

  it("neutralises escape sequences inside messages", () => {
    const evil = { ...DIAGNOSTICS[0], message: "bad \x1b[2J key" };
    const out = formatStylish(fixtureInput({ diagnostics: [evil] }), { color: false });
    expect(out).not.toContain("\x1b");
    expect(out).toContain("bad \u241b[2J key");
  });
});

describe("formatStylish, whole output", () => {
  // A byte-order mark, an error with a two-line hint (CRLF) and a warning whose message has a lone CR.
  const source = '\ufeff{\n  "eps": 0,\n  "group_szie": 32\n}\n';
  const unknownKey: Diagnostic = {
    ruleId: "fqc/unknown-key", severity: "error", message: "Unknown key 'group_szie'", hint: 'did you mean "group_size"?\r\nor drop it',
    file: "q.json", pointer: "/group_szie", line: 3, column: 3, endLine: 3, endColumn: 15,
  };
  const eps: Diagnostic = { ruleId: "lint/eps", severity: "warning", message: "eps: 0 gives\rscale 0", file: "q.json", pointer: "/eps", line: 2, column: 10, endLine: 2, endColumn: 11 };
  const input = (diagnostics: Diagnostic[], over: Partial<FormatInput> = {}): FormatInput => ({
    diagnostics, sources: new Map([["q.json", source]]), filesChecked: ["q.json"], rules: [], toolVersion: "0.1.0", cwd: "/repo", ...over,
  });

  it("aligns rows by the widest position and severity of the file, splits CR and CRLF in messages and hints, and frames without the BOM", () => {
    expect(formatStylish(input([unknownKey, eps]), { color: false }).split("\n")).toEqual([
      "q.json",
      "  3:3   error    Unknown key 'group_szie'  fqc/unknown-key",
      '                 hint: did you mean "group_size"?',
      "                       or drop it",
      "",
      "      1 | {",
      '      2 |   "eps": 0,',
      '    > 3 |   "group_szie": 32',
      "        |   ^~~~~~~~~~~~",
      "      4 | }",
      "",
      "  2:10  warning  eps: 0 gives  lint/eps",
      "                 scale 0",
      "",
      "      1 | {",
      '    > 2 |   "eps": 0,',
      "        |          ^",
      '      3 |   "group_szie": 32',
      "      4 | }",
      "",
      "✖ 2 problems (1 error, 1 warning)",
      "",
    ]);
  });

  it("pads the severity to the width of \"error\" when a file has no warning", () => {
    const rows = formatStylish(input([unknownKey], { sources: new Map() }), { color: false }).split("\n");
    expect(rows.slice(0, 3)).toEqual(["q.json", "  3:3  error  Unknown key 'group_szie'  fqc/unknown-key", '              hint: did you mean "group_size"?']);
  });

  it("lists a file whose problems were all left out, with how many", () => {
    const out = formatStylish(input([], { unlisted: new Map([["q.json", { errorCount: 0, warningCount: 3 }]]) }), { color: false });
    expect(out).toBe("q.json\n  … and 3 more not listed (at most 100 per file)\n\n✖ 3 problems (0 errors, 3 warnings), 3 more not listed (at most 100 per file)\n");
  });

  it("colours a warning's frame marker and the closing line yellow when there is no error, red when there is one", () => {
    const warned = formatStylish(input([eps]), { color: true });
    expect(warned).not.toContain("\x1b[31m");
    expect(warned).toContain("\x1b[1m\x1b[33m^\x1b[39m\x1b[22m");
    expect(warned.trimEnd().split("\n").at(-1)).toBe("\x1b[1m\x1b[33m✖ 1 problem (0 errors, 1 warning)\x1b[39m\x1b[22m");
    const failed = formatStylish(input([unknownKey, eps]), { color: true });
    expect(failed).toContain("\x1b[1m\x1b[31m^~~~~~~~~~~~\x1b[39m\x1b[22m");
    expect(failed.trimEnd().split("\n").at(-1)).toBe("\x1b[1m\x1b[31m✖ 2 problems (1 error, 1 warning)\x1b[39m\x1b[22m");
  });
});
