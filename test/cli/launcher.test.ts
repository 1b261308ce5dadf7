/** bin/fqc.js: loads the CLI bundle with its V8 code cache, and fails clearly when the checkout is not built. */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { earlyWorkerCount } from "../../src/parallel/early-workers.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A copy of the launcher (and, if asked, of the bundle) in a fresh directory tree. */
function install(name: string, withBundle: boolean): string {
  const dir = tmp.path(name);
  mkdirSync(path.join(dir, "bin"), { recursive: true });
  mkdirSync(path.join(dir, "dist"), { recursive: true });
  for (const f of ["fqc.js", "load-cli.js", "package.json"]) copyFileSync(path.join(ROOT, "bin", f), path.join(dir, "bin", f));
  if (withBundle) for (const f of ["fqc.cjs", "fqc-early.cjs"]) copyFileSync(path.join(ROOT, "dist", f), path.join(dir, "dist", f));
  return path.join(dir, "bin/fqc.js");
}

describe("the fqc launcher", () => {
  it("uses the code caches the build wrote: V8 accepts all three in a plain node process, apply's for apply, report's for report", () => {
    const launcher = JSON.stringify(path.join(ROOT, "bin/load-cli.js"));
    const r = spawnSync(process.execPath, ["-e", `
      const { loadCli, codeCacheFor, CODE_CACHE, APPLY_CODE_CACHE, REPORT_CODE_CACHE } = require(${launcher});
      const rejected = (cache) => String(loadCli({ cache }).script.cachedDataRejected);
      process.stdout.write([rejected(CODE_CACHE), rejected(APPLY_CODE_CACHE), rejected(REPORT_CODE_CACHE), codeCacheFor(["apply", "x"]) === APPLY_CODE_CACHE,
        codeCacheFor(["report", "m"]) === REPORT_CODE_CACHE, codeCacheFor(["validate"]) === CODE_CACHE].join(" "));
    `], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("false false false true true true");
  });

  it("finds the bundle stored in Node's CommonJS wrapper, so it compiles the text as read (no second copy of 1.7 MB to flatten)", () => {
    const text = readFileSync(path.join(ROOT, "dist/fqc.cjs"), "latin1");
    const [head, tail] = (Module as unknown as { wrapper: [string, string] }).wrapper;
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(tail)).toBe(true);
    expect(readFileSync(path.join(ROOT, "bin/load-cli.js"), "utf8")).not.toMatch(/Module\.wrap\(/);
  });

  it("runs without a cache, and with a cache V8 rejects (another Node, a corrupt file)", () => {
    const fqc = install("no-cache", true);
    const v = runFqc(["--version"], { exe: [process.execPath, fqc] });
    expect(v).toMatchObject({ code: 0, stderr: "" });
    tmp.write("no-cache/dist/fqc.cjs.cache", new Uint8Array(4096).fill(7));
    tmp.write("no-cache/dist/fqc.cjs.apply.cache", new Uint8Array(4096).fill(7));
    tmp.write("no-cache/dist/fqc.cjs.report.cache", new Uint8Array(4096).fill(7));
    const r = runFqc(["validate", path.join(ROOT, "examples/int4-weight-per-group.json")], { exe: [process.execPath, fqc] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 file checked: no problems");
    const a = runFqc(["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("nc.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json"), "-q"], { exe: [process.execPath, fqc] });
    expect(a.code, a.stderr).toBe(0);
    const rep = runFqc(["report", path.join(ROOT, "examples/weight.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json")], { exe: [process.execPath, fqc] });
    expect(rep.code, rep.stderr).toBe(0);
  });

  it("does not load the early-workers bundle for an apply on one thread, reading --threads/-j as its guess does", () => {
    const { oneThreadAsked } = createRequire(import.meta.url)(path.join(ROOT, "bin/load-cli.js")) as { oneThreadAsked: (args: string[]) => boolean };
    const spellings = ["", "--threads 1", "--threads=1", "-j 1", "-j1", "-j=1", "-j 0", "--threads 2 -j 1", "-j 1 --threads 2", "-j 2", "-j2", "--threads auto", "--threads nonsense", "-j"];
    for (const t of spellings) {
      const args = `apply big.npy out.npy ${t}`.trim().split(" ");
      const none = earlyWorkerCount(args, 4, () => ({ elements: 1 << 30, rows: 1 << 20 })) === 0;
      expect(oneThreadAsked(args), t).toBe(none);
    }
    const fqc = install("no-early", true);
    rmSync(path.join(path.dirname(fqc), "..", "dist", "fqc-early.cjs"));
    const a = runFqc(["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("one.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json"), "-q", "-j", "1"], { exe: [process.execPath, fqc] });
    expect(a).toMatchObject({ code: 0, stderr: "" });
  });

  it("says how to build when the bundle is missing (exit 2, no stack trace)", () => {
    const unbuilt = install("unbuilt", false);
    mkdirSync(tmp.path("unbuilt/scripts")); // a checkout: the build script is there (`files` leaves it out of installs)
    tmp.write("unbuilt/scripts/build.mjs", "");
    const r = runFqc(["--version"], { exe: [process.execPath, unbuilt] });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("fqc: this checkout is not built yet; run `npm run build` first (npm test and npm run demo build too)\n");
    // apply loads the early-worker bundle first: the same message when that is what is missing.
    const unbuiltApply = install("unbuilt-apply", false);
    mkdirSync(tmp.path("unbuilt-apply/scripts"));
    tmp.write("unbuilt-apply/scripts/build.mjs", "");
    const a = runFqc(["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("w.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json")], { exe: [process.execPath, unbuiltApply] });
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(r.stderr);
  });

  it("says in one line, exit 2, when the bundle cannot be read (too many open files under a tight ulimit -n), with no stack trace", () => {
    // Preloaded: reading the bundle fails as it does when the launcher and Node hold every descriptor the limit allows.
    const preload = tmp.write("emfile.cjs", `const fs = require("node:fs");
const real = fs.readFileSync;
fs.readFileSync = function (p, ...rest) {
  if (String(p).endsWith("fqc.cjs")) throw Object.assign(new Error("EMFILE: too many open files, open '" + p + "'"), { code: "EMFILE", syscall: "open", path: String(p) });
  return real.call(this, p, ...rest);
};`);
    const bundle = path.join(ROOT, "dist", "fqc.cjs");
    for (const args of [["--version"], ["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("w.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json")]]) {
      const r = runFqc(args, { exe: [process.execPath, "-r", preload, path.join(ROOT, "bin/fqc.js")] });
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toBe(`fqc: cannot read ${bundle} (fqc's own code): too many open files\n  hint: Raise the open-file limit (ulimit -n).\n`);
    }
  });

  it("in an installed copy with no build (a git install whose prepare npm skipped), says to reinstall with scripts, not to run npm run build", () => {
    const fqc = install("node_modules/fqc", false); // as `files` ships it from git without prepare: no scripts/, no dist/
    for (const args of [["--version"], ["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("w2.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json")]]) {
      const r = runFqc(args, { exe: [process.execPath, fqc] });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `fqc: the fqc installed in ${tmp.path("node_modules/fqc")} was never built: npm skipped its prepare script (the build) when installing it from git (ignore-scripts, or allowScripts denying fqc)\n` +
        "  hint: remove that directory and run `npm install --ignore-scripts=false` (fqc's build runs in npm's clone), or install the tarball `npm pack` makes in a clone of fqc, which ships built\n");
      expect(r.stderr).not.toContain("npm run build");
    }
  });

  it("on a Node older than package.json's engines, says which Node it needs and which it got (exit 2), before loading anything", () => {
    const { MIN_NODE, unsupportedNode } = createRequire(import.meta.url)(path.join(ROOT, "bin/load-cli.js")) as { MIN_NODE: string; unsupportedNode: (v: string) => string | undefined };
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${MIN_NODE}`);
    for (const v of ["20.19.0", "20.20.2", "21.0.0", "22.1.0", "100.0.0"]) expect(unsupportedNode(v), v).toBeUndefined();
    for (const v of ["20.18.3", "20.9.0", "18.20.4", "16.20.2", "19.99.0"]) expect(unsupportedNode(v), v).toMatch(/needs Node\.js 20\.19 or later/);
    // Preloaded: the process reports an older Node, as one on PATH (a pre-commit hook's, a CI image's) would.
    const preload = tmp.write("node18.cjs", 'Object.defineProperty(process.versions, "node", { value: "18.20.4" });');
    for (const args of [["--version"], ["validate", path.join(ROOT, "examples/8da4w.json")], ["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("old.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json")]]) {
      const r = runFqc(args, { exe: [process.execPath, "-r", preload, path.join(ROOT, "bin/fqc.js")] });
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout, args[0]).toBe("");
      expect(r.stderr, args[0]).toBe(`fqc: needs Node.js 20.19 or later; this is Node.js 18.20.4 (${process.execPath})\n` +
        "  hint: Install Node.js 20.19+ (e.g. `nvm install 20`, or actions/setup-node with node-version 20) and run fqc with it.\n");
    }
    expect(existsSync(tmp.path("old.npy"))).toBe(false);
  });

  it("in a pre-commit hook's environment with no build, says to let pre-commit reinstall it with npm's scripts on", () => {
    // pre-commit installs a node hook's package into <cache>/repo…/node_env-<version>/lib/node_modules/.
    const fqc = install("repoabc/node_env-system/lib/node_modules/fqc", false);
    const r = runFqc(["validate", "x.fqc.json"], { exe: [process.execPath, fqc] });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `fqc: the fqc installed in ${tmp.path("repoabc/node_env-system/lib/node_modules/fqc")} was never built: npm skipped its prepare script (the build) when installing it from git (ignore-scripts, or allowScripts denying fqc)\n` +
      "  hint: pre-commit installed this hook with npm's scripts off (ignore-scripts in an .npmrc, or npm_config_ignore_scripts): turn that off, run `pre-commit clean`, and run the hooks again\n");
  });
});
