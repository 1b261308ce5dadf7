/**
 * `fqc apply` on a checkpoint (safetensors, sharded, .npz; a .npy under a
 * recipe or with --qparams-out / --dry-run): loaded only for such runs, so
 * the .npy path's start-up does not pay for it.
 */
import { checkApplyPaths, applyCheckpointWithStats } from "../../apply/checkpoint.js";
import { CLI_WORDS } from "../../caller-words.js";
import { checkHeapNeed, HEAP_PER_TENSOR } from "../../checkpoint/heap-need.js";
import { openCheckpoint } from "../../checkpoint/open.js";
import { layoutRefusal } from "../../checkpoint/layout-refusal.js";
import type { Checkpoint } from "../../checkpoint/types.js";
import { threadsArg } from "../threads-arg.js";
import { loadConfigText, readTextFileInterruptibly, roleOnRecipe, selectRole, selectWeightRole } from "../../config-file.js";
import { EXIT, FqcError } from "../../errors.js";
import { planTensorsAsync, unmatchedRecipeKeysAsync, type PlanSource, type TensorPlanEntry } from "../../tensor-plan/plan-tensors.js";
import { planJsonPieces, planTablePieces, unmatchedKeyWarning } from "../../tensor-plan/render-plan.js";
import { reportConfigDiagnostics } from "../config-report.js";
import { stderrIsTTY, writeStdoutNow, type CliIO } from "../io.js";
import { batchedText } from "../write-file.js";
import { yieldToEventLoop } from "../../parallel/share-work.js";
import { jsonObjectPieces } from "../../json-pieces.js";
import { countOf, plural } from "../../plural.js";
import { withThousands } from "../../thousands.js";
import { oneLine } from "../../diagnostics/one-line.js";
import type { ApplyArgs, ApplyContext } from "./apply.js";

/** .npy-only options, with what to use on a checkpoint instead. */
const NPY_ONLY: Array<[keyof ApplyArgs, string]> = [
  ["scale", "static qparams are given per tensor file; fake-quantize the .npy tensors one by one"],
  ["zero-point", "static qparams are given per tensor file; fake-quantize the .npy tensors one by one"],
  ["scale-out", "use --qparams-out Q.safetensors: it holds every tensor's scale and zero point"],
  ["zero-point-out", "use --qparams-out Q.safetensors: it holds every tensor's scale and zero point"],
  ["compute-dtype", "a checkpoint's tensors compute in their own dtype, as torchao does (bf16 weights in bfloat16)"],
];

export async function runApplyCheckpoint(argv: ApplyArgs, io: CliIO, setExit: (code: number) => void, { signal, workers, outputsCommitted }: ApplyContext): Promise<void> {
  for (const [name, hint] of NPY_ONLY) {
    if (argv[name] === undefined) continue;
    // A .npy comes here because of a checkpoint option: name it, rather than say the .npy is not one.
    const by = argv.input.toLowerCase().endsWith(".npy") ? checkpointOption(argv) : undefined;
    if (by) {
      throw new FqcError("USAGE", `--${name} cannot be combined with ${by}: with it, ${argv.input} is applied as a one-tensor checkpoint`, {
        hint: `Leave out --${name} (${hint}), or ${by}.`,
      });
    }
    throw new FqcError("USAGE", `--${name} applies to a single .npy tensor under --config, not to ${argv.input}`, { hint: `Leave it out: ${hint}.` });
  }
  const source = await loadSource(argv, io, setExit);
  if (!source) return;
  const threads = threadsArg(argv.threads);

  if (argv["dry-run"]) {
    const checkpoint = openCheckpoint(argv.input);
    try {
      checkHeapNeed(argv.input, checkpoint, HEAP_PER_TENSOR.plan, "plan them");
      // What apply would refuse before reading any tensor, the dry run refuses too.
      checkApplyPaths(checkpoint, {
        input: argv.input, output: argv.output, qparamsOut: argv["qparams-out"], force: argv.force, words: CLI_WORDS,
        reads: [argv.recipe !== undefined ? { path: argv.recipe, role: "--recipe" } : { path: argv.config!, role: "--config" }],
        writes: argv.report === undefined ? [] : [{ path: argv.report, role: "--report" }],
      });
      await dryRun(checkpoint, source, argv, io, setExit);
    } finally {
      checkpoint.close();
    }
    return;
  }

  // Loaded before the run: the report's file is created with the outputs and filled before they are committed.
  const applyReport = argv.report !== undefined ? await import("../apply-report.js") : undefined;
  const progress = argv.progress && !argv.quiet && !argv.json && stderrIsTTY(io) ? (await import("../progress.js")).progressReporter(io.stderr, "MiB") : undefined;
  try {
    const r = await applyCheckpointWithStats({
      input: argv.input,
      output: argv.output,
      select: source,
      torchao: argv.torchao,
      threads,
      kernel: argv.kernel,
      qparamsOut: argv["qparams-out"],
      force: argv.force,
      words: CLI_WORDS,
      reads: [argv.recipe !== undefined ? { path: argv.recipe, role: "--recipe" } : { path: argv.config!, role: "--config" }],
      statsOutput: argv.report === undefined || !applyReport ? undefined : {
        path: argv.report,
        role: "--report",
        fill: (file, stats, checkpoint, plan) => applyReport.writeApplyReport(file, stats, checkpoint, plan, source, argv),
      },
      fsync: argv.fsync,
      onProgress: progress && ((done, total) => progress.update(Math.round(done / 2 ** 20), Math.round(total / 2 ** 20))),
      signal,
      onCommitted: outputsCommitted,
      startedWorkers: workers,
    });
    progress?.stop();
    if (argv.json) {
      // The result as JSON, its per-tensor list an entry at a time (300,000 tensors are ~77 MB of it).
      const { stats: _stats, tensors, ...summary } = r;
      const { input, output, format, ...after } = summary;
      for (const text of batchedText(jsonObjectPieces({ input, output, format }, "tensors", tensors, (t) => t, after))) io.stdout.write(text);
    } else if (!argv.quiet) {
      const rate = r.seconds >= 0.5
        ? ` (${(r.quantizedElements / r.seconds / 1e6).toFixed(1)} M elements/s, ${(r.bytes / r.seconds / 1e9).toFixed(2)} GB/s)`
        : "";
      writeStdoutNow(io,
        `${oneLine(r.input)} (${r.format}, ${countOf(r.tensors.length, "tensor")}, ${formatBytes(r.bytes)}) → ${oneLine(r.output)}: ` +
          `${withThousands(r.quantized)} fake-quantized (${countOf(r.quantizedElements, "element")}), ${withThousands(r.copied)} copied as they are, ` +
          `in ${r.seconds.toFixed(3)} s${rate}, ${r.threads === 0 ? "main thread" : plural(r.threads, "thread")}` +
          `${r.quantized > 0 && argv["qparams-out"] ? `; qparams → ${oneLine(argv["qparams-out"])}` : ""}\n`,
      );
    }
    // As the dry run says them (torchao ignores such keys, so the exit status stays): a typo in a key otherwise passes unseen.
    if (!argv.quiet) for (const k of r.unmatchedKeys) io.stderr.write(`${unmatchedKeyWarning(k)}\n`);
    setExit(EXIT.OK);
  } finally {
    progress?.stop();
  }
}

