/**
 * The README's "Use fqc in your repository" section says what is true: its install lines, pre-commit entry,
 * workflow and editor settings name what exists and run. (The npm installs themselves run in
 * test/install/install.test.ts (with FQC_INSTALL_TESTS=1) and the real pre-commit in test/ci/pre-commit.test.ts (wherever it is installed).)
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { FQC_HOMEPAGE } from "../../src/diagnostics/format-types.js";
import { ACTION, actionOutput, runAction } from "../helpers/action-steps.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { PRE_COMMIT_CONFIG, USE_SECTION, useBlock, WORKFLOW } from "../helpers/readme-snippets.js";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const catalog = JSON.parse(readFileSync(path.join(ROOT, "schemastore/catalog-entry.json"), "utf8"));
const hookIds = (parse(readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as { id: string }[]).map((h) => h.id);
/** https://github.com/fqc-dev/fqc: the one URL form package.json, the README and the SARIF links use. */
const REPO_URL = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("README: use fqc in your repository", () => {
  it("uses one repository URL, the one in package.json's repository, homepage and bugs", () => {
    expect(REPO_URL).toBe("https://github.com/fqc-dev/fqc");
    expect(FQC_HOMEPAGE).toBe(REPO_URL); // SARIF's informationUri and rule help links
    expect(pkg.homepage).toBe(`${REPO_URL}#readme`);
    expect(pkg.bugs.url).toBe(`${REPO_URL}/issues`);
    for (const url of USE_SECTION.match(/https:\/\/github\.com\/[^\s)`"]+/g) ?? []) expect(url.replace(/\.git$/, "")).toBe(REPO_URL);
  });

  it("installs from the git URL and from the tarball npm pack names", () => {
    const install = useBlock("sh", "npm install");
    expect(install).toContain(`npm install --save-dev ${pkg.repository.url}`);
    expect(install).toContain(`npm install --save-dev ./${pkg.name}-${pkg.version}.tgz`);
    expect(install).toContain("npx fqc --version");
  });

  it("gives a pre-commit entry for this repository's hooks", () => {
    const [entry, ...others] = PRE_COMMIT_CONFIG.repos;
    expect(others).toEqual([]);
    expect(entry.repo).toBe(REPO_URL);
    // The entry lists the hooks in order; fqc-normalize, which replaces fqc-normalize-check, is named in the text after it.
    expect(entry.hooks.map((h) => h.id)).toEqual(hookIds.filter((id) => id !== "fqc-normalize"));
    expect(USE_SECTION).toContain("`- id: fqc-normalize` in place of `fqc-normalize-check`");
  });

  it("gives a workflow whose fqc step uses only the action's inputs and whose SARIF upload reads the file the action writes", () => {
    const steps: { uses?: string; with?: Record<string, unknown>; if?: string }[] = WORKFLOW.jobs.fqc.steps;
    const fqc = steps.filter((s) => s.uses?.startsWith("fqc-dev/fqc@"));
    expect(fqc).toHaveLength(1);
    expect(`https://github.com/${fqc[0].uses!.split("@")[0]}`).toBe(REPO_URL);
    for (const k of Object.keys(fqc[0].with ?? {})) expect(Object.keys(ACTION.inputs)).toContain(k);
    const upload = steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(upload.with!.sarif_file).toBe(fqc[0].with!.sarif);
    expect(upload.if).toBe("success() || failure()");
    expect(steps.indexOf(upload)).toBeGreaterThan(steps.indexOf(fqc[0]));
    expect(WORKFLOW.jobs.fqc.permissions["security-events"]).toBe("write");
  });

  it("runs the workflow's fqc step as written: annotations, and the SARIF file where the upload step looks", () => {
    const ws = path.join(tmp.dir, "ws");
    execFileSync("git", ["init", "-q", ws]);
    writeFileSync(path.join(ws, "w.fqc.json"), '{"dtype": "int8", "granularity": "per_token"}\n');
    const step = WORKFLOW.jobs.fqc.steps.find((s: { uses?: string }) => s.uses?.startsWith("fqc-dev/fqc@"));
    const inputs = Object.fromEntries(Object.entries(step.with as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const r = runAction({ workspace: ws, actionPath: ROOT, inputs, skip: (s) => /^npm ci\b/.test(s.run ?? ""), runnerTemp: path.join(tmp.dir, "runner") });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=w\.fqc\.json,/m);
    const upload = WORKFLOW.jobs.fqc.steps.find((s: { uses?: string }) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    const sarif = path.join(ws, upload.with.sarif_file);
    expect(actionOutput(r, "sarif")).toBe(sarif);
    expect(JSON.parse(readFileSync(sarif, "utf8")).runs[0].results).toHaveLength(1);
  });

  it("maps the naming convention to the packaged schema in editor settings, and the modeline example is a valid config", () => {
    const settings = JSON.parse(useBlock("json", "json.schemas"));
    const jsonMatch: string[] = settings["json.schemas"].flatMap((s: { fileMatch: string[] }) => s.fileMatch);
    const yamlMatch = Object.values(settings["yaml.schemas"] as Record<string, string[]>).flat();
    expect([...jsonMatch, ...yamlMatch]).toEqual(catalog.fileMatch);
    const urls = [...settings["json.schemas"].map((s: { url: string }) => s.url), ...Object.keys(settings["yaml.schemas"])];
    const modeline = useBlock("yaml", "yaml-language-server");
    urls.push(/\$schema=(\S+)/.exec(modeline)![1]);
    for (const url of urls) {
      // ./node_modules/fqc/<path>: a file the package ships.
      const m = /^\.\/node_modules\/fqc\/(.+)$/.exec(url);
      expect(m, url).not.toBeNull();
      expect(existsSync(path.join(ROOT, m![1]))).toBe(true);
      expect(pkg.files.some((f: string) => m![1].startsWith(f))).toBe(true);
      expect(pkg.exports["./schema"]).toBe(`./${m![1]}`);
    }
    const file = path.join(tmp.dir, "modeline.fqc.yaml");
    writeFileSync(file, modeline);
    expect(runFqc(["validate", file])).toMatchObject({ code: 0 });
  });

  it("points at the SchemaStore catalog entry by its path", () => {
    expect(USE_SECTION).toContain("`schemastore/catalog-entry.json`");
    expect(USE_SECTION).toContain(new URL(".", catalog.url).href);
  });
});
