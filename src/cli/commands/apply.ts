/** `fqc apply`: fake-quantize a .npy tensor, or a whole checkpoint under a recipe, exactly as torchao would. */
import type { Argv, CommandModule } from "yargs";
import type { WorkerSupply } from "../../host-types.js";
import type { CliIO } from "../io.js";
import { parsePlainArgs, type ArgsOf } from "../plain-args.js";
import { APPLY_OPTIONS, APPLY_POSITIONALS } from "./apply-options.js";

/** What apply's handler gets: typed from the option table, as both parsers fill it. */
export type ApplyArgs = ArgsOf<typeof APPLY_POSITIONALS, typeof APPLY_OPTIONS>;

/** What a run of apply gets from main besides its arguments. */
export interface ApplyContext {
  /** Aborted on Ctrl-C: apply stops at the next chunk and removes its temp files. */
  signal: AbortSignal;
  /** Worker threads the launcher started early (parallel/early-workers.ts). */
  workers?: WorkerSupply;
  /** To call once every output is committed: a signal after it lets the run finish (main.ts). */
  outputsCommitted?: () => void;
}

export function applyCommand(io: CliIO, setExit: (code: number) => void, context: ApplyContext): CommandModule<object, ApplyArgs> {
  return {
    command: "apply <input> <output>",
    describe: "Fake-quantize a .npy tensor or a checkpoint (bit-exact with torchao's FakeQuantizer)",
    builder: (y: Argv) =>
      y
        .positional("input", { type: "string", demandOption: true, describe: "Input .npy (float32 or float16; float64 with --compute-dtype), .safetensors, sharded index or its directory, or .npz" })
        .positional("output", { type: "string", demandOption: true, describe: "Output of the same form (same dtypes, shapes and layout; written atomically)" })
        .options(APPLY_OPTIONS)
        .example("$0 apply w.npy w_fq.npy -c examples/int4-weight-per-group.json", "Fake-quantize a weight")
        .example("$0 apply w.npy w_fq.npy -c examples/8da4w.json --role weight --scale-out s.npy --zero-point-out z.npy", "One side of a QAT pair, keeping the qparams")
        .example("$0 apply x64.npy out.npy -c cfg.json --compute-dtype float32", "A float64 file, cast to float32 first like x.float()")
        .example("$0 apply model.safetensors out.safetensors --recipe examples/llama-recipe.json --dry-run", "What a recipe does to each tensor of a checkpoint")
        .example("$0 apply model-dir/ out-dir/ --recipe recipe.json --qparams-out qparams.safetensors", "A sharded checkpoint, keeping every tensor's qparams"),
    handler: (argv) => runApplyCommand(argv, io, setExit, context),
  };
}

/** Runs apply on parsed arguments; its work, and the modules only it needs, load now: start-up stays small. */
export async function runApplyCommand(argv: ApplyArgs, io: CliIO, setExit: (code: number) => void, context: ApplyContext): Promise<void> {
  await (await import("./apply-run.js")).runApply(argv, io, setExit, context);
}

/**
 * The arguments after `apply` when they are in plain form (plain-args.ts), as
 * yargs would give them to the handler; undefined otherwise (yargs parses them).
 */
export function plainApplyArgs(args: readonly string[]): ApplyArgs | undefined {
  return parsePlainArgs(args, APPLY_POSITIONALS, APPLY_OPTIONS) as ApplyArgs | undefined;
}
