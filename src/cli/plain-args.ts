/**
 * The plain form of a command line, parsed without yargs: positionals and the
 * command's own options, each written one unambiguous way. For such a line it
 * gives exactly what yargs gives (a property test checks this against yargs),
 * and a run skips loading and running yargs (~10 ms, measured: a large share
 * of fqc's start-up). Anything else returns undefined and yargs parses the
 * line as usual, with its messages: help and version, unknown or abbreviated
 * options, `--`, empty values, values starting with "-", clusters like -qj (but `-j4` and `-c=x` are read),
 * values outside an option's choices, a boolean given as --flag=value or
 * followed by true/false, a missing required option, a wrong positional count,
 * a list option (--rule, --ignore-pattern). Numbers are strings to both
 * parsers, read by the command (number-arg.ts).
 */

/** One option as both parsers read it (a subset of yargs' Options). */
export interface PlainOption {
  readonly alias?: string;
  readonly type: "string" | "boolean";
  readonly choices?: readonly string[];
  readonly default?: string | boolean | readonly string[];
  readonly demandOption?: boolean;
  /** A list (repeatable) option: a line using it goes to yargs. */
  readonly array?: boolean;
}

export type PlainArgs = Record<string, string | boolean | string[]>;

/** A command's operands: named one by one, or all in one list of at least `min` (`validate [files..]`). */
export type PlainPositionals = readonly string[] | { readonly list: string; readonly min: number };

/** The value an option yields: a list, one of its choices, a boolean, or a string. */
type ValueOf<O> = O extends { array: true } ? string[]
  : O extends { choices: ReadonlyArray<infer C> } ? C : O extends { type: "boolean" } ? boolean : string;
/** Options that always have a value: required, or with a default. */
type Always<Os> = { [K in keyof Os]: Os[K] extends { demandOption: true } | { default: unknown } ? K : never }[keyof Os];
/** The options' part of a command's arguments. */
type OptionArgsOf<Os> = { [K in Always<Os>]: ValueOf<Os[K]> } & { [K in Exclude<keyof Os, Always<Os>>]?: ValueOf<Os[K]> };

/** The arguments a command gets, typed from its option table (both parsers give this shape). */
export type ArgsOf<P extends readonly string[], Os> = { [K in P[number]]: string } & OptionArgsOf<Os>;
/** The same for a command whose operands are one list named L. */
export type ListArgsOf<L extends string, Os> = { [K in L]: string[] } & OptionArgsOf<Os>;

export function parsePlainArgs(
  args: readonly string[],
  positionals: PlainPositionals,
  options: Readonly<Record<string, PlainOption>>,
): PlainArgs | undefined {
  const flags = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    flags.set(`--${name}`, name);
    if (o.alias) flags.set(`-${o.alias}`, name);
  }
  const values: PlainArgs = {};
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) {
      if (arg === "") return undefined;
      operands.push(arg);
      continue;
    }
    const joined = joinedShortValue(arg);
    const eq = arg.startsWith("--") ? arg.indexOf("=") : joined ? 2 : -1;
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = flags.get(flag);
    // yargs reads --flag=false, and --flag false, as a value: leave those to it.
    const valueFollows = eq >= 0 || args[i + 1] === "true" || args[i + 1] === "false";
    if (name === undefined) {
      // --no-<boolean> is the one other spelling taken.
      const negated = flag.startsWith("--no-") ? flags.get(`--${flag.slice(5)}`) : undefined;
      if (negated === undefined || options[negated].type !== "boolean" || valueFollows) return undefined;
      values[negated] = false;
      continue;
    }
    const option = options[name];
    if (option.array) return undefined;
    if (option.type === "boolean") {
      // A joined value (`-q1`, `-q=x`) is one following too: eq is 2.
      if (valueFollows) return undefined;
      values[name] = true;
      continue;
    }
    const value = joined !== undefined ? joined : eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === "" || value.startsWith("-")) return undefined;
    if (option.choices && !option.choices.includes(value)) return undefined;
    values[name] = value;
  }
  if ("list" in positionals) {
    if (operands.length < positionals.min) return undefined;
    values[positionals.list] = operands;
  } else {
    if (operands.length !== positionals.length) return undefined;
    positionals.forEach((p, k) => (values[p] = operands[k]));
  }
  for (const [name, o] of Object.entries(options)) {
    if (name in values) continue;
    if (o.demandOption) return undefined;
    if (o.default !== undefined) values[name] = Array.isArray(o.default) ? [...o.default] : (o.default as string | boolean);
  }
  return values;
}

/**
 * The value of a short option written with it, `-j4` or `-j=4`, as yargs reads them (digits, or anything after
 * `=`); undefined for every other argument, `-qj` clusters included (yargs takes those apart).
 */
function joinedShortValue(arg: string): string | undefined {
  const m = /^-[A-Za-z](?:=(.*)|(\d+))$/s.exec(arg);
  return m ? (m[1] ?? m[2]) : undefined;
}
