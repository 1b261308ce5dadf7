/**
 * The standalone executable: built with Node's single-executable support and
 * run without node_modules, from a directory outside the project.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/npy/whole.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";

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
