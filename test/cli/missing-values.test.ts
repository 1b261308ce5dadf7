/** Issue 13 item 11: an option that takes a value, given without one, is refused (exit 2) instead of falling back to its default. */
import { afterAll, describe, expect, it } from "vitest";
import { APPLY_OPTIONS } from "../../src/cli/commands/apply-options.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const cfg = tmp.write("g32.json", '{"dtype":"int4","group_size":32}');

const valuedApply = Object.entries(APPLY_OPTIONS).filter(([, o]) => o.type === "string").flatMap(([name, o]) => [`--${name}`, ...("alias" in o && o.alias ? [`-${o.alias}`] : [])]);
const lines: Array<[string, string[]]> = [
  ...["--max-warnings", "--format", "-f", "--tensor", "--role", "--compute-dtype", "--torchao", "--stdin-filename", "--output-file", "-o"].map((o): [string, string[]] => [o, ["validate", cfg, o]]),
  ["--stdin-filename", ["normalize", cfg, "--stdin-filename"]],
  ["--draft", ["schema", "--draft"]],
  ...valuedApply.map((o): [string, string[]] => [o, ["apply", "w.npy", "o.npy", ...(o === "--config" || o === "-c" ? [] : ["-c", cfg]), o]]),
];

describe("options given without their value", () => {
  for (const [option, args] of lines) {
    it(`${args[0]} refuses ${option} at the end of the line, exit 2`, async () => {
      const r = await runMain(args, { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`fqc: ${option} needs a value`);
    });
  }

  it("names a short option's long form, and says how to write the value", async () => {
    for (const [args, short, long] of [[["validate", cfg, "-f"], "-f", "format"], [["report", "w.npy", "-c"], "-c", "config"]] as const) {
      const r = await runMain([...args], { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${short} needs a value (--${long})\n  hint: Write ${short} VALUE or --${long}=VALUE; run 'fqc <command> --help' for the values it takes.\n`);
    }
    const r = await runMain(["validate", cfg, "--format"], { cwd: tmp.dir });
    expect(r.stderr.split("\n")[0]).toBe("fqc: --format needs a value");
  });

  it("refuses a valued option followed by another option (-j -q, --max-warnings --quiet)", async () => {
    for (const args of [["apply", "w.npy", "o.npy", "-c", cfg, "-j", "-q"], ["validate", cfg, "--max-warnings", "--quiet"], ["apply", "w.npy", "o.npy", "-c", cfg, "--kernel", "--quiet"]]) {
      const r = await runMain(args, { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/needs a value/);
    }
  });

  it("takes a negative number as a value (--max-warnings -1) and - as standard output", async () => {
    expect((await runMain(["validate", cfg, "--max-warnings", "-1"], { cwd: tmp.dir })).code).toBe(0);
    expect((await runMain(["validate", cfg, "-o", "-"], { cwd: tmp.dir })).code).toBe(0);
  });

  it("passes a word yargs reads as a negative number (-.5) on to the option's own check, as --opt=-.5 is", async () => {
    for (const form of [["--fail-under", "-.5"], ["--fail-under=-.5"]]) {
      const r = await runMain(["report", "w.npy", "-c", cfg, ...form], { cwd: tmp.dir });
      expect(r.code, form.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe('fqc: --fail-under needs a number of dB, not "-.5"');
    }
  });

  it("refuses a number-like word yargs would split into options (--fail-under -2.), naming the word and the = form", async () => {
    for (const [args, option, word] of [
      [["report", "w.npy", "-c", cfg, "--fail-under", "-2."], "--fail-under", "-2."],
      [["report", "w.npy", "-c", cfg, "--fail-under", "-2.x"], "--fail-under", "-2.x"],
      [["validate", cfg, "--max-warnings", "-1."], "--max-warnings", "-1."],
    ] as const) {
      const r = await runMain([...args], { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${option} ${word}: a value starting with "-" is read as one only when it is a plain number\n  hint: Write ${option}=${word} to give it as it is.\n`);
    }
  });

  it("refuses --no- on an option that takes a value (--no-rule, --no-config): yargs passed false on as the value, a crash or a silent no-op", async () => {
    const cases: Array<[string[], string]> = [
      [["validate", cfg, "--no-rule"], "rule"],
      [["validate", cfg, "--no-max-warnings"], "max-warnings"],
      [["apply", "w.npy", "o.npy", "--no-config"], "config"],
      [["apply", "w.npy", "o.npy", "-c", cfg, "--no-scale-out"], "scale-out"],
      [["report", "w.npy", "--no-c"], "config"],
      [["report", "w.npy", "-c", cfg, "--no-fail-under"], "fail-under"],
    ];
    for (const [args, long] of cases) {
      const r = await runMain(args, { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${args.at(-1)}: --${long} takes a value; it is not a switch to turn off\n  hint: Write --${long} VALUE, or leave it out.\n`);
    }
    // Switches keep their --no- form.
    expect((await runMain(["validate", cfg, "--no-project-config", "--no-error-on-unmatched-pattern", "--no-color"], { cwd: tmp.dir })).code).toBe(0);
  });
});
