/** Runs main() in-process with captured output: fast enough for fuzzing, and the same code path as the binary. */
import { constants } from "node:os";
import { Writable } from "node:stream";
import { vi } from "vitest";
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

/** What a mocked end of the process throws, so that the run stops there. */
export class Ended extends Error {
  constructor(readonly code: number) {
    super(`the process ended with status ${code}`);
  }
}

/**
 * Mocks both ways fqc ends its process: process.exit, and a signal raised again at its default action (stop.ts),
 * which ends the process with the status a shell shows, 128 + n. The first calls `ended` with that status; each
 * throws Ended. Restore with vi.restoreAllMocks().
 */
export function mockProcessEnd(ended: (code: number) => void): void {
  // A real process is gone after its first end; fqc's fallback exit after the raised signal (stop.ts) is not a second.
  let first = true;
  const end = (code: number): never => {
    if (first) ended(code);
    first = false;
    throw new Ended(code);
  };
  vi.spyOn(process, "exit").mockImplementation(((code?: number) => end(code ?? 0)) as never);
  const kill = process.kill.bind(process);
  vi.spyOn(process, "kill").mockImplementation(((pid: number, signal?: string | number) => {
    if (pid !== process.pid) return kill(pid, signal);
    const n = typeof signal === "number" ? signal : constants.signals[(signal ?? "SIGTERM") as NodeJS.Signals];
    return end(128 + n);
  }) as never);
}
