/** Turns any error into one clear message on stderr and an exit status: no stack traces for users. */
import { FqcError, exitCodeFor, EXIT } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";
import type { CliIO } from "./io.js";

export function reportError(io: CliIO, e: unknown): number {
  if (e instanceof FqcError) {
    // One line each, whatever a file name or a quoted value holds (a newline in a name would split the message).
    io.stderr.write(`fqc: ${oneLine(e.message)}\n`);
    if (e.hint) io.stderr.write(`  hint: ${oneLine(e.hint)}\n`);
    return exitCodeFor(e.code);
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && typeof err.syscall === "string") {
    io.stderr.write(`fqc: ${oneLine(err.path ?? "")}: ${oneLine(describeErrno(err))}\n`);
    return EXIT.USAGE_OR_IO;
  }
  // A bug in fqc: say so plainly, with the stack for the report.
  io.stderr.write(`fqc: internal error: ${err?.message ?? String(e)}\n${err?.stack ?? ""}\nPlease report this with the command that triggered it.\n`);
  return EXIT.USAGE_OR_IO;
}

export function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT": return "no such file or directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory, expected a file";
    case "ENOSPC": return "no space left on device";
    case "EFBIG": return "file too large (past the file-size limit, ulimit -f)";
    default: return err.message;
  }
}
