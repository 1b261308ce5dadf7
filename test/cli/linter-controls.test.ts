import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { parseProjectConfig, projectConfigSchema } from "../../src/config/project-config.js";
import { applyRuleSettings, parseRuleOptions } from "../../src/config/rule-settings.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A scratch project: files relative to a new directory holding .git (the lookup stops there). */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(path.join(dir, ".git"), { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const ASYM = '{"dtype": "int4", "group_size": 32, "is_symmetric": false}\n'; // lint/asymmetric-int-domain (warning)
const PT_SYM = '{"dtype": "int8", "granularity": "per_token"}\n'; // forward/symmetric-per-token (error)
const TYPO = '{"dtype": "int4", "group_sise": 32}\n'; // fqc/unknown-key (construct)

describe("--rule", () => {
  it("turns a lint rule off, so its warning is not reported", () => {
    const dir = project("rule-off", { "a.fqc.json": ASYM, "b.fqc.json": ASYM });
    const one = runFqc(["validate", "a.fqc.json", "--max-warnings", "0"], { cwd: dir });
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^fqc: 1 warning exceeds --max-warnings 0$/m);
    expect(runFqc(["validate", "a.fqc.json", "b.fqc.json", "--max-warnings", "1"], { cwd: dir }).stderr).toMatch(/^fqc: 2 warnings exceed --max-warnings 1$/m);
    const r = runFqc(["validate", "a.fqc.json", "--max-warnings", "0", "--rule", "lint/asymmetric-int-domain=off"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no problems");
  });

  it("-q with --max-warnings still counts the warnings it hides, as ESLint 9 does, and the line says they are hidden", () => {
    const dir = project("quiet-max", { "a.fqc.json": ASYM, "b.fqc.json": ASYM });
    const one = runFqc(["validate", "a.fqc.json", "-q", "--max-warnings", "0"], { cwd: dir });
    expect(one.code).toBe(1);
    expect(one.stdout).toBe("");
    expect(one.stderr).toBe("fqc: 1 warning exceeds --max-warnings 0 (not shown: --quiet hides warnings; run without it to list it)\n");
    const two = runFqc(["validate", "a.fqc.json", "b.fqc.json", "--quiet", "--max-warnings", "1", "-f", "json"], { cwd: dir });
    expect(two.code).toBe(1);
    expect(JSON.parse(two.stdout).warningCount).toBe(0);
    expect(two.stderr).toBe("fqc: 2 warnings exceed --max-warnings 1 (not shown: --quiet hides warnings; run without it to list them)\n");
    // Within the limit, -q stays silent and exits 0.
    const ok = runFqc(["validate", "a.fqc.json", "-q", "--max-warnings", "1"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).toBe("");
  });

  it("raises a warning to an error and lowers a forward error to a warning", () => {
    const dir = project("rule-levels", { "a.fqc.json": ASYM, "b.fqc.json": PT_SYM });
    const up = runFqc(["validate", "a.fqc.json", "--rule", "lint/asymmetric-int-domain=error", "-f", "json"], { cwd: dir });
    expect(up.code).toBe(1);
    expect(JSON.parse(up.stdout).files[0].diagnostics[0].severity).toBe("error");
    const down = runFqc(["validate", "b.fqc.json", "--rule", "forward/symmetric-per-token=warn"], { cwd: dir });
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("warning  Symmetric per token is not supported yet");
  });

  it("refuses to turn off a construct-stage rule, saying why (exit 2)", () => {
    const dir = project("rule-fixed", { "t.fqc.json": TYPO });
    const r = runFqc(["validate", "t.fqc.json", "--rule", "fqc/unknown-key=off"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("fqc/unknown-key cannot be set to off: torchao's constructor refuses such a config");
  });

  it("names an unknown rule with a suggestion, and a malformed setting (exit 2)", () => {
    const dir = project("rule-unknown", { "a.fqc.json": ASYM });
    const r = runFqc(["validate", "a.fqc.json", "--rule", "lint/asymetric-int-domain=off"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'lint/asymmetric-int-domain'?");
    expect(runFqc(["validate", "a.fqc.json", "--rule", "lint/eps"], { cwd: dir }).stderr).toContain("expected <rule>=off|warn|error");
    expect(runFqc(["validate", "a.fqc.json", "--rule", "lint/eps=silent"], { cwd: dir }).stderr).toContain("'silent' is not a rule level");
  });

  it("takes every repeated --rule, the last one winning for the same rule", () => {
    const m = parseRuleOptions(["lint/eps=off", "lint/float16-scale=error", "lint/eps=warn"]);
    expect([...m]).toEqual([["lint/eps", "warn"], ["lint/float16-scale", "error"]]);
  });

  it("applies settings as pure data: off drops, warn/error set the severity", () => {
    const d = (ruleId: string, severity: "error" | "warning"): Diagnostic =>
      ({ ruleId, severity, message: "m", file: "f", pointer: "", line: 1, column: 1, endLine: 1, endColumn: 1 });
    const out = applyRuleSettings([d("lint/eps", "warning"), d("lint/float16-scale", "warning"), d("forward/group-size", "error")],
      new Map([["lint/eps", "off"], ["lint/float16-scale", "error"]] as const));
    expect(out.map((x) => [x.ruleId, x.severity])).toEqual([["lint/float16-scale", "error"], ["forward/group-size", "error"]]);
  });
});

describe("--ignore-pattern and --no-error-on-unmatched-pattern", () => {
  it("skips files matching an ignore pattern, named explicitly or by a glob", () => {
    const dir = project("ignore", { "good.fqc.json": ASYM, "legacy/bad.fqc.json": TYPO });
    expect(runFqc(["validate", "**/*.fqc.json"], { cwd: dir }).code).toBe(1);
    const r = runFqc(["validate", "**/*.fqc.json", "--ignore-pattern", "legacy/**"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("legacy");
    expect(runFqc(["validate", "legacy/bad.fqc.json", "good.fqc.json", "--ignore-pattern", "legacy/"], { cwd: dir }).code).toBe(0);
  });

  it("reports a glob whose every match is ignored, unless unmatched patterns are allowed", () => {
    const dir = project("all-ignored", { "legacy/bad.fqc.json": TYPO });
    const r = runFqc(["validate", "legacy/*.json", "--ignore-pattern", "legacy/**"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("every file matching legacy/*.json is ignored");
    expect(runFqc(["validate", "legacy/*.json", "--ignore-pattern", "legacy/**", "--no-error-on-unmatched-pattern"], { cwd: dir }).code).toBe(0);
  });

  it("allows a glob that matches nothing with --no-error-on-unmatched-pattern, still linting the rest", () => {
    const dir = project("unmatched", { "a.fqc.json": TYPO });
    expect(runFqc(["validate", "none/**/*.json", "a.fqc.json"], { cwd: dir }).code).toBe(2);
    const r = runFqc(["validate", "none/**/*.json", "a.fqc.json", "--no-error-on-unmatched-pattern"], { cwd: dir });
    expect(r.code).toBe(1); // a.fqc.json's own error
    expect(r.stdout).not.toContain("no files match");
  });
});

describe("project settings (fqc.config.json or package.json's \"fqc\")", () => {
  it("reads fqc.config.json from the current directory up to the repository root", () => {
    const dir = project("proj-file", {
      "fqc.config.json": JSON.stringify({ rules: { "lint/asymmetric-int-domain": "off" }, ignorePatterns: ["legacy/**"] }),
      "qat/a.fqc.json": ASYM,
      "legacy/bad.fqc.json": TYPO,
    });
    const r = runFqc(["validate", "*.fqc.json", "../legacy/bad.fqc.json", "--max-warnings", "0"], { cwd: path.join(dir, "qat") });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("reads a \"fqc\" key of package.json; the command line overrides it; --no-project-config ignores it", () => {
    const dir = project("proj-pkg", {
      "package.json": JSON.stringify({ name: "x", fqc: { rules: { "lint/asymmetric-int-domain": "error" } } }),
      "a.fqc.json": ASYM,
    });
    expect(runFqc(["validate", "a.fqc.json"], { cwd: dir }).code).toBe(1);
    expect(runFqc(["validate", "a.fqc.json", "--rule", "lint/asymmetric-int-domain=warn"], { cwd: dir }).code).toBe(0);
    expect(runFqc(["validate", "a.fqc.json", "--no-project-config"], { cwd: dir }).code).toBe(0);
  });

  it("refuses a malformed project file with its name and the problem (exit 2)", () => {
    const dir = project("proj-bad", { "fqc.config.json": '{"rulez": {}}', "a.fqc.json": ASYM });
    const r = runFqc(["validate", "a.fqc.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("fqc.config.json: unknown key `rulez`; did you mean `rules`?");
    const bad = project("proj-json", { "fqc.config.json": "{", "a.fqc.json": ASYM });
    expect(runFqc(["validate", "a.fqc.json"], { cwd: bad }).stderr).toContain("fqc.config.json: not valid JSON");
    const fixed = project("proj-fixed", { "fqc.config.json": '{"rules": {"fqc/syntax": "off"}}', "a.fqc.json": ASYM });
    expect(runFqc(["validate", "a.fqc.json"], { cwd: fixed }).stderr).toContain("fqc/syntax cannot be set to off");
  });

  it("refuses a project file that repeats a key (the first setting would be dropped unseen), at the repeat; a package.json repeating some key of npm's is read as npm reads it", () => {
    const dir = project("proj-dup", { "fqc.config.json": '{"rules": {"lint/asymmetric-int-domain": "warn"},\n "rules": {}}', "a.fqc.json": ASYM });
    const r = runFqc(["validate", "a.fqc.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fqc.config.json: not valid JSON at 2:2: duplicate key "rules" (first at 1:2)');
    const pkg = project("proj-dup-pkg", { "package.json": '{"scripts": {}, "scripts": {}, "fqc": {"rules": {"lint/asymmetric-int-domain": "warn"}}}', "a.fqc.json": ASYM });
    expect(runFqc(["validate", "a.fqc.json"], { cwd: pkg }).code).toBe(0);
  });

  it.each(["fqc.config.json", "package.json"])("refuses a %s that is a FIFO (a read would block for ever), exit 2, and never reads it with --no-project-config", (name) => {
    const dir = project(`proj-fifo-${name.replace(/\W+/g, "-")}`, { "a.fqc.json": ASYM });
    execFileSync("mkfifo", [path.join(dir, name)]);
    const r = runFqc(["validate", "a.fqc.json"], { cwd: dir, timeoutMs: 20_000 });
    expect(r.stderr).toContain(`${name}: fqc settings must be a regular file`);
    expect(r.code).toBe(2);
    expect(runFqc(["validate", "a.fqc.json", "--no-project-config"], { cwd: dir, timeoutMs: 20_000 }).code).toBe(0);
  });

  it("has a JSON Schema that accepts and rejects what the checks do", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const check = ajv.compile(projectConfigSchema());
    const samples: unknown[] = [
      {}, { rules: { "lint/eps": "off" } }, { rules: { "forward/group-size": "warn" } }, { ignorePatterns: ["a/**"], errorOnUnmatchedPattern: false },
      { $schema: "x", rules: {} }, { rules: { "fqc/unknown-key": "off" } }, { rules: { "lint/eps": "silent" } }, { rules: { "no/such": "off" } },
      { ignorePatterns: [""] }, { ignorePatterns: "a" }, { errorOnUnmatchedPattern: "no" }, { extra: 1 }, [], null,
    ];
    for (const s of samples) {
      let accepted = true;
      try { parseProjectConfig(s, "t.json"); } catch { accepted = false; }
      // fixed rules may be set to "error" (their level) in the checks; the schema lists only adjustable ids
      expect(check(s), JSON.stringify(s)).toBe(accepted);
    }
  });
});
