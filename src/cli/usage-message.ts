/**
 * yargs' usage failures in fqc's one-line form. Most are one line already;
 * "Invalid values" puts each rejected option on a line of its own
 * (`  Argument: kernel, Given: "x", Choices: "auto", "js"`), which a
 * one-line message would show as literal \n escapes.
 */
const INVALID_VALUE = /^\s*Argument: (.+?), Given: (.+?), Choices: (.+)$/;

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
