/**
 * A signal that arrives after apply has committed every output (while it
 * prints its summary or stops its workers) does not turn finished work into
 * "interrupted": the outputs are on disk, so the run ends with its summary
 * and exit 0 (a script seeing 130 would redo it); a second signal still
 * stops it at once with 128 + n. Run in-process, so the signal can be
 * delivered at that exact point: from inside the summary's write.
 */
import { existsSync, readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { tempDir } from "../helpers/cli.js";
import { Ended, mockProcessEnd } from "../helpers/in-process.js";
import { writeSafetensors, weights } from "../helpers/safetensors.js";
import { npyF32 } from "../checkpoint/npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => vi.restoreAllMocks());

/** main(args) whose first stdout write (the summary, written after the commit) delivers `signals` first. */
async function runWithSignalsAtSummary(args: string[], signals: NodeJS.Signals[]): Promise<{ code: number | null; exits: number[]; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let delivered = false;
  const exits: number[] = [];
  mockProcessEnd((code) => exits.push(code));
  const io: CliIO = {
    stdout: new Writable({
      write: (chunk, _enc, done) => {
        if (!delivered) {
          delivered = true;
          try {
            for (const s of signals) process.emit(s, s);
          } catch (e) {
            if (!(e instanceof Ended)) throw e;
            done();
            return;
          }
        }
        stdout += String(chunk);
        done();
      },
    }),
    stderr: new Writable({ write: (chunk, _enc, done) => void ((stderr += String(chunk)), done()) }),
    readStdin: async () => "",
    cwd: tmp.dir,
    env: { NO_COLOR: "1" },
  };
  let code: number | null = null;
  try {
    code = await main(args, io);
  } catch (e) {
    if (!(e instanceof Ended)) throw e;
  }
  return { code, exits, stdout, stderr };
}

const cfg = tmp.write("cfg.json", JSON.stringify({ dtype: "int4", group_size: 32 }));
const npy = tmp.write("w.npy", npyF32(Array.from({ length: 8 * 64 }, (_, i) => Math.sin(i)), [8, 64]));
const model = tmp.path("m.safetensors");
writeSafetensors(model, [{ name: "a.weight", dtype: "F32", shape: [8, 64], values: weights(8 * 64, 1) }]);

describe("a signal after apply committed every output", () => {
  it.each([
    [".npy", npy, "w.fq.npy", "SIGINT"],
    ["checkpoint", model, "m.fq.safetensors", "SIGTERM"],
  ] as const)("%s: finishes with its summary and exit 0, saying the signal came after the outputs were written (%s)", async (_what, input, name, signal) => {
    const output = tmp.path(name);
    const r = await runWithSignalsAtSummary(["apply", input, output, "-c", cfg], [signal]);
    expect(r.exits).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`→ ${output}`);
    expect(r.stderr).toBe(`fqc: ${signal} came after every output was written; finishing (a second signal stops at once)\n`);
    expect(existsSync(output)).toBe(true);
    expect(readFileSync(output).length).toBeGreaterThan(0);
  });

  it("a second signal still stops the run at once with 128 + n", async () => {
    const output = tmp.path("twice.npy");
    const r = await runWithSignalsAtSummary(["apply", npy, output, "-c", cfg], ["SIGINT", "SIGINT"]);
    expect(r.exits).toEqual([130]);
    // Committed before either signal: the output stays.
    expect(existsSync(output)).toBe(true);
  });
});
