/**
 * validate's and normalize's plain lines (src/cli/plain-args.ts) skip yargs, as
 * apply's do (plain-args.test.ts): whatever the plain parser accepts must parse
 * exactly as yargs parses it, and everything else must be left to yargs. Both
 * parsers see the line as main hands it on (after "--" handling).
 */
import { Writable } from "node:stream";
import fc from "fast-check";
import type { CommandModule } from "yargs";
import { describe, expect, it } from "vitest";
import { normalizeCommand, NORMALIZE_OPTIONS, plainNormalizeArgs } from "../../src/cli/commands/normalize.js";
import { plainValidateArgs, validateCommand, VALIDATE_OPTIONS } from "../../src/cli/commands/validate.js";
import type { CliIO } from "../../src/cli/io.js";
import { cliParser, main, operandsAfterDoubleDash } from "../../src/cli/main.js";
import { VERSION } from "../../src/version.generated.js";
import { ROOT } from "../helpers/cli.js";
import { withoutYargs } from "../helpers/without-yargs.js";

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const io = (): CliIO => ({ stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: ROOT, env: {} });

interface Command {
  name: "validate" | "normalize";
  options: Record<string, { alias?: string; type: string; choices?: readonly string[]; array?: boolean }>;
  plain: (args: readonly string[]) => Record<string, unknown> | undefined;
  module: (io: CliIO) => CommandModule<object, never>;
}
const COMMANDS: Command[] = [
  { name: "validate", options: VALIDATE_OPTIONS, plain: (a) => plainValidateArgs(a), module: (cli) => validateCommand(cli, () => {}) as unknown as CommandModule<object, never> },
  { name: "normalize", options: NORMALIZE_OPTIONS, plain: (a) => plainNormalizeArgs(a), module: (cli) => normalizeCommand(cli, () => {}) as unknown as CommandModule<object, never> },
];

/** What yargs hands the command's handler for `fqc <command> ...args` (the keys the command reads), or undefined when it rejects the line. */
async function yargsArgs(c: Command, line: string[]): Promise<Record<string, unknown> | undefined> {
  const cliIO = io();
  let got: Record<string, unknown> | undefined;
  const command = { ...c.module(cliIO), handler: (a: never) => void (got = a) };
  try {
    await (await cliParser(line, cliIO, (y) => y.command(command))).parseAsync(line);
  } catch {
    return undefined;
  }
  if (!got) return undefined;
  const parsed = got as Record<string, unknown>;
  return Object.fromEntries(["files", ...Object.keys(c.options)].filter((k) => parsed[k] !== undefined).map((k) => [k, parsed[k]]));
}

/** Both parsers on one line, as main hands it on. */
async function both(c: Command, args: string[]): Promise<{ plain: Record<string, unknown> | undefined; line: string[] }> {
  const line = operandsAfterDoubleDash([c.name, ...args]);
  return { plain: c.plain(line.slice(1)), line };
}

describe("plain validate and normalize lines", () => {
  it("parse the usual forms, defaults filled in; a hook's `-- files` gives the files", () => {
    const defaults = { "max-warnings": "-1", torchao: "0.12", "stdin-filename": "<stdin>", quiet: false, rule: [], "ignore-pattern": [], "error-on-unmatched-pattern": true, "project-config": true };
    expect(plainValidateArgs(["a.json", "b.yaml", "-f", "github", "--max-warnings", "0", "-q"])).toEqual({ ...defaults, files: ["a.json", "b.yaml"], format: "github", "max-warnings": "0", quiet: true });
    // A number as typed, as yargs gives it too: the command reads it (number-arg.ts), refusing 1e3 or 08 on either line.
    for (const odd of ["1e3", "08", "x", "0x10"]) expect(plainValidateArgs(["a.json", "--max-warnings", odd])).toMatchObject({ "max-warnings": odd });
    expect(plainValidateArgs([])).toEqual({ ...defaults, files: [] });
    expect(plainValidateArgs(operandsAfterDoubleDash(["validate", "--", "-x.fqc.json", "y.fqc.yaml"]).slice(1))).toEqual({ ...defaults, files: ["./-x.fqc.json", "y.fqc.yaml"] });
    expect(plainValidateArgs(["c.json", "--no-project-config", "--color", "-o", "r.sarif"])).toMatchObject({ "project-config": false, color: true, "output-file": "r.sarif" });
    expect(plainNormalizeArgs(["--check", "a.json"])).toEqual({ files: ["a.json"], check: true, "stdin-filename": "<stdin>", "ignore-pattern": [], "error-on-unmatched-pattern": true, "project-config": true });
    expect(plainNormalizeArgs(["--write", "--no-project-config", "a.json"])).toMatchObject({ write: true, "project-config": false });
    expect(plainNormalizeArgs(["--check", "--no-error-on-unmatched-pattern", "a.json"])).toMatchObject({ "error-on-unmatched-pattern": false });
  });

  it.each([
    ["validate", ["a.json", "--rule", "lint/x=off"], "a list option"],
    ["validate", ["a.json", "--ignore-pattern=x/**"], "a list option with ="],
    ["validate", ["a.json", "--max-warnings", "-1"], "a negative number"],
    ["validate", ["a.json", "-f", "stylish2"], "a format outside the choices"],
    ["validate", ["a.json", "--help"], "--help"],
    ["validate", ["a.json", "--quiet=true"], "a boolean with =value"],
    ["validate", ["a.json", "--maxWarnings", "3"], "a camelCase spelling"],
    ["normalize", [], "no file"],
    ["normalize", ["--check", "--write", "a.json"], "--check with --write (yargs names the conflict)"],
    ["normalize", ["--no-check", "--write", "a.json"], "--no-check with --write"],
  ] as Array<[string, string[], string]>)("%s leaves %j to yargs (%s)", (name, args) => {
    const c = COMMANDS.find((x) => x.name === name)!;
    expect(c.plain(args)).toBeUndefined();
  });
});

