/** What `fqc validate` does once its arguments are parsed (loaded when the command runs). */
import { appendFileSync } from "node:fs";
import { RULES } from "../../config/rules.js";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { formatMarkdownSummary } from "../../diagnostics/format-markdown.js";
import { exceedsMaxWarnings, summarize } from "../../diagnostics/summary.js";
import { escapeData } from "../../diagnostics/format-github.js";
import { TOOL_NAME } from "../../diagnostics/format-types.js";
import type { Diagnostic } from "../../diagnostics/types.js";
import { EXIT, FqcError } from "../../errors.js";
import { ioError } from "../../npy/fail.js";
import { checkPaths } from "../../npy/path-check.js";
import { VERSION } from "../../version.generated.js";
import { STDIO_ARG, useColor, type CliIO } from "../io.js";
import { mergeRuleSettings, parseRuleOptions } from "../../config/rule-settings.js";
import { lintFiles, type LintOptions } from "../lint-files.js";
import { ignorePatterns, projectSettings, unmatchedIsError } from "../project-ignore.js";
import { repoRoot } from "../repo-root.js";
import { writeFileAtomic } from "../write-file.js";
import { yieldToEventLoop } from "../../parallel/share-work.js";
import { formatFor } from "../output-format.js";
import { wholeNumberArg } from "../number-arg.js";
import type { ValidateArgs } from "./validate.js";

