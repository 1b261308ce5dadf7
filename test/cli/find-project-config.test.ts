/**
 * Where a project's settings are found, as the README's fqc validate section says: the nearest fqc.config.json, or
 * package.json's "fqc" key, from the current directory up to the repository root (the first directory with .git);
 * what validate and normalize skip and allow by them; and how a settings file that cannot be read is refused.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findProjectConfig } from "../../src/cli/find-project-config.js";
import { ignorePatterns, projectSettings, unmatchedIsError } from "../../src/cli/project-ignore.js";
import { tempDir } from "../helpers/cli.js";
import { thrownFqcError } from "../helpers/js-callers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A scratch tree under a directory of its own: `files` relative to it; a name ending in "/" is a directory. */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp.dir, name);
  mkdirSync(root, { recursive: true });
  for (const [f, text] of Object.entries(files)) {
    if (f.endsWith("/")) mkdirSync(path.join(root, f), { recursive: true });
    else {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), text);
    }
  }
  return root;
}

const settings = (patterns: string[]) => JSON.stringify({ ignorePatterns: patterns });

describe("findProjectConfig", () => {
  it("finds the nearest fqc.config.json from the current directory up, within the repository", () => {
    const root = tree("walk", { ".git/": "", "fqc.config.json": settings(["top/**"]), "a/b/": "", "a/fqc.config.json": settings(["mid/**"]) });
    expect(findProjectConfig(path.join(root, "a/b"))).toMatchObject({ file: path.join(root, "a/fqc.config.json"), ignorePatterns: ["mid/**"] });
    expect(findProjectConfig(root)).toMatchObject({ file: path.join(root, "fqc.config.json"), ignorePatterns: ["top/**"] });
  });

  it("stops at the first directory holding .git, and reads that directory's settings", () => {
    const root = tree("stop", { "fqc.config.json": settings(["outside/**"]), "repo/.git/": "", "repo/sub/": "" });
    expect(findProjectConfig(path.join(root, "repo/sub"))).toBeUndefined();
    writeFileSync(path.join(root, "repo/fqc.config.json"), settings(["inside/**"]));
    expect(findProjectConfig(path.join(root, "repo/sub"))?.ignorePatterns).toEqual(["inside/**"]);
    // A .git file (a worktree or a submodule) marks the root as well.
    const wt = tree("stop-file", { "fqc.config.json": settings(["outside/**"]), "wt/.git": "gitdir: elsewhere\n" });
    expect(findProjectConfig(path.join(wt, "wt"))).toBeUndefined();
  });

  it("outside any repository, walks up to the file-system root and ends there", () => {
    const root = tree("no-repo", { "fqc.config.json": settings(["top/**"]), "a/b/c/": "" });
    expect(findProjectConfig(path.join(root, "a/b/c"))?.ignorePatterns).toEqual(["top/**"]);
    expect(findProjectConfig(path.parse(root).root)).toBeUndefined();
  });

  it("takes package.json's \"fqc\" key, named as package.json#fqc; fqc.config.json beside it comes first", () => {
    const root = tree("pkg", { ".git/": "", "package.json": JSON.stringify({ name: "x", fqc: { ignorePatterns: ["pkg/**"] } }) });
    expect(findProjectConfig(root)).toMatchObject({ file: `${path.join(root, "package.json")}#fqc`, ignorePatterns: ["pkg/**"] });
    writeFileSync(path.join(root, "fqc.config.json"), settings(["own/**"]));
    expect(findProjectConfig(root)?.file).toBe(path.join(root, "fqc.config.json"));
  });

  it("walks on past a package.json without an \"fqc\" key, or holding no object, or with a byte-order mark", () => {
    const root = tree("pkg-none", {
      ".git/": "", "fqc.config.json": settings(["top/**"]), "a/package.json": '{"name": "a"}', "b/package.json": "null", "c/package.json": "[1]",
      "d/package.json": '"fqc"', "e/package.json": "false", "f/package.json": "0",
    });
    for (const sub of ["a", "b", "c", "d", "e", "f"]) expect(findProjectConfig(path.join(root, sub))?.ignorePatterns, sub).toEqual(["top/**"]);
    writeFileSync(path.join(root, "a/package.json"), `\uFEFF${JSON.stringify({ fqc: { ignorePatterns: ["bom/**"] } })}`);
    expect(findProjectConfig(path.join(root, "a"))?.ignorePatterns).toEqual(["bom/**"]);
  });

  it("refuses settings that are not a regular file, or not valid JSON, naming the file and the fix", () => {
    const dir = tree("not-file", { ".git/": "", "fqc.config.json/": "" });
    const e = thrownFqcError(() => findProjectConfig(dir));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`${path.join(dir, "fqc.config.json")}: fqc settings must be a regular file`);
    expect(e.hint).toBe("Replace it with a JSON file, or pass --no-project-config.");

    const bad = tree("bad-json", { ".git/": "", "fqc.config.json": '{"rules": {},\n  "rules": {}}' });
    const strict = thrownFqcError(() => findProjectConfig(bad));
    expect(strict.message).toBe(`${path.join(bad, "fqc.config.json")}: not valid JSON at 2:3: duplicate key "rules" (first at 1:2); JSON parsers disagree on which value wins`);
    expect(strict.hint).toBe("Fix the file, or remove it to use fqc's defaults.");
    expect(strict.code).toBe("USAGE");
    // A syntax error in fqc's words, without their "JSON syntax error: " prefix (the message says it already).
    const comma = tree("comma-json", { ".git/": "", "fqc.config.json": '{"rules": {},}' });
    expect(thrownFqcError(() => findProjectConfig(comma)).message)
      .toBe(`${path.join(comma, "fqc.config.json")}: not valid JSON at 1:13: a trailing comma before \`}\`; JSON allows no comma after the last member`);

    const pkg = tree("bad-pkg", { ".git/": "", "package.json": "{" });
    const loose = thrownFqcError(() => findProjectConfig(pkg));
    expect(loose.code).toBe("USAGE");
    const parseError = (() => {
      try {
        JSON.parse("{");
      } catch (e) {
        return (e as Error).message.split("\n")[0];
      }
    })();
    expect(loose.message).toBe(`${path.join(pkg, "package.json")}: not valid JSON (${parseError})`);
    expect(loose.hint).toBe("Fix the file, or remove it to use fqc's defaults.");
    // JSON.parse quotes the text around the error, line breaks and all: the message stays one line.
    const lines = tree("bad-pkg-lines", { ".git/": "", "package.json": '{\n  "name": \n}\n' });
    expect(thrownFqcError(() => findProjectConfig(lines)).message).toMatch(/^[^\n]*: not valid JSON \([^\n]*\)$/);
  });
});

