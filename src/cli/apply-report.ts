/** `fqc apply --report FILE`: the report of the checkpoint apply just wrote, from the statistics of the same pass. */
import { basename, extname } from "node:path";
import type { Checkpoint } from "../checkpoint/types.js";
import type { TorchaoVersion } from "../config/types.js";
import type { ReportFormat } from "../report/format-names.js";
import { reportFromSums } from "../report/pass.js";
import { reportPiecesForCli } from "../report/render.js";
import { targetsFromPlan } from "../report/targets.js";
import { SLOTS, statSums } from "../report/stats.js";
import type { PlanSource, TensorPlanEntry } from "../tensor-plan/plan-tensors.js";
import type { AtomicFile } from "../npy/atomic.js";
import { writePieces } from "./write-file.js";

/** The report format a file name asks for: .json, .csv, .md/.markdown, .html/.htm; anything else gets the text table. */
export function reportFormatFor(file: string): ReportFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".csv") return "csv";
  if (ext === ".md" || ext === ".markdown") return "markdown";
  if (ext === ".html" || ext === ".htm") return "html";
  return "table";
}

/** Write the report into `file` (the temp file of `--report`, which the run commits with its outputs), from the run's open checkpoint. */
export function writeApplyReport(
  file: AtomicFile, stats: ReadonlyArray<Float64Array | null>, checkpoint: Checkpoint, plan: readonly TensorPlanEntry[], source: PlanSource,
  argv: { config?: string; recipe?: string; torchao: TorchaoVersion },
): void {
  const from = (argv.recipe ?? argv.config)!;
  const column = {
    name: basename(from, extname(from)),
    source: from,
    kind: "recipe" in source ? "recipe" as const : "config" as const,
    targets: targetsFromPlan(plan),
  };
  const report = reportFromSums(checkpoint, [column], (index) => statSums(stats[index] ?? NO_STATS), { torchao: argv.torchao });
  writePieces(file, reportPiecesForCli("apply", reportFormatFor(file.targetPath), report));
}

/** The sums of a tensor the column leaves alone (never read: its cell has no figures). */
const NO_STATS = new Float64Array(SLOTS);
