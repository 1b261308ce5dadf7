/** One file given under several names (./a and a, a symbolic or hard link) is checked once by validate and normalize. */
import { linkSync, symlinkSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { fileIdentity } from "../../src/cli/file-identity.js";
import { expandPatterns } from "../../src/cli/lint-files.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("one file under several names", () => {
  const a = tmp.write("a.json", '{"dtype": "int4", "group_size": 32}');
  const b = tmp.write("b.json", '{"dtype": "int4", "group_size": 32}');
  const sym = tmp.path("sym.json");
  const hard = tmp.path("hard.json");
  symlinkSync(a, sym);
  linkSync(a, hard);

  it("is listed once, under the first name given, whether a symbolic link, a hard link or another spelling of its path", () => {
    const other = `${tmp.dir}/./a.json`;
    expect(expandPatterns([a, sym, hard, other, b]).files).toEqual([a, b]);
    expect(expandPatterns([hard, a]).files).toEqual([hard]);
  });

  it("fileIdentity tells files apart by device and inode, and a missing one by its resolved path", () => {
    expect(fileIdentity(sym)).toBe(fileIdentity(a));
    expect(fileIdentity(hard)).toBe(fileIdentity(a));
    expect(fileIdentity(b)).not.toBe(fileIdentity(a));
    expect(fileIdentity(tmp.path("missing.json"))).toBe(fileIdentity(`${tmp.dir}/x/../missing.json`));
  });
});
