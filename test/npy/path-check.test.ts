/** checkPaths: no output is an input, and no two outputs are the same file, however they are spelled. */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { checkPaths, resolveTarget, type PathCheck } from "../../src/npy/path-check.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let seq = 0;
/** A fresh directory with `files` created in it. */
function dirWith(...files: string[]): (name: string) => string {
  const dir = tmp.file(`d${seq++}`);
  fs.mkdirSync(dir);
  for (const f of files) fs.writeFileSync(path.join(dir, f), f);
  return (name) => path.join(dir, name);
}

function refusal(check: PathCheck): FqcError {
  try {
    checkPaths(check);
  } catch (e) {
    expect(e).toBeInstanceOf(FqcError);
    expect((e as FqcError).code).toBe("IO");
    return e as FqcError;
  }
  throw new Error("expected a refusal");
}

describe("checkPaths refuses an output that is an input", () => {
  it("names both paths and the fix in one line", () => {
    const at = dirWith("w.npy", "cfg.json");
    const e = refusal({ reads: [{ path: at("w.npy"), role: "IN" }, { path: at("cfg.json"), role: "--config" }], writes: [{ path: at("cfg.json"), role: "--scale-out" }] });
    expect(e.message).toBe(`--scale-out ${at("cfg.json")} is the same file as --config ${at("cfg.json")}: fqc never overwrites a file it reads; write --scale-out elsewhere`);
    expect(e.message).not.toContain("\n");
    expect(e.file).toBe(at("cfg.json"));
  });

  it("sees through a relative spelling, a symbolic link, a linked directory and a hard link", () => {
    const at = dirWith("cfg.json");
    const cfg = at("cfg.json");
    fs.symlinkSync(cfg, at("sym.json"));
    fs.linkSync(cfg, at("hard.json"));
    fs.symlinkSync(path.dirname(cfg), at("dirlink"));
    for (const spelling of [path.relative(process.cwd(), cfg), `${path.dirname(cfg)}/./x/../cfg.json`, at("sym.json"), at("hard.json"), path.join(at("dirlink"), "cfg.json")]) {
      expect(refusal({ reads: [{ path: cfg, role: "--config" }], writes: [{ path: spelling, role: "OUT" }] }).message, spelling).toContain("is the same file as --config");
    }
  });

  it("lets --force replace a forceable input by a forceable output only", () => {
    const at = dirWith("w.npy", "cfg.json");
    const reads = [{ path: at("w.npy"), role: "IN", forceable: true }, { path: at("cfg.json"), role: "--config" }];
    const e = refusal({ reads, writes: [{ path: at("w.npy"), role: "OUT", forceable: true }], forceStep: "pass --force" });
    expect(e.message).toContain("refusing to overwrite an input; write OUT elsewhere, or pass --force to replace IN");
    checkPaths({ reads, writes: [{ path: at("w.npy"), role: "OUT", forceable: true }], force: true, forceStep: "pass --force" });
    // --scale-out is not forceable: --force does not let it replace IN, and nothing replaces --config.
    expect(refusal({ reads, writes: [{ path: at("w.npy"), role: "--scale-out" }], force: true }).message).toContain("--scale-out");
    expect(refusal({ reads, writes: [{ path: at("cfg.json"), role: "OUT", forceable: true }], force: true }).message).toContain("--config");
  });
});

describe("checkPaths refuses two outputs that are the same file", () => {
  it("two spellings of one existing file, even with --force", () => {
    const at = dirWith("q.npy");
    const e = refusal({ reads: [], writes: [{ path: at("q.npy"), role: "--scale-out", forceable: true }, { path: `${path.dirname(at("q.npy"))}/./q.npy`, role: "--zero-point-out", forceable: true }], force: true });
    expect(e.message).toBe(`--scale-out ${at("q.npy")} and --zero-point-out ${path.dirname(at("q.npy"))}/./q.npy are the same file: give each output its own path`);
  });

  it("two spellings of a file that does not exist yet", () => {
    const at = dirWith();
    fs.symlinkSync(path.dirname(at("x")), at("dirlink"));
    expect(refusal({ reads: [], writes: [{ path: at("new.npy"), role: "--scale-out" }, { path: path.join(at("dirlink"), "new.npy"), role: "--zero-point-out" }] }).message).toContain("are the same file");
  });

  it("a dangling link that names another output", () => {
    const at = dirWith();
    fs.symlinkSync("target.npy", at("link.npy")); // relative: resolved from the link's directory
    expect(refusal({ reads: [], writes: [{ path: at("target.npy"), role: "OUT" }, { path: at("link.npy"), role: "--scale-out" }] }).message).toContain("are the same file");
  });

  it("hard links of one file", () => {
    const at = dirWith("a.npy");
    fs.linkSync(at("a.npy"), at("b.npy"));
    expect(refusal({ reads: [], writes: [{ path: at("a.npy"), role: "OUT" }, { path: at("b.npy"), role: "--scale-out" }] }).message).toContain("are the same file");
  });
});

describe("checkPaths accepts distinct files", () => {
  it("distinct existing and missing files, and an empty check", () => {
    const at = dirWith("w.npy", "cfg.json", "old-out.npy");
    checkPaths({ reads: [], writes: [] });
    checkPaths({
      reads: [{ path: at("w.npy"), role: "IN" }, { path: at("cfg.json"), role: "--config" }, { path: at("missing-input.npy"), role: "--scale" }],
      writes: [{ path: at("old-out.npy"), role: "OUT" }, { path: at("s.npy"), role: "--scale-out" }, { path: at("z.npy"), role: "--zero-point-out" }],
    });
  });
});

describe("resolveTarget", () => {
  it("follows a chain of links, a dangling one to the path it names, and resolves linked directories", () => {
    const at = dirWith("real.npy");
    const real = fs.realpathSync(at("real.npy"));
    fs.symlinkSync(at("real.npy"), at("l1"));
    fs.symlinkSync("l1", at("l2"));
    expect(resolveTarget(at("l2"))).toBe(real);
    fs.symlinkSync("sub/missing.npy", at("dangling"));
    expect(resolveTarget(at("dangling"))).toBe(path.join(path.dirname(real), "sub/missing.npy"));
    expect(resolveTarget(at("plain-new.npy"))).toBe(path.join(path.dirname(real), "plain-new.npy"));
  });

  it("stops on a loop of links instead of spinning", () => {
    const at = dirWith();
    fs.symlinkSync("b", at("a"));
    fs.symlinkSync("a", at("b"));
    expect([fs.realpathSync(path.dirname(at("a"))) + "/a", fs.realpathSync(path.dirname(at("a"))) + "/b"]).toContain(resolveTarget(at("a")));
  });
});