export async function runValidate(argv: ValidateArgs, io: CliIO, setExit: (code: number) => void): Promise<void> {
  const maxWarnings = wholeNumberArg(argv["max-warnings"], "--max-warnings", -1, "a whole number of warnings (or -1: no limit)");
  // "-" arrives as STDIO_ARG, whose NUL byte Node would name instead: a tensor is read by rows, from a file.
  if (argv.tensor === STDIO_ARG) {
    throw new FqcError("USAGE", "fqc validate reads --tensor from a file, not standard input (--tensor -)", {
      hint: "Give the path of the .npy tensor or the checkpoint (its header is all that is read).",
    });
  }
  // Without --tensor every config of a file is checked: a side picked for a check that does not run would be ignored unseen.
  if (argv.role !== undefined && argv.tensor === undefined) {
    throw new FqcError("USAGE", "--role selects the side of a QAT pair to check against --tensor, and no --tensor was given", {
      hint: "Add --tensor (a .npy tensor or a checkpoint) to check that side against it, or leave out --role: without --tensor every config in the file is checked.",
    });
  }
  // Likewise a compute dtype for a check that does not run.
  if (argv["compute-dtype"] !== undefined && argv.tensor === undefined) {
    throw new FqcError("USAGE", "--compute-dtype sets the dtype a config is checked in against a --tensor .npy, and no --tensor was given", {
      hint: "Add --tensor (a .npy tensor) to check the config computed in that dtype, or leave out --compute-dtype.",
    });
  }
  const project = projectSettings(argv, io.cwd);
  const ruleSettings = mergeRuleSettings(project?.rules, parseRuleOptions(argv.rule));
  const ignore = ignorePatterns(project, argv, io.cwd);
  const errorOnUnmatchedPattern = unmatchedIsError(project, argv);
  const lintOpts: LintOptions = {
    files: argv.files,
    stdinFilename: argv["stdin-filename"],
    tensor: argv.tensor,
    role: argv.role,
    computeDtype: argv["compute-dtype"],
    torchao: argv.torchao,
    readStdin: io.readStdin,
    ignore,
    errorOnUnmatchedPattern,
    ruleSettings,
  };
  const result = await lintFiles(lintOpts);
  const adjusted = result.diagnostics; // rule levels applied by lintFiles, before the per-file cap
  const diagnostics: Diagnostic[] = argv.quiet ? adjusted.filter((d) => d.severity === "error") : adjusted;
  const toFile = argv["output-file"] !== undefined && argv["output-file"] !== STDIO_ARG;
  const format = formatFor(argv.format, toFile ? argv["output-file"] : undefined, { sarif: "sarif", json: "json" }, "stylish");
  const color = toFile ? false : useColor(io.stdout, io.env, argv.color);
  const formatInput = {
    diagnostics,
    sources: result.sources,
    filesChecked: result.files,
    rules: RULES,
    toolVersion: VERSION,
    cwd: io.cwd,
    // CI formats name files from the repository root, wherever the step runs.
    root: format === "github" || format === "sarif" ? repoRoot(io.cwd, io.env) : io.cwd,
    unlisted: argv.quiet ? new Map([...result.unlisted].map(([f, u]) => [f, { errorCount: u.errorCount, warningCount: 0 }])) : result.unlisted,
  };
  const counts = summarize(adjusted, [], result.unlisted);
  // As ESLint 9: --quiet hides warnings but --max-warnings still counts them. Say so, or the line names warnings
  // the output does not show (and JSON/SARIF report none).
  const hidden = argv.quiet ? ` (not shown: --quiet hides warnings; run without it to list ${counts.warningCount === 1 ? "it" : "them"})` : "";
  const tooManyWarnings = !result.ioFailure && counts.errorCount === 0 && exceedsMaxWarnings(counts, maxWarnings)
    ? `${counts.warningCount === 1 ? "1 warning exceeds" : `${counts.warningCount} warnings exceed`} --max-warnings ${maxWarnings}${hidden}`
    : undefined;
  // On GitHub the warnings are only warning annotations: an error annotation says why the step fails.
  const verdict = format === "github" && tooManyWarnings ? `::error title=${TOOL_NAME}::${escapeData(tooManyWarnings)}\n` : "";
  const text = formatDiagnostics(format, formatInput, { color }) + verdict;
  const clean = format === "stylish" && text === "" && !argv.quiet;
  const report = clean ? `✔ ${result.files.length} file${result.files.length === 1 ? "" : "s"} checked: no problems\n` : text;
  // A signal that came while the files were judged or the report formatted (synchronous) stops the run now, before
  // the report is written or printed: 128 + n comes without the run's result.
  await yieldToEventLoop();
  if (toFile) {
    const reads = [...result.readPaths.map((path) => ({ path, role: "the config" })), ...(argv.tensor ? [{ path: argv.tensor, role: "--tensor" }] : [])];
    checkPaths({ reads, writes: [{ path: argv["output-file"]!, role: "the report (-o)" }] });
    writeFileAtomic(argv["output-file"]!, report, { keep: reads.map((r) => r.path) });
  }
  else if (report) io.stdout.write(report.endsWith("\n") ? report : `${report}\n`);

  // In GitHub Actions, the github format also writes the job summary: every problem, past GitHub's annotation limit.
  const stepSummary = io.env.GITHUB_STEP_SUMMARY;
  if (format === "github" && stepSummary) {
    try {
      appendFileSync(stepSummary, `${formatMarkdownSummary({ ...formatInput, diagnostics })}${tooManyWarnings ? `\n❌ ${tooManyWarnings}: the step fails.\n` : ""}\n`);
    } catch (e) {
      // The lint's result is what the exit status says: a summary the runner's file cannot take is a warning.
      io.stderr.write(`fqc: warning: ${ioError(stepSummary, "append the job summary to $GITHUB_STEP_SUMMARY", e).message}; ` +
        "the annotations list every problem, and the exit status is the lint's\n");
    }
  }

  if (result.ioFailure) setExit(EXIT.USAGE_OR_IO);
  else if (counts.errorCount > 0) setExit(EXIT.PROBLEMS);
  else if (tooManyWarnings) {
    io.stderr.write(`${TOOL_NAME}: ${tooManyWarnings}\n`);
    setExit(EXIT.PROBLEMS);
  } else setExit(EXIT.OK);
}
