/** validate's CI formats name files from the repository root, also when run from a subdirectory (a `working-directory:` step). */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { validateSarif } from "../helpers/sarif.js";
import { runFqc, tempDir } from "../helpers/cli.js";


const tmp = tempDir();
afterAll(() => tmp.cleanup());

const BAD = '{\n  "dtype": "int8",\n  "granularity": "per_token"\n}\n';

/** A repository (a real `git init`) with a bad config two levels down, or the same tree without `.git`. */
function scratchTree(name: string, git: boolean): string {
  const repo = path.join(tmp.dir, name);
  mkdirSync(path.join(repo, "configs/qat"), { recursive: true });
  if (git) execFileSync("git", ["init", "-q", repo]);
  tmp.write(`${name}/configs/qat/bad.fqc.json`, BAD);
  return repo;
}

function sarifFrom(cwd: string, env: Record<string, string>) {
  const out = path.join(cwd, "fqc.sarif");
  const r = runFqc(["validate", "qat/bad.fqc.json", "--format", "sarif", "-o", out], { cwd, env });
  expect(r.code).toBe(1);
  const log = JSON.parse(readFileSync(out, "utf8"));
  expect(validateSarif(log) ? [] : validateSarif.errors).toEqual([]);
  return log.runs[0];
}

describe("validate --format github/sarif from a subdirectory", () => {
  const repo = scratchTree("repo", true);
  const plain = scratchTree("plain", false);

  it("annotates files by their path from the git top level (found by walking up to .git)", () => {
    const r = runFqc(["validate", "qat/bad.fqc.json", "--format", "github"], { cwd: path.join(repo, "configs"), env: { GITHUB_WORKSPACE: "" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=configs\/qat\/bad\.fqc\.json,line=3,/m);
  });

  it("annotates files by their path from GITHUB_WORKSPACE when set, even without .git", () => {
    const r = runFqc(["validate", "qat/bad.fqc.json", "--format", "github"], { cwd: path.join(plain, "configs"), env: { GITHUB_WORKSPACE: plain } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=configs\/qat\/bad\.fqc\.json,line=3,/m);
  });

  it("writes SARIF with %SRCROOT% at the repository root and URIs relative to it, valid against the SARIF schema", () => {
    for (const [cwd, env] of [[path.join(repo, "configs"), { GITHUB_WORKSPACE: "" }], [path.join(plain, "configs"), { GITHUB_WORKSPACE: plain }]] as const) {
      const run = sarifFrom(cwd, env);
      const root = path.dirname(cwd);
      expect(run.originalUriBaseIds["%SRCROOT%"].uri).toBe(pathToFileURL(root).href + "/");
      expect(run.results[0].locations[0].physicalLocation.artifactLocation).toMatchObject({ uri: "configs/qat/bad.fqc.json", uriBaseId: "%SRCROOT%" });
    }
  });

  it("keeps stylish output relative to the current directory, as typed", () => {
    const r = runFqc(["validate", "qat/bad.fqc.json"], { cwd: path.join(repo, "configs"), env: { GITHUB_WORKSPACE: "" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("qat/bad.fqc.json");
    expect(r.stdout).not.toContain("configs/qat");
  });
});
