/**
 * How a run ends early: on a signal, or when standard output or error can no
 * longer be written. Either way the temp files this process has open are
 * removed first, so no trace is left, and the exit status says why:
 * 128 + the signal's number (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 131
 * SIGQUIT), 141 (128 + SIGPIPE) when a reader closed the pipe early, as a
 * Unix tool killed by SIGPIPE ends, and 2 for any other write error.
 */
import { writeSync } from "node:fs";
import { removeLiveTemps } from "../npy/temp-files.js";
import { describeErrno } from "./report-error.js";

/** The signals that stop a run, with their numbers (Linux); SIGKILL cannot be caught (temp-files.ts: leftovers). */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

const SIGPIPE = 13;
const STDERR_FD = 2;

/** Remove the temp files, say which outputs were not written, and exit 128 + n. */
export function exitOnSignal(signal: StopSignal): never {
  const targets = removeLiveTemps();
  const lost = targets.length > 0 ? `; not written: ${targets.join(", ")}` : "";
  say(`fqc: interrupted by ${signal}${lost}\n`);
  process.exit(128 + STOP_SIGNALS[signal]);
}

/**
 * An error event of process.stdout or process.stderr (written asynchronously:
 * the event comes after the write call). A closed pipe ends the run quietly;
 * anything else is one line on stderr (when stderr is not the broken one).
 */
export function exitOnStreamError(stream: "stdout" | "stderr", err: NodeJS.ErrnoException): never {
  removeLiveTemps();
  if (err.code === "EPIPE") process.exit(128 + SIGPIPE);
  if (stream === "stdout") say(`fqc: cannot write to standard output: ${describeErrno(err)}\n`);
  process.exit(2);
}

/** Write to fd 2 directly: the stderr stream may be the one failing, or hung up. */
function say(text: string): void {
  try {
    writeSync(STDERR_FD, text);
  } catch { /* nowhere left to say it */ }
}
