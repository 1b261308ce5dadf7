/**
 * What the process inherits and fqc cannot choose: a current directory removed while the shell stayed in it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FQC, ROOT, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** `fqc args` run from a directory removed just before (as after `cd d && rmdir ../d`). */
function inRemovedDirectory(args: string[]) {
  const dir = tmp.path(`gone-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir);
  return spawnSync("sh", ["-c", 'cd "$0" && rmdir "$0" && exec "$@"', dir, process.execPath, FQC, ...args], { encoding: "utf8" });
}

describe("the current directory was removed", () => {
  it.each([
    ["validate, relative path", ["validate", "cfg.json"]],
    ["apply, absolute paths", ["apply", path.join(ROOT, "examples/weight.npy"), tmp.path("out.npy"), "-c", path.join(ROOT, "examples/int8-per-channel.json")]],
  ])("%s: exit 2 and one message with the fix, no stack trace, nothing written", (_, args) => {
    const r = inRemovedDirectory(args);
    expect(r.stderr).toBe("fqc: the current directory no longer exists (no such file or directory): it was removed or renamed after the shell entered it\n"
      + '  hint: cd to a directory that exists (cd "$PWD" if it was made again), and run again.\n');
    expect(r.status).toBe(2);
    expect(existsSync(tmp.path("out.npy"))).toBe(false);
  });
});
