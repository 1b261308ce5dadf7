/** What the CLI layer needs from the process, injectable for tests and the single binary. */
import type { Writable } from "node:stream";
import { boundedText } from "../config-size.js";
import { exitOnStreamError } from "./stop.js";

export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIO(): CliIO {
  return {
    // Getters: Node builds each stdio stream on first use (~2-3 ms, loading the stream modules); a quiet run never needs stdout.
    get stdout() {
      return guarded(process.stdout, "stdout");
    },
    get stderr() {
      return guarded(process.stderr, "stderr");
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

/**
 * A write error on stdout/stderr (a closed pipe, a full disk) arrives as an
 * error event after the write; without a listener Node prints a trace and
 * exits 1. With this one the run ends as stop.ts says (141 or 2).
 */
function guarded<S extends NodeJS.WriteStream>(stream: S, name: "stdout" | "stderr"): S {
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

/** Colour on a TTY unless NO_COLOR; FORCE_COLOR forces it (the usual conventions). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return !!stream.isTTY;
}
