/** The two senses of "exists" (src/npy/path-exists.ts): reached through links, or an entry by that name. */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { entryExists, pathLeadsSomewhere } from "../../src/npy/path-exists.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("pathLeadsSomewhere and entryExists", () => {
  it("agree on files, directories and missing paths", () => {
    writeFileSync(tmp.path("file"), "x");
    mkdirSync(tmp.path("dir"));
    for (const p of [tmp.path("file"), tmp.path("dir")]) {
      expect(pathLeadsSomewhere(p)).toBe(true);
      expect(entryExists(p)).toBe(true);
    }
    expect(pathLeadsSomewhere(tmp.path("missing"))).toBe(false);
    expect(entryExists(tmp.path("missing"))).toBe(false);
    // A path through a file is no path (ENOTDIR), not an error.
    expect(pathLeadsSomewhere(tmp.path("file/x"))).toBe(false);
    expect(entryExists(tmp.path("file/x"))).toBe(false);
  });

  it.skipIf(process.platform === "win32")("differ on a symbolic link that leads nowhere (dangling, or a loop): only the entry exists", () => {
    writeFileSync(tmp.path("target"), "x");
    symlinkSync(tmp.path("target"), tmp.path("to-file"));
    symlinkSync(tmp.path("nowhere"), tmp.path("dangling"));
    symlinkSync(tmp.path("loop-b"), tmp.path("loop-a"));
    symlinkSync(tmp.path("loop-a"), tmp.path("loop-b"));
    expect(pathLeadsSomewhere(tmp.path("to-file"))).toBe(true);
    expect(entryExists(tmp.path("to-file"))).toBe(true);
    for (const link of ["dangling", "loop-a"]) {
      expect(pathLeadsSomewhere(tmp.path(link)), link).toBe(false);
      expect(entryExists(tmp.path(link)), link).toBe(true);
    }
  });
});
