import { describe, expect, it } from "vitest";
import { usageMessage } from "../../src/cli/usage-message.js";
import { runFqc } from "../helpers/cli.js";

describe("usage failures are one line", () => {
  it("says which value of which option is not a choice, for each option yargs rejected", () => {
    const yargs = 'Invalid values:\n  Argument: format, Given: "bogus", Choices: "table", "json"\n  Argument: sort, Given: "nope", Choices: "order", "sqnr"';
    expect(usageMessage(yargs)).toBe('--format "bogus" is not one of "table", "json"; --sort "nope" is not one of "order", "sqnr"');
  });
  it("reads the rejected choices with or without the colon and across blank lines, and leaves a heading with nothing under it", () => {
    const one = '  Argument: kernel, Given: "x", Choices: "auto", "js"';
    expect(usageMessage(`Invalid values\n${one}`)).toBe('--kernel "x" is not one of "auto", "js"');
    expect(usageMessage(`Invalid values:\n\n${one}\n  \n  something else\n`)).toBe('--kernel "x" is not one of "auto", "js"; something else');
    expect(usageMessage("Invalid values:")).toBe("Invalid values:");
    expect(usageMessage(`Invalid values: 2\n${one}`)).toBe(`Invalid values: 2\n${one}`);
    expect(usageMessage(`Some Invalid values:\n${one}`)).toBe(`Some Invalid values:\n${one}`);
  });

  it("leaves yargs' one-line messages as they are", () => {
    expect(usageMessage("Unknown argument: frobnicate")).toBe("Unknown argument: frobnicate");
    expect(usageMessage("Missing required argument: config")).toBe("Missing required argument: config");
  });
  it("names an unknown --__proto__ as typed (yargs' parser renames it ___proto___), and a typed ___proto___ as it is", () => {
    expect(usageMessage("Unknown argument: ___proto___", ["validate", "c.json", "--__proto__"])).toBe("Unknown argument: __proto__");
    expect(usageMessage("Unknown arguments: ___proto___, x", ["--__proto__=1", "--x"])).toBe("Unknown arguments: __proto__, x");
    expect(usageMessage("Unknown argument: ___proto___", ["--___proto___"])).toBe("Unknown argument: ___proto___");
    expect(usageMessage("Unknown argument: ___proto___", ["validate", "c.json", "--___proto___"])).toBe("Unknown argument: ___proto___");
    expect(usageMessage("Not enough arguments: ___proto___", ["--__proto__"])).toBe("Not enough arguments: ___proto___");
    const r = runFqc(["validate", "c.json", "--__proto__"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("fqc: Unknown argument: __proto__");
  });

  it("prints a rejected choice as one line naming the option, the value and the choices, exit 2", () => {
    const r = runFqc(["report", "model.safetensors", "-c", "c.json", "--format", "bogus", "--sort", "nope"]);
    expect(r.code).toBe(2);
    const [first, hint, ...rest] = r.stderr.split("\n");
    expect(first).toBe('fqc: --format "bogus" is not one of "table", "json", "csv", "markdown", "html"; --sort "nope" is not one of "order", "sqnr", "name", "size"');
    expect(hint).toMatch(/^ {2}hint: /);
    expect(rest.join("")).toBe("");
    expect(r.stderr).not.toContain("\\n");
  });
});
