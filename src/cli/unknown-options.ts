/**
 * Options on a command line that the command does not take, named as typed, each with the closest option it
 * does take. yargs names them after its own parsing: a camelCase copy beside the typed name
 * (`Unknown arguments: max-warning, maxWarning`), and only once every positional is there, so that a misspelt
 * flag followed by a file (`normalize --chek a.json`, the file taken as the flag's value) is reported as
 * "Not enough non-option arguments: got 0", about a file that was given.
 */
import { didYouMean } from "../config/suggest.js";

/** The part of yargs' option table read here: every option's name and alias, as keys. */
export interface OptionTable {
  readonly key: Readonly<Record<string, unknown>>;
}

/** `--name`, `--name=value`, `-x` and `-x=value` (a cluster such as `-qj2` and a negative number are left to yargs). */
function optionName(arg: string): string | undefined {
  const long = /^--([^=]+)/.exec(arg);
  if (long) return long[1];
  const short = /^-([^-\d=])(?:=|$)/.exec(arg);
  return short?.[1];
}

/** yargs reads `--maxWarnings` as `--max-warnings`. */
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The message for the unknown options of `args` (up to a `--`), or undefined when there is none. */
export function unknownOptionsMessage(args: readonly string[], options: OptionTable): string | undefined {
  const known = new Set(Object.keys(options.key));
  const isKnown = (name: string) => [name, kebab(name)].some((n) => known.has(n) || (n.startsWith("no-") && known.has(n.slice(3))));
  const longNames = [...known].filter((k) => k.length > 1 && !/[A-Z]/.test(k));
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const arg of args) {
    if (arg === "--") break;
    const name = optionName(arg);
    if (name === undefined || isKnown(name) || seen.has(name)) continue;
    seen.add(name);
    const guess = name.length > 2 ? didYouMean(name, longNames) : undefined;
    unknown.push(guess ? `${name} (did you mean --${guess}?)` : name);
  }
  if (unknown.length === 0) return undefined;
  return `Unknown argument${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`;
}
