/**
 * yargs' usage failures in fqc's one-line form. Most are one line already;
 * "Invalid values" puts each rejected option on a line of its own
 * (`  Argument: kernel, Given: "x", Choices: "auto", "js"`), which a
 * one-line message would show as literal \n escapes.
 */
const INVALID_VALUE = /^\s*Argument: (.+?), Given: (.+?), Choices: (.+)$/;

export function usageMessage(msg: string): string {
  const lines = msg.split("\n").filter((l) => l.trim() !== "");
  if (!/^Invalid values:?$/.test(lines[0] ?? "")) return msg;
  const parts = lines.slice(1).map((l) => {
    const m = INVALID_VALUE.exec(l);
    return m ? `--${m[1]} ${m[2]} is not one of ${m[3]}` : l.trim();
  });
  return parts.length > 0 ? parts.join("; ") : msg;
}
