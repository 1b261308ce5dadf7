import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { joinNegativeExponents, operandsAfterDoubleDash } from "../../src/cli/main.js";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("fqc --help / --version", () => {
  it("lists every command with a one-line description", () => {
    const r = runFqc(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of ["validate", "normalize", "apply", "schema"]) {
      expect(r.stdout).toMatch(new RegExp(`fqc ${cmd}[^\\n]*\\s{2,}\\S`));
    }
    expect(r.stdout).toContain("Exit status");
    expect(r.stdout).toContain("Examples:");
  });

  it.each(["validate", "normalize", "apply", "schema"])("shows examples in `fqc %s --help`", (cmd) => {
    const r = runFqc([cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(`fqc ${cmd}`);
  });

  it("help and a version yargs prints end the output with one line break, as a line does", () => {
    // yargs hands over its text without the final line break; `schema --version` is not the plain --version line.
    for (const args of [["--help"], ["validate", "--help"], ["schema", "--version"]]) {
      const r = runFqc(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/[^\n]\n$/);
    }
    expect(runFqc(["schema", "--version"]).stdout).toBe(`${pkg.version}\n`);
  });

  it("--version with --help shows the help: only --version alone is the plain version line", () => {
    const r = runFqc(["--version", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
  });

  it("prints the package version", () => {
    const r = runFqc(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("exits 2 with a usage message for no command or an unknown one", () => {
    const none = runFqc([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Name a command");
    const bad = runFqc(["valdiate", "x.json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/validate/);
  });

  it.each([
    [["apply"], "apply needs two files, IN and OUT; got 0"],
    [["apply", "only-input.npy"], "apply needs two files, IN and OUT; got 1"],
    [["schema", "--draft", "99"], `--draft "99" is not one of`],
    [["normalize", "--check", "--write", "examples/8da4w.json"], "mutually exclusive"],
    [["validate", "--format", "xml", "examples/8da4w.json"], `--format "xml" is not one of "stylish"`],
  ])("rejects %j with exit 2 before any command runs", (args, text) => {
    const r = runFqc(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(text);
    expect(r.stdout).toBe("");
  });

  it("exits 2 on an unknown option", () => {
    const r = runFqc(["validate", "examples/8da4w.json", "--frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/frobnicate/);
  });
});

describe("a repeated option takes its last value (it used to reach commands as an array: a crash or a silent no-op)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const weight = path.join(ROOT, "examples/weight.npy");

  it("apply: the last --config, --scale-out and --threads", () => {
    const int8 = tmp.write("int8.json", JSON.stringify({ dtype: "int8", granularity: "per_channel" }));
    const r = runFqc(["apply", weight, tmp.path("w.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json"), "--config", int8,
      "--scale-out", tmp.path("first.npy"), "--scale-out", tmp.path("last.npy"), "--threads", "3", "-j", "0", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config.dtype).toBe("int8");
    expect(out.threads).toBe(0);
    expect(existsSync(tmp.path("last.npy"))).toBe(true);
    expect(existsSync(tmp.path("first.npy"))).toBe(false);
  });

  it("validate: the last --format, and every file still counts", () => {
    const r = runFqc(["validate", "examples/8da4w.json", "examples/int8-per-channel.json", "--format", "sarif", "-f", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files).toHaveLength(2);
  });
});

describe("a repeatable option takes one value each time, so the files may follow it (yargs' lists took every word after them)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const asym = '{\n  "dtype": "int4",\n  "group_size": 32,\n  "is_symmetric": false\n}\n'; // lint/asymmetric-int-domain (warning)

  it("validate --rule and --ignore-pattern before the files", () => {
    tmp.write("a.fqc.json", asym);
    mkdirSync(tmp.path("legacy"), { recursive: true });
    tmp.write("legacy/b.fqc.json", asym);
    const off = runFqc(["validate", "--rule", "lint/asymmetric-int-domain=off", "a.fqc.json"], { cwd: tmp.dir });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toBe("✔ 1 file checked: no problems\n");
    const levels = runFqc(["validate", "--rule", "lint/asymmetric-int-domain=error", "--rule", "lint/eps=off", "a.fqc.json", "-f", "json"], { cwd: tmp.dir });
    expect(levels.code, levels.stderr).toBe(1);
    expect(JSON.parse(levels.stdout).errorCount).toBe(1);
    const ignored = runFqc(["validate", "--ignore-pattern", "legacy/", "a.fqc.json", "legacy/b.fqc.json", "-f", "json"], { cwd: tmp.dir });
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(JSON.parse(ignored.stdout).files.map((f: { file: string }) => f.file)).toEqual(["a.fqc.json"]);
  });

  it("report -c and -r before the model", () => {
    const r = runFqc(["report", "-c", "examples/8da4w.json", "-c", "examples/int8-per-channel.json", "examples/weight.npy", "-f", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).columns.map((c: { name: string }) => c.name)).toEqual(["8da4w", "int8-per-channel"]);
    const recipe = runFqc(["report", "-r", "examples/llama-recipe.json", "examples/llama-tiny/model.safetensors", "-f", "json"]);
    expect(recipe.code, recipe.stderr).toBe(0);
    expect(JSON.parse(recipe.stdout).columns).toHaveLength(1);
  });
});

describe("a short option's value joined to it by a word or a dot (yargs took -cfoo.json for -c -f -o -o …, and -c./a.json for an object)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const weight = path.join(ROOT, "examples/weight.npy");

  it("is refused with exit 2, naming the argument and how to write it, never a crash", () => {
    const cases: Array<[string[], string, string]> = [
      [["apply", weight, tmp.path("o.npy"), "-c./a.json"], "-c./a.json: the value of -c goes after a space", "Write -c ./a.json or --config=./a.json."],
      [["validate", "examples/8da4w.json", "-o./x.txt"], "-o./x.txt: the value of -o goes after a space", "Write -o ./x.txt or --output-file=./x.txt."],
      [["report", weight, "-cint4.json"], "-cint4.json: the value of -c goes after a space", "Write -c int4.json or --config=int4.json."],
      [["validate", "examples/8da4w.json", "-fjson"], "-fjson: the value of -f goes after a space", "Write -f json or --format=json."],
    ];
    for (const [args, message, hint] of cases) {
      const r = runFqc(args, { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${message}\n  hint: ${hint}\n`);
    }
    expect(existsSync(tmp.path("x.txt"))).toBe(false);
  });

  it("takes dotted option names as unknown options, not as objects", () => {
    for (const args of [["apply", weight, tmp.path("o.npy"), "--config.x=1"], ["validate", "examples/8da4w.json", "--max-warnings.x", "3"]]) {
      const r = runFqc(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^fqc: Unknown arguments?: /);
      expect(r.stderr).not.toMatch(/internal error|\[object Object\]|    at /);
    }
  });

  it("still reads the joined forms yargs reads: digits, = and a value starting with another character", () => {
    const cfg = tmp.write("g32.json", '{"dtype": "int4", "group_size": 32}');
    for (const args of [["-j2", "-c", cfg], ["-j=2", `-c=${cfg}`], [`-c${cfg}`]]) {
      const r = runFqc(["apply", weight, tmp.path("o.npy"), ...args, "--json"]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).config.granularity).toEqual({ type: "PerGroup", group_size: 32 });
    }
    // report's line always goes through yargs (apply's usual one may not): -j2 there too.
    const r = runFqc(["report", weight, "-c", cfg, "-j2", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).columns[0].name).toBe("g32");
  });
});

describe("fqc schema", () => {
  it("prints the committed 2020-12 schema and the draft-07 copy, byte for byte (`fqc schema > fqc.schema.json` makes the same file)", () => {
    const r = runFqc(["schema"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(ROOT, "schema/fqc.schema.json"), "utf8"));
    const r7 = runFqc(["schema", "--draft", "07"]);
    expect(r7.stdout).toBe(readFileSync(path.join(ROOT, "schema/fqc.draft-07.schema.json"), "utf8"));
  });
});

describe("arguments fqc refuses rather than misreads", () => {
  it("an empty value or operand (an unset shell variable, say) is named, exit 2", () => {
    const cases: Array<[string[], string]> = [
      [["apply", "examples/weight.npy", "out.npy", "-c", ""], "--config is empty"],
      [["apply", "", "out.npy", "-c", "examples/8da4w.json"], "<input> is empty"],
      [["validate", "examples/8da4w.json", ""], "<files> is empty"],
      [["validate", "examples/8da4w.json", "--tensor", ""], "--tensor is empty"],
      [["normalize", ""], "<files> is empty"],
      [["apply", "examples/weight.npy", "", "-c", "examples/8da4w.json"], "<output> is empty"],
      [["report", "", "-c", "examples/8da4w.json"], "<model> is empty"],
      [["apply", "examples/weight.npy", "out.npy", "--config=", "--role", "weight"], "--config is empty"],
      // A short option last in a group (-qc) reaches yargs' parse; it is named by its long form, not as --c.
      [["apply", "examples/weight.npy", "out.npy", "-qc", ""], "--config is empty"],
    ];
    for (const [args, message] of cases) {
      const r = runFqc(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${message}\n  hint: Give a value (an unset shell variable expands to nothing; quote paths with spaces).\n`);
    }
  });

  it("an empty number (--max-warnings \"\", --max-warnings=, --fail-under \"\") is refused, not read as 0", () => {
    const cases: Array<[string[], string]> = [
      [["validate", "examples/8da4w.json", "--max-warnings", ""], "--max-warnings is empty"],
      [["validate", "examples/8da4w.json", "--max-warnings="], "--max-warnings is empty"],
      [["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--fail-under", ""], "--fail-under is empty"],
      [["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--worst="], "--worst is empty"],
      [["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--fail-under="], "--fail-under is empty"],
      [["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--worst", ""], "--worst is empty"],
    ];
    for (const [args, message] of cases) {
      const r = runFqc(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`fqc: ${message}\n  hint: Give a value (an unset shell variable expands to nothing; quote paths with spaces).\n`);
    }
  });

  it("--max-warnings that is not a whole number, exit 2", () => {
    for (const v of ["abc", "1.5", "-2"]) {
      const r = runFqc(["validate", "examples/8da4w.json", "--max-warnings", v]);
      expect(r.code, v).toBe(2);
      expect(r.stderr).toContain("--max-warnings needs a whole number");
    }
  });

  it("anything after -- on apply or report, which yargs would drop unchecked, exit 2", () => {
    const r = runFqc(["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--", "examples/broken/typo-group-size.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no arguments are taken after --; got 'examples/broken/typo-group-size.json'");
    expect(r.stderr).toContain("./-name.json");
    expect(r.stdout).toBe("");
    const a = runFqc(["apply", "examples/weight.npy", "out.npy", "-c", "examples/8da4w.json", "--role", "weight", "--", "x"]);
    expect(a.code).toBe(2);
    expect(a.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("validate and normalize take files after -- (pre-commit passes a root-level -x.fqc.json as it is)", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("checks every file after --, one whose name starts with - included, and still finds problems there", () => {
    const dir = path.join(tmp.dir, "dash");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "-x.fqc.json"), '{"dtype": "int4", "group_size": 32}');
    writeFileSync(path.join(dir, "--max-warnings"), '{"dtype": "int4", "group_size": 32}');
    writeFileSync(path.join(dir, "bad.fqc.json"), readFileSync(path.join(ROOT, "examples/broken/typo-group-size.json")));
    const ok = runFqc(["validate", "--max-warnings", "0", "--", "-x.fqc.json", "--max-warnings"], { cwd: dir });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("2 files checked");
    const bad = runFqc(["validate", "--", "-x.fqc.json", "bad.fqc.json"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("bad.fqc.json");
  });

  it("normalize --check names a file after -- so that its fix command runs as printed", () => {
    const dir = path.join(tmp.dir, "dash-normalize");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "-x.fqc.json"), '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--check", "--", "-x.fqc.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain("fqc normalize --write ./-x.fqc.json");
    expect(runFqc(["normalize", "--write", "./-x.fqc.json"], { cwd: dir }).code).toBe(0);
    expect(runFqc(["normalize", "--check", "--", "-x.fqc.json"], { cwd: dir }).code).toBe(0);
  });

  it("leaves a line without -- as it is, and -- on other commands to be refused", () => {
    expect(operandsAfterDoubleDash(["validate", "a.json", "-q"])).toEqual(["validate", "a.json", "-q"]);
    expect(operandsAfterDoubleDash(["normalize", "--check", "--", "-a", "b", "--"])).toEqual(["normalize", "--check", "./-a", "b", "./--"]);
    expect(operandsAfterDoubleDash(["report", "m", "--", "-a"])).toEqual(["report", "m", "--", "-a"]);
  });
});

describe("a negative number written with an exponent is an option's value", () => {
  it("joins it to the option before yargs reads it, and leaves every other token as it is", () => {
    expect(joinNegativeExponents(["report", "m", "--fail-under", "-1e5", "-w", "-2.5E-1", "--", "--x", "-1e5"])).toEqual(
      ["report", "m", "--fail-under=-1e5", "-w=-2.5E-1", "--", "--x", "-1e5"],
    );
    expect(joinNegativeExponents(["--fail-under", "-5", "a", "-1e5"])).toEqual(["--fail-under", "-5", "a", "-1e5"]);
  });

  it("refuses --fail-under -1e5 as the value it is, naming it (yargs split it into the flags -1 and -e), exit 2", () => {
    for (const v of ["-1e5", "1e5"]) {
      const r = runFqc(["report", "examples/weight.npy", "-c", "examples/8da4w.json", "--fail-under", v, "-f", "json"]);
      expect(r.code, v).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe(`fqc: --fail-under needs a number of dB, not "${v}"`);
    }
  });
});
