/**
 * The fqc command line: yargs wiring only. Each command lives in its own
 * module and calls the library; errors become one message and an exit status.
 */
import type { Argv } from "yargs";
import { EXIT, FqcError } from "../errors.js";
import { VERSION } from "../version.generated.js";
import { applyCommand, plainApplyArgs, runApplyCommand, type ApplyContext } from "./commands/apply.js";
import { normalizeCommand, plainNormalizeArgs, runNormalizeCommand } from "./commands/normalize.js";
import { reportCommand } from "./commands/report.js";
import { schemaCommand } from "./commands/schema.js";
import { plainValidateArgs, runValidateCommand, validateCommand } from "./commands/validate.js";
import { processIO, STDIO_ARG, type CliIO } from "./io.js";
import { missingOperands, usageMessage } from "./usage-message.js";
import { unknownOptionsMessage, type OptionTable } from "./unknown-options.js";
import { describeErrno, reportError } from "./report-error.js";
import { lossyArgument } from "./lossy-args.js";
import { oneLine } from "../diagnostics/one-line.js";
import { exitOnSignal, STOP_SIGNALS, type StopSignal } from "./stop.js";
import { didYouMean } from "../config/suggest.js";
import type { EarlyWorkers } from "../parallel/early-workers.js";

const COMMANDS = ["validate", "normalize", "apply", "report", "schema"];
const SIGNAL_NAMES = Object.keys(STOP_SIGNALS) as StopSignal[];

export interface MainOptions {
  /** Worker threads started before the CLI loaded (bin/fqc.js, sea-entry.ts); main stops those apply leaves. */
  workers?: EarlyWorkers;
}

export async function main(args: string[], io?: CliIO, { workers }: MainOptions = {}): Promise<number> {
  try {
    const cli = io ?? processIOInCwd();
    return cli ? await run(args, cli, workers) : EXIT.USAGE_OR_IO;
  } finally {
    await workers?.release();
  }
}

/**
 * The process's streams and directory; undefined, said on stderr, when the current directory is gone (removed while a
 * shell stayed in it): every relative path, and Node's own path.resolve, would fail on it with a trace.
 */
function processIOInCwd(): CliIO | undefined {
  try {
    return processIO();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).syscall !== "uv_cwd") throw e;
    process.stderr.write(`fqc: the current directory no longer exists (${describeErrno(e as NodeJS.ErrnoException)}): it was removed or renamed after the shell entered it\n`
      + "  hint: cd to a directory that exists (cd \"$PWD\" if it was made again), and run again.\n");
    return undefined;
  }
}

