/** `fqc normalize`: print the canonical form; --check for CI, --write to fix in place. */
import type { Argv, CommandModule, Options } from "yargs";
import type { CliIO } from "../io.js";
import { IGNORE_OPTIONS } from "../ignore-options.js";
import { parsePlainArgs, type ListArgsOf, type PlainOption } from "../plain-args.js";

/** normalize's options, in one table: for yargs and for the plain form of the line (plain-args.ts), as validate's. */
export const NORMALIZE_OPTIONS = {
  check: { type: "boolean", describe: "Print nothing; exit 1 if a file is not already canonical" },
  write: { type: "boolean", describe: "Rewrite files in place (atomically) in canonical form" },
  "stdin-filename": { type: "string", default: "<stdin>", describe: "Name for stdin input (its extension selects JSON or YAML)" },
  // The files validate skips, normalize (and its --write, a pre-commit hook's) leaves alone.
  ...IGNORE_OPTIONS,
} as const satisfies Record<string, Options & PlainOption>;

/** What normalize's handler gets: typed from the option table, as both parsers fill it. */
export type NormalizeArgs = ListArgsOf<"files", typeof NORMALIZE_OPTIONS>;

export function normalizeCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, NormalizeArgs> {
  return {
    command: "normalize <files..>",
    describe: "Print the canonical form of configs (shorthand resolved, every field explicit)",
    builder: (y: Argv) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true, describe: "Config files or quoted globs, or - for stdin" })
        .options(NORMALIZE_OPTIONS)
        .conflicts("check", "write")
        .example("$0 normalize qat.json", "Print the canonical JSON")
        .example("$0 normalize --check configs/*.json", "CI: fail when a config is not canonical")
        .example("$0 normalize --write configs/*.yaml", "Rewrite configs in canonical form"),
    // The work, and the modules only it needs, load when the command runs: start-up stays small.
    handler: (argv) => runNormalizeCommand(argv, io, setExit),
  };
}

/** Runs normalize on parsed arguments; its work, and the modules only it needs, load now. */
export async function runNormalizeCommand(argv: NormalizeArgs, io: CliIO, setExit: (code: number) => void): Promise<void> {
  await (await import("./normalize-run.js")).runNormalize(argv, io, setExit);
}

/**
 * The arguments after `normalize` when they are in plain form (plain-args.ts), as yargs would give them;
 * undefined otherwise, and for --check with --write, whose conflict yargs reports.
 */
export function plainNormalizeArgs(args: readonly string[]): NormalizeArgs | undefined {
  const plain = parsePlainArgs(args, { list: "files", min: 1 }, NORMALIZE_OPTIONS) as NormalizeArgs | undefined;
  return plain && plain.check !== undefined && plain.write !== undefined ? undefined : plain;
}
