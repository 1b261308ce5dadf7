import { mkdirSync, realpathSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/cli/repo-root.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A fake file system holding exactly these `.git` entries. */
const gitAt = (...dirs: string[]) => (p: string) => dirs.some((d) => p === `${d}/.git`);

describe("repoRoot", () => {
  it("is GITHUB_WORKSPACE when set, whatever the directory", () => {
    expect(repoRoot("/w/repo/configs", { GITHUB_WORKSPACE: "/w/repo" }, gitAt("/elsewhere"))).toBe("/w/repo");
    expect(repoRoot("/w/repo/configs", { GITHUB_WORKSPACE: ".." }, gitAt())).toBe("/w/repo");
  });

  it("is GITHUB_WORKSPACE's real path when the current (physical) directory is inside that and not inside the workspace as named", () => {
    // A runner whose work directory is a symbolic link to another disk: /w → /mnt/disk/w.
    const realpath = (p: string) => p.replace(/^\/w(?=\/|$)/, "/mnt/disk/w");
    expect(repoRoot("/mnt/disk/w/repo/configs", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), realpath)).toBe("/mnt/disk/w/repo");
    expect(repoRoot("/mnt/disk/w/repo", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), realpath)).toBe("/mnt/disk/w/repo");
    // Inside the workspace as named: kept as named, never resolved.
    expect(repoRoot("/w/repo/configs", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), () => { throw new Error("not asked"); })).toBe("/w/repo");
    expect(repoRoot("/w/repo", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), () => { throw new Error("not asked"); })).toBe("/w/repo");
    // A directory above the workspace is not inside it: the workspace is named by its real path.
    expect(repoRoot("/w", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), realpath)).toBe("/mnt/disk/w/repo");
    // A directory whose name starts with two dots is inside, not above.
    expect(repoRoot("/w/repo/..cache/x", { GITHUB_WORKSPACE: "/w/repo" }, gitAt(), () => { throw new Error("not asked"); })).toBe("/w/repo");
  });

  it("resolves GITHUB_WORKSPACE's symbolic links on the real file system, and keeps a workspace that does not exist as named", () => {
    const real = path.join(realpathSync(tmp.dir), "disk/repo");
    mkdirSync(path.join(real, "configs"), { recursive: true });
    symlinkSync(path.join(realpathSync(tmp.dir), "disk"), tmp.path("w"));
    expect(repoRoot(path.join(real, "configs"), { GITHUB_WORKSPACE: tmp.path("w/repo") })).toBe(real);
    expect(repoRoot(path.join(real, "configs"), { GITHUB_WORKSPACE: tmp.path("gone/repo") })).toBe(tmp.path("gone/repo"));
  });

  it("is the nearest directory above holding .git when GITHUB_WORKSPACE is unset or empty", () => {
    expect(repoRoot("/home/u/proj/configs/qat", {}, gitAt("/home/u/proj"))).toBe("/home/u/proj");
    expect(repoRoot("/home/u/proj/sub/x", { GITHUB_WORKSPACE: "" }, gitAt("/home/u/proj", "/home/u/proj/sub"))).toBe("/home/u/proj/sub");
    expect(repoRoot("/home/u/proj", {}, gitAt("/home/u/proj"))).toBe("/home/u/proj");
    expect(repoRoot("/", {}, gitAt("/"))).toBe("/");
  });

  it("is the current directory outside any repository", () => {
    expect(repoRoot("/tmp/a/b", {}, gitAt())).toBe("/tmp/a/b");
    expect(repoRoot("/", {}, gitAt())).toBe("/");
  });

  it("looks for .git only by walking up, asking about each directory once", () => {
    const asked: string[] = [];
    repoRoot("/a/b/c", {}, (p) => (asked.push(p), false));
    expect(asked).toEqual(["/a/b/c/.git", "/a/b/.git", "/a/.git", "/.git"]);
  });
});
