/** Runs main() in-process with captured output: fast enough for fuzzing, and the same code path as the binary. */
import { Writable } from "node:stream";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMain(args: string[], opts: { cwd: string; stdin?: string } = { cwd: process.cwd() }): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  const sink = (append: (s: string) => void) => new Writable({ write: (c, _e, done) => void (append(String(c)), done()) });
  const io: CliIO = {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    readStdin: async () => opts.stdin ?? "",
    cwd: opts.cwd,
    env: { NO_COLOR: "1" },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
