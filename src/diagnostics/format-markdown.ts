/**
 * A Markdown report for GitHub's job summary ($GITHUB_STEP_SUMMARY): the
 * totals and a table of every problem, so nothing is lost to GitHub's limit
 * of 10 annotations per severity and step.
 */
import type { FormatInput } from "./format-types.js";
import { repoRelativePath, ruleHelpUri, TOOL_NAME } from "./format-types.js";
import { plural, problemsText, summarize, unlistedText } from "./summary.js";

/** Table cells: no line breaks, no unescaped pipes, no HTML. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function formatMarkdownSummary(input: FormatInput): string {
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);
  const head = `### ${TOOL_NAME} validate\n\n`;
  if (summary.problemCount === 0) return `${head}✔ ${plural(summary.files.length, "file")} checked: no problems\n`;
  const rows = summary.files.flatMap((f) =>
    f.diagnostics.map((d) => {
      const file = repoRelativePath(d.file, input.cwd, input.root ?? input.cwd) ?? d.file;
      const rule = `[\`${d.ruleId}\`](${ruleHelpUri(d.ruleId, input.homepage)})`;
      return `| ${d.severity === "error" ? "❌ error" : "⚠️ warning"} | \`${cell(file)}:${d.line}:${d.column}\` | ${cell(d.message)} | ${rule} |`;
    }),
  );
  return [
    `${head}${problemsText(summary)} in ${plural(summary.filesWithProblems, "file")} (${plural(summary.files.length, "file")} checked)${summary.unlistedCount > 0 ? `; ${unlistedText(summary.unlistedCount)}` : ""}\n`,
    "| severity | where | problem | rule |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
