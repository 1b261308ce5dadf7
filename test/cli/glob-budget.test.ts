/** Issue 13 item 9: globs do not follow symlinked directories, report each file once, and stay within a budget. */
import { linkSync, mkdirSync, symlinkSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { expandPatterns, MAX_GLOB_FILES } from "../../src/cli/lint-files.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const CFG = '{"dtype":"int4","group_size":32}';
mkdirSync(tmp.path("a/b"), { recursive: true });
tmp.write("a/b/c.json", CFG);
symlinkSync("..", tmp.path("a/b/loop")); // a loop: a/b/loop/b/loop/...
symlinkSync(tmp.path("a/b"), tmp.path("link"));
linkSync(tmp.path("a/b/c.json"), tmp.path("a/hard.json"));

describe("glob expansion", () => {
  it("does not follow a symbolic link to a directory (a link loop ends at once)", () => {
    const { files } = expandPatterns([`${tmp.dir}/**/*.json`]);
    expect(files).toHaveLength(1); // a/b/c.json and its hard link a/hard.json are one file
    expect(files.some((f) => f.includes("/loop/") || f.includes("/link/"))).toBe(false);
  });

  it("reports a file once however it is named: twice, through a link, or by a hard link", () => {
    const { files } = expandPatterns([tmp.path("a/b/c.json"), `${tmp.dir}/a/b/../b/c.json`, tmp.path("link/c.json"), tmp.path("a/hard.json"), `${tmp.dir}/a/**/*.json`]);
    expect(files).toEqual([tmp.path("a/b/c.json")]);
  });

  it("follows a link named in the pattern's fixed part", () => {
    expect(expandPatterns([`${tmp.path("link")}/*.json`]).files).toEqual([tmp.path("link/c.json")]);
  });

  it(`takes ${MAX_GLOB_FILES} files, and refuses more with a usage error that says how to narrow the patterns`, async () => {
    const many = Array.from({ length: MAX_GLOB_FILES + 1 }, (_, i) => tmp.path(`missing-${i}.json`));
    expect(expandPatterns(many.slice(0, MAX_GLOB_FILES)).files).toHaveLength(MAX_GLOB_FILES);
    expect(() => expandPatterns(many)).toThrow(`match more than ${MAX_GLOB_FILES} files`);
    const r = await runMain(["validate", ...many], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Narrow the patterns");
  });

  it("validate over a tree with a link loop checks the one file once", async () => {
    const r = await runMain(["validate", `${tmp.dir}/**/*.json`], { cwd: tmp.dir });
    expect([r.code, r.stdout]).toEqual([0, "✔ 1 file checked: no problems\n"]);
  });
});
