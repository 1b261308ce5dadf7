/** `fqc normalize`: print the canonical form; --check for CI, --write to fix in place. */
import type { Argv, CommandModule } from "yargs";
import type { CliIO } from "../io.js";

export interface NormalizeArgs {
  files: string[];
  check?: boolean;
  write?: boolean;
  "stdin-filename": string;
}

export function normalizeCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, NormalizeArgs> {
  return {
    command: "normalize <files..>",
    describe: "Print the canonical form of configs (shorthand resolved, every field explicit)",
    builder: (y: Argv) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true, describe: "Config files or quoted globs, or - for stdin" })
        .option("check", { type: "boolean", describe: "Print nothing; exit 1 if a file is not already canonical" })
        .option("write", { type: "boolean", describe: "Rewrite files in place (atomically) in canonical form" })
        .option("stdin-filename", { type: "string", default: "<stdin>", describe: "Name for stdin input (its extension selects JSON or YAML)" })
        .conflicts("check", "write")
        .example("$0 normalize qat.json", "Print the canonical JSON")
        .example("$0 normalize --check configs/*.json", "CI: fail when a config is not canonical")
        .example("$0 normalize --write configs/*.yaml", "Rewrite configs in canonical form"),
    // The work, and the modules only it needs, load when the command runs: start-up stays small.
    handler: async (argv) => (await import("./normalize-run.js")).runNormalize(argv, io, setExit),
  };
}
