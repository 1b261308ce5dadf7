import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFORMANCE, FQC, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const write = tmp.write;
const entries = JSON.parse(readFileSync(path.join(CONFORMANCE, "normalize.json"), "utf8")) as Array<{ id: string; config: object; normalized: object }>;

describe("fqc normalize", () => {
  it("prints torchao's normalized config for shorthand input", () => {
    for (const e of entries.filter((_, i) => i % 9 === 0)) {
      const f = write(`${e.id}.json`, JSON.stringify(e.config));
      const r = runFqc(["normalize", f]);
      expect(r.code, e.id).toBe(0);
      expect(JSON.parse(r.stdout), e.id).toEqual(e.normalized);
      expect(Object.keys(JSON.parse(r.stdout))).toEqual(Object.keys(e.normalized));
    }
  });

  it("prints the canonical form of every config torchao constructs (all public normalize.json cases)", () => {
    const files = entries.map((e) => write(`all-${e.id}.json`, JSON.stringify(e.config)));
    // One run over every file: the documents come out in argument order, each ending with a "}" line.
    const r = runFqc(["normalize", ...files]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout.split(/^}\n/m).slice(0, -1).map((t) => JSON.parse(`${t}}`));
    expect(docs).toHaveLength(entries.length);
    for (const [i, e] of entries.entries()) expect(docs[i], e.id).toEqual(e.normalized);
  });

  it("reports forward-stage problems on stderr but still prints the canonical form", () => {
    const f = write("fwd.json", '{"dtype": "int4", "group_size": 1}');
    const r = runFqc(["normalize", f]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).granularity).toEqual({ type: "PerGroup", group_size: 1 });
    expect(r.stderr).toContain("forward/group-size");
    const t = write("pt-sym.json", '{"dtype": "int8", "granularity": "per_token"}');
    const r2 = runFqc(["normalize", "--check", t]);
    expect(r2.code).toBe(1); // not canonical; the forward problem alone would not fail it
    expect(r2.stderr).toContain("Symmetric per token is not supported yet");
  });

  it("normalizes a QAT pair into {activation, weight}", () => {
    const r = runFqc(["normalize", "examples/8da4w.json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["activation", "weight"]);
    expect(doc.weight.granularity).toEqual({ type: "PerGroup", group_size: 32 });
  });

  it("--check exits 1 for a non-canonical file and 0 once --write fixed it (atomically)", () => {
    const f = write("shorthand.json", '{"dtype": "int4", "group_size": 32}');
    const check = runFqc(["normalize", "--check", f]);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe("");
    expect(check.stderr).toContain("not canonical");
    expect(runFqc(["normalize", "--write", f]).code).toBe(0);
    expect(runFqc(["normalize", "--check", f]).code).toBe(0);
    expect(JSON.parse(readFileSync(f, "utf8")).granularity).toEqual({ type: "PerGroup", group_size: 32 });
    expect(readdirSync(tmp.dir).filter((x) => x.endsWith(".tmp"))).toEqual([]);
  });

  it("is idempotent: normalizing canonical output changes nothing", () => {
    const f = write("idem.json", runFqc(["normalize", "examples/8da4w.json"]).stdout);
    const again = runFqc(["normalize", f]);
    expect(again.stdout).toBe(readFileSync(f, "utf8"));
    expect(runFqc(["validate", f]).code).toBe(0);
  });

  it("keeps YAML files YAML with --write", () => {
    const f = write("cfg.yaml", "dtype: int4\ngroup_size: 32\n");
    expect(runFqc(["normalize", "--write", f]).code).toBe(0);
    const text = readFileSync(f, "utf8");
    expect(text).toMatch(/^dtype: int4$/m);
    expect(text).toMatch(/type: PerGroup/);
    expect(runFqc(["normalize", "--check", f]).code).toBe(0);
  });

  it("--write keeps a file's $schema and its YAML modeline", () => {
    const j = write("with-schema.json", '{"$schema": "../schema/fqc.schema.json", "dtype": "int8", "granularity": "per_channel"}');
    expect(runFqc(["normalize", "--write", j]).code).toBe(0);
    const doc = JSON.parse(readFileSync(j, "utf8"));
    expect(Object.keys(doc)[0]).toBe("$schema");
    expect(doc.granularity).toEqual({ type: "PerAxis", axis: 0 });
    const y = write("with-modeline.yaml", "# yaml-language-server: $schema=../schema/fqc.schema.json\ndtype: int8\ngranularity: per_channel\n");
    expect(runFqc(["normalize", "--write", y]).code).toBe(0);
    expect(readFileSync(y, "utf8")).toMatch(/^# yaml-language-server: \$schema=/);
    expect(runFqc(["normalize", "--check", j, y]).code).toBe(0);
  });

  it("--write keeps YAML comments, --check then passes; a file over 128 KiB whose comments it cannot keep is refused (exit 2), the others rewritten", () => {
    const y = write("commented.fqc.yaml", "# int4 weights\ndtype: int4 # four bits\n# groups of 32\ngroup_size: 32\n");
    const entries = Array.from({ length: 3000 }, (_, i) => `  model.layers.${i}.mlp:\n    dtype: int4\n    group_size: 32\n`).join("");
    const bigText = `fqn_to_config:\n${entries}  lm_head: null # keep it\n`;
    const big = write("big.fqc.yaml", bigText);
    const r = runFqc(["normalize", "--write", big, y]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("big.fqc.yaml: line 9002 holds a comment, which fqc cannot keep in a YAML file over 128 KiB");
    expect(readFileSync(big, "utf8")).toBe(bigText);
    const text = readFileSync(y, "utf8");
    expect(text).toMatch(/^# int4 weights\ndtype: int4 # four bits\ngranularity:\n {2}type: PerGroup\n {2}# groups of 32\n {2}group_size: 32\n/);
    expect(runFqc(["normalize", "--check", y]).code).toBe(0);
  });

  it("--check passes a canonical file checked out with CRLF line breaks, and --write keeps a CRLF file's breaks", () => {
    const canonical = runFqc(["normalize", "-", "--stdin-filename", "w.fqc.json"], { input: '{"dtype": "int4", "group_size": 32}' }).stdout;
    const crlf = write("crlf.fqc.json", canonical.replace(/\n/g, "\r\n"));
    const r = runFqc(["normalize", "--check", crlf]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const shorthand = write("crlf-short.fqc.yaml", "# yaml-language-server: $schema=x.json\r\ndtype: int4\r\ngroup_size: 32\r\n");
    expect(runFqc(["normalize", "--write", shorthand]).code).toBe(0);
    const written = readFileSync(shorthand, "utf8");
    expect(written.startsWith("# yaml-language-server: $schema=x.json\r\ndtype: int4\r\n")).toBe(true);
    expect(written).not.toMatch(/[^\r]\n/);
    expect(runFqc(["normalize", "--check", shorthand]).code).toBe(0);
  });

  it("--write keeps a JSON file's lone CR line breaks (classic Mac OS), as it keeps CRLF, and --check then passes", () => {
    const canonical = runFqc(["normalize", "-", "--stdin-filename", "w.fqc.json"], { input: '{"dtype": "int4", "group_size": 32}' }).stdout;
    const mac = write("cr.fqc.json", '{\r  "dtype": "int4",\r  "group_size": 32\r}\r');
    expect(runFqc(["normalize", "--check", mac]).code).toBe(1);
    expect(runFqc(["normalize", "--write", mac]).code).toBe(0);
    expect(readFileSync(mac, "utf8")).toBe(canonical.replace(/\n/g, "\r"));
    expect(runFqc(["normalize", "--check", mac]).code).toBe(0);
  });

  it("exits 1 with torchao's message for an invalid config", () => {
    const f = write("bad.json", '{"dtype": "int4", "granularity": "per_group"}');
    const r = runFqc(["normalize", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Granularity was 'per_group' but no `group_size` was set");
  });

  it("sets each invalid file's report apart with a blank line, as validate does, so a summary never runs into the next file", () => {
    const a = write("sep-a.json", '{"dtype": "int4", "granularity": "per_group"}');
    const b = write("sep-b.yaml", "dtype: [int4\n");
    const c = write("sep-c.json", '{"dtype": "int4", "granularity": "per_channel", "group_size": 32}');
    const r = runFqc(["normalize", "--write", a, b, c]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n");
    const summaries = lines.flatMap((l, i) => (l.startsWith("✖ ") ? [i] : []));
    expect(summaries).toHaveLength(3);
    for (const i of summaries.slice(0, -1)) expect(lines[i + 1], r.stderr).toBe("");
    expect(lines.filter((l) => [a, b, c].includes(l))).toEqual([a, b, c]);
    expect(r.stderr.startsWith(`${a}\n`)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\n\n/);
  });

  it("expands a quoted glob as validate does, each file once, and refuses a pattern matching nothing (exit 2)", () => {
    const dir = tmp.path("glob");
    mkdirSync(path.join(dir, "sub"), { recursive: true });
    writeFileSync(path.join(dir, "a.fqc.json"), '{"dtype": "int4", "group_size": 32}');
    writeFileSync(path.join(dir, "sub", "b.fqc.yaml"), "dtype: int8\ngranularity: per_channel\n");
    const r = runFqc(["normalize", "--check", "**/*.fqc.{json,yaml}", "a.fqc.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.includes("not canonical")).sort()).toEqual([
      "a.fqc.json: not canonical (run: fqc normalize --write a.fqc.json)",
      "sub/b.fqc.yaml: not canonical (run: fqc normalize --write sub/b.fqc.yaml)",
    ]);
    const none = runFqc(["normalize", "--check", "x*.json", "a.fqc.json"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("fqc: no files match x*.json");
    expect(none.stderr).toContain("a.fqc.json: not canonical");
  });

  it("quotes the file name in the command it suggests, so a name with spaces, quotes or a leading dash pastes as one file", () => {
    const dir = tmp.path("odd-names");
    mkdirSync(path.join(dir, "sub dir"), { recursive: true });
    const names = ["sub dir/bad act.fqc.json", "it's $HOME.fqc.json", "-x.fqc.json", "plain.fqc.json"];
    for (const n of names) writeFileSync(path.join(dir, n), '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--check", "--", ...names], { cwd: dir });
    expect(r.code).toBe(1);
    const suggested = r.stderr.split("\n").filter((l) => l.includes("not canonical"));
    expect(suggested).toEqual([
      "sub dir/bad act.fqc.json: not canonical (run: fqc normalize --write 'sub dir/bad act.fqc.json')",
      "it's $HOME.fqc.json: not canonical (run: fqc normalize --write 'it'\\''s $HOME.fqc.json')",
      "./-x.fqc.json: not canonical (run: fqc normalize --write ./-x.fqc.json)",
      "plain.fqc.json: not canonical (run: fqc normalize --write plain.fqc.json)",
    ]);
    // Each suggestion, run by a shell as a user pastes it, rewrites its file: --check then passes on all of them.
    for (const line of suggested) {
      const command = /\(run: fqc (.*)\)$/.exec(line)![1];
      const w = spawnSync("sh", ["-c", `"$0" "$1" ${command}`, process.execPath, FQC], { cwd: dir, encoding: "utf8" });
      expect(w.status, `${command}\n${w.stderr}`).toBe(0);
    }
    expect(runFqc(["normalize", "--check", "--", ...names], { cwd: dir }).code).toBe(0);
  });

  it("suggests ./-name for a file with a leading dash that a glob matched, a command that then rewrites it", () => {
    const dir = tmp.path("dash-glob");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "-x.fqc.json"), '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--check", "*.fqc.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("-x.fqc.json: not canonical (run: fqc normalize --write ./-x.fqc.json)\n");
    const w = spawnSync("sh", ["-c", `"$0" "$1" normalize --write ./-x.fqc.json`, process.execPath, FQC], { cwd: dir, encoding: "utf8" });
    expect(w.status, w.stderr).toBe(0);
    expect(runFqc(["normalize", "--check", "*.fqc.json"], { cwd: dir }).code).toBe(0);
  });

  it("--write refuses - (stdin has no file to rewrite) before it rewrites any file, exit 2", () => {
    const f = write("shorthand-stdin.json", '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--write", f, "-"], { input: '{"dtype": "int4", "group_size": 32}' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("fqc: --write needs file paths, not stdin\n");
    expect(readFileSync(f, "utf8")).toBe('{"dtype": "int4", "group_size": 32}');
  });

  it("printing many files says nothing on stderr (stdout's error listener is added once, not once per write)", () => {
    const files = Array.from({ length: 15 }, (_, i) => write(`many-${i}.json`, '{"dtype": "int4", "group_size": 32}'));
    const r = runFqc(["normalize", ...files]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("reports a missing file and still checks or rewrites the others (exit 2)", () => {
    const a = write("w1.json", '{"dtype": "int4", "group_size": 32}');
    const b = write("w2.json", '{"dtype": "int8", "granularity": "per_channel"}');
    const r = runFqc(["normalize", "--write", a, tmp.path("missing.json"), b]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing.json: no such file\n  hint: Check the path (a relative one starts from the current directory).\n");
    for (const f of [a, b]) expect(runFqc(["normalize", "--check", f]).code).toBe(0);
  });
});

describe("fqc normalize and the project's ignored files", () => {
  const NOT_CANONICAL = '{"dtype": "int4", "group_size": 32}\n';
  /** A scratch repository (the settings lookup stops at .git) whose fqc.config.json ignores legacy/. */
  function project(name: string): string {
    const dir = tmp.path(name);
    mkdirSync(path.join(dir, ".git"), { recursive: true });
    mkdirSync(path.join(dir, "legacy"), { recursive: true });
    writeFileSync(path.join(dir, "fqc.config.json"), JSON.stringify({ ignorePatterns: ["legacy/**"] }));
    writeFileSync(path.join(dir, "a.fqc.json"), NOT_CANONICAL);
    writeFileSync(path.join(dir, "legacy", "old.fqc.json"), NOT_CANONICAL);
    return dir;
  }

  it("--write (the pre-commit hook's line) leaves a file the project ignores byte for byte, named explicitly or by a glob, on both parsers", () => {
    // A list option sends the line to yargs (plain-args.ts); without one it is parsed plainly.
    for (const [i, extra] of [[], ["--ignore-pattern", "nothing/**"]].entries()) {
      for (const files of [["legacy/old.fqc.json", "a.fqc.json"], ["**/*.fqc.json"]]) {
        const dir = project(`ignored-write-${i}-${files.length}`);
        const r = runFqc(["normalize", "--write", ...extra, "--", ...files], { cwd: dir });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe("a.fqc.json: rewritten\n");
        expect(readFileSync(path.join(dir, "legacy", "old.fqc.json"), "utf8")).toBe(NOT_CANONICAL);
        expect(readFileSync(path.join(dir, "a.fqc.json"), "utf8")).not.toBe(NOT_CANONICAL);
      }
    }
  });

  it("--check and printing skip the same files validate skips; --ignore-pattern adds to them; --no-project-config reads every file", () => {
    const dir = project("ignored-check");
    const check = runFqc(["normalize", "--check", "**/*.fqc.json"], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stderr).toBe("a.fqc.json: not canonical (run: fqc normalize --write a.fqc.json)\n");
    expect(runFqc(["validate", "legacy/old.fqc.json", "--rule", "lint/asymmetric-int-domain=off"], { cwd: dir }).stdout).toContain("0 files checked");
    const printed = runFqc(["normalize", "legacy/old.fqc.json"], { cwd: dir });
    expect([printed.code, printed.stdout, printed.stderr]).toEqual([0, "", ""]);
    expect(runFqc(["normalize", "--check", "--ignore-pattern", "a.fqc.json", "--", "a.fqc.json", "legacy/old.fqc.json"], { cwd: dir }).code).toBe(0);
    const all = runFqc(["normalize", "--check", "--no-project-config", "--", "legacy/old.fqc.json"], { cwd: dir });
    expect(all.code).toBe(1);
    expect(all.stderr).toContain("legacy/old.fqc.json: not canonical");
  });

  it("refuses a glob whose every match is ignored (exit 2), as validate does, and still checks the other files", () => {
    const dir = project("ignored-glob");
    const r = runFqc(["normalize", "--check", "legacy/*.json", "a.fqc.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("fqc: every file matching legacy/*.json is ignored");
    expect(r.stderr).toContain("a.fqc.json: not canonical");
  });

  it("allows such a glob, and one matching nothing, under --no-error-on-unmatched-pattern or the project's errorOnUnmatchedPattern: false, as validate does", () => {
    const lenient = project("ignored-lenient");
    writeFileSync(path.join(lenient, "fqc.config.json"), JSON.stringify({ ignorePatterns: ["legacy/**"], errorOnUnmatchedPattern: false }));
    for (const [dir, extra] of [[project("ignored-flag"), ["--no-error-on-unmatched-pattern"]], [lenient, []]] as const) {
      const r = runFqc(["normalize", "--check", ...extra, "--", "legacy/*.json", "none/*.json", "a.fqc.json"], { cwd: dir });
      expect([r.code, r.stderr]).toEqual([1, "a.fqc.json: not canonical (run: fqc normalize --write a.fqc.json)\n"]);
      const v = runFqc(["validate", ...extra, "--", "legacy/*.json", "none/*.json"], { cwd: dir });
      expect(v.code, v.stderr).toBe(0);
    }
  });
});
