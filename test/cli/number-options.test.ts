/**
 * Every number option takes the spelling the README gives (plain decimal digits; a minus sign and a fraction where
 * the option takes them) and refuses the rest by name, on yargs' line and on the plain one alike: yargs' number type
 * read 0x10 as 16, 1e3 as 1000, 08 as 8 and " 5" as 5.
 */
import { afterAll, describe, expect, it } from "vitest";
import { plainValidateArgs } from "../../src/cli/commands/validate.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const cfg = tmp.write("g32.json", '{"dtype": "int4", "group_size": 32}');
const npy = `${ROOT}/examples/weight.npy`;

/** Written as no plain decimal number; each also parsed by yargs' number type (Number("0x10") is 16). */
const ODD = ["0x10", "1e3", "08", " 5", "5 ", "+5", "0b1", "1_000", "Infinity", ".5", "5."];

/** Each number option: its line with the value V, what its refusal says it needs, and values it takes. */
const OPTIONS: Array<{ label: string; option: string; line: (v: string) => string[]; needs: string; taken: string[]; outOfRange: string[] }> = [
  { label: "validate --max-warnings (plain line)", option: "--max-warnings", line: (v) => ["validate", cfg, "--max-warnings", v], needs: "a whole number of warnings (or -1: no limit)", taken: ["-1", "0", "10"], outOfRange: ["-2", "1.5", "-0"] },
  // A list option sends validate's line to yargs (plain-args.ts).
  { label: "validate --max-warnings= (yargs)", option: "--max-warnings", line: (v) => ["validate", cfg, "--ignore-pattern", "none/**", `--max-warnings=${v}`], needs: "a whole number of warnings (or -1: no limit)", taken: ["-1", "0"], outOfRange: ["-2"] },
  { label: "report --worst", option: "--worst", line: (v) => ["report", npy, "-c", cfg, "-f", "json", "--worst", v], needs: "a positive whole number of tensors", taken: ["1", "3"], outOfRange: ["0", "-1", "2.0"] },
  { label: "report --fail-under", option: "--fail-under", line: (v) => ["report", npy, "-c", cfg, "-f", "json", "--fail-under", v], needs: "a number of dB", taken: ["0", "-2.5", "-0"], outOfRange: [] },
];

describe("number options", () => {
  it("validate's plain line keeps --max-warnings as typed, as yargs does: the command reads it", () => {
    expect(plainValidateArgs([cfg, "--max-warnings", "0x10"])).toMatchObject({ "max-warnings": "0x10" });
  });

  for (const { label, option, line, needs, taken, outOfRange } of OPTIONS) {
    it(`${label}: refuses a value in another spelling, or out of range, naming both (exit 2)`, async () => {
      for (const v of [...ODD, ...outOfRange]) {
        const r = await runMain(line(v), { cwd: tmp.dir });
        expect(r.code, `${option} ${JSON.stringify(v)}`).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.split("\n")[0]).toBe(`fqc: ${option} needs ${needs}, not ${JSON.stringify(v)}`);
        // How to write it, when it is no plain decimal number.
        if (ODD.includes(v)) expect(r.stderr).toContain("hint: Write it in plain decimal digits");
      }
      for (const v of taken) {
        const r = await runMain(line(v), { cwd: tmp.dir });
        expect(r.stderr, `${option} ${v}`).not.toContain(`${option} needs`);
        expect([0, 1], `${option} ${v}: ${r.stderr}`).toContain(r.code);
      }
    });
  }

  it("--fail-under's threshold is the decimal number typed", async () => {
    // The int4 column's SQNR lies between these: below 1000.5 dB fails, below -2.5 dB passes.
    expect((await runMain(["report", npy, "-c", cfg, "-f", "json", "--fail-under", "1000.5"], { cwd: tmp.dir })).code).toBe(1);
    expect((await runMain(["report", npy, "-c", cfg, "-f", "json", "--fail-under", "-2.5"], { cwd: tmp.dir })).code).toBe(0);
  });

  it("--threads refuses a leading zero, as it refuses any spelling but plain digits (apply, report)", async () => {
    for (const line of [["apply", npy, tmp.path("o.npy"), "-c", cfg, "-j", "08"], ["report", npy, "-c", cfg, "--threads", "08"], ["apply", npy, tmp.path("o.npy"), "-c", cfg, "-j08"]]) {
      const r = await runMain(line, { cwd: tmp.dir });
      expect(r.code, line.join(" ")).toBe(2);
      expect(r.stderr).toContain('--threads must be a whole number ≥ 0 or "auto", not "08"');
    }
  });
});
