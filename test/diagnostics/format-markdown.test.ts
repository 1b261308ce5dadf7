import { describe, expect, it } from "vitest";
import { formatMarkdownSummary, pushWithin, SUMMARY_MAX_BYTES } from "../../src/diagnostics/format-markdown.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { RULES } from "../../src/config/rules.js";

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  ruleId: "torchao/group-size-conflict", severity: "error", message: "msg", file: "/repo/configs/a.json", pointer: "/group_size",
  line: 3, column: 5, endLine: 3, endColumn: 7, ...over,
});
const input = (diagnostics: Diagnostic[], files = ["/repo/configs/a.json", "/repo/configs/b.json"]) => ({
  diagnostics, sources: new Map(), filesChecked: files, rules: RULES, toolVersion: "0.0.0", cwd: "/repo",
});

describe("Markdown job summary", () => {
  it("lists every problem with a repo-relative location and a rule link", () => {
    const md = formatMarkdownSummary(input([
      d({}),
      d({ severity: "warning", ruleId: "lint/symmetric-unsigned", message: "a | b\nc <x>", file: "/repo/configs/b.json", line: 9, column: 1 }),
    ]));
    expect(md).toContain("1 error, 1 warning");
    expect(md).toContain("| ❌ error | `configs/a.json:3:5` | msg | [`torchao/group-size-conflict`](");
    expect(md).toContain("#torchao-group-size-conflict)");
    // Pipes, newlines and HTML cannot break the table.
    expect(md).toContain("a \\| b c &lt;x&gt;");
    const tableRows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| severity"));
    expect(tableRows).toHaveLength(2);
  });

  it("renders no link or image from a key or file name quoted from a config, and keeps a message's code spans as code", () => {
    const hostile = "FakeQuantizeConfig.__init__() got an unexpected keyword argument '![x](https://e.example/p.png)[approve](https://e.example)'";
    const md = formatMarkdownSummary(input([
      d({ message: hostile }),
      d({ message: "`re:[a-z`: unterminated character set; `(?<n>x)` is <b>JS</b>" }),
      d({ file: "/repo/a`[b](e.example)`.json" }),
    ]));
    const rows = md.split("\n").filter((l) => l.startsWith("| ❌"));
    expect(rows[0]).toContain("argument '\\!\\[x\\](https://e.example/p.png)\\[approve\\](https://e.example)'");
    // Inside code spans nothing renders: brackets and < stay as written; outside, HTML is escaped.
    expect(rows[1]).toContain("| `re:[a-z`: unterminated character set; `(?<n>x)` is &lt;b&gt;JS&lt;/b&gt; |");
    // A backtick in a file name cannot close the code span around the location.
    expect(rows[2]).toContain("| ``a`[b](e.example)`.json:3:5`` |");
  });

  it("names files from the repository root when run in a subdirectory of it", () => {
    const md = formatMarkdownSummary({ ...input([d({ file: "qat/w.fqc.json" })]), cwd: "/repo/configs", root: "/repo" });
    expect(md).toContain("| ❌ error | `configs/qat/w.fqc.json:3:5` |");
  });

  it("keeps all rows past GitHub's 10-annotation limit", () => {
    const many = Array.from({ length: 25 }, (_, i) => d({ line: i + 1 }));
    const md = formatMarkdownSummary(input(many));
    expect(md.split("\n").filter((l) => l.startsWith("| ❌"))).toHaveLength(25);
  });

  it("stays under GitHub's 1 MiB step summary limit on thousands of problems, saying how many rows it left out", () => {
    const message = "FakeQuantizeConfig.__init__() got an unexpected keyword argument 'group_sise'; did you mean `group_size`?";
    const many = Array.from({ length: 20_000 }, (_, i) => d({ file: `/repo/configs/c${i}.fqc.json`, message }));
    const md = formatMarkdownSummary(input(many));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(SUMMARY_MAX_BYTES).toBeLessThan(1024 * 1024);
    const rows = md.split("\n").filter((l) => l.startsWith("| ❌")).length;
    expect(rows).toBeGreaterThan(1000);
    expect(md).toContain("20000 errors");
    expect(md).toContain(`${20_000 - rows} more problems not in this table: GitHub takes at most 1 MiB of job summary`);
  });

  it("keeps whole rows within a smaller budget, and adds no note when every row fits", () => {
    const many = Array.from({ length: 50 }, (_, i) => d({ line: i + 1, message: "é".repeat(100) }));
    const md = formatMarkdownSummary(input(many), 4000);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(4000);
    const rows = md.split("\n").filter((l) => l.startsWith("| ❌"));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.endsWith(" |")).toBe(true);
    expect(md).toContain(`${50 - rows.length} more problems not in this table`);
    expect(formatMarkdownSummary(input(many))).not.toContain("not in this table");
  });

  it("is a heading, the totals, and a table with a warning row, code spans of any fence kept, an unclosed backtick escaped", () => {
    const md = formatMarkdownSummary(input([
      d({ severity: "warning", ruleId: "lint/eps", message: "m" }),
      // A double-backtick span holding a backtick, a single one, and a backtick that opens nothing; a file name with a run of two.
      d({ message: "a ``x`y``! b `c` and `open <b>", file: "/repo/``b`.json" }),
    ], ["/repo/configs/a.json"]));
    expect(md).toBe([
      "### fqc validate",
      "",
      "2 problems (1 error, 1 warning) in 2 files (2 files checked)",
      "",
      "| severity | where | problem | rule |",
      "|---|---|---|---|",
      "| ⚠️ warning | `configs/a.json:3:5` | m | [`lint/eps`](https://github.com/fqc-dev/fqc#lint-eps) |",
      "| ❌ error | ``` ``b`.json:3:5 ``` | a ``x`y``\\! b `c` and \\`open &lt;b&gt; | [`torchao/group-size-conflict`](https://github.com/fqc-dev/fqc#torchao-group-size-conflict) |",
      "",
    ].join("\n"));
  });

  it("puts a blank line between the table and the note on rows left out, so the note is no row of it", () => {
    const md = formatMarkdownSummary(input([d({}), d({})]), 380);
    expect(md.split("\n").slice(-5)).toEqual([
      "| severity | where | problem | rule |",
      "|---|---|---|---|",
      "",
      "2 more problems not in this table: GitHub takes at most 1 MiB of job summary (run `fqc validate`, or upload `--format sarif`, for the full list).",
      "",
    ]);
  });

  it("says so when clean", () => {
    expect(formatMarkdownSummary(input([]))).toContain("✔ 2 files checked: no problems");
  });
});

describe("pushWithin", () => {
  it("appends rows while the lines and rows, a newline after each, fit the budget in UTF-8 bytes", () => {
    // "ab\n" + "cd\n" + "éf\n" is 3 + 3 + 4 = 10 bytes.
    const fill = (budget: number) => {
      const lines = ["ab"];
      return [pushWithin(lines, ["cd", "éf", "gh"], budget), lines];
    };
    expect(fill(10)).toEqual([2, ["ab", "cd", "éf"]]);
    expect(fill(9)).toEqual([1, ["ab", "cd"]]);
    expect(fill(6)).toEqual([1, ["ab", "cd"]]);
    expect(fill(5)).toEqual([0, ["ab"]]);
  });
});
