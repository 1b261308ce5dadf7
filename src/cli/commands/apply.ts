/** `fqc apply`: fake-quantize a .npy tensor exactly as torchao would. */
import type { Argv, CommandModule } from "yargs";
import { applyFile } from "../../apply.js";
import { COMPUTE_DTYPES } from "../../input-dtype.js";
import { loadConfigText, readTextFile, selectRole } from "../../config-file.js";
import { RULES } from "../../config/rules.js";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { EXIT, FqcError } from "../../errors.js";
import type { ComputeDtype } from "../../quant/plan.js";
import { VERSION } from "../../version.generated.js";
import type { CliIO } from "../io.js";
import { STDIO_ARG, useColor } from "../io.js";
import { progressReporter } from "../progress.js";

interface ApplyArgs {
  input: string;
  output: string;
  config: string;
  role?: "weight" | "activation";
  "compute-dtype"?: ComputeDtype;
  torchao: "0.12" | "0.18";
  threads: string;
  scale?: string;
  "zero-point"?: string;
  "scale-out"?: string;
  "zero-point-out"?: string;
  force: boolean;
  fsync: boolean;
  kernel: "auto" | "js";
  progress: boolean;
  quiet: boolean;
  json: boolean;
}

export function applyCommand(io: CliIO, setExit: (code: number) => void, signal: AbortSignal): CommandModule<object, ApplyArgs> {
  return {
    command: "apply <input> <output>",
    describe: "Fake-quantize a .npy tensor (bit-exact with torchao's FakeQuantizer)",
    builder: (y: Argv) =>
      y
        .positional("input", { type: "string", demandOption: true, describe: "Input .npy (float32 or float16; float64 with --compute-dtype)" })
        .positional("output", { type: "string", demandOption: true, describe: "Output .npy (same dtype and shape; written atomically)" })
        .option("config", { alias: "c", type: "string", demandOption: true, describe: "Config file (JSON or YAML)" })
        .option("role", { choices: ["weight", "activation"] as const, describe: "Which config of a QAT pair file to apply" })
        .option("compute-dtype", { choices: COMPUTE_DTYPES, describe: "Simulate torchao on a tensor of this dtype (default: the file's dtype)" })
        .option("torchao", { choices: ["0.12", "0.18"] as const, default: "0.12" as const, describe: "torchao numerics to reproduce (0.18 changed the default eps)" })
        .option("threads", { alias: "j", type: "string", default: "auto", describe: "Threads that compute, the main thread included (a number, or auto: one per core)" })
        .option("scale", { type: "string", describe: "Static scales (.npy) for an is_dynamic: false config" })
        .option("zero-point", { type: "string", describe: "Static zero points (.npy), with --scale" })
        .option("scale-out", { type: "string", describe: "Write the scales used to this .npy" })
        .option("zero-point-out", { type: "string", describe: "Write the zero points used to this .npy" })
        .option("force", { type: "boolean", default: false, describe: "Allow the output to replace the input file" })
        .option("kernel", { choices: ["auto", "js"] as const, default: "auto" as const, describe: "auto: WebAssembly SIMD where it applies; js: the portable JS kernel (same results)" })
        .option("fsync", { type: "boolean", default: false, describe: "Flush outputs to disk before renaming them into place (survives a power loss)" })
        .option("progress", { type: "boolean", default: true, describe: "Progress bar on stderr when it is a terminal (--no-progress to hide)" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print nothing on success" })
        .option("json", { type: "boolean", default: false, describe: "Print a JSON summary of the run on stdout" })
        .example("$0 apply w.npy w_fq.npy -c examples/int4-weight-per-group.json", "Fake-quantize a weight")
        .example("$0 apply w.npy w_fq.npy -c examples/8da4w.json --role weight --scale-out s.npy --zero-point-out z.npy", "One side of a QAT pair, keeping the qparams")
        .example("$0 apply x64.npy out.npy -c cfg.json --compute-dtype float32", "A float64 file, cast to float32 first like x.float()"),
    handler: async (argv) => {
      if (argv.input === STDIO_ARG || argv.output === STDIO_ARG) {
        throw new FqcError("USAGE", "fqc apply reads and writes .npy files, not standard input/output", {
          hint: "Give file paths; the output is written beside its final name and renamed into place.",
        });
      }
      if (argv.threads !== "auto" && !/^\d+$/.test(argv.threads)) {
        throw new FqcError("USAGE", `--threads must be a non-negative integer or "auto", got "${argv.threads}"`);
      }
      const text = readTextFile(argv.config);
      const loaded = loadConfigText(argv.config, text);
      const errors = loaded.diagnostics.filter((d) => d.severity === "error");
      const shown = argv.quiet ? errors : loaded.diagnostics;
      if (shown.length > 0) {
        io.stderr.write(formatDiagnostics("stylish", {
          diagnostics: shown, sources: new Map([[argv.config, text]]), filesChecked: [argv.config], rules: RULES, toolVersion: VERSION, cwd: io.cwd,
        }, { color: useColor(io.stderr, io.env) }));
      }
      if (!loaded.document || errors.length > 0) {
        setExit(errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS);
        return;
      }
      const config = selectRole(loaded.document, argv.role, argv.config);
      const threads = argv.threads === "auto" ? "auto" : Number(argv.threads);
      const progress = argv.progress && !argv.quiet && !argv.json ? progressReporter(io.stderr) : undefined;
      try {
        const r = await applyFile({
          input: argv.input,
          output: argv.output,
          config,
          computeDtype: argv["compute-dtype"],
          torchao: argv.torchao,
          threads,
          scaleIn: argv.scale,
          zeroPointIn: argv["zero-point"],
          scaleOut: argv["scale-out"],
          zeroPointOut: argv["zero-point-out"],
          force: argv.force,
          fsync: argv.fsync,
          kernel: argv.kernel,
          onProgress: progress?.update,
          signal,
        });
        progress?.stop();
        if (argv.json) {
          io.stdout.write(`${JSON.stringify({ input: argv.input, output: argv.output, config, ...r }, null, 2)}\n`);
        } else if (!argv.quiet) {
          const g = config.granularity;
          const gran = g.type === "PerGroup" ? `per_group ${g.group_size}` : g.type === "PerAxis" ? "per_channel" : "per_token";
          // A rate over a few milliseconds mostly measures start-up; show it for real workloads only.
          const rate = r.seconds >= 0.5 ? ` (${(r.elements / r.seconds / 1e6).toFixed(1)} M elements/s)` : "";
          io.stdout.write(
            `${argv.input} (${r.shape.join("×")} ${r.inputDtype}) → ${argv.output}: ${config.dtype} ${gran} ${config.mapping_type.toLowerCase()}, ` +
              `compute ${r.computeDtype}, qparams ${r.qparams} (${r.qparamShape.join("×") || "scalar"}), ` +
              `${r.elements.toLocaleString("en-US")} elements in ${r.seconds.toFixed(3)} s${rate}, ` +
              `${r.threads === 0 ? "main thread" : `${r.threads} thread${r.threads > 1 ? "s" : ""}`}\n`,
          );
        }
        setExit(EXIT.OK);
      } finally {
        progress?.stop();
      }
    },
  };
}
