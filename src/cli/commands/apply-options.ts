/**
 * `fqc apply`'s options, in one table: the yargs command is built from it, and
 * so is the parser of the plain form of the line (plain-args.ts), which a run
 * uses to skip loading yargs. Its runtime imports are the small constant lists the
 * library checks against (no engine module), for that reason.
 */
import type { Options } from "yargs";
import { TORCHAO_VERSIONS } from "../../config/types.js";
import { COMPUTE_DTYPES } from "../../input-dtype.js";
import { KERNEL_CHOICES } from "../../quant/kernel-choice.js";
import type { PlainOption } from "../plain-args.js";

export const APPLY_POSITIONALS = ["input", "output"] as const;

export const APPLY_OPTIONS = {
  config: { alias: "c", type: "string", describe: "Config file (JSON or YAML); on a checkpoint, for every 2-D floating *.weight tensor" },
  recipe: { alias: "r", type: "string", describe: "Recipe file: which tensor of a checkpoint gets which config (instead of --config)" },
  role: { type: "string", choices: ["weight", "activation"], describe: "Which config of a QAT pair file to apply" },
  "compute-dtype": { type: "string", choices: COMPUTE_DTYPES, describe: "Simulate torchao on a tensor of this dtype (default: the file's dtype)" },
  // A number-like choice must stay a string: yargs would make "0.18" the number 0.18 and reject it.
  torchao: { type: "string", choices: TORCHAO_VERSIONS, default: "0.12", describe: "torchao numerics to reproduce (0.18 changed the default eps)" },
  threads: { alias: "j", type: "string", default: "auto", describe: "Threads that compute, the main thread included (a number, or auto: one per core)" },
  scale: { type: "string", describe: "Static scales (.npy) for an is_dynamic: false config" },
  "zero-point": { type: "string", describe: "Static zero points (.npy), with --scale" },
  "scale-out": { type: "string", describe: "Write the scales used to this .npy" },
  "zero-point-out": { type: "string", describe: "Write the zero points used to this .npy" },
  "qparams-out": { type: "string", describe: "Write every fake-quantized tensor's scale and zero point to this .safetensors (<tensor>.scale, <tensor>.zero_point)" },
  report: { type: "string", describe: "Also write fqc report's figures for this run, from the same pass (format by extension: .json, .csv, .md, .html; else the table)" },
  "dry-run": { type: "boolean", default: false, describe: "List every tensor with its shape, dtype and what would happen to it; read no tensor data, write nothing" },
  force: { type: "boolean", default: false, describe: "Allow the output to replace the input file" },
  kernel: { type: "string", choices: KERNEL_CHOICES, default: "auto", describe: "auto: WebAssembly SIMD where it applies; js: the portable JS kernel (same results)" },
  fsync: { type: "boolean", default: false, describe: "Flush outputs to disk before renaming them into place (survives a power loss)" },
  progress: { type: "boolean", default: true, describe: "Progress bar on stderr when it is a terminal (--no-progress to hide)" },
  quiet: { alias: "q", type: "boolean", default: false, describe: "Print nothing on success" },
  json: { type: "boolean", default: false, describe: "Print a JSON summary of the run on stdout" },
} as const satisfies Record<string, Options & PlainOption>;
