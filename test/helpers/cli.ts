/** Runs the fqc CLI as a user would: a separate node process on bin/fqc.js (built by `npm test`'s pretest). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FQC = path.join(ROOT, "bin/fqc.js");
export const CONFORMANCE = path.join(ROOT, "test/fixtures/conformance");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runFqc(args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string>; exe?: string[]; timeoutMs?: number } = {}): RunResult {
  const [cmd, ...pre] = opts.exe ?? [process.execPath, FQC];
  const r = spawnSync(cmd, [...pre, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", ...opts.env },
    maxBuffer: 1 << 26,
    // A run that would block for ever (spawnSync also blocks vitest's own timeout) is killed and fails the test.
    timeout: opts.timeoutMs,
    killSignal: "SIGKILL",
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface TempDir {
  dir: string;
  /** Path of `name` inside the directory. */
  path: (name: string) => string;
  /** Writes `name` inside the directory and returns its path. */
  write: (name: string, content: string | Uint8Array) => string;
  cleanup: () => void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), "fqc-test-"));
  const at = (name: string) => path.join(dir, name);
  return {
    dir,
    path: at,
    write: (name, content) => {
      writeFileSync(at(name), content);
      return at(name);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * How a child fqc ends when `signal` stops it: killed by the signal itself, as a Unix tool is (a shell shows 128 + n),
 * but for SIGQUIT, which exits with 131 and no core dump (src/cli/stop.ts). The shape of child_process' exit event.
 */
export function endedBy(signal: "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGQUIT" | "SIGPIPE"): { code: number | null; signal: NodeJS.Signals | null } {
  return signal === "SIGQUIT" ? { code: 131, signal: null } : { code: null, signal };
}
