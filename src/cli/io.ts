/** What the CLI layer needs from the process, injectable for tests and the single binary. */
import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import { boundedText } from "../config-size.js";
import { exitOnStreamError } from "./stop.js";

export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stderr.isTTY, told without building the stream when it can be (see stderrIsTTY). */
  stderrIsTTY?: () => boolean;
  /** Writes `text` to stdout now, without building the stream when it can (see writeStdoutNow). */
  writeStdoutNow?: (text: string) => void;
}

/** Whether stderr is a terminal (the progress bar's condition). */
export function stderrIsTTY(io: CliIO): boolean {
  return io.stderrIsTTY ? io.stderrIsTTY() : !!io.stderr.isTTY;
}

/** A short text on stdout, such as apply's summary line. */
export function writeStdoutNow(io: CliIO, text: string): void {
  if (io.writeStdoutNow) io.writeStdoutNow(text);
  else io.stdout.write(text);
}

export function processIO(): CliIO {
  // Chosen on first use, once: a run writing a report a piece at a time reads io.stdout for every piece.
  let stdout: CliIO["stdout"] | undefined;
  return {
    // Getters: Node builds each stdio stream on first use (~2-3 ms, loading the stream modules); a quiet run never needs stdout.
    get stdout() {
      return guarded((stdout ??= isRegularFile(STDOUT_FD) ? fullWrites(STDOUT_FD) : process.stdout), "stdout");
    },
    get stderr() {
      return guarded(process.stderr, "stderr");
    },
    // Node builds a stdio stream over a pipe as a socket, loading net and the stream modules: ~150 page faults
    // and ~3 ms each for stderr (only asked whether it is a terminal) and stdout (one summary line) of every apply.
    stderrIsTTY: () => isCharacterDevice(STDERR_FD) && !!guarded(process.stderr, "stderr").isTTY,
    // A terminal keeps its stream: it converts the text for consoles that do not take UTF-8 bytes (Windows').
    writeStdoutNow: (text) => {
      const stream = () => guarded(process.stdout, "stdout");
      if (isCharacterDevice(STDOUT_FD)) stream().write(text);
      else writeNow(STDOUT_FD, text, stream);
    },
    readStdin: () =>
      new Promise((resolve, reject) => {
        const text = boundedText("standard input", resolve, reject, () => process.stdin.destroy());
        process.stdin.on("data", text.add);
        process.stdin.on("end", text.end);
        process.stdin.on("error", reject);
      }),
    cwd: process.cwd(),
    env: process.env,
  };
}

const STDOUT_FD = 1;
const STDERR_FD = 2;

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * A stream writing every byte to `fd`. Node's stdout over a file ignores a short write(2) (a disk or `ulimit -f`
 * filling up mid-write): the rest of that chunk is lost and the run ends 0 with a cut report. Here the rest is
 * written again, so the limit's error (ENOSPC, EFBIG) comes and ends the run as any stdout error does.
 */
export function fullWrites(fd: number, write: typeof writeSync = writeSync): Writable {
  // Loaded here, not at start-up: a run that prints nothing, or one line by writeNow, needs no stream module.
  const { Writable: WritableClass } = createRequire(import.meta.url)("node:stream") as typeof import("node:stream");
  return new WritableClass({
    write(chunk: Buffer, _encoding, done) {
      try {
        for (let at = 0; at < chunk.length;) at += write(fd, chunk, at, chunk.length - at);
      } catch (e) {
        done(e as Error);
        return;
      }
      done();
    },
  });
}

/** A terminal is a character device; a pipe or a file is not (nor is it a terminal). */
function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed: no terminal
  }
}

/**
 * `text` written to `fd` by write(2), as the stream would on Linux (stdio pipes and files are written
 * synchronously there). A descriptor left non-blocking by another process (EAGAIN) gets the rest through
 * the stream, which waits for room; a write error ends the run as the stream's error listener would.
 */
export function writeNow(fd: number, text: string, stream: () => Writable, write: typeof writeSync = writeSync): void {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += write(fd, bytes, done, bytes.length - done);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EAGAIN") stream().write(bytes.subarray(done));
    else exitOnStreamError("stdout", e as NodeJS.ErrnoException);
  }
}

/**
 * A write error on stdout/stderr (a closed pipe, a full disk) arrives as an
 * error event after the write; without a listener Node prints a trace and
 * exits 1. With this one the run ends as stop.ts says (141 or 2).
 */
function guarded<S extends Writable>(stream: S, name: "stdout" | "stderr"): S {
  if (!stream.listeners("error").includes(STREAM_ERROR[name])) stream.on("error", STREAM_ERROR[name]);
  return stream;
}

const STREAM_ERROR = {
  stdout: (e: NodeJS.ErrnoException) => exitOnStreamError("stdout", e),
  stderr: (e: NodeJS.ErrnoException) => exitOnStreamError("stderr", e),
};

/**
 * yargs drops a lone "-" argument, so main() swaps it for this token before
 * parsing; commands treat it as "standard input" (or standard output for -o).
 */
export const STDIO_ARG = "\u0000-";

/** Colour on a TTY unless NO_COLOR; FORCE_COLOR forces it, and FORCE_COLOR=0 (or false) forces it off, as in Node and chalk. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR) return true;
  return !!stream.isTTY;
}
