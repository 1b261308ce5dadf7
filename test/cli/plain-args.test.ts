/**
 * The plain-form parser of apply's line (src/cli/plain-args.ts) stands in for
 * yargs on the usual line, so whatever it accepts must parse exactly as yargs
 * parses it; everything else must be left to yargs.
 */
import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { APPLY_OPTIONS } from "../../src/cli/commands/apply-options.js";
import { applyCommand, plainApplyArgs, type ApplyArgs } from "../../src/cli/commands/apply.js";
import type { CliIO } from "../../src/cli/io.js";
import { cliParser, main } from "../../src/cli/main.js";
import { parsePlainArgs } from "../../src/cli/plain-args.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { withoutYargs } from "../helpers/without-yargs.js";

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const io = (): CliIO => ({ stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: ROOT, env: {} });
const KEYS = ["input", "output", ...Object.keys(APPLY_OPTIONS)];

/** What yargs hands apply's handler for `fqc apply ...args` (its keys that apply reads), or undefined when it rejects the line. */
async function yargsArgs(args: string[]): Promise<Record<string, unknown> | undefined> {
  const cliIO = io();
  let got: ApplyArgs | undefined;
  const command = { ...applyCommand(cliIO, () => {}, { signal: new AbortController().signal }), handler: (a: ApplyArgs) => void (got = a) };
  const line = ["apply", ...args];
  try {
    await (await cliParser(line, cliIO, (y) => y.command(command))).parseAsync(line);
  } catch {
    return undefined;
  }
  if (!got) return undefined;
  const parsed = got as unknown as Record<string, unknown>;
  return Object.fromEntries(KEYS.filter((k) => parsed[k] !== undefined).map((k) => [k, parsed[k]]));
}

const DEFAULTS = { torchao: "0.12", threads: "auto", force: false, kernel: "auto", fsync: false, progress: true, quiet: false, json: false, "dry-run": false };

