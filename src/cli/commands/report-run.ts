/** What `fqc report` does once its arguments are parsed (loaded when the command runs). */
import { basename, extname } from "node:path";
import { loadConfigText, readTextFileInterruptibly, selectWeightRole } from "../../config-file.js";
import type { CanonicalConfig, Recipe, TorchaoVersion } from "../../config/types.js";
import { checkHeapNeed, HEAP_PER_TENSOR } from "../../checkpoint/heap-need.js";
import { checkpointFiles, openCheckpoint } from "../../checkpoint/open.js";
import { checkPaths } from "../../npy/path-check.js";
import { oneLine, shownName } from "../../diagnostics/one-line.js";
import { EXIT, FqcError } from "../../errors.js";
import { reportCheckpointAs } from "../../report/pass.js";
import { CLI_WORDS } from "../../caller-words.js";
import { reportPiecesForCli } from "../../report/render.js";
import { formatDbBelow } from "../../report/rows.js";
import type { ReportFormat } from "../../report/format-names.js";
import { formatFor } from "../output-format.js";
import { targetsFromPlan } from "../../report/targets.js";
import { planTensorsAsync, unmatchedRecipeKeysAsync } from "../../tensor-plan/plan-tensors.js";
import { unmatchedKeyWarning } from "../../tensor-plan/render-plan.js";
import { tensorsBelow } from "../../report/threshold.js";
import type { ColumnInput } from "../../report/types.js";
import { reportConfigDiagnostics } from "../config-report.js";
import { threadsArg } from "../threads-arg.js";
import { decimalArg, wholeNumberArg } from "../number-arg.js";
import { STDIO_ARG, stderrIsTTY, type CliIO } from "../io.js";
import { AtomicFile } from "../../npy/atomic.js";
import { batchedText, writePiecesOrAbort } from "../write-file.js";
import { yieldToEventLoop } from "../../parallel/share-work.js";
import { fileIdentity } from "../file-identity.js";
import type { ReportArgs, ReportContext } from "./report.js";

export async function runReport(argv: ReportArgs, io: CliIO, setExit: (code: number) => void, { signal, workers }: ReportContext): Promise<void> {
  if (argv.model === STDIO_ARG) throw new FqcError("USAGE", "fqc report reads a model file, not standard input", { hint: "Give the path of the model." });
  const threads = threadsArg(argv.threads);
  // Before the pass: a safe integer (the renderer refuses anything else, and would do so only after it), a finite threshold.
  const worst = argv.worst === undefined ? undefined : wholeNumberArg(argv.worst, "--worst", 1, "a positive whole number of tensors");
  const threshold = argv["fail-under"] === undefined ? undefined : decimalArg(argv["fail-under"], "--fail-under", "a number of dB");
  const kind = (argv.recipe ?? []).length > 0 ? "recipe" : "config";
  const files = (kind === "recipe" ? argv.recipe : argv.config) ?? [];
  // "-" arrives as STDIO_ARG, which no file system opens: say so, rather than what Node says of its NUL byte.
  if (files.includes(STDIO_ARG)) {
    throw new FqcError("USAGE", `fqc report reads ${kind} files, not standard input (--${kind} -)`, { hint: `Give the path of each ${kind} file (one column each); a piped one as /dev/stdin.` });
  }
  const sources: Array<{ config: CanonicalConfig } | { recipe: Recipe }> = [];
  // A file given twice (two columns alike) is read once: a FIFO read a second time would wait for ever for a writer.
  const loaded = new Map<string, { config: CanonicalConfig } | { recipe: Recipe }>();
  for (const file of files) {
    const id = fileIdentity(file);
    const source = loaded.get(id) ?? await loadColumn(file, kind, io, argv.torchao, argv.quiet);
    if (typeof source === "number") {
      setExit(source);
      return;
    }
    loaded.set(id, source);
    sources.push(source);
  }
  const checkpoint = openCheckpoint(argv.model);
  const toFile = argv.output !== undefined && argv.output !== STDIO_ARG;
  try {
    checkHeapNeed(argv.model, checkpoint, HEAP_PER_TENSOR.report + files.length * HEAP_PER_TENSOR.reportColumn, "report on them");
    // Before the pass, which can take minutes: the report must not replace the model or a config.
    if (toFile) {
      checkPaths({
        reads: [
          ...checkpointFiles(checkpoint).map((path) => ({ path, role: path === argv.model ? "MODEL" : `${argv.model}'s file` })),
          ...files.map((path) => ({ path, role: kind === "recipe" ? "--recipe" : "--config" })),
        ],
        writes: [{ path: argv.output!, role: "the report (-o)" }],
      });
    }
  } catch (err) {
    checkpoint.close();
    throw err;
  }
  // Its temp file too: a report that cannot be written (no such directory, a directory, a device) is refused
  // before the pass, not after it.
  let outFile: AtomicFile | undefined;
  try {
    if (toFile) outFile = AtomicFile.create(argv.output!, { keep: [...checkpointFiles(checkpoint), ...files] });
  } catch (err) {
    checkpoint.close();
    throw err;
  }
  const progress = argv.progress && !argv.quiet && stderrIsTTY(io) ? (await import("../progress.js")).progressReporter(io.stderr, "chunks") : undefined;
  let report;
  try {
    const names = columnNames(files);
    const columns: ColumnInput[] = [];
    for (const [i, file] of files.entries()) {
      const source = sources[i];
      const plan = await planTensorsAsync(checkpoint.tensors, source, { torchao: argv.torchao, loneTensor: checkpoint.format === "npy" });
      // Before the pass, as apply's dry run lists them: a typo in a key would otherwise pass --fail-under with that layer untouched.
      if ("recipe" in source && !argv.quiet) {
        for (const k of await unmatchedRecipeKeysAsync(checkpoint.tensors, source.recipe, plan)) io.stderr.write(`${unmatchedKeyWarning(k, files.length > 1 ? file : undefined)}\n`);
      }
      const targets = targetsFromPlan(plan);
      // Likewise a column that measures nothing (a config on a checkpoint without a 2-D *.weight, a recipe of nulls) would pass --fail-under.
      if (!argv.quiet && !targets.some((t) => t.action === "quantize")) {
        io.stderr.write(`warning: ${shownName(file)} fake-quantizes no tensor of ${shownName(argv.model)}${kind === "config" && checkpoint.format !== "npy" ? " (a config takes each 2-D floating *.weight; a recipe names the tensors)" : ""}\n`);
      }
      columns.push({ name: names[i], source: file, kind, targets });
    }
    report = await reportCheckpointAs(checkpoint, columns, {
      torchao: argv.torchao,
      threads,
      kernel: argv.kernel,
      signal,
      startedWorkers: workers,
      onProgress: progress?.update,
    }, CLI_WORDS);
  } catch (err) {
    outFile?.abort();
    throw err;
  } finally {
    progress?.stop();
    checkpoint.close();
  }
  const format = formatFor(argv.format, toFile ? argv.output : undefined, REPORT_EXTENSIONS, "table");
  let pieces: Iterable<string>;
  try {
    // Markdown and HTML are rendered here, whole, and can fail (a report longer than a string holds): the temp file goes too.
    pieces = reportPiecesForCli("report", format, report, { sort: argv.sort, worst, threshold });
  } catch (err) {
    outFile?.abort();
    throw err;
  }
  if (outFile) {
    writePiecesOrAbort(outFile, pieces);
    // Making the report is synchronous (seconds for 100,000s of tensors): a signal that came meanwhile stops the run now, before the rename.
    await yieldToEventLoop();
    outFile.commit();
  } else {
    for (const text of batchedText(pieces)) io.stdout.write(text);
  }

  let exit: number = EXIT.OK;
  const refused = report.tensors.flatMap((t) => t.cells.flatMap((c, i) => (c.status === "refused" ? [`${shownName(t.name)} (${shownName(report.columns[i].name)}): ${oneLine(c.reason ?? "")}`] : [])));
  if (refused.length > 0) {
    // A table on stdout lists them already.
    if (format !== "table" || toFile) io.stderr.write(`fqc: torchao would refuse ${refused.length} tensor${refused.length > 1 ? "s" : ""}:\n${refused.map((r) => `  ${r}\n`).join("")}`);
    exit = EXIT.PROBLEMS;
  }
  if (threshold !== undefined) {
    const below = tensorsBelow(report, threshold);
    if (below.length > 0) {
      io.stderr.write(`fqc: ${below.length} tensor${below.length > 1 ? "s" : ""} below --fail-under ${threshold} dB:\n` +
        below.map((b) => `  ${shownName(b.tensor)} (${shownName(b.column)}): ${b.sqnrDb === null ? "no finite values to measure" : `${formatDbBelow(b.sqnrDb, threshold)} dB`}` +
          `${b.nonFiniteOutputs > 0 ? `, ${b.nonFiniteOutputs} finite input${b.nonFiniteOutputs === 1 ? "" : "s"} fake-quantized to NaN or inf` : ""}\n`).join(""));
      exit = EXIT.PROBLEMS;
    }
  }
  setExit(exit);
}

