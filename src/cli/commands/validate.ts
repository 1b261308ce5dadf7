/** `fqc validate`: lint config files (and optionally check them against a tensor's shape). */
import type { Argv, CommandModule, Options } from "yargs";
import { TORCHAO_VERSIONS } from "../../config/types.js";
import { COMPUTE_DTYPES } from "../../input-dtype.js";
import type { CliIO } from "../io.js";
import { IGNORE_OPTIONS } from "../ignore-options.js";
import { parsePlainArgs, type ListArgsOf, type PlainOption } from "../plain-args.js";

export const FORMATS = ["stylish", "json", "github", "sarif"] as const;

/**
 * validate's options, in one table: the yargs command is built from it, and so is
 * the parser of the plain form of the line (plain-args.ts), which a run (a
 * pre-commit hook's, say) uses to skip loading yargs.
 */
export const VALIDATE_OPTIONS = {
  format: { alias: "f", type: "string", choices: FORMATS, describe: "Output format (default: from -o's extension, .sarif or .json; else stylish)" },
  // A string, read by number-arg.ts: yargs' number type would take 0x10 for 16.
  "max-warnings": { type: "string", default: "-1", describe: "Exit 1 when there are more warnings than this (-1: no limit)" },
  tensor: { type: "string", describe: "Also check a config against this .npy tensor's shape, or a config or recipe against every tensor of this checkpoint it targets (.safetensors, sharded index or directory, .npz; reads headers only)" },
  role: { type: "string", choices: ["weight", "activation"], describe: "With --tensor and a QAT pair: which config to check (default: both against a .npy, the weight side against a checkpoint)" },
  "compute-dtype": { type: "string", choices: COMPUTE_DTYPES, describe: "With --tensor: the dtype fqc apply would compute in" },
  // A number-like choice must stay a string: yargs would make "0.18" the number 0.18 and reject it.
  torchao: { type: "string", choices: TORCHAO_VERSIONS, default: "0.12", describe: "The torchao version whose forward rules (and, with --tensor, forward checks) to run, and whose wording of PerRow (v0.13+: PerRow(dim=-1))" },
  "stdin-filename": { type: "string", default: "<stdin>", describe: "Name for stdin input in reports (its extension selects JSON or YAML)" },
  "output-file": { alias: "o", type: "string", describe: "Write the report to this file instead of stdout" },
  quiet: { alias: "q", type: "boolean", default: false, describe: "Report errors only" },
  color: { type: "boolean", describe: "Force colour on or off (default: on for a TTY, off with NO_COLOR)" },
  // nargs 1: one value each time; yargs would otherwise take the files after it into the list.
  rule: { type: "string", array: true, nargs: 1, default: [] as string[], describe: "Set a rule's level: <rule id>=off|warn|error (repeatable; overrides the project file)" },
  "ignore-pattern": IGNORE_OPTIONS["ignore-pattern"],
  "error-on-unmatched-pattern": IGNORE_OPTIONS["error-on-unmatched-pattern"],
  "project-config": IGNORE_OPTIONS["project-config"],
} as const satisfies Record<string, Options & PlainOption>;

/** What validate's handler gets: typed from the option table, as both parsers fill it. */
export type ValidateArgs = ListArgsOf<"files", typeof VALIDATE_OPTIONS>;

export function validateCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, ValidateArgs> {
  return {
    command: "validate [files..]",
    describe: "Lint config files: torchao's constructor and forward rules, with file:line:col",
    builder: (y: Argv) =>
      y
        .positional("files", { type: "string", array: true, default: [], describe: "Config files (.json, .yaml, .yml), globs, or - for stdin" })
        .options(VALIDATE_OPTIONS)
        .example("$0 validate configs/*.json", "Lint every JSON config in configs/")
        .example("$0 validate qat.json --tensor weight.npy --role weight", "Pre-flight: would torchao accept this weight's shape?")
        .example("$0 validate recipe.json --tensor model.safetensors", "Pre-flight a recipe: keys matching nothing, shapes torchao would refuse")
        .example("$0 validate 'configs/**/*.yaml' -f sarif -o fqc.sarif", "SARIF for GitHub code scanning")
        .example("cat qat.json | $0 validate - --format github", "Annotations in a GitHub Actions log")
        .example("$0 validate '**/*.fqc.json' --rule lint/asymmetric-int-domain=off --ignore-pattern 'legacy/**'", "Linter controls, as in ESLint"),
    // The work, and the modules only it needs, load when the command runs: start-up stays small.
    handler: (argv) => runValidateCommand(argv, io, setExit),
  };
}

/** Runs validate on parsed arguments; its work, and the modules only it needs, load now: start-up stays small. */
export async function runValidateCommand(argv: ValidateArgs, io: CliIO, setExit: (code: number) => void): Promise<void> {
  await (await import("./validate-run.js")).runValidate(argv, io, setExit);
}

/**
 * The arguments after `validate` when they are in plain form (plain-args.ts), as
 * yargs would give them to the handler; undefined otherwise (yargs parses them).
 */
export function plainValidateArgs(args: readonly string[]): ValidateArgs | undefined {
  return parsePlainArgs(args, { list: "files", min: 0 }, VALIDATE_OPTIONS) as ValidateArgs | undefined;
}
