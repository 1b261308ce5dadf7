/** `fqc report`: what configs or recipes do to each tensor of a model, compared, as a table, JSON, CSV, Markdown or HTML. */
import type { Argv, CommandModule } from "yargs";
import type { WorkerSupply } from "../../host-types.js";
import { REPORT_FORMATS, SORT_KEYS, type ReportFormat, type SortKey } from "../../report/format-names.js";
import { TORCHAO_VERSIONS, type TorchaoVersion } from "../../config/types.js";
import { FqcError } from "../../errors.js";
import { KERNEL_CHOICES, type KernelChoice } from "../../quant/kernel-choice.js";
import type { CliIO } from "../io.js";

export interface ReportArgs {
  model: string;
  config?: string[];
  recipe?: string[];
  /** Absent: from -o's extension (.html, .md, .csv, .json), else table. */
  format?: ReportFormat;
  output?: string;
  sort: SortKey;
  /** As typed: number-arg.ts reads it (yargs' number type would take 0x10 for 16). */
  worst?: string;
  "fail-under"?: string;
  torchao: TorchaoVersion;
  threads: string;
  kernel: KernelChoice;
  progress: boolean;
  quiet: boolean;
}

export interface ReportContext {
  signal: AbortSignal;
  workers?: WorkerSupply;
}

export function reportCommand(io: CliIO, setExit: (code: number) => void, context: ReportContext): CommandModule<object, ReportArgs> {
  return {
    command: "report <model>",
    describe: "Compare what configs or recipes do to each tensor of a model: SQNR, RMSE, max error, size (one read, many columns)",
    builder: (y: Argv) =>
      y
        .positional("model", { type: "string", demandOption: true, describe: "The model: a .npy tensor, .safetensors, sharded checkpoint or .npz" })
        .option("config", { alias: "c", type: "string", array: true, nargs: 1, describe: "A config file: one column each (repeat to compare)" })
        .option("recipe", { alias: "r", type: "string", array: true, nargs: 1, describe: "A recipe file: one column each (repeat to compare)" })
        .option("format", { alias: "f", type: "string", choices: REPORT_FORMATS, describe: "Output format (default: from -o's extension, .html .md .csv .json; else table)" })
        .option("output", { alias: "o", type: "string", describe: "Write the report to this file (atomically) instead of stdout" })
        .option("sort", { type: "string", choices: SORT_KEYS, default: "order" as const, describe: "Row order of table, csv, markdown and html: checkpoint order, lowest SQNR first, name, most elements first" })
        .option("worst", { type: "string", describe: "List only the N tensors with the lowest SQNR (table, csv, markdown, html)" })
        .option("fail-under", { type: "string", describe: "Exit 1 when any fake-quantized tensor's SQNR is below this many dB (CI guard)" })
        .option("torchao", { type: "string", choices: TORCHAO_VERSIONS, default: "0.12" as const, describe: "torchao numerics to reproduce" })
        .option("threads", { alias: "j", type: "string", default: "auto", describe: "Threads that compute, the main thread included (a number, or auto)" })
        .option("kernel", { type: "string", choices: KERNEL_CHOICES, default: "auto" as const, describe: "auto: WebAssembly SIMD kernel and statistics where they apply; js: the portable JS kernel and statistics loop (same figures up to float64 summation order)" })
        .option("progress", { type: "boolean", default: true, describe: "Progress bar on stderr when it is a terminal (--no-progress to hide)" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print the report and problems only: no warnings, no progress bar" })
        .check((a) => {
          const configs = (a.config as string[] | undefined)?.length ?? 0;
          const recipes = (a.recipe as string[] | undefined)?.length ?? 0;
          if (configs === 0 && recipes === 0) throw new FqcError("USAGE", "Give at least one --config or --recipe (each is one column of the report).");
          if (configs > 0 && recipes > 0) throw new FqcError("USAGE", "Give --config files or --recipe files, not both: a report compares columns of one kind.");
          return true;
        })
        .example("$0 report model.safetensors -c int4.json -c int8.json", "Two configs side by side")
        .example("$0 report model.safetensors -r recipe.json -f html -o r.html", "HTML report with a chart")
        .example("$0 report model.safetensors -r recipe.json --fail-under 15", "CI: exit 1 below 15 dB"),
    handler: async (argv) => (await import("./report-run.js")).runReport(argv, io, setExit, context),
  };
}