async function run(args: string[], io: CliIO, workers: EarlyWorkers | undefined): Promise<number> {
  const lossy = lossyArgument(args);
  if (lossy !== undefined) {
    io.stderr.write(`fqc: ${oneLine(lossy)}: this argument holds bytes that are not valid UTF-8 (shown as \uFFFD), which Node.js, `
      + "which runs fqc, cannot pass on to the file system: the file would not be found, or be written under another name\n"
      + "  hint: Rename the file to a UTF-8 name (convmv -f latin1 -t utf8 FILE, or mv with a glob), or give a symbolic link with a UTF-8 name.\n");
    return EXIT.USAGE_OR_IO;
  }
  const argv = operandsAfterDoubleDash(joinNegativeExponents(args.map((a) => (a === "-" ? STDIO_ARG : a))));
  const first = argv[0];
  if (first !== undefined && !first.startsWith("-") && !COMMANDS.includes(first)) {
    const guess = didYouMean(first, COMMANDS);
    io.stderr.write(`fqc: unknown command '${first}'${guess ? `; did you mean '${guess}'?` : ""}\n  Commands: ${COMMANDS.join(", ")}. Run 'fqc --help' for usage.\n`);
    return EXIT.USAGE_OR_IO;
  }

  let exitCode: number = EXIT.OK;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const abort = new AbortController();
  // A signal stops any command at any point: its temp files are removed and fqc exits 128 + n (stop.ts).
  // The abort comes first, for code that watches the signal; the exit does not wait for it.
  // Once apply has committed every output, the work is done and on disk: a signal then lets the run finish with
  // its summary and status (a script seeing 130 would redo it, or discard good outputs); a second one stops it at once.
  let committed = false;
  let lateSignal = false;
  const onSignal = (signal: StopSignal) => {
    if (committed && !lateSignal) {
      lateSignal = true;
      io.stderr.write(`fqc: ${signal} came after every output was written; finishing (a second signal stops at once)\n`);
      return;
    }
    abort.abort();
    // Taken off once the temp files are gone, so that the signal, raised again, ends the process (stop.ts).
    exitOnSignal(signal, () => {
      for (const s of SIGNAL_NAMES) process.off(s, onSignal);
    });
  };
  for (const s of SIGNAL_NAMES) process.on(s, onSignal);
  const context = { signal: abort.signal, workers, outputsCommitted: () => { committed = true; } };
  try {
    // The usual line of apply, validate and normalize goes straight to the command, without loading yargs (plain-args.ts).
    const plain = plainRun(argv, io, setExit, context);
    if (plain) {
      await plain();
    } else {
      const parser = await cliParser(argv, io, (y) =>
        y.command(validateCommand(io, setExit)).command(normalizeCommand(io, setExit)).command(applyCommand(io, setExit, context))
          .command(reportCommand(io, setExit, context)).command(schemaCommand(io, setExit)),
      );
      await parser.parseAsync(argv, {}, (err, _argv, output) => {
        if (output && !err) io.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
      });
    }
    await deliverPendingSignal();
    return exitCode;
  } catch (e) {
    await deliverPendingSignal();
    return reportError(io, e);
  } finally {
    for (const s of SIGNAL_NAMES) process.off(s, onSignal);
  }
}

/** The run of a line in plain form (plain-args.ts, or `fqc --version`), or undefined: yargs parses it. */
function plainRun(argv: readonly string[], io: CliIO, setExit: (code: number) => void, context: ApplyContext): (() => Promise<void>) | undefined {
  const rest = argv.slice(1);
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) return async () => void io.stdout.write(`${VERSION}\n`);
  if (argv[0] === "apply") {
    const args = plainApplyArgs(rest);
    return args && (() => runApplyCommand(args, io, setExit, context));
  }
  if (argv[0] === "validate") {
    const args = plainValidateArgs(rest);
    return args && (() => runValidateCommand(args, io, setExit));
  }
  if (argv[0] === "normalize") {
    const args = plainNormalizeArgs(rest);
    return args && (() => runNormalizeCommand(args, io, setExit));
  }
  return undefined;
}

/**
 * One turn of the event loop before the handlers go: a signal that came during synchronous work (parsing a
 * large header or index takes seconds, and no handler runs meanwhile) is handled now, ending the run with
 * 128 + n, instead of being dropped with the handlers and the run ending as if nothing had happened.
 */
