/** A misspelt option or a missing operand, as a new user first types them: named as typed, with what was meant. */
import { describe, expect, it } from "vitest";
import { unknownOptionsMessage } from "../../src/cli/unknown-options.js";
import { missingOperands } from "../../src/cli/usage-message.js";
import { runFqc } from "../helpers/cli.js";

const table = { key: { help: true, version: true, check: true, "max-warnings": true, "project-config": true, "ignore-pattern": true, i: true } };
const HELP = "  hint: Run 'fqc --help' (or 'fqc <command> --help') for usage.\n";

describe("unknown options", () => {
  it("names each unknown option once, as typed, with the closest option the command takes", () => {
    expect(unknownOptionsMessage(["normalize", "--chek", "a.json"], table)).toBe("Unknown argument: chek (did you mean --check?)");
    expect(unknownOptionsMessage(["v", "--max-warning=0", "--max-warning", "1"], table)).toBe("Unknown argument: max-warning (did you mean --max-warnings?)");
    expect(unknownOptionsMessage(["v", "-x", "--frobnicate", "a.json"], table)).toBe("Unknown arguments: x, frobnicate");
  });

  it("takes what yargs takes: aliases, camelCase spellings, --no- flags, negative numbers, clusters, and anything after --", () => {
    for (const args of [["-i", "x"], ["--maxWarnings", "0"], ["--no-project-config"], ["--max-warnings", "-1"], ["-qj2"], ["--", "--frobnicate"], ["a.json", "-"]]) {
      expect(unknownOptionsMessage(["validate", ...args], table), args.join(" ")).toBeUndefined();
    }
  });

  it("on the command line: a misspelt flag before a file is named, not reported as a missing file; no camelCase copy", () => {
    for (const [args, message] of [
      [["normalize", "--chek", "examples/8da4w.json"], "Unknown argument: chek (did you mean --check?)"],
      [["validate", "examples/8da4w.json", "--max-warning", "0"], "Unknown argument: max-warning (did you mean --max-warnings?)"],
      [["validate", "--formt", "json", "examples/8da4w.json"], "Unknown argument: formt (did you mean --format?)"],
      [["apply", "examples/weight.npy", "o.npy", "-c", "examples/int4-weight-per-group.json", "--thread", "2"], "Unknown argument: thread (did you mean --threads?)"],
      [["report", "--srot", "sqnr", "examples/weight.npy", "-c", "examples/int4-weight-per-group.json"], "Unknown argument: srot (did you mean --sort?)"],
    ] as const) {
      const r = runFqc([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr, args.join(" ")).toBe(`fqc: ${message}\n${HELP}`);
    }
  });
});

describe("missing operands", () => {
  it("says what the command needs and gives a line with it, for yargs' count only", () => {
    expect(missingOperands("Not enough non-option arguments: got 1, need at least 2", ["apply", "w.npy"])?.message).toBe("apply needs two files, IN and OUT; got 1");
    expect(missingOperands("Not enough non-option arguments: got 0, need at least 1", ["normalize"])?.message).toBe("no files to normalize");
    expect(missingOperands("Unknown argument: x", ["apply"])).toBeUndefined();
    expect(missingOperands("Not enough non-option arguments: got 0, need at least 1", ["schema"])).toBeUndefined();
  });

  it("on the command line: apply without OUT, normalize and report without files (exit 2, nothing written)", () => {
    const cases = [
      [["apply", "examples/weight.npy", "-c", "examples/int4-weight-per-group.json"], "apply needs two files, IN and OUT; got 1", "e.g. fqc apply w.npy w_fq.npy --config qat.json"],
      [["normalize", "--check"], "no files to normalize", "Name config files or globs, or - to read stdin: fqc normalize configs/*.json"],
      [["report", "-c", "examples/int4-weight-per-group.json"], "report needs a MODEL (a checkpoint or a .npy); got none", "e.g. fqc report model.safetensors -c a.json"],
    ] as const;
    for (const [args, message, hint] of cases) {
      const r = runFqc([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toBe(`fqc: ${message}\n  hint: ${hint}\n`);
    }
  });
});
