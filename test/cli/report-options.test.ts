/**
 * `fqc report`'s option table (src/cli/commands/report.ts) as its handler gets it: the defaults the README's option
 * table gives, and what each short alias stands for. Unlike apply's, validate's and normalize's lines, report's has no
 * plain parser whose tests would pin these; a default such as `--threads` shows in no output (the report is identical
 * for any thread count), so it is checked here, before the run.
 */
import { Writable } from "node:stream";
import type { CommandModule } from "yargs";
import { describe, expect, it } from "vitest";
import { reportCommand, type ReportArgs } from "../../src/cli/commands/report.js";
import type { CliIO } from "../../src/cli/io.js";
import { cliParser } from "../../src/cli/main.js";

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const io: CliIO = { stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: process.cwd(), env: {} };

/** What report's handler gets for `fqc report ...args`. */
async function reportArgs(args: string[]): Promise<ReportArgs | undefined> {
  let got: ReportArgs | undefined;
  const command = { ...reportCommand(io, () => {}, { signal: new AbortController().signal }), handler: (a: ReportArgs) => void (got = a) };
  const line = ["report", ...args];
  await (await cliParser(line, io, (y) => y.command(command as unknown as CommandModule))).parseAsync(line);
  return got;
}

describe("report's options", () => {
  it("default to the README's: every core (--threads auto), checkpoint order, torchao 0.12, the auto kernel, a progress bar, not quiet", async () => {
    expect(await reportArgs(["m.safetensors", "-c", "a.json"])).toMatchObject({
      threads: "auto", sort: "order", torchao: "0.12", kernel: "auto", progress: true, quiet: false,
    });
  });

  it("take each short alias for its option", async () => {
    const got = await reportArgs(["m.safetensors", "-r", "a.json", "-r", "b.json", "-f", "csv", "-o", "r.csv", "-j", "2", "-q"]);
    expect(got).toMatchObject({ recipe: ["a.json", "b.json"], format: "csv", output: "r.csv", threads: "2", quiet: true });
    expect(got?.config).toBeUndefined();
  });
});