/**
 * One column's source: a config file's weight config (a QAT pair's weight side: checkpoints hold weights), or a recipe;
 * or the exit status once the file's errors are printed (2 for a syntax error, as every command has it; else 1).
 */
async function loadColumn(
  file: string, kind: "config" | "recipe", io: CliIO, torchao: TorchaoVersion, quiet: boolean,
): Promise<{ config: CanonicalConfig } | { recipe: Recipe } | number> {
  const text = await readTextFileInterruptibly(file, `--${kind}`);
  const loaded = loadConfigText(file, text, torchao);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  // Warnings too, as apply shows them (eps: 0, …): a report on a config with a known pitfall says so. They do not change the
  // exit status; --quiet hides them, as apply's and validate's do.
  await reportConfigDiagnostics(io, file, text, quiet ? errors : loaded.diagnostics);
  if (!loaded.document || errors.length > 0) return errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS;
  const doc = loaded.document;
  if (kind === "recipe") {
    if (doc.kind === "recipe") return { recipe: doc.recipe };
    throw new FqcError("USAGE", `${file} is a config, not a recipe (fqn_to_config)`, { file, hint: "Give it with --config, or write a recipe: {\"fqn_to_config\": {\"_default\": <config>}}." });
  }
  if (doc.kind === "recipe") {
    throw new FqcError("USAGE", `${file} is a recipe (fqn_to_config), not a config`, { file, hint: "Give recipes with --recipe." });
  }
  return { config: selectWeightRole(doc, undefined, file) };
}

/**
 * Column labels: each file's name without extension; the path as given where two would be equal; and
 * " #2", " #3"... after a label still taken (the same path given twice): JSON and CSV cells name their column.
 */
export function columnNames(files: readonly string[]): string[] {
  const short = files.map((f) => basename(f, extname(f)));
  const named = short.map((s, i) => (short.indexOf(s) !== short.lastIndexOf(s) ? files[i] : s));
  const taken = new Set<string>();
  return named.map((n) => {
    let label = n;
    for (let k = 2; taken.has(label); k++) label = `${n} #${k}`;
    taken.add(label);
    return label;
  });
}

const REPORT_EXTENSIONS: Record<string, ReportFormat> = { html: "html", htm: "html", md: "markdown", markdown: "markdown", csv: "csv", json: "json" };
