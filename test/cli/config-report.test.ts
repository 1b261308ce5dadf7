/**
 * A config's problems as apply, report and normalize show them on stderr (src/cli/config-report.ts): stylish, capped
 * at 100 per file with the rest counted, as validate lists them, and coloured by stderr's own terminal and environment.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { reportConfigDiagnostics } from "../../src/cli/config-report.js";
import type { CliIO } from "../../src/cli/io.js";
import { validate } from "../../src/config/validate.js";

/** Runs it on `text`'s own diagnostics; returns what stderr got. */
async function stderrFor(text: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  let stderr = "";
  const io: CliIO = {
    stdout: new Writable({ write: (_c, _e, done) => done() }),
    stderr: new Writable({ write: (c, _e, done) => void ((stderr += String(c)), done()) }),
    readStdin: async () => "",
    cwd: "/",
    env,
  };
  await reportConfigDiagnostics(io, "c.json", text, validate(text, { filename: "c.json" }).diagnostics);
  return stderr;
}

const unknownKeys = (n: number) => JSON.stringify({ dtype: "int4", group_size: 32, ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])) });

describe("a config's problems on stderr", () => {
  it("lists at most 100 of a file's problems and counts the rest, as validate does", async () => {
    const out = await stderrFor(unknownKeys(130));
    expect(out.match(/fqc\/unknown-key/g)).toHaveLength(100);
    expect(out).toContain("✖ 130 problems (130 errors, 0 warnings), 30 more not listed (at most 100 per file)");
  });

  it("are coloured when the environment asks for it (FORCE_COLOR), and plain under NO_COLOR", async () => {
    expect(await stderrFor(unknownKeys(1), { FORCE_COLOR: "1" })).toContain("\u001b[");
    expect(await stderrFor(unknownKeys(1), { NO_COLOR: "1" })).not.toContain("\u001b[");
  });
});
