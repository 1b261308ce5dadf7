/**
 * Node.js decodes the command line as UTF-8 and puts U+FFFD where a byte is
 * not valid UTF-8 (a Latin-1 file name from an old archive, `$'\xff'`), and it
 * keeps no copy of the bytes: such a file name can be neither opened (the
 * message would wrongly say it does not exist) nor created (the output would
 * silently get another name, with EF BF BD for each such byte). This finds
 * that case so the CLI can say so; on Linux the process's own command line
 * (/proc/self/cmdline) tells a lost byte from a real U+FFFD.
 */
import { readFileSync } from "node:fs";

const REPLACEMENT = "\uFFFD";

/** The process's command line as bytes, or null where it cannot be read (no /proc). */
export function rawCommandLine(): Buffer | null {
  try {
    return readFileSync("/proc/self/cmdline");
  } catch {
    return null;
  }
}

/**
 * The first argument holding U+FFFD when the raw command line holds bytes that
 * are not valid UTF-8 (so the character stands for lost bytes); undefined
 * otherwise, and always when no argument holds U+FFFD (the command line is
 * then not read).
 */
export function lossyArgument(args: readonly string[], raw: () => Buffer | null = rawCommandLine): string | undefined {
  const suspect = args.find((a) => a.includes(REPLACEMENT));
  if (suspect === undefined) return undefined;
  const bytes = raw();
  if (bytes === null) return undefined;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return undefined; // valid UTF-8: the U+FFFD was typed as such
  } catch {
    return suspect;
  }
}
