import { describe, expect, it } from "vitest";
import { formatMarkdownSummary } from "../../src/diagnostics/format-markdown.js";
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

  it("says so when clean", () => {
    expect(formatMarkdownSummary(input([]))).toContain("✔ 2 files checked: no problems");
  });
});