/** The option that sends a .npy through the checkpoint path (see isPlainNpyRun in apply-run.ts). */
function checkpointOption(argv: ApplyArgs): string | undefined {
  if (argv.recipe !== undefined) return "--recipe";
  if (argv["qparams-out"] !== undefined) return "--qparams-out";
  if (argv.report !== undefined) return "--report";
  return argv["dry-run"] ? "--dry-run" : undefined;
}

/** The config (for every 2-D floating *.weight) or the recipe; undefined when its diagnostics ended the run. */
async function loadSource(argv: ApplyArgs, io: CliIO, setExit: (code: number) => void): Promise<PlanSource | undefined> {
  const file = (argv.recipe ?? argv.config)!;
  const text = await readTextFileInterruptibly(file, argv.recipe !== undefined ? "--recipe" : "--config");
  const loaded = loadConfigText(file, text, argv.torchao);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  await reportConfigDiagnostics(io, file, text, argv.quiet ? errors : loaded.diagnostics);
  if (!loaded.document || errors.length > 0) {
    setExit(errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS);
    return undefined;
  }
  const doc = loaded.document;
  if (argv.recipe !== undefined) {
    if (doc.kind !== "recipe") {
      throw new FqcError("USAGE", `${file} is a ${doc.kind === "pair" ? "QAT pair" : "config"}, not a recipe (no fqn_to_config)`, {
        file, hint: "Give it with --config (it then applies to every 2-D floating *.weight tensor).",
      });
    }
    if (argv.role !== undefined) throw roleOnRecipe(file);
    return { recipe: doc.recipe };
  }
  // A lone .npy may hold an activation, so a pair there needs --role as on the plain .npy path; a model holds weights.
  return { config: argv.input.toLowerCase().endsWith(".npy") ? selectRole(doc, argv.role, file) : selectWeightRole(doc, argv.role, file) };
}

/** List every tensor and what would happen to it (no tensor data is read); exit 1 when apply would refuse the plan. */
async function dryRun(checkpoint: Checkpoint, source: PlanSource, argv: ApplyArgs, io: CliIO, setExit: (code: number) => void): Promise<void> {
  const plan = withLayoutRefusals(checkpoint, await planTensorsAsync(checkpoint.tensors, source, { torchao: argv.torchao, loneTensor: checkpoint.format === "npy" }));
  const extras = { unmatchedKeys: "recipe" in source ? await unmatchedRecipeKeysAsync(checkpoint.tensors, source.recipe, plan) : [] };
  // Parsing the header and planning may run without a turn of the event loop (seconds for 100,000s of tensors): a signal
  // that came meanwhile stops the run before the plan is printed.
  await yieldToEventLoop();
  if (argv.json) {
    for (const text of batchedText(planJsonPieces({ input: checkpoint.path, format: checkpoint.format }, plan, extras))) io.stdout.write(text);
  } else {
    const heading = `${oneLine(checkpoint.path)} (${checkpoint.format}), under ${oneLine(argv.recipe ?? argv.config ?? "")}:\n\n`;
    io.stdout.write(heading);
    for (const text of batchedText(planTablePieces(plan, extras))) io.stdout.write(text);
  }
  setExit(plan.some((e) => e.errors.length > 0) ? EXIT.PROBLEMS : EXIT.OK);
}

/** The plan's entries (one per tensor, in order), each tensor to fake-quantize with the layout refusal apply would raise added to its errors. */
function withLayoutRefusals(checkpoint: Checkpoint, plan: TensorPlanEntry[]): TensorPlanEntry[] {
  return plan.map((e, i) => {
    const refusal = e.action === "quantize" ? layoutRefusal(checkpoint.tensors[i]) : undefined;
    return refusal ? { ...e, errors: [...e.errors, { message: `is ${refusal.what}`, ...(refusal.hint ? { hint: refusal.hint } : {}) }] } : e;
  });
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}
