/**
 * fqc installed as its users install it: from the packed tarball (`npm pack`; dist/ ships prebuilt, nothing
 * builds) and from a git URL (npm clones, installs devDependencies, runs `prepare` = the build, packs), each
 * into an empty project; then the bin, the library (import and require) and its types (TypeScript, .mts and
 * .cts), and the GitHub Action's own install step. npm installs take minutes: these run with FQC_INSTALL_TESTS=1.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../helpers/action-steps.js";
import { ROOT, tempDir } from "../helpers/cli.js";
import { snapshotRepo } from "../helpers/snapshot.js";

const ENABLED = process.env.FQC_INSTALL_TESTS === "1";
if (!ENABLED) console.log("test/install: skipped; set FQC_INSTALL_TESTS=1 to npm-install fqc from a tarball and a git URL (minutes)");

const VERSION: string = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline"];
const MINUTES = 60_000;

const GOOD = '{"dtype": "int4", "group_size": 32}\n';
const BAD = "dtype: int8\ngranularity: per_token\n";

/** The environment without FORCE_COLOR (Node warns when both it and NO_COLOR are set, even empty). */
const { FORCE_COLOR: _forceColor, ...plainEnv } = process.env;

function sh(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...plainEnv, NO_COLOR: "1" }, maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(cmd: string, args: string[], cwd: string): string {
  const r = sh(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** An empty npm project. */
function project(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
  return dir;
}

/** What a user does with an installed fqc: the bin, the library from ESM and CommonJS, the types from TypeScript. */
function checkInstalled(proj: string) {
  expect(ok("npx", ["--no-install", "fqc", "--version"], proj).trim()).toBe(VERSION);
  writeFileSync(path.join(proj, "good.fqc.json"), GOOD);
  writeFileSync(path.join(proj, "bad.fqc.yaml"), BAD);
  expect(sh("npx", ["--no-install", "fqc", "validate", "good.fqc.json"], proj)).toMatchObject({ code: 0, stdout: "✔ 1 file checked: no problems\n" });
  const bad = sh("npx", ["--no-install", "fqc", "validate", "bad.fqc.yaml"], proj);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain("Symmetric per token is not supported yet");

  const use = `.validate(${JSON.stringify(GOOD)}, { filename: "x.fqc.json" }).diagnostics.length`;
  writeFileSync(path.join(proj, "esm.mjs"), `import * as fqc from "fqc";\nimport schema from "fqc/schema" with { type: "json" };\nconsole.log(fqc.VERSION, fqc${use}, schema.$id);\n`);
  writeFileSync(path.join(proj, "cjs.cjs"), `const fqc = require("fqc");\nconst schema = require("fqc/schema");\nconsole.log(fqc.VERSION, fqc${use}, schema.$id);\n`);
  const esm = sh(process.execPath, ["esm.mjs"], proj);
  const cjs = sh(process.execPath, ["cjs.cjs"], proj);
  expect(esm).toMatchObject({ code: 0, stderr: "" });
  expect(esm.stdout).toMatch(new RegExp(`^${VERSION.replace(/\./g, "\\.")} 0 https://`));
  // require(esm) on Node 20.19+: the same module, and no warning.
  expect(cjs).toMatchObject({ code: 0, stderr: "", stdout: esm.stdout });

  // Types for import (.mts) and require (.cts). `module` node20/nodenext model Node's require(esm); node16 only import.
  // Each file also has an expected error: if "fqc" resolved to `any`, the unused @ts-expect-error would fail instead.
  const body = (imp: string) => `${imp}\nconst v: string = fqc.VERSION;\nconst n: number = fqc.validate("{}").diagnostics.length;\n// @ts-expect-error VERSION is a string\nconst wrong: number = fqc.VERSION;\nexport { v, n, wrong };\n`;
  writeFileSync(path.join(proj, "use.mts"), body('import * as fqc from "fqc";'));
  writeFileSync(path.join(proj, "use.cts"), body('import fqc = require("fqc");'));
  const tsc = (module: string, files: string[]) =>
    sh(process.execPath, [TSC, "--noEmit", "--strict", "--skipLibCheck", "--module", module, "--moduleResolution", module === "nodenext" ? "nodenext" : "node16",
      "--target", "es2022", "--types", "node", "--typeRoots", path.join(ROOT, "node_modules/@types"), ...files], proj);
  for (const module of ["nodenext", "node20"]) expect(tsc(module, ["use.mts", "use.cts"]), module).toMatchObject({ code: 0, stdout: "" });
  expect(tsc("node16", ["use.mts"])).toMatchObject({ code: 0, stdout: "" });
}

describe.skipIf(!ENABLED)("installing fqc", () => {
  const tmp = tempDir();
  let source: string;
  beforeAll(() => {
    source = snapshotRepo(path.join(tmp.dir, "fqc"));
  });
  afterAll(() => tmp.cleanup());

  it("npm pack builds (prepare) and prints only the tarball name; the tarball installs prebuilt, with no build tools, and works", () => {
    // The snapshot is unbuilt; the build uses this checkout's tools.
    const packDir = path.join(tmp.dir, "pack");
    execFileSync("git", ["clone", "-q", source, packDir]);
    symlinkSync(path.join(ROOT, "node_modules"), path.join(packDir, "node_modules"));
    const out = path.join(tmp.dir, "tarballs");
    mkdirSync(out);
    const stdout = ok("npm", ["pack", "--pack-destination", out], packDir);
    // pre-commit's node hooks read this output as the tarball's name.
    expect(stdout).toBe(`fqc-${VERSION}.tgz\n`);
    const tarball = path.join(out, `fqc-${VERSION}.tgz`);
    const listed = ok("tar", ["tzf", tarball], tmp.dir).split("\n");
    for (const f of ["bin/fqc.js", "dist/fqc.cjs", "dist/fqc.cjs.cache", "dist/index.js", "dist/index.d.ts", "schema/fqc.schema.json", "LICENSE", "README.md", "package.json"]) {
      expect(listed).toContain(`package/${f}`);
    }
    expect(listed.filter((f) => /^package\/(scripts|src|test)\//.test(f))).toEqual([]);

    const proj = project(path.join(tmp.dir, "tarball-user"));
    ok("npm", ["install", ...NPM_FLAGS, tarball], proj);
    // Only the runtime dependencies: no TypeScript or esbuild, so nothing could have been built here.
    expect(existsSync(path.join(proj, "node_modules/typescript"))).toBe(false);
    expect(existsSync(path.join(proj, "node_modules/esbuild"))).toBe(false);
    checkInstalled(proj);
  }, 10 * MINUTES);

  it("npm install git+file://…#HEAD installs the devDependencies in the clone, builds there (prepare), and works", () => {
    const proj = project(path.join(tmp.dir, "git-user"));
    ok("npm", ["install", ...NPM_FLAGS, `git+file://${source}#HEAD`], proj);
    const installed = path.join(proj, "node_modules/fqc");
    expect(existsSync(path.join(installed, "dist/fqc.cjs"))).toBe(true);
    expect(existsSync(path.join(installed, "scripts"))).toBe(false); // built in npm's clone, shipped by `files`
    expect(JSON.parse(readFileSync(path.join(proj, "package.json"), "utf8")).dependencies.fqc).toMatch(/^git\+file:/);
    checkInstalled(proj);
  }, 10 * MINUTES);

  it("the GitHub Action's install step (npm ci in a fresh checkout of the action) builds fqc, and validate then annotates", () => {
    const actionPath = path.join(tmp.dir, "action");
    execFileSync("git", ["clone", "-q", source, actionPath]);
    const ws = path.join(tmp.dir, "workspace");
    mkdirSync(path.join(ws, "configs"), { recursive: true });
    execFileSync("git", ["init", "-q", ws]);
    writeFileSync(path.join(ws, "configs/good.fqc.json"), GOOD);
    writeFileSync(path.join(ws, "configs/bad.fqc.yaml"), BAD);
    const r = runAction({ workspace: ws, actionPath, inputs: { sarif: "fqc.sarif" }, runnerTemp: path.join(tmp.dir, "runner") });
    expect(existsSync(path.join(actionPath, "dist/fqc.cjs"))).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=configs\/bad\.fqc\.yaml,line=2,/m);
    expect(JSON.parse(readFileSync(path.join(ws, "fqc.sarif"), "utf8")).runs[0].results).toHaveLength(1);
  }, 10 * MINUTES);
});
