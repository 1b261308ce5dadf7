/**
 * How a run ends early: on a signal, or when standard output or error can no
 * longer be written. Either way the temp files this process has open are
 * removed first, so no trace is left. Then the process ends by the signal
 * itself, as a Unix tool that does not catch it ends: shells show 128 + the
 * signal's number (130 SIGINT, 143 SIGTERM, 129 SIGHUP), and a shell script
 * or loop running fqc stops on Ctrl-C too. Bash goes on after a child that
 * exited, even with status 130, taking it to have handled the signal; it stops
 * only when the child was killed by SIGINT. A reader that closed the pipe
 * early ends the run by SIGPIPE (141). SIGQUIT ends it with the status 131,
 * without the core dump its default action would write, and any other write
 * error with 2.
 */
import { writeSync } from "node:fs";
import { removeLiveTemps } from "../npy/temp-files.js";
import { describeErrno } from "./report-error.js";

/** The signals that stop a run, with their numbers (Linux); SIGKILL cannot be caught (temp-files.ts: leftovers). */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

const SIGPIPE = 13;
const STDERR_FD = 2;

/**
 * Remove the temp files, say which outputs were not written, and end by `signal` (128 + n). `unlisten` takes the
 * caller's listeners off, after the removal: until then a second signal waits, and cannot end the process midway.
 */
export function exitOnSignal(signal: StopSignal, unlisten: () => void): never {
  const targets = removeLiveTemps();
  const lost = targets.length > 0 ? `; not written: ${targets.join(", ")}` : "";
  say(`fqc: interrupted by ${signal}${lost}\n`);
  unlisten();
  if (signal === "SIGQUIT") process.exit(128 + STOP_SIGNALS.SIGQUIT);
  endBy(signal, STOP_SIGNALS[signal]);
}

/**
 * An error event of process.stdout or process.stderr (written asynchronously:
 * the event comes after the write call). A closed pipe ends the run quietly;
 * anything else is one line on stderr (when stderr is not the broken one).
 */
export function exitOnStreamError(stream: "stdout" | "stderr", err: NodeJS.ErrnoException): never {
  removeLiveTemps();
  if (err.code === "EPIPE") {
    // Node ignores SIGPIPE; a listener added and taken off again leaves it at its default action, which ends the process.
    const none = () => undefined;
    process.on("SIGPIPE", none).off("SIGPIPE", none);
    endBy("SIGPIPE", SIGPIPE);
  }
  if (stream === "stdout") say(`fqc: cannot write to standard output: ${describeErrno(err)}\n`);
  process.exit(2);
}

/**
 * End the process by `signal` at its default action. Where that cannot be (another listener of a host process would
 * take it, the signal is ignored, a platform without POSIX signals), exit with the status a shell would show, 128 + n.
 */
function endBy(signal: NodeJS.Signals, n: number): never {
  if (process.listenerCount(signal) === 0) {
    try {
      process.kill(process.pid, signal);
    } catch { /* exit below */ }
  }
  process.exit(128 + n);
}

/** Write to fd 2 directly: the stderr stream may be the one failing, or hung up. */
function say(text: string): void {
  try {
    writeSync(STDERR_FD, text);
  } catch { /* nowhere left to say it */ }
}
