/**
 * How a message names what its caller gave. A command-line run speaks of its
 * operands and flags (OUT, --scale-out, "pass --force"); a library call of the
 * options its caller wrote (options.output, options.scaleOut, "set
 * options.force to true"), which a flag name would send looking for a CLI.
 */

/** The file options of apply, by their library names. */
export type FileOption = "input" | "output" | "configFile" | "scaleIn" | "zeroPointIn" | "scaleOut" | "zeroPointOut" | "qparamsOut";

/** Options a message may tell its caller to set. */
export type SettableOption = "force" | "computeDtype" | "threads";

export interface CallerWords {
  /** A file option as the caller knows it: "OUT" / "options.output". */
  readonly file: Readonly<Record<FileOption, string>>;
  /** An option as the caller knows it: "--compute-dtype" / "options.computeDtype". */
  readonly option: Readonly<Record<SettableOption, string>>;
  /** The step that sets an option, lower case: ("force", true) → "pass --force" / "set options.force to true". */
  set(option: SettableOption, value: string | number | boolean): string;
}

export const CLI_WORDS: CallerWords = {
  file: {
    input: "IN",
    output: "OUT",
    configFile: "--config",
    scaleIn: "--scale",
    zeroPointIn: "--zero-point",
    scaleOut: "--scale-out",
    zeroPointOut: "--zero-point-out",
    qparamsOut: "--qparams-out",
  },
  option: { force: "--force", computeDtype: "--compute-dtype", threads: "--threads" },
  set: (option, value) => (value === true ? `pass ${CLI_WORDS.option[option]}` : `pass ${CLI_WORDS.option[option]} ${value}`),
};

export const LIBRARY_WORDS: CallerWords = {
  file: {
    input: "options.input",
    output: "options.output",
    configFile: "options.configFile",
    scaleIn: "options.scaleIn",
    zeroPointIn: "options.zeroPointIn",
    scaleOut: "options.scaleOut",
    zeroPointOut: "options.zeroPointOut",
    qparamsOut: "options.qparamsOut",
  },
  option: { force: "options.force", computeDtype: "options.computeDtype", threads: "options.threads" },
  set: (option, value) => `set ${LIBRARY_WORDS.option[option]} to ${JSON.stringify(value)}`,
};

/** A phrase as the start of a sentence. */
export function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}
