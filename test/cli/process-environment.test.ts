/**
 * What the process inherits and fqc cannot choose: a current directory removed while the shell stayed in it,
 * standard streams closed (`>&-`), TMPDIR naming nothing, HOME unset.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
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

/** `fqc args` with some standard streams closed by the shell (`>&-`), from the repository. */
function withClosed(closed: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync("sh", ["-c", `exec "$@" ${closed}`, "sh", process.execPath, FQC, ...args], { cwd: ROOT, encoding: "utf8", env });
}

const weight = path.join(ROOT, "examples/weight.npy");
const int8 = path.join(ROOT, "examples/int8-per-channel.json");

describe("closed standard streams", () => {
  // Node.js opens /dev/null on a closed stdin, stdout or stderr as it starts: nothing is lost but what would be shown.
  it("stdout closed: apply writes its output and ends 0, nothing on stderr", () => {
    const out = tmp.path("closed-stdout.npy");
    const r = withClosed(">&-", ["apply", weight, out, "-c", int8]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("stderr closed: a missing input still ends 2, and nothing goes to stdout instead", () => {
    const r = withClosed("2>&-", ["apply", tmp.path("missing.npy"), tmp.path("never.npy"), "-c", int8]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });

  it("stdin closed: validate - reads an empty config (exit 2, the syntax error), no wait and no trace", () => {
    const r = withClosed("<&-", ["validate", "-"]);
    expect(r.stdout).toContain("JSON syntax error: the file is empty");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(2);
  });
});

describe("environment variables naming nothing", () => {
  it("TMPDIR naming no directory, HOME unset: apply writes beside OUT (a checkpoint and a .npy), validate runs", () => {
    const env = { ...process.env, TMPDIR: tmp.path("no-such-dir"), HOME: undefined } as NodeJS.ProcessEnv;
    delete env.HOME;
    const dir = tmp.path("tmpdir-out");
    mkdirSync(dir);
    const runs = [
      withClosed("", ["apply", weight, path.join(dir, "w.npy"), "-c", int8], env),
      withClosed("", ["apply", path.join(ROOT, "examples/llama-tiny"), path.join(dir, "tiny"), "-r", path.join(ROOT, "examples/llama-recipe.json")], env),
      withClosed("", ["validate", int8], env),
    ];
    expect(runs.map((r) => [r.status, r.stderr])).toEqual([[0, ""], [0, ""], [0, ""]]);
    expect(readdirSync(dir).sort()).toEqual(["tiny", "w.npy"]);
  });
});