for (const c of COMMANDS) {
  const names = Object.keys(c.options);
  const aliases = Object.values(c.options).flatMap((o) => (o.alias ? [`-${o.alias}`] : []));
  const values = ["0", "3", "-1", "08", "1e3", "0.18", "0.12", "github", "sarif", "json", "weight", "float32", "", "true", "false", "a.json", "x=off", "a b.yaml", "-", "123"];
  const tokenArb = fc.oneof(
    fc.constantFrom("a.json", "b.fqc.yaml", "123", "0.18", "true", "x y.json", "-x.json", "--", "\u0000-"),
    fc.constantFrom(...names.map((n) => `--${n}`), ...aliases),
    fc.constantFrom(...names.map((n) => `--no-${n}`)),
    fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)).map(([n, v]) => `--${n}=${v}`),
    fc.constantFrom(...values),
    fc.constantFrom("-h", "--help", "--version", "-qf", "--maxWarnings", "--form", "---quiet"),
    fc.tuple(fc.constantFrom(...aliases, "-x"), fc.constantFrom(...values, "1", "12", "j", "=")).map(([f, v]) => `${f}${v}`),
  );
  /** Lines in plain form: files and options with valid values, in any order and spelling (no list options). */
  const plainLineArb = fc
    .tuple(
      fc.array(
        fc.constantFrom(...names.filter((n) => !c.options[n].array)).chain((name) => {
          const o = c.options[name];
          const flags = [o.alias ? `-${o.alias}` : `--${name}`, `--${name}`];
          if (o.type === "boolean") return fc.constantFrom([`--${name}`], [`--no-${name}`], ...(o.alias ? [[`-${o.alias}`]] : []));
          const choices: readonly string[] = o.choices ?? (o.type === "number" ? ["0", "7", "120"] : ["v.json", "3", "0.18", "a=b", "x y"]);
          return fc.tuple(fc.constantFrom(...flags), fc.constantFrom(...choices), fc.boolean()).map(([f, v, joined]) => (joined && f.startsWith("--") ? [`${f}=${v}`] : [f, v]));
        }),
        { maxLength: 6 },
      ),
      fc.array(fc.constantFrom("a.json", "b.fqc.yaml", "0.18", "x y.yml", "123"), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(20), { minLength: 4, maxLength: 4 }),
    )
    .map(([options, files, at]) => {
      const groups = [...options];
      files.forEach((f, k) => groups.splice(at[k] % (groups.length + 1), 0, [f]));
      return groups.flat();
    })
    // normalize refuses --check with --write (a conflict yargs reports): such a line is not plain.
    .filter((args) => c.name !== "normalize" || !(args.some((a) => /^--(no-)?check$/.test(a)) && args.some((a) => /^--(no-)?write$/.test(a))));

  describe(`${c.name}: plain lines parse exactly as yargs parses them (fast-check)`, () => {
    it("for any line it accepts", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(tokenArb, { maxLength: 10 }), async (args) => {
          const { plain, line } = await both(c, args);
          if (plain === undefined) return;
          expect(await yargsArgs(c, line)).toEqual(plain);
        }),
        { numRuns: 500 },
      );
    });

    it("and it accepts every plain-form line", async () => {
      await fc.assert(
        fc.asyncProperty(plainLineArb, async (args) => {
          const { plain, line } = await both(c, args);
          expect(plain).toBeDefined();
          expect(await yargsArgs(c, line)).toEqual(plain);
        }),
        { numRuns: 250 },
      );
    });
  });
}

describe("main on a plain validate or normalize line, and on --version", () => {
  it("runs the command without loading yargs; other lines still go through it", async () => {
    await withoutYargs(async (mainWithoutYargs) => {
      const config = `${ROOT}/examples/int4-weight-per-group.json`;
      expect(await mainWithoutYargs(["validate", "--max-warnings", "0", "--", config], io())).toBe(0);
      const out: string[] = [];
      const versionIO = { ...io(), stdout: new Writable({ write: (c, _e, done) => void (out.push(String(c)), done()) }) };
      expect(await mainWithoutYargs(["--version"], versionIO)).toBe(0);
      expect(out.join("")).toBe(`${VERSION}\n`);
      // The example is shorthand, so --check finds it not canonical (1); a parse through yargs would have failed (2).
      expect(await mainWithoutYargs(["normalize", "--check", config], io())).toBe(1);
      // The same runs written another way need yargs, which this module graph cannot load.
      expect(await mainWithoutYargs(["validate", config, "--quiet=true"], io())).toBe(2);
      expect(await mainWithoutYargs(["normalize", "--check=true", config], io())).toBe(2);
    });
    expect(typeof main).toBe("function");
  });
});
