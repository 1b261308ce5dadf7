import { describe, expect, it } from "vitest";
import { escapeData, escapeProperty, formatGithub } from "../../src/diagnostics/format-github.js";
import { messageWithHint } from "../../src/diagnostics/format-types.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { DIAGNOSTICS, fixtureInput, ODD_FILE, PAIR_FILE } from "./fixture.js";

/** The workflow-command grammar: `::name key=value,key=value::data`, one physical line. */
const COMMAND = /^::([a-z]+)(?: ([^:]*))?::(.*)$/;

const unescapeData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
const unescapeProperty = (s: string) => unescapeData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));

function parseCommand(line: string) {
  const m = COMMAND.exec(line);
  if (!m) return null;
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
    const eq = kv.indexOf("=");
    props[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1));
  }
  return { command: m[1], props, message: unescapeData(m[3]) };
}

const out = formatGithub(fixtureInput());
const lines = out.trimEnd().split("\n");

describe("formatGithub", () => {
  it("prints one single-line command per diagnostic and a plain summary line", () => {
    expect(lines).toHaveLength(DIAGNOSTICS.length + 1);
    const commands = lines.slice(0, -1).map(parseCommand);
    expect(commands.every((c) => c !== null)).toBe(true);
    expect(parseCommand(lines.at(-1)!)).toBeNull();
    expect(lines.at(-1)).toBe("fqc: 5 problems (4 errors, 1 warning) in 4 files (5 files checked)");
  });

  it("unescapes back to the original message (with hint), rule title and file", () => {
    const commands = lines.slice(0, -1).map((l) => parseCommand(l)!);
    DIAGNOSTICS.forEach((d, i) => {
      const c = commands[i];
      expect(c.command).toBe(d.severity);
      expect(c.message).toBe(messageWithHint(d));
      expect(c.props.title).toBe(d.ruleId);
      if (d.file !== "<stdin>") expect(c.props.file).toBe(d.file);
    });
  });

  it("escapes :, , and % in file names and % and newlines in messages", () => {
    const odd = lines.find((l) => l.includes("v1"))!;
    expect(odd).toContain("file=configs/ünïcode 名前%2C v1%3A100%25.yaml,");
    expect(odd).toContain("100%25 NaN output,%0Athen");
    expect(lines.some((l) => l.includes("file=configs/odd%0Aname.json,"))).toBe(true);
  });

  it("gives line, endLine and columns with an inclusive end column", () => {
    const c = parseCommand(lines[1])!;
    const d = DIAGNOSTICS[1];
    expect(c.props).toMatchObject({ file: PAIR_FILE, line: String(d.line), endLine: String(d.endLine), col: String(d.column), endColumn: String(d.endColumn - 1) });
    // A one-character range starts and ends on the same column.
    const odd = parseCommand(lines[2])!;
    expect(odd.props.file).toBe(ODD_FILE);
    expect(odd.props.col).toBe(odd.props.endColumn);
  });

  it("omits columns for a multi-line range, as the runner requires", () => {
    const multi: Diagnostic = { ...DIAGNOSTICS[0], line: 7, column: 13, endLine: 11, endColumn: 4 };
    const c = parseCommand(formatGithub(fixtureInput({ diagnostics: [multi] })).split("\n")[0])!;
    expect(c.props).toEqual({ file: PAIR_FILE, line: "7", endLine: "11", title: multi.ruleId });
  });

  it("makes absolute paths under cwd repo-relative and leaves stdin without a file", () => {
    const abs: Diagnostic = { ...DIAGNOSTICS[1], file: "/repo/configs/8da4w.json" };
    const c = parseCommand(formatGithub(fixtureInput({ diagnostics: [abs] })).split("\n")[0])!;
    expect(c.props.file).toBe("configs/8da4w.json");
    const stdin = parseCommand(lines[4])!;
    expect(stdin.props).toEqual({ title: "fqc/syntax" });
  });

  it("names files from the repository root when run in a subdirectory of it", () => {
    const sub: Diagnostic = { ...DIAGNOSTICS[1], file: "qat/w.fqc.json" };
    const c = parseCommand(formatGithub(fixtureInput({ diagnostics: [sub], cwd: "/repo/configs", root: "/repo" })).split("\n")[0])!;
    expect(c.props.file).toBe("configs/qat/w.fqc.json");
  });

  it("keeps every annotation past GitHub's 10-per-step limit and states the totals", () => {
    const many: Diagnostic[] = Array.from({ length: 25 }, (_, i) => ({ ...DIAGNOSTICS[1], line: i + 1, endLine: i + 1 }));
    const warnings: Diagnostic[] = Array.from({ length: 3 }, () => ({ ...DIAGNOSTICS[2] }));
    const text = formatGithub(fixtureInput({ diagnostics: [...many, ...warnings] })).trimEnd().split("\n");
    expect(text.filter((l) => l.startsWith("::error "))).toHaveLength(25);
    expect(text.filter((l) => l.startsWith("::warning "))).toHaveLength(3);
    expect(text.at(-1)).toMatch(/^fqc: 28 problems \(25 errors, 3 warnings\) in 2 files \(5 files checked\); GitHub shows only the first 10/);
  });

  it("adds the note on GitHub's limit only past 10 errors or past 10 warnings", () => {
    const last = (errors: number, warnings: number) => {
      const ds = [...Array.from({ length: errors }, () => DIAGNOSTICS[1]), ...Array.from({ length: warnings }, () => DIAGNOSTICS[2])];
      return formatGithub(fixtureInput({ diagnostics: ds })).trimEnd().split("\n").at(-1)!;
    };
    expect(last(10, 10)).toBe("fqc: 20 problems (10 errors, 10 warnings) in 2 files (5 files checked)");
    expect(last(11, 0)).toContain("; GitHub shows only the first 10 errors and 10 warnings of a step as annotations, all are listed above");
    expect(last(0, 11)).toContain("; GitHub shows only the first 10 errors and 10 warnings of a step as annotations, all are listed above");
  });

  it("clamps positions below 1 and an end before the start, and keeps a file outside the repository as given", () => {
    const props = (d: Diagnostic) => parseCommand(formatGithub(fixtureInput({ diagnostics: [d] })).split("\n")[0])!.props;
    expect(props({ ...DIAGNOSTICS[1], line: 0, column: 0, endLine: 0, endColumn: 0 })).toMatchObject({ line: "1", endLine: "1", col: "1", endColumn: "1" });
    expect(props({ ...DIAGNOSTICS[1], line: 4, column: 9, endLine: 2, endColumn: 3 })).toMatchObject({ line: "4", endLine: "4", col: "9", endColumn: "9" });
    // An empty range (end column equal to the start) still marks its one column.
    expect(props({ ...DIAGNOSTICS[1], line: 4, column: 9, endLine: 4, endColumn: 9 })).toMatchObject({ col: "9", endColumn: "9" });
    expect(props({ ...DIAGNOSTICS[1], file: "../elsewhere/w.json" }).file).toBe("../elsewhere/w.json");
  });

  it("says so when there is nothing to report", () => {
    expect(formatGithub(fixtureInput({ diagnostics: [] }))).toBe("fqc: 5 files checked, no problems\n");
  });
});

describe("workflow-command escaping", () => {
  it("matches actions/toolkit: data escapes % CR LF, properties also : and ,", () => {
    expect(escapeData("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext: a,b");
    expect(escapeProperty("100% done\r\nnext: a,b")).toBe("100%25 done%0D%0Anext%3A a%2Cb");
    // % is escaped first, so an existing escape-looking text survives a round trip.
    expect(unescapeData(escapeData("%0A literal"))).toBe("%0A literal");
    expect(unescapeProperty(escapeProperty("%3A,:"))).toBe("%3A,:");
  });
});
