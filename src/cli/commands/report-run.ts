/** What `fqc report` does once its arguments are parsed (loaded when the command runs). */
import { basename, extname } from "node:path";
import { loadConfigText, readTextFile } from "../../config-file.js";
import type { CanonicalConfig } from "../../config/types.js";
import { EXIT, FqcError } from "../../errors.js";
import { openModel } from "../../report/open-model.js";
import { reportCheckpoint } from "../../report/pass.js";
import { renderReport } from "../../report/render.js";
import { formatDb } from "../../report/rows.js";
import { configTargets } from "../../report/targets.js";
import { tensorsBelow } from "../../report/threshold.js";
import type { ColumnInput } from "../../report/types.js";
import { reportConfigDiagnostics } from "../config-report.js";
import { STDIO_ARG, type CliIO } from "../io.js";
import { writeFileAtomic } from "../write-file.js";
import type { ReportArgs, ReportContext } from "./report.js";

export async function runReport(argv: ReportArgs, io: CliIO, setExit: (code: number) => void, { signal, workers }: ReportContext): Promise<void> {
  if (argv.model === STDIO_ARG) throw new FqcError("USAGE", "fqc report reads a model file, not standard input", { hint: "Give the path of the model." });
  if (argv.threads !== "auto" && !/^\d+$/.test(argv.threads)) {
    throw new FqcError("USAGE", `--threads must be a non-negative integer or "auto", got "${argv.threads}"`);
  }
  if (argv.worst !== undefined && (!Number.isInteger(argv.worst) || argv.worst < 1)) {
    throw new FqcError("USAGE", `--worst needs a positive whole number of tensors, got ${String(argv.worst)}`);
  }
  if (argv["fail-under"] !== undefined && !Number.isFinite(argv["fail-under"])) {
    throw new FqcError("USAGE", "--fail-under needs a number of dB, e.g. --fail-under 15");
  }
  const configFiles = argv.config ?? [];
  if ((argv.recipe ?? []).length > 0) {
    throw new FqcError("USAGE", "--recipe is not available in this build; give --config files", { hint: "Each --config is one column of the report." });
  }
  const configs: CanonicalConfig[] = [];
  for (const file of configFiles) {
    const config = await loadWeightConfig(file, io);
    if (!config) {
      setExit(EXIT.PROBLEMS);
      return;
    }
    configs.push(config);
  }
  const checkpoint = openModel(argv.model);
  const progress = argv.progress && io.stderr.isTTY ? (await import("../progress.js")).progressReporter(io.stderr) : undefined;
  let report;
  try {
    const names = columnNames(configFiles);
    const columns: ColumnInput[] = configFiles.map((file, i) => ({ name: names[i], source: file, kind: "config", targets: configTargets(checkpoint, configs[i]) }));
    report = await reportCheckpoint(checkpoint, columns, {
      torchao: argv.torchao,
      threads: argv.threads === "auto" ? "auto" : Number(argv.threads),
      kernel: argv.kernel,
      signal,
      startedWorkers: workers,
      onProgress: progress?.update,
    });
  } finally {
    progress?.stop();
    checkpoint.close();
  }
  const text = renderReport(argv.format, report, { sort: argv.sort, worst: argv.worst, threshold: argv["fail-under"] });
  if (argv.output !== undefined && argv.output !== STDIO_ARG) writeFileAtomic(argv.output, text);
  else io.stdout.write(text);

  let exit: number = EXIT.OK;
  const refused = report.tensors.flatMap((t) => t.cells.flatMap((c, i) => (c.status === "refused" ? [`${t.name} (${report.columns[i].name}): ${c.reason}`] : [])));
  if (refused.length > 0) {
    io.stderr.write(`fqc: torchao would refuse ${refused.length} tensor${refused.length > 1 ? "s" : ""}:\n${refused.map((r) => `  ${r}\n`).join("")}`);
    exit = EXIT.PROBLEMS;
  }
  const threshold = argv["fail-under"];
  if (threshold !== undefined) {
    const below = tensorsBelow(report, threshold);
    if (below.length > 0) {
      io.stderr.write(`fqc: ${below.length} tensor${below.length > 1 ? "s" : ""} below --fail-under ${threshold} dB:\n` +
        below.map((b) => `  ${b.tensor} (${b.column}): ${b.sqnrDb === null ? "no finite values to measure" : `${formatDb(b.sqnrDb)} dB`}\n`).join(""));
      exit = EXIT.PROBLEMS;
    }
  }
  setExit(exit);
}

/** A config file's weight config (a QAT pair's weight side: checkpoints hold weights); undefined after printing its errors. */
async function loadWeightConfig(file: string, io: CliIO): Promise<CanonicalConfig | undefined> {
  const text = readTextFile(file);
  const loaded = loadConfigText(file, text);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  await reportConfigDiagnostics(io, file, text, errors);
  if (!loaded.document || errors.length > 0) return undefined;
  const doc = loaded.document;
  if (doc.kind === "single") return doc.config;
  if (!doc.pair.weight) {
    throw new FqcError("USAGE", `${file}: the QAT pair has no "weight" config, and a model holds weights`, { file, hint: "Give a config with a weight side." });
  }
  return doc.pair.weight;
}

/** Column labels: each file's name without extension; the path as given where two would be equal. */
export function columnNames(files: readonly string[]): string[] {
  const short = files.map((f) => basename(f, extname(f)));
  return short.map((s, i) => (short.indexOf(s) !== short.lastIndexOf(s) ? files[i] : s));
}