function deliverPendingSignal(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * `--fail-under -1e5` as `--fail-under=-1e5`: yargs takes -5 and -0.5 as
 * values but splits -1e5 into the flags -1 and -e. fqc takes no flag spelled
 * like a number, so the token after an option can only be its value, which
 * the option then refuses by name (numbers are plain decimal, number-arg.ts).
 */
export function joinNegativeExponents(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return out.concat(argv.slice(i));
    const next = argv[i + 1];
    if (/^--?[A-Za-z][\w-]*$/.test(argv[i]) && next !== undefined && /^-(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}

/** The commands whose operands are a list of files, which may follow "--". */
const FILE_LIST_COMMANDS = new Set(["validate", "normalize"]);

/**
 * `fqc validate -- -x.fqc.json`: after "--" every token is a file, as in
 * POSIX tools. pre-commit passes the names git lists, and cannot write a
 * root-level `-x.fqc.json` as `./-x.fqc.json`; the hooks end their arguments
 * with "--" for it. yargs has no such operands (it drops them, or counts them
 * out of a command's positionals), so they reach it as `./`-prefixed paths,
 * which name the same file and read as no option ("-", stdin, is STDIO_ARG
 * by now and stays stdin). Other commands take no
 * operands after "--" (refused by rejectAfterDoubleDash).
 */
export function operandsAfterDoubleDash(argv: readonly string[]): string[] {
  const end = argv.indexOf("--");
  if (end < 0 || !FILE_LIST_COMMANDS.has(argv[0] ?? "")) return [...argv];
  const operands = argv.slice(end + 1).map((a) => (a.startsWith("-") ? `./${a}` : a));
  return [...argv.slice(0, end), ...operands];
}

/**
 * The yargs parser of the fqc command line; `addCommands` adds main's commands
 * (or stand-ins, in the tests that compare parsers). yargs is imported here,
 * on first use, so that a plain apply line never loads it.
 */
export async function cliParser(argv: string[], io: CliIO, addCommands: (y: Argv) => Argv): Promise<Argv> {
  const { default: yargs } = await import("yargs");
  const parser = yargs(argv)
    // Keep what follows "--" apart, to refuse it rather than drop it. No dot notation: `--config.x=1` or `-c./a.json`
    // made an object of an option (a crash on it as a path); they are unknown options now.
    .parserConfiguration({ "populate--": true, "dot-notation": false })
    .middleware(lastValueWins, true)
    .middleware(rejectAfterDoubleDash, true)
    // yargs calls middleware with the parser as second argument (not in @types/yargs): its option table is the command's.
    .middleware(((parsed: Record<string, unknown>, y: Argv) => rejectMissingValues(argv, y, parsed)) as unknown as (a: object) => void, true)
    .middleware(rejectEmptyValues, true)
    .scriptName("fqc")
    .usage("$0 <command> [options]\n\nFake-quantization configs for torchao QAT: lint, normalize, apply, report.");
  addCommands(parser)
    .example("$0 validate configs/*.json", "Lint configs (exit 1 on problems)")
    .example("$0 normalize --check configs/*.json", "CI: are configs in canonical form?")
    .example("$0 apply w.npy w_fq.npy -c qat.json --role weight", "Fake-quantize a weight tensor")
    .example("$0 report model.safetensors -c a.json -c b.json", "Compare two configs, tensor by tensor")
    .example("$0 schema > fqc.schema.json", "The JSON Schema for editors")
    .demandCommand(1, "Name a command: validate, normalize, apply, report or schema.")
    .strict()
    .recommendCommands()
    .version(VERSION)
    .alias("h", "help")
    .alias("v", "version")
    // The width matters only for help text; reading it builds the stderr stream (~2-3 ms), so only for --help.
    .wrap(argv.some((a) => a === "--help" || a === "-h") ? Math.min(110, io.stderr.columns ?? 100) : 100)
    .epilog("Exit status: 0 ok, 1 problems found (invalid config, torchao would fail), 2 usage or I/O error.")
    // Stop at the first usage problem: a handler must never run with arguments yargs rejected.
    // An unknown option is named first, whatever yargs stopped at: it explains the rest (a file read as its value).
    .fail((msg, err) => {
      if (err) throw err;
      const unknown = unknownOptionsMessage(argv, (parser as unknown as { getOptions: () => OptionTable }).getOptions());
      const missing = unknown === undefined ? missingOperands(msg, argv) : undefined;
      if (missing) throw new FqcError("USAGE", missing.message, { hint: missing.hint });
      throw new FqcError("USAGE", unknown ?? usageMessage(msg, argv), { hint: "Run 'fqc --help' (or 'fqc <command> --help') for usage." });
    })
    .exitProcess(false);
  skipHelpCache(parser);
  return parser;
}

/** Arguments that are lists by definition (validate's and normalize's files, and yargs' own). */
const LIST_ARGUMENTS = new Set(["_", "--", "files", "rule", "ignore-pattern", "ignorePattern"]);
/** Options that are lists in one command only: report's columns (apply's --config stays one file). */
const COMMAND_LISTS: Record<string, ReadonlySet<string>> = { report: new Set(["config", "c", "recipe", "r"]) };
/** The commands' positional arguments, named as in their usage lines. */
const POSITIONALS = new Set(["input", "output", "files", "model"]);

/**
 * A repeated option takes its last value, as in most command-line tools. yargs
 * collects the values into an array, which commands expecting one path or name
 * would crash on or silently ignore. (yargs' own switch for this also splits
 * the variadic file lists, hence this step, run before validation.)
 */
function lastValueWins(argv: Record<string, unknown>): void {
  const command = Array.isArray(argv._) ? String(argv._[0]) : "";
  const lists = COMMAND_LISTS[command];
  for (const [key, value] of Object.entries(argv)) {
    if (Array.isArray(value) && !LIST_ARGUMENTS.has(key) && !lists?.has(key)) argv[key] = value[value.length - 1];
  }
}

/**
 * yargs would drop whatever follows "--" without a word, so a file named there
 * would go unchecked while the run reports success. Only validate and
 * normalize take files after "--" (operandsAfterDoubleDash, before yargs);
 * apply and report name their files before it.
 */
function rejectAfterDoubleDash(argv: Record<string, unknown>): void {
  const rest = argv["--"];
  if (!Array.isArray(rest) || rest.length === 0) return;
  throw new FqcError("USAGE", `no arguments are taken after --; got ${rest.map((a) => `'${String(a)}'`).join(" ")}`, {
    hint: "Give files before any --, and a file whose name starts with '-' as ./-name.json (validate and normalize also take files after --).",
  });
}

/**
 * Every fqc argument is a path, a name or a number: an empty one (`-c ""`, an
 * unset shell variable) is a mistake, better named as such than reported as
 * "': no such file'" or silently ignored.
 */
function rejectEmptyValues(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    // Aliases and camelCase copies hold the same value: report the option by its long, dashed name.
    if (key === "_" || key === "--" || key === "$0" || key.length === 1 || /[A-Z]/.test(key)) continue;
    if (!(Array.isArray(value) ? value : [value]).includes("")) continue;
    throw emptyValue(POSITIONALS.has(key) ? `<${key}>` : `--${key}`);
  }
}

function emptyValue(name: string): FqcError {
  return new FqcError("USAGE", `${name} is empty`, { hint: "Give a value (an unset shell variable expands to nothing; quote paths with spaces)." });
}

/**
 * An option that takes a value, given without one (`--max-warnings` at the end
 * of the line, `-j --quiet`): yargs would quietly use the default, which can
 * switch off a CI gate. Refused, naming the option. A value may start with "-"
 * when it is a number (`--max-warnings -1`).
 */
/** Whether yargs' parsed value of an option is the word given (one of them, for an option given as a list). */
function holds(value: unknown, word: string): boolean {
  return Array.isArray(value) ? value.some((v) => String(v) === word) : String(value) === word;
}

/** What yargs reads as a negative number rather than as options (`-.5` included), its own pattern. */
const YARGS_NEGATIVE = /^-([0-9]+(\.[0-9]+)?|\.[0-9]+)$/;

function rejectMissingValues(args: readonly string[], y: Argv, parsed: Record<string, unknown>): void {
  const options = (y as unknown as { getOptions: () => { boolean: string[]; count: string[]; alias: Record<string, string[]>; key: Record<string, boolean> } }).getOptions();
  const flags = new Set([...options.boolean, ...options.count, "help", "version"]);
  for (const [name, aliases] of Object.entries(options.alias)) if (flags.has(name)) for (const a of aliases) flags.add(a);
  const valued = (token: string): string | undefined => {
    const m = /^--?([^=]+)$/.exec(token);
    if (!m || token === "--") return undefined;
    const name = m[1];
    // Own keys only: `--no-constructor` names no option, though "constructor" is in every object.
    if (!Object.hasOwn(options.key, name) && !Object.values(options.alias).some((list) => list.includes(name))) return undefined;
    return flags.has(name) ? undefined : name;
  };
  const longName = (name: string) => (Object.hasOwn(options.key, name) && name.length > 1 ? name : (Object.entries(options.alias).find(([, list]) => list.includes(name))?.[0] ?? name));
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") break;
    // `--max-warnings=`: named as an empty value, as `--max-warnings ""` is (rejectEmptyValues), rather than read as anything.
    const inline = /^--?([^=]+)=$/.exec(args[i]);
    if (inline && valued(`--${inline[1]}`) !== undefined) throw emptyValue(`--${longName(inline[1])}`);
    // `-cfoo.json`: yargs reads a word after a short option as more short options (-c "" -f -o -o …), and `-c./a.json`
    // as an unknown option, so the value is lost. Only digits (`-j2`) or another start (`-c/abs/a.json`) stay joined.
    const glued = /^-([A-Za-z])([\w.].*)$/.exec(args[i]);
    if (glued && valued(`-${glued[1]}`) !== undefined && !/^\d+(\.\d*)?(e-?\d+)?$/.test(glued[2])) {
      throw new FqcError("USAGE", `${args[i]}: the value of -${glued[1]} goes after a space`, {
        hint: `Write -${glued[1]} ${glued[2]} or --${longName(glued[1])}=${glued[2]}.`,
      });
    }
    // `--no-rule`, `--no-config`: yargs negates any option, so a path or list would reach the command as `false`.
    const negated = /^--no-([^=]+)$/.exec(args[i]);
    if (negated && valued(`--${negated[1]}`) !== undefined) {
      const long = longName(negated[1]);
      throw new FqcError("USAGE", `${args[i]}: --${long} takes a value; it is not a switch to turn off`, {
        hint: `Write --${long} VALUE, or leave it out.`,
      });
    }
    const name = valued(args[i]);
    if (name === undefined) continue;
    const next = args[i + 1];
    if (next === "") throw emptyValue(`--${longName(name)}`);
    if (next === undefined || (next.startsWith("-") && next !== STDIO_ARG && !/^-\d/.test(next) && !YARGS_NEGATIVE.test(next))) {
      const long = longName(name);
      throw new FqcError("USAGE", `${args[i]} needs a value${long !== name ? ` (--${long})` : ""}`, {
        hint: `Write ${args[i]} VALUE or --${long}=VALUE; run 'fqc <command> --help' for the values it takes.`,
      });
    }
    // `--fail-under -2.`: a word that starts as a number but is none to yargs is split into short options, and the
    // option gets "" or a piece of it; the value it was given is then never seen by its own check.
    if (/^-[\d.]/.test(next) && !YARGS_NEGATIVE.test(next) && !holds(parsed[longName(name)], next)) {
      const long = longName(name);
      throw new FqcError("USAGE", `${args[i]} ${next}: a value starting with "-" is read as one only when it is a plain number`, {
        hint: `Write --${long}=${next} to give it as it is.`,
      });
    }
    i++;
  }
}

/**
 * yargs renders the whole help text of a command each time its handler
 * starts, to have it ready should the handler fail. fqc never shows help on
 * a failure (it prints one message with a hint), and the rendering took
 * 40-90 ms of every run here, more than the rest of start-up. `--help` is
 * unaffected: it renders on demand. If a yargs release moves this internal
 * hook, nothing breaks; start-up is just slower.
 */
function skipHelpCache(parser: object): void {
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}