describe("plain apply lines", () => {
  it("parses the usual forms, defaults filled in", () => {
    expect(plainApplyArgs(["x.npy", "y.npy", "-c", "cfg.json", "--quiet", "--threads", "2"])).toEqual({
      ...DEFAULTS, input: "x.npy", output: "y.npy", config: "cfg.json", quiet: true, threads: "2",
    });
    expect(plainApplyArgs(["--config=c.yaml", "a.npy", "--no-progress", "b.npy", "-j", "4", "--torchao", "0.18", "--scale-out", "s.npy", "-q", "--role=weight"])).toEqual({
      ...DEFAULTS, input: "a.npy", output: "b.npy", config: "c.yaml", progress: false, threads: "4", torchao: "0.18", "scale-out": "s.npy", quiet: true, role: "weight",
    });
    // Repeated: the last value wins, as main's yargs middleware makes it.
    expect(plainApplyArgs(["a", "b", "-c", "one.json", "--config", "two.json", "--no-quiet", "-q"])).toMatchObject({ config: "two.json", quiet: true });
    expect(plainApplyArgs(["m.safetensors", "o.safetensors", "-r", "recipe.json", "--qparams-out", "q.safetensors", "--dry-run"])).toEqual({
      ...DEFAULTS, input: "m.safetensors", output: "o.safetensors", recipe: "recipe.json", "qparams-out": "q.safetensors", "dry-run": true,
    });
  });

  it("reads a short option's joined value, -j4 and -c=cfg.json, as yargs does (a common way to write -j)", () => {
    expect(plainApplyArgs(["x.npy", "y.npy", "-ccfg.json"])).toBeUndefined();
    expect(plainApplyArgs(["x.npy", "y.npy", "-c=cfg.json", "-j1"])).toEqual({ ...DEFAULTS, input: "x.npy", output: "y.npy", config: "cfg.json", threads: "1" });
    expect(plainApplyArgs(["x.npy", "y.npy", "-c", "c.json", "-j=12"])).toMatchObject({ threads: "12" });
    expect(plainApplyArgs(["x.npy", "y.npy", "-c", "c.json", "-j12"])).toMatchObject({ threads: "12" });
    for (const odd of ["-j1.5", "-jx", "-j=", "-q1", "-q=true", "-j-1", "-c-j4"]) expect(plainApplyArgs(["x.npy", "y.npy", "-c", "c.json", odd]), odd).toBeUndefined();
  });

  it("reads a joined value holding a line break (a file name may) as yargs does", async () => {
    const line = ["x.npy", "y.npy", "-c=two\nlines.json"];
    expect(plainApplyArgs(line)).toMatchObject({ config: "two\nlines.json" });
    expect(plainApplyArgs(line)).toEqual(await yargsArgs(line));
  });

  it("parses a line with neither --config nor --recipe (the command refuses it, naming both)", () => {
    expect(plainApplyArgs(["a", "b"])).toEqual({ ...DEFAULTS, input: "a", output: "b" });
  });

  it.each([
    [["a", "b", "c", "-c", "x"], "three operands"],
    [["a", "-c", "x"], "one operand"],
    [["a", "b", "-c"], "a missing value"],
    [["a", "b", "-c", ""], "an empty value"],
    [["a", "", "-c", "x"], "an empty operand"],
    [["a", "b", "-c", "-x.json"], "a value starting with -"],
    [["a", "b", "-c", "x", "--help"], "--help"],
    [["a", "b", "-c", "x", "-h"], "-h"],
    [["a", "b", "-c", "x", "--version"], "--version"],
    [["a", "b", "-c", "x", "--"], "--"],
    [["a", "b", "-c", "x", "-"], "a lone -"],
    [["a", "b", "-c", "x", "-qj", "2"], "a cluster of short options"],
    [["a", "b", "-c", "x", "--quiet=true"], "a boolean with =value"],
    [["a", "-c", "x", "--quiet", "false"], "a boolean followed by false"],
    [["a", "-c", "x", "-q", "true"], "a short boolean followed by true"],
    [["a", "-c", "x", "--no-quiet", "false"], "a negated boolean followed by false"],
    [["a", "b", "-c", "x", "--kernel", "wasm"], "a value outside the choices"],
    [["a", "b", "-c", "x", "--scaleOut", "s.npy"], "a camelCase spelling"],
    [["a", "b", "-c", "x", "--conf", "y"], "an abbreviation"],
    [["a", "b", "--no-config"], "--no- on a non-boolean"],
    [["a", "b", "-c", "x", "--no-q"], "--no- on an alias"],
    [["a", "b", "-c", "x", "--bogus"], "an unknown option"],
    [["a", "b", "-c", "x", "--xx-quiet"], "an unknown option ending in a boolean's name"],
  ])("leaves %j to yargs (%s)", (args) => {
    expect(plainApplyArgs(args)).toBeUndefined();
  });

  it("the generic parser takes only the table's options", () => {
    const opts = { n: { type: "string" }, b: { alias: "x", type: "boolean", default: false } } as const;
    expect(parsePlainArgs(["p", "--n", "1", "-x"], ["pos"], opts)).toEqual({ pos: "p", n: "1", b: true });
    expect(parsePlainArgs(["p", "-n", "1"], ["pos"], opts)).toBeUndefined(); // no alias n
    expect(parsePlainArgs(["p", "---n", "1"], ["pos"], opts)).toBeUndefined();
    expect(parsePlainArgs(["p", "-undefined", "1"], ["pos"], opts)).toBeUndefined(); // n has no alias at all
  });

  it("the generic parser leaves a line without a required option to yargs, and sets no option the line and the table leave unset", () => {
    const opts = { r: { type: "string", demandOption: true }, n: { type: "string" } } as const;
    expect(parsePlainArgs(["p"], ["pos"], opts)).toBeUndefined();
    // Strict: yargs' arguments have no key for such an option either.
    expect(parsePlainArgs(["p", "--r", "v"], ["pos"], opts)).toStrictEqual({ pos: "p", r: "v" });
  });

  it("the generic parser fills a list option's default with a copy of the table's", () => {
    const table = { l: { type: "string", array: true, default: ["a"] } } as const;
    const args = parsePlainArgs(["p"], ["pos"], table);
    expect(args).toEqual({ pos: "p", l: ["a"] });
    expect(args!.l).not.toBe(table.l.default);
  });
});

