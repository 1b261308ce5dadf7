/** What `fqc apply` does once its arguments are parsed (loaded when the command runs). */
import { applyFileAs } from "../../apply.js";
import { CLI_WORDS } from "../../caller-words.js";
import { loadConfigText, readTextFileInterruptibly, selectRole } from "../../config-file.js";
import { EXIT, FqcError } from "../../errors.js";
import { reportConfigDiagnostics } from "../config-report.js";
import { threadsArg } from "../threads-arg.js";
import { STDIO_ARG, stderrIsTTY, writeStdoutNow, type CliIO } from "../io.js";
import { countOf, plural } from "../../plural.js";
import { oneLine } from "../../diagnostics/one-line.js";
import type { ApplyArgs, ApplyContext } from "./apply.js";

/** The options that name a file apply reads or writes. */
const FILE_OPTIONS = ["config", "recipe", "scale", "zero-point", "scale-out", "zero-point-out", "qparams-out", "report"] as const;

export async function runApply(argv: ApplyArgs, io: CliIO, setExit: (code: number) => void, { signal, workers, outputsCommitted }: ApplyContext): Promise<void> {
  if (argv.input === STDIO_ARG || argv.output === STDIO_ARG) {
    throw new FqcError("USAGE", "fqc apply reads and writes files (.npy, .safetensors, a sharded checkpoint, .npz), not standard input/output", {
      hint: "Give file paths; the output is written beside its final name and renamed into place.",
    });
  }
  // Likewise every file option: "-" arrives as STDIO_ARG, whose NUL byte Node would name instead.
  const piped = FILE_OPTIONS.find((o) => argv[o] === STDIO_ARG);
  if (piped !== undefined) {
    throw new FqcError("USAGE", `fqc apply reads and writes files, not standard input/output (--${piped} -)`, { hint: `Give --${piped} a file path.` });
  }
  const threads = threadsArg(argv.threads);
  if (argv.config !== undefined && argv.recipe !== undefined) {
    throw new FqcError("USAGE", "give --config or --recipe, not both", {
      hint: "--config applies one config to every 2-D floating *.weight tensor; a recipe names each tensor's config (and can hold a _default).",
    });
  }
  if (argv.config === undefined && argv.recipe === undefined) {
    throw new FqcError("USAGE", "fqc apply needs --config (one config) or --recipe (a config per tensor)", {
      hint: "e.g. fqc apply w.npy out.npy --config examples/int4-weight-per-group.json",
    });
  }
  // A lone .npy tensor under one config takes the .npy path of old (its start-up is measured); everything
  // else goes through the checkpoint pipeline, whose code loads only then.
  if (!isPlainNpyRun(argv)) {
    await (await import("./apply-checkpoint-run.js")).runApplyCheckpoint(argv, io, setExit, { signal, workers, outputsCommitted });
    return;
  }
  const configPath = argv.config!;
  const text = await readTextFileInterruptibly(configPath, "--config");
  const loaded = loadConfigText(configPath, text, argv.torchao);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  const shown = argv.quiet ? errors : loaded.diagnostics;
  await reportConfigDiagnostics(io, configPath, text, shown);
  if (!loaded.document || errors.length > 0) {
    setExit(errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS);
    return;
  }
  const config = selectRole(loaded.document, argv.role, configPath);
  // cli-progress (and the readline it loads) only for a terminal.
  const progress = argv.progress && !argv.quiet && !argv.json && stderrIsTTY(io) ? (await import("../progress.js")).progressReporter(io.stderr) : undefined;
  // A signal ends the process at once (stop.ts), after the abort: give the terminal its cursor back first.
  if (progress) signal.addEventListener("abort", progress.stop, { once: true });
  try {
    const r = await applyFileAs({
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
      configFile: argv.config,
      force: argv.force,
      fsync: argv.fsync,
      kernel: argv.kernel,
      onProgress: progress?.update,
      signal,
      onCommitted: outputsCommitted,
      startedWorkers: workers,
    }, CLI_WORDS);
    progress?.stop();
    if (argv.json) {
      io.stdout.write(`${JSON.stringify({ input: argv.input, output: argv.output, config, ...r }, null, 2)}\n`);
    } else if (!argv.quiet) {
      const g = config.granularity;
      const gran = g.type === "PerGroup" ? `per_group ${g.group_size}` : g.type === "PerAxis" ? "per_channel" : "per_token";
      // A rate over a few milliseconds mostly measures start-up; show it for real workloads only.
      const rate = r.seconds >= 0.5 ? ` (${(r.elements / r.seconds / 1e6).toFixed(1)} M elements/s)` : "";
      // Paths as messages show them: a line break or escape sequence in a file name cannot break or recolour the line.
      writeStdoutNow(io,
        `${oneLine(argv.input)} (${r.shape.join("×")} ${r.inputDtype}) → ${oneLine(argv.output)}: ${config.dtype} ${gran} ${config.mapping_type.toLowerCase()}, ` +
          // A null scale_precision resolves per tensor: say which dtype the scales were held in.
          `compute ${r.computeDtype}, ${config.scale_precision === null ? `scales ${r.scaleDtype} (scale_precision null), ` : ""}qparams ${r.qparams} (${r.qparamShape.join("×") || "scalar"}), ` +
          `${countOf(r.elements, "element")} in ${r.seconds.toFixed(3)} s${rate}, ` +
          `${r.threads === 0 ? "main thread" : plural(r.threads, "thread")}\n`,
      );
    }
    setExit(EXIT.OK);
  } finally {
    progress?.stop();
  }
}

/** The .npy path: a .npy input under --config, without the checkpoint-only options. */
function isPlainNpyRun(argv: ApplyArgs): boolean {
  return argv.input.toLowerCase().endsWith(".npy") && argv.recipe === undefined && argv["qparams-out"] === undefined && argv.report === undefined && !argv["dry-run"];
}
