/**
 * action.yml's validate step run as a shell script in a scratch repository (no GitHub runner here).
 * The action path is this checkout, built by `npm test`; the install step (npm ci, which builds) runs in
 * test/install/install.test.ts, on a fresh copy.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { validateSarif } from "../helpers/sarif.js";
import { ACTION, actionOutput, runAction, type ActionStep } from "../helpers/action-steps.js";
import { ROOT, tempDir } from "../helpers/cli.js";


const tmp = tempDir();
afterAll(() => tmp.cleanup());

const GOOD = '{"dtype": "int4", "group_size": 32}\n';
const BAD_YAML = "activation:\n  dtype: int8\n  granularity: per_token\nweight:\n  dtype: int4\n  group_size: 32\n";
const WARNS = '{"dtype": "int4", "group_size": 32, "is_symmetric": false}\n';

/** A git repository holding `files` (path → content). */
function workspace(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", dir]);
  for (const [f, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

const isInstall = (s: ActionStep) => /^npm ci\b/.test(s.run ?? "");
const run = (ws: string, inputs: Record<string, string> = {}) =>
  runAction({ workspace: ws, actionPath: ROOT, inputs, skip: isInstall, runnerTemp: path.join(ws, "..", `${path.basename(ws)}-runner`) });

const mixed = workspace("mixed", {
  "configs/good.fqc.json": GOOD,
  "configs/qat/bad.fqc.yaml": BAD_YAML,
  "configs/warn.fqc.yml": WARNS,
  "configs/other.json": '{"dtype": "int9"}', // not named *.fqc.*: not a config to check
  "node_modules/dep/bad.fqc.json": '{"dtype": "int9"}',
});

describe("action.yml", () => {
  it("is a composite action with one install step (npm ci in the action's checkout) before validate", () => {
    expect(ACTION.runs.using).toBe("composite");
    expect(ACTION.runs.steps.filter(isInstall)).toHaveLength(1);
    expect(ACTION.runs.steps.findIndex(isInstall)).toBe(0);
    expect(ACTION.runs.steps[0]["working-directory"]).toBe("${{ github.action_path }}");
    expect(Object.keys(ACTION.inputs).sort()).toEqual(["files", "max-warnings", "sarif", "working-directory"]);
  });

  it("annotates a bad config by its path from the repository root and fails the step, checking only *.fqc.* files", () => {
    const r = run(mixed);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=configs\/qat\/bad\.fqc\.yaml,line=3,endLine=3,col=\d+,endColumn=\d+,title=forward\/symmetric-per-token::/m);
    expect(r.stdout).toMatch(/^::warning file=configs\/warn\.fqc\.yml,/m);
    expect(r.stdout).toMatch(/^fqc: .* \(3 files checked\)$/m);
    expect(r.stdout).not.toContain("other.json");
    expect(r.stdout).not.toContain("node_modules");
    expect(r.summary).toContain("### fqc validate");
    expect(actionOutput(r, "sarif")).toBeUndefined();
  });

  it("from a working-directory, still annotates by repository path, and writes SARIF at the repository-relative path, valid for upload-sarif", () => {
    const r = run(mixed, { "working-directory": "configs", files: "qat/*.fqc.yaml\ngood.fqc.json", sarif: "reports/fqc.sarif" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=configs\/qat\/bad\.fqc\.yaml,/m);
    const sarifPath = path.join(mixed, "reports/fqc.sarif");
    expect(actionOutput(r, "sarif")).toBe(sarifPath);
    const log = JSON.parse(readFileSync(sarifPath, "utf8"));
    expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
    const sarifRun = log.runs[0];
    expect(sarifRun.originalUriBaseIds["%SRCROOT%"].uri).toBe(pathToFileURL(mixed).href + "/");
    expect(sarifRun.artifacts.map((a: { location: { uri: string } }) => a.location.uri)).toEqual(["configs/qat/bad.fqc.yaml", "configs/good.fqc.json"]);
    expect(sarifRun.results.map((x: { ruleId: string }) => x.ruleId)).toEqual(["forward/symmetric-per-token"]);
  });

  it("annotates and writes SARIF by repository path when the workspace is reached through a symbolic link", () => {
    // A self-hosted runner's work directory on another disk: GITHUB_WORKSPACE names the link, the step runs in the real directory.
    const linked = path.join(tmp.dir, "linked-workspace");
    symlinkSync(mixed, linked);
    for (const wd of [".", "configs"]) {
      const r = run(linked, { "working-directory": wd, files: wd === "." ? "configs/qat/*.fqc.yaml" : "qat/*.fqc.yaml", sarif: `linked-${wd === "." ? "root" : wd}.sarif` });
      expect(r.code, wd).toBe(1);
      expect(r.stdout, wd).toMatch(/^::error file=configs\/qat\/bad\.fqc\.yaml,/m);
      expect(r.summary, wd).toContain("`configs/qat/bad.fqc.yaml:3:");
      const sarifRun = JSON.parse(readFileSync(actionOutput(r, "sarif")!, "utf8")).runs[0];
      expect(sarifRun.artifacts.map((a: { location: object }) => a.location), wd).toEqual([{ uri: "configs/qat/bad.fqc.yaml", uriBaseId: "%SRCROOT%" }]);
    }
  });

  it("passes on clean configs, and fails on warnings beyond max-warnings", () => {
    const ws = workspace("warnings", { "a.fqc.json": GOOD, "sub/b.fqc.json": WARNS });
    const ok = run(ws, { sarif: "fqc.sarif" });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^::warning file=sub\/b\.fqc\.json,/m);
    expect(existsSync(path.join(ws, "fqc.sarif"))).toBe(true);
    expect(ok.stdout).not.toContain("::error");
    expect(ok.summary).not.toContain("the step fails");
    const strict = run(ws, { "max-warnings": "0" });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^fqc: 1 warning exceeds --max-warnings 0$/m);
    // The only annotation is a warning: an error annotation and the job summary say why the step fails.
    expect(strict.stdout).toMatch(/^::error title=fqc::1 warning exceeds --max-warnings 0$/m);
    expect(strict.summary).toContain("\n❌ 1 warning exceeds --max-warnings 0: the step fails.\n");
    // Empty or blank (a templated value left empty) is the default, no limit, as for files; spaces around a number are dropped.
    for (const blank of ["", "  ", "\n"]) expect(run(ws, { "max-warnings": blank }).code, JSON.stringify(blank)).toBe(0);
    expect(run(ws, { "max-warnings": " 0 " }).code).toBe(1);
  });

  it("fails with exit 2 and fqc's message, after the annotations, when the sarif path is a directory or under a file", () => {
    const ws = workspace("sarif-unwritable", { "a.fqc.json": GOOD, "reports/old.sarif": "{}", "notes.txt": "a file, not a directory\n" });
    for (const [sarif, why] of [["reports", "is a directory"], ["notes.txt/fqc.sarif", "not a directory"]]) {
      const r = run(ws, { sarif });
      expect(r.code, sarif).toBe(2);
      expect(r.stdout, sarif).toMatch(/^fqc: 1 file checked, no problems$/m);
      expect(r.stderr, sarif).toContain(`${path.join(ws, sarif)}: `);
      expect(r.stderr, sarif).toContain(why);
      expect(r.stdout, sarif).toContain(`::error title=fqc::no SARIF report written to ${path.join(ws, sarif)}`);
    }
    expect(readFileSync(path.join(ws, "reports/old.sarif"), "utf8")).toBe("{}");
  });

  it("leaves a config given as the sarif path as it is, and fails with exit 2 naming the clash (fqc never overwrites a file it reads)", () => {
    const ws = workspace("sarif-over-config", { "a.fqc.json": GOOD, "b.fqc.json": GOOD });
    const r = run(ws, { sarif: "b.fqc.json" });
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(ws, "b.fqc.json"), "utf8")).toBe(GOOD);
    expect(r.stderr).toContain("fqc never overwrites a file it reads");
    expect(r.stdout).toContain(`::error title=fqc::no SARIF report written to ${path.join(ws, "b.fqc.json")}`);
  });

  it("replaces a SARIF file left by an earlier run, and counts it as written", () => {
    const ws = workspace("sarif-replaced", { "a.fqc.json": GOOD, "fqc.sarif": "{}" });
    const r = run(ws, { sarif: "fqc.sarif" });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(ws, "fqc.sarif"), "utf8")).version).toBe("2.1.0");
  });

  it("takes a files input given empty or blank as absent: the default glob (GitHub passes an empty input as \"\")", () => {
    expect(ACTION.inputs.files.default).toBeUndefined(); // absent arrives as "" too, so both take the same path
    const absent = run(mixed);
    for (const files of ["", " ", "\t \t", "\n", " \n\t\n  "]) {
      const r = run(mixed, { files });
      expect(r.code, JSON.stringify(files)).toBe(1);
      expect(r.stdout, JSON.stringify(files)).toBe(absent.stdout);
      expect(r.stdout).toMatch(/^::error file=configs\/qat\/bad\.fqc\.yaml,/m);
      expect(r.stdout).not.toContain("node_modules");
      expect(r.stdout).not.toContain("other.json");
    }
  });

  it("fails with exit 2 when the files input matches nothing", () => {
    const ws = workspace("empty", { "README.md": "no configs\n" });
    const r = run(ws);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain("**/*.fqc.{json,yaml,yml}");
  });

  it("treats every files entry as a file, one named like an option included, in the annotations and the SARIF run", () => {
    const ws = workspace("dashes", { "-x.fqc.json": '{"dtype": "int4", "group_sise": 32}\n', "--quiet.fqc.yaml": BAD_YAML });
    const r = run(ws, { files: "-x.fqc.json --quiet.fqc.yaml", sarif: "out/fqc.sarif" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=--quiet\.fqc\.yaml,/m);
    expect(r.stdout).toMatch(/^::error file=-x\.fqc\.json,/m);
    const sarif = JSON.parse(readFileSync(path.join(ws, "out/fqc.sarif"), "utf8"));
    const uris = sarif.runs[0].results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => x.locations[0].physicalLocation.artifactLocation.uri);
    expect(new Set(uris)).toEqual(new Set(["-x.fqc.json", "--quiet.fqc.yaml"]));
  });

  it("takes a files input of several lines as one path or glob per line, spaces in a name kept", () => {
    const ws = workspace("spaces", { "my configs/bad one.fqc.json": '{"dtype": "int9"}\n', "more/x y.fqc.yaml": BAD_YAML, "c.fqc.json": GOOD });
    const r = run(ws, { files: "  my configs/bad one.fqc.json\n\nmore/*.fqc.yaml  \nc.fqc.json" });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::error file=my configs\/bad one\.fqc\.json,/m);
    expect(r.stdout).toMatch(/^::error file=more\/x y\.fqc\.yaml,/m);
    expect(r.stderr + r.stdout).not.toMatch(/no such file|matched no/i);
  });

  it("splits a files input of one line on whitespace", () => {
    const ws = workspace("one-line", { "a.fqc.json": GOOD, "b.fqc.json": '{"dtype": "int9"}\n' });
    const r = run(ws, { files: "a.fqc.json\tb.fqc.json" });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^::error file=b\.fqc\.json,/m);
  });

  it("treats inputs as data: shell syntax in files or sarif is never executed", () => {
    const ws = workspace("hostile", { "a.fqc.json": GOOD });
    const r = run(ws, { files: "a.fqc.json $(touch pwned-files) `touch pwned-tick`", sarif: "x$(touch pwned-sarif).sarif" });
    expect(r.code).toBe(2); // the odd names are files that do not exist
    for (const f of ["pwned-files", "pwned-tick", "pwned-sarif"]) expect(existsSync(path.join(ws, f))).toBe(false);
  });

  it("refuses a sarif input holding a line break, which would add a step output or a workflow command of its own", () => {
    const ws = workspace("sarif-line-break", { "a.fqc.json": GOOD, blocker: "" });
    for (const sarif of ["out.sarif\nsarif=/etc/passwd", "blocker/x\n::warning file=a.fqc.json::injected", "out.sarif\r::warning::injected"]) {
      const r = run(ws, { sarif });
      expect(r.code, sarif).toBe(2);
      expect(r.stdout).toMatch(/^::error title=fqc::the sarif input holds a line break/m);
      expect(r.stdout).not.toMatch(/^::warning/m);
      expect(actionOutput(r, "sarif")).toBeUndefined();
    }
  });

  it("escapes % in the message naming a SARIF path it could not write, so GitHub shows the path as given", () => {
    const ws = workspace("sarif-percent", { "a.fqc.json": GOOD, blocker: "" });
    const r = run(ws, { sarif: "blocker/x%0A.sarif" });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`::error title=fqc::no SARIF report written to ${ws}/blocker/x%250A.sarif\n`);
  });
});
