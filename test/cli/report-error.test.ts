/** How any error ends a run: one message (and its hint) on stderr and an exit status, never a bare stack trace. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { describeErrno, reportError } from "../../src/cli/report-error.js";
import type { CliIO } from "../../src/cli/io.js";
import { EXIT, FqcError } from "../../src/errors.js";

function reported(e: unknown): { code: number; stderr: string } {
  let stderr = "";
  const sink = new Writable({ write: (chunk, _enc, done) => { stderr += String(chunk); done(); } });
  const io = { stdout: sink, stderr: sink, readStdin: async () => "", cwd: "/", env: {} } as unknown as CliIO;
  const code = reportError(io, e);
  return { code, stderr };
}

const errno = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: system message`), { code, syscall: "open", ...extra });

describe("reportError", () => {
  it("prints an FqcError as one line and its hint, with the exit status of its code", () => {
    expect(reported(new FqcError("USAGE", "bad\nflag", { hint: "do\nthis" }))).toEqual({ code: EXIT.USAGE_OR_IO, stderr: "fqc: bad\\nflag\n  hint: do\\nthis\n" });
    expect(reported(new FqcError("CONFIG", "invalid"))).toEqual({ code: EXIT.PROBLEMS, stderr: "fqc: invalid\n" });
  });

  it("prints a system error as its path and the plain words for its code, exit 2", () => {
    expect(reported(errno("ENOENT", { path: "a\nb.json" }))).toEqual({ code: EXIT.USAGE_OR_IO, stderr: "fqc: a\\nb.json: no such file or directory\n" });
    expect(reported(errno("EMFILE"))).toEqual({ code: EXIT.USAGE_OR_IO, stderr: "fqc: : EMFILE: system message\n" });
  });

  it("calls anything else an internal error, with its stack, asking for a report, exit 2", () => {
    const bug = new TypeError("x is undefined");
    const r = reported(bug);
    expect(r.code).toBe(EXIT.USAGE_OR_IO);
    expect(r.stderr).toBe(`fqc: internal error: x is undefined\n${bug.stack}\nPlease report this with the command that triggered it.\n`);
    // An error with a code but no syscall is no system error; a thrown non-Error is named as it is.
    expect(reported(Object.assign(new Error("m"), { code: "ERR_X" })).stderr).toMatch(/^fqc: internal error: m\n/);
    expect(reported("text").stderr).toBe("fqc: internal error: text\n\nPlease report this with the command that triggered it.\n");
    expect(reported(null).stderr).toBe("fqc: internal error: null\n\nPlease report this with the command that triggered it.\n");
  });
});

describe("describeErrno", () => {
  it("words the common codes plainly and leaves others to the system's message", () => {
    expect(["ENOENT", "EACCES", "EPERM", "EISDIR", "ENOSPC", "EIO"].map((c) => describeErrno(errno(c)))).toEqual([
      "no such file or directory", "permission denied", "permission denied", "is a directory, expected a file", "no space left on device", "EIO: system message",
    ]);
  });
});