describe("the project's ignore settings with the command line's", () => {
  it("--no-project-config reads no settings, even a malformed file", () => {
    const dir = tree("no-project", { ".git/": "", "fqc.config.json": "{" });
    expect(projectSettings({ "project-config": false }, dir)).toBeUndefined();
    expect(() => projectSettings({ "project-config": true }, dir)).toThrow(/not valid JSON/);
  });

  it("patterns are relative to the settings file's directory (package.json's too), the command line's to the current one, project's first", () => {
    const root = tree("patterns", { ".git/": "", "package.json": JSON.stringify({ fqc: { ignorePatterns: ["legacy/**", "*.tmp.json"] } }), "sub/": "" });
    const cwd = path.join(root, "sub");
    const project = projectSettings({ "project-config": true }, cwd);
    expect(ignorePatterns(project, { "ignore-pattern": ["old/**"] }, cwd)).toEqual([
      { pattern: "legacy/**", base: root }, { pattern: "*.tmp.json", base: root }, { pattern: "old/**", base: cwd },
    ]);
    expect(ignorePatterns(undefined, { "ignore-pattern": ["old/**"] }, cwd)).toEqual([{ pattern: "old/**", base: cwd }]);
  });

  it("a glob matching nothing is an error unless the command line or the project allows it", () => {
    const project = (errorOnUnmatchedPattern: boolean) => ({ file: "fqc.config.json", rules: new Map(), ignorePatterns: [], errorOnUnmatchedPattern });
    expect(unmatchedIsError(undefined, { "error-on-unmatched-pattern": true })).toBe(true);
    expect(unmatchedIsError(project(true), { "error-on-unmatched-pattern": true })).toBe(true);
    expect(unmatchedIsError(project(false), { "error-on-unmatched-pattern": true })).toBe(false);
    expect(unmatchedIsError(undefined, { "error-on-unmatched-pattern": false })).toBe(false);
    expect(unmatchedIsError(project(true), { "error-on-unmatched-pattern": false })).toBe(false);
  });
});
