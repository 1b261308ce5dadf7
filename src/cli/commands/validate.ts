/** `fqc validate`: lint config files (and optionally check them against a tensor's shape). */
import type { Argv, CommandModule } from "yargs";
import { TORCHAO_VERSIONS, type TorchaoVersion } from "../../config/types.js";
import type { ComputeDtype } from "../../quant/plan.js";
import { COMPUTE_DTYPES } from "../../input-dtype.js";
import type { CliIO } from "../io.js";

export const FORMATS = ["stylish", "json", "github", "sarif"] as const;

export interface ValidateArgs {
  files: string[];
  /** Absent: from -o's extension (.sarif, .json), else stylish. */
  format?: (typeof FORMATS)[number];
  "max-warnings": number;
  tensor?: string;
  role?: "weight" | "activation";
  "compute-dtype"?: ComputeDtype;
  torchao: TorchaoVersion;
  "stdin-filename": string;
  "output-file"?: string;
  quiet: boolean;
  color?: boolean;
  rule: string[];
  "ignore-pattern": string[];
  "error-on-unmatched-pattern": boolean;
  "project-config": boolean;
}

export function validateCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, ValidateArgs> {
  return {
    command: "validate [files..]",
    describe: "Lint config files: torchao's constructor and forward rules, with file:line:col",
    builder: (y: Argv) =>
      y
        .positional("files", { type: "string", array: true, default: [], describe: "Config files (.json, .yaml, .yml), globs, or - for stdin" })
        .option("format", { alias: "f", type: "string", choices: FORMATS, describe: "Output format (default: from -o's extension, .sarif or .json; else stylish)" })
        .option("max-warnings", { type: "number", default: -1, describe: "Exit 1 when there are more warnings than this (-1: no limit)" })
        .option("tensor", { type: "string", describe: "Also check a config against this .npy tensor's shape, or a config or recipe against every tensor of this checkpoint it targets (.safetensors, sharded index or directory, .npz; reads headers only)" })
        .option("role", { type: "string", choices: ["weight", "activation"] as const, describe: "With --tensor and a QAT pair: which config to check (default: both against a .npy, the weight side against a checkpoint)" })
        .option("compute-dtype", { type: "string", choices: COMPUTE_DTYPES, describe: "With --tensor: the dtype fqc apply would compute in" })
        .option("torchao", { type: "string", choices: TORCHAO_VERSIONS, default: "0.12" as const, describe: "The torchao version whose forward rules (and, with --tensor, forward checks) to run" })
        .option("stdin-filename", { type: "string", default: "<stdin>", describe: "Name for stdin input in reports (its extension selects JSON or YAML)" })
        .option("output-file", { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Report errors only" })
        .option("color", { type: "boolean", describe: "Force colour on or off (default: on for a TTY, off with NO_COLOR)" })
        .option("rule", { type: "string", array: true, nargs: 1, default: [], describe: "Set a rule's level: <rule id>=off|warn|error (repeatable; overrides the project file)" })
        .option("ignore-pattern", { type: "string", array: true, nargs: 1, default: [], describe: "Never lint files matching this glob (repeatable; relative to the current directory)" })
        .option("error-on-unmatched-pattern", { type: "boolean", default: true, describe: "A glob matching no file is an error (exit 2); --no-error-on-unmatched-pattern allows it" })
        .option("project-config", { type: "boolean", default: true, describe: "Read fqc.config.json (or package.json's \"fqc\" key) from here up to the repository root; --no-project-config ignores it" })
        .example("$0 validate configs/*.json", "Lint every JSON config in configs/")
        .example("$0 validate qat.json --tensor weight.npy --role weight", "Pre-flight: would torchao accept this weight's shape?")
        .example("$0 validate recipe.json --tensor model.safetensors", "Pre-flight a recipe: keys matching nothing, shapes torchao would refuse")
        .example("$0 validate 'configs/**/*.yaml' -f sarif -o fqc.sarif", "SARIF for GitHub code scanning")
        .example("cat qat.json | $0 validate - --format github", "Annotations in a GitHub Actions log")
        .example("$0 validate '**/*.fqc.json' --rule lint/asymmetric-int-domain=off --ignore-pattern 'legacy/**'", "Linter controls, as in ESLint"),
    // The work, and the modules only it needs, load when the command runs: start-up stays small.
    handler: async (argv) => (await import("./validate-run.js")).runValidate(argv, io, setExit),
  };
}