// Tokens that exercise both parsers: operands, every option in every spelling, and values of every kind.
const names = Object.keys(APPLY_OPTIONS);
const aliases = Object.values(APPLY_OPTIONS).flatMap((o) => ("alias" in o ? [`-${o.alias}`] : []));
const values = ["0.12", "0.18", "0.2", "auto", "js", "weight", "activation", "float32", "bfloat16", "float64", "4", "08", "1e3", "-1", "", "true", "false", "cfg.json", "x=y", "a b", "-"];
const tokenArb = fc.oneof(
  fc.constantFrom("in.npy", "out.npy", "1", "0.18", "true", "a=b.npy", "x y.npy"),
  fc.constantFrom(...names.map((n) => `--${n}`), ...aliases),
  fc.constantFrom(...names.map((n) => `--no-${n}`)),
  fc.tuple(fc.constantFrom(...names), fc.constantFrom(...values)).map(([n, v]) => `--${n}=${v}`),
  fc.constantFrom(...values),
  fc.constantFrom("--", "-h", "--help", "--version", "-qj", "--scaleOut", "--conf", "-c=x", "--no-q", "---quiet"),
  // A short option with its value joined on: digits, or anything after "=" (the rest is yargs').
  fc.tuple(fc.constantFrom(...aliases, "-x"), fc.constantFrom(...values, "1", "12", "1.5", "x", "j", "q", "=", "==1")).map(([f, v]) => `${f}${v}`),
  fc.tuple(fc.constantFrom(...aliases), fc.constantFrom(...values)).map(([f, v]) => `${f}=${v}`),
);

/** Lines in plain form only: two operands and options with valid values, in any order and spelling. */
const plainLineArb = fc
  .tuple(
    fc.array(
      fc.constantFrom(...names).chain((name) => {
        const o = APPLY_OPTIONS[name as keyof typeof APPLY_OPTIONS];
        const flags = ["alias" in o ? `-${o.alias}` : `--${name}`, `--${name}`];
        if (o.type === "boolean") return fc.constantFrom([`--${name}`], [`--no-${name}`], ...("alias" in o ? [[`-${o.alias}`]] : []));
        const choices: readonly string[] = "choices" in o ? o.choices : ["v.npy", "3", "0.18", "a=b", "x y"];
        return fc.tuple(fc.constantFrom(...flags), fc.constantFrom(...choices), fc.boolean()).map(([f, v, joined]) => {
          if (!joined) return [f, v];
          if (f.startsWith("--")) return [`${f}=${v}`];
          return [/^\d+$/.test(v) ? `${f}${v}` : `${f}=${v}`];
        });
      }),
      { maxLength: 8 },
    ),
    fc.constantFrom("cfg.json", "c.yaml", "0.18"),
    fc.nat(20),
    fc.nat(20),
  )
  .map(([options, config, i, j]) => {
    // Operands go between options, never between an option and its value.
    const groups = [...options, ["-c", config]];
    groups.splice(i % (groups.length + 1), 0, ["in.npy"]);
    groups.splice(j % (groups.length + 1), 0, ["out.npy"]);
    return groups.flat();
  });

describe("plain lines parse exactly as yargs parses them (fast-check)", () => {
  it("for any line it accepts", async () => {
    // Bases with fewer operands let a random token complete the line (or a value be read as one).
    const base = fc.constantFrom(["in.npy", "out.npy", "-c", "cfg.json"], ["in.npy", "-c", "cfg.json"], ["-c", "cfg.json"], ["in.npy", "out.npy"]);
    await fc.assert(
      fc.asyncProperty(fc.tuple(base, fc.array(tokenArb, { maxLength: 10 })).map(([b, t]) => [...b, ...t]), async (args) => {
        const plain = plainApplyArgs(args);
        if (plain === undefined) return;
        expect(await yargsArgs(args)).toEqual(plain);
      }),
      { numRuns: 600 },
    );
  });

  it("and it accepts every plain-form line", async () => {
    await fc.assert(
      fc.asyncProperty(plainLineArb, async (args) => {
        const plain = plainApplyArgs(args);
        expect(plain).toBeDefined();
        expect(await yargsArgs(args)).toEqual(plain);
      }),
      { numRuns: 300 },
    );
  });
});

describe("main on a plain apply line", () => {
  it("runs apply without loading yargs; other lines still go through it", async () => {
    const tmp = tempDir();
    try {
      await withoutYargs(async (mainWithoutYargs) => {
        const line = ["apply", `${ROOT}/examples/weight.npy`, tmp.path("w.npy"), "-c", `${ROOT}/examples/int4-weight-per-group.json`, "--quiet"];
        expect(await mainWithoutYargs(line, io())).toBe(0);
        // The same run written another way needs yargs, which this module graph cannot load.
        expect(await mainWithoutYargs([...line, "--force=false"], io())).toBe(2);
      });
    } finally {
      tmp.cleanup();
    }
    expect(typeof main).toBe("function");
  });
});
