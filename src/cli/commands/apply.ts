/** `fqc apply`: fake-quantize a .npy tensor exactly as torchao would. */
import type { Argv, CommandModule } from "yargs";
import { COMPUTE_DTYPES } from "../../input-dtype.js";
import type { ComputeDtype } from "../../quant/plan.js";
import type { WorkerSupply } from "../../parallel/early-workers.js";
import type { CliIO } from "../io.js";

export interface ApplyArgs {
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

/** What a run of apply gets from main besides its arguments. */
export interface ApplyContext {
  /** Aborted on Ctrl-C: apply stops at the next chunk and removes its temp files. */
  signal: AbortSignal;
  /** Worker threads the launcher started early (parallel/early-workers.ts). */
  workers?: WorkerSupply;
}

export function applyCommand(io: CliIO, setExit: (code: number) => void, context: ApplyContext): CommandModule<object, ApplyArgs> {
  return {
    command: "apply <input> <output>",
    describe: "Fake-quantize a .npy tensor (bit-exact with torchao's FakeQuantizer)",
    builder: (y: Argv) =>
      y
        .positional("input", { type: "string", demandOption: true, describe: "Input .npy (float32 or float16; float64 with --compute-dtype)" })
        .positional("output", { type: "string", demandOption: true, describe: "Output .npy (same dtype and shape; written atomically)" })
        .option("config", { alias: "c", type: "string", demandOption: true, describe: "Config file (JSON or YAML)" })
        .option("role", { type: "string", choices: ["weight", "activation"] as const, describe: "Which config of a QAT pair file to apply" })
        .option("compute-dtype", { type: "string", choices: COMPUTE_DTYPES, describe: "Simulate torchao on a tensor of this dtype (default: the file's dtype)" })
        .option("torchao", { type: "string", choices: ["0.12", "0.18"] as const, default: "0.12" as const, describe: "torchao numerics to reproduce (0.18 changed the default eps)" })
        .option("threads", { alias: "j", type: "string", default: "auto", describe: "Threads that compute, the main thread included (a number, or auto: one per core)" })
        .option("scale", { type: "string", describe: "Static scales (.npy) for an is_dynamic: false config" })
        .option("zero-point", { type: "string", describe: "Static zero points (.npy), with --scale" })
        .option("scale-out", { type: "string", describe: "Write the scales used to this .npy" })
        .option("zero-point-out", { type: "string", describe: "Write the zero points used to this .npy" })
        .option("force", { type: "boolean", default: false, describe: "Allow the output to replace the input file" })
        .option("kernel", { type: "string", choices: ["auto", "js"] as const, default: "auto" as const, describe: "auto: WebAssembly SIMD where it applies; js: the portable JS kernel (same results)" })
        .option("fsync", { type: "boolean", default: false, describe: "Flush outputs to disk before renaming them into place (survives a power loss)" })
        .option("progress", { type: "boolean", default: true, describe: "Progress bar on stderr when it is a terminal (--no-progress to hide)" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print nothing on success" })
        .option("json", { type: "boolean", default: false, describe: "Print a JSON summary of the run on stdout" })
        .example("$0 apply w.npy w_fq.npy -c examples/int4-weight-per-group.json", "Fake-quantize a weight")
        .example("$0 apply w.npy w_fq.npy -c examples/8da4w.json --role weight --scale-out s.npy --zero-point-out z.npy", "One side of a QAT pair, keeping the qparams")
        .example("$0 apply x64.npy out.npy -c cfg.json --compute-dtype float32", "A float64 file, cast to float32 first like x.float()"),
    // The work, and the modules only it needs, load when the command runs: start-up stays small.
    handler: async (argv) => (await import("./apply-run.js")).runApply(argv, io, setExit, context),
  };
}
