/**
 * A Markdown report for GitHub's job summary ($GITHUB_STEP_SUMMARY): the
 * totals and a table of every problem, so nothing is lost to GitHub's limit
 * of 10 annotations per severity and step.
 */
import type { FormatInput } from "./format-types.js";
import { repoRelativePath, ruleHelpUri, TOOL_NAME } from "./format-types.js";
import { plural, problemsText, summarize, unlistedText } from "./summary.js";

/**
 * GitHub refuses a step summary over 1 MiB (1024k), dropping all of it with an error annotation. The table
 * stops short of that, leaving room for what other commands of the same step append.
 */
export const SUMMARY_MAX_BYTES = 900 * 1024;

/**
 * Appends `rows` to `lines` while all of them together, a newline after each, stay within `budget` bytes of UTF-8;
 * stops at the first row that does not fit (rows stay in order). Returns how many rows were appended.
 */
export function pushWithin(lines: string[], rows: Iterable<string>, budget: number): number {
  let bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  let pushed = 0;
  for (const row of rows) {
    bytes += Buffer.byteLength(row) + 1;
    if (bytes > budget) break;
    lines.push(row);
    pushed++;
  }
  return pushed;
}

/** One line of a table cell: no line breaks; no unescaped pipe, which GFM reads as a cell border even inside code. */
function oneCellLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, " ").replace(/\|/g, "\\|");
}

/**
 * A message as a table cell. Code spans (`group_size`) stay code, where nothing renders; outside them HTML is
 * escaped and so are `[`, `]` and `!`, so a key or value quoted from a file (a pull request's) cannot become a
 * link or an image in the job summary.
 */
function messageCell(message: string): string {
  const s = oneCellLine(message);
  let out = "";
  for (let i = 0; i < s.length; ) {
    if (s[i] === "`") {
      let n = 0;
      while (s[i + n] === "`") n++;
      const close = backtickRun(s, i + n, n);
      if (close >= 0) {
        out += s.slice(i, close + n);
        i = close + n;
      } else {
        out += "\\`".repeat(n);
        i += n;
      }
      continue;
    }
    const c = s[i];
    out += c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "[" || c === "]" || c === "!" ? `\\${c}` : c;
    i++;
  }
  return out;
}

/** Offset of the next run of exactly `n` backticks from `from` on (a code span's closing fence), or -1. */
function backtickRun(s: string, from: number, n: number): number {
  for (let i = s.indexOf("`", from); i >= 0; i = s.indexOf("`", i)) {
    let m = 0;
    while (s[i + m] === "`") m++;
    if (m === n) return i;
    i += m;
  }
  return -1;
}

/** Text as one code span, whatever backticks it holds: a fence longer than its longest run of them. */
function codeCell(text: string): string {
  const s = oneCellLine(text);
  const longest = Array.from(s.matchAll(/`+/g), (m) => m[0].length).reduce((a, b) => Math.max(a, b), 0);
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

export function formatMarkdownSummary(input: FormatInput, maxBytes: number = SUMMARY_MAX_BYTES): string {
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);
  const head = `### ${TOOL_NAME} validate\n\n`;
  if (summary.problemCount === 0) return `${head}✔ ${plural(summary.files.length, "file")} checked: no problems\n`;
  const lines = [
    `${head}${problemsText(summary)} in ${plural(summary.filesWithProblems, "file")} (${plural(summary.files.length, "file")} checked)${summary.unlistedCount > 0 ? `; ${unlistedText(summary.unlistedCount)}` : ""}\n`,
    "| severity | where | problem | rule |",
    "|---|---|---|---|",
  ];
  const total = summary.files.reduce((n, f) => n + f.diagnostics.length, 0);
  const rows = function* () {
    for (const f of summary.files) {
      for (const d of f.diagnostics) {
        const file = repoRelativePath(d.file, input.cwd, input.root ?? input.cwd) ?? d.file;
        const rule = `[\`${d.ruleId}\`](${ruleHelpUri(d.ruleId, input.homepage)})`;
        yield `| ${d.severity === "error" ? "❌ error" : "⚠️ warning"} | ${codeCell(`${file}:${d.line}:${d.column}`)} | ${messageCell(d.message)} | ${rule} |`;
      }
    }
  };
  // Room for the closing note, whose counts are at most this long.
  const shown = pushWithin(lines, rows(), maxBytes - 200);
  if (shown < total) {
    lines.push("", `${plural(total - shown, "more problem")} not in this table: GitHub takes at most 1 MiB of job summary (run \`fqc validate\`, or upload \`--format sarif\`, for the full list).`);
  }
  lines.push("");
  return lines.join("\n");
}
