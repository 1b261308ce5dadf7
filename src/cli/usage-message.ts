/**
 * yargs' usage failures in fqc's one-line form. Most are one line already;
 * "Invalid values" puts each rejected option on a line of its own
 * (`  Argument: kernel, Given: "x", Choices: "auto", "js"`), which a
 * one-line message would show as literal \n escapes.
 */
const INVALID_VALUE = /^\s*Argument: (.+?), Given: (.+?), Choices: (.+)$/;

/** yargs' count of a command's operands, which names neither the command nor what is missing. */
const MISSING_OPERANDS = /^Not enough non-option arguments: got (\d+), need at least \d+$/;

/** For yargs' count of missing operands, what the command needs and a line that gives it; else undefined. */
export function missingOperands(msg: string, args: readonly string[]): { message: string; hint: string } | undefined {
  const got = MISSING_OPERANDS.exec(msg)?.[1];
  if (got === undefined) return undefined;
  switch (args[0]) {
    case "apply": return { message: `apply needs two files, IN and OUT; got ${got}`, hint: "e.g. fqc apply w.npy w_fq.npy --config qat.json" };
    // As validate says it (lint-files.ts).
    case "normalize": return { message: "no files to normalize", hint: "Name config files or globs, or - to read stdin: fqc normalize configs/*.json" };
    case "report": return { message: "report needs a MODEL (a checkpoint or a .npy); got none", hint: "e.g. fqc report model.safetensors -c a.json" };
    default: return undefined;
  }
}

/**
 * `args`, the command line, tells an unknown `--__proto__` from `--___proto___`: yargs' parser renames the
 * first to the second (a key no object may take), and its message would name an option nobody typed.
 */
export function usageMessage(msg: string, args: readonly string[] = []): string {
  if (/^Unknown arguments?: /.test(msg) && !args.some((a) => a.includes("___proto___"))) return msg.replaceAll("___proto___", "__proto__");
  const lines = msg.split("\n").filter((l) => l.trim() !== "");
  if (!/^Invalid values:?$/.test(lines[0] ?? "")) return msg;
  const parts = lines.slice(1).map((l) => {
    const m = INVALID_VALUE.exec(l);
    return m ? `--${m[1]} ${m[2]} is not one of ${m[3]}` : l.trim();
  });
  return parts.length > 0 ? parts.join("; ") : msg;
}
