/**
 * The standalone executable: built with Node's single-executable support and
 * run without node_modules, from a directory outside the project.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/npy/whole.js";
import { FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const hasFuse = readFileSync(process.execPath).includes("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2");
const hasPostject = existsSync(path.join(ROOT, "node_modules/postject/dist/cli.js"));
const skipReason = !hasFuse ? `${process.execPath} has no SEA fuse` : !hasPostject ? "postject is not installed" : "";
if (skipReason) console.warn(`skipping standalone binary test: ${skipReason}`);

const tmp = tempDir();
let exe = "";

describe.skipIf(!!skipReason)("standalone binary (npm run build:bin)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, "scripts/build-bin.mjs")], { cwd: ROOT, stdio: "pipe" });
    // Run it from elsewhere so nothing of the project (node_modules, dist) can be found.
    exe = path.join(tmp.dir, "fqc");
    copyFileSync(path.join(ROOT, "build/fqc"), exe);
  }, 240_000);
  afterAll(() => tmp.cleanup());

  const run = (args: string[]) => runFqc(args, { exe: [exe], cwd: tmp.dir, env: { NODE_PATH: "" } });

  it("prints the package version", () => {
    const r = run(["--version"]);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("validates configs", () => {
    copyFileSync(path.join(ROOT, "examples/8da4w.json"), path.join(tmp.dir, "8da4w.json"));
    writeFileSync(path.join(tmp.dir, "bad.json"), '{"dtype": "int8", "granularity": "per_token"}');
    expect(run(["validate", "8da4w.json"]).code).toBe(0);
    const bad = run(["validate", "bad.json", "--format", "json"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("Symmetric per token is not supported yet");
  });

  it("gives every command the output, files and exit code of node bin/fqc.js, renamed, through a symlink, from another directory", () => {
    const work = tmp.path("parity");
    cpSync(path.join(ROOT, "examples"), path.join(work, "ex"), { recursive: true });
    writeFileSync(path.join(work, "ex/warn.fqc.json"), '{"dtype": "int4", "group_size": 32, "is_symmetric": false}\n');
    const renamed = tmp.path("bin/quantlint");
    mkdirSync(path.dirname(renamed));
    copyFileSync(exe, renamed);
    symlinkSync(renamed, tmp.path("bin/fqc-link"));
    const cases = [
      ["--version"], ["--help"], ["apply", "--help"], ["bogus"], ["validate"],
      ["validate", "ex/8da4w.json", "ex/llama-recipe.yaml"], ["validate", "ex/broken/typo-group-size.json", "ex/broken/per-token-symmetric.yaml"],
      ["validate", "-f", "github", "--max-warnings", "0", "ex/warn.fqc.json"], ["validate", "-f", "sarif", "-o", "OUT/v.sarif", "ex/broken/typo-group-size.json"],
      ["validate", "missing.fqc.json"], ["normalize", "ex/8da4w.yaml"], ["normalize", "--check", "ex/8da4w.json"], ["schema"],
      ["apply", "ex/weight.npy", "OUT/w.npy", "-c", "ex/int4-weight-per-group.json", "--threads", "2"],
      ["apply", "ex/llama-tiny/model.safetensors", "OUT/m.safetensors", "--recipe", "ex/llama-recipe.json", "--threads", "2"],
      ["apply", "ex/8da4w.json", "OUT/x.npy", "-c", "ex/int4-weight-per-group.json"],
      ["report", "ex/llama-tiny/model.safetensors", "-c", "ex/8da4w.json", "-c", "ex/int8-per-channel.json", "-f", "html", "-o", "OUT/r.html"],
      ["report", "ex/llama-tiny/model.safetensors", "-c", "ex/int4-weight-per-group.json"],
    ];
    // Timings differ from run to run; everything else must not.
    const steady = (text: string, out: string) => text.replaceAll(out, "OUT").replace(/\d+\.\d+ s\b/g, "T s");
    const outcome = (exeArgs: string[], c: string[]) => {
      const out = path.join(work, "out");
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      const r = runFqc(c.map((a) => a.replace(/^OUT\//, `${out}/`)), { exe: exeArgs, cwd: work, env: { NODE_PATH: "" } });
      const files = readdirSync(out).sort().map((f) => [f, steady(readFileSync(path.join(out, f)).toString("latin1"), out)]);
      return { code: r.code, stdout: steady(r.stdout, out), stderr: steady(r.stderr, out), files };
    };
    const codes: number[] = [];
    for (const c of cases) {
      const viaNode = outcome([process.execPath, FQC], c);
      codes.push(viaNode.code);
      expect(outcome([renamed], c), `quantlint ${c.join(" ")}`).toEqual(viaNode);
      expect(outcome([tmp.path("bin/fqc-link")], c), `fqc-link ${c.join(" ")}`).toEqual(viaNode);
    }
    // The cases cover every exit status a run can end with.
    expect(new Set(codes)).toEqual(new Set([0, 1, 2]));
  }, 240_000);

  it("applies with worker threads and matches the library build byte for byte", () => {
    copyFileSync(path.join(ROOT, "examples/weight.npy"), path.join(tmp.dir, "w.npy"));
    copyFileSync(path.join(ROOT, "examples/int4-weight-per-group.json"), path.join(tmp.dir, "cfg.json"));
    const r = run(["apply", "w.npy", "out.npy", "-c", "cfg.json", "--threads", "2", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).threads).toBe(2);
    const ref = path.join(tmp.dir, "ref.npy");
    expect(runFqc(["apply", path.join(ROOT, "examples/weight.npy"), ref, "-c", path.join(ROOT, "examples/int4-weight-per-group.json"), "-q"]).code).toBe(0);
    expect(readFileSync(path.join(tmp.dir, "out.npy")).equals(readFileSync(ref))).toBe(true);
    expect(readNpy(path.join(tmp.dir, "out.npy")).header.dtype).toBe("float32");
  });
});
