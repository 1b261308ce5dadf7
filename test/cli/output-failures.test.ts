/**
 * When output cannot be written: a pipe closed early (`| head -1`, `| grep -q`)
 * ends the run quietly with 141 (128 + SIGPIPE, as a Unix tool killed by
 * SIGPIPE); any other write error (`> /dev/full`) is one line and exit 2.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endedBy, FQC, ROOT, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const cfg = tmp.write("cfg.json", '{"dtype": "int4", "group_size": 32}');
// normalize prints each file once: 1,000 files, not one file 1,000 times.
const cfgs = Array.from({ length: 1000 }, (_, i) => tmp.write(`cfg-${i}.json`, '{"dtype": "int4", "group_size": 32}'));

describe("stdout to a pipe the reader closes early", () => {
  it("normalize printing ~300 KB ends quietly with 141 when the reader stops after the first chunk", async () => {
    // Far more than a pipe holds (64 KiB), so fqc is still writing when the reader goes.
    const child = spawn(process.execPath, [FQC, "normalize", ...cfgs], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let got = 0;
    child.stdout.once("data", (d: Buffer) => {
      got = d.length;
      child.stdout.destroy();
    });
    const exit = await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    expect(got).toBeGreaterThan(0);
    expect(exit).toEqual(endedBy("SIGPIPE"));
    expect(stderr).toBe("");
  });

  it("apply's summary line into a pipe already closed: 141, no message", () => {
    // `true` exits at once; apply writes its line after the work, to a pipe with no reader.
    const out = tmp.path("piped.npy");
    const r = spawnSync("bash", ["-c", `set -o pipefail; "$0" "$1" apply "$2" "$3" -c "$4" | true`, process.execPath, FQC, path.join(ROOT, "examples/weight.npy"), out, cfg], { encoding: "utf8", cwd: ROOT });
    expect(r.status).toBe(141);
    expect(r.stderr).toBe("");
    expect(existsSync(out)).toBe(true);
  });

  it("the same through a shell pipeline into head -1: no message, no trace", () => {
    const r = spawnSync("sh", ["-c", `"$0" "$1" normalize "$2"/cfg-*.json | head -1`, process.execPath, FQC, tmp.dir], { encoding: "utf8", cwd: ROOT });
    expect(r.stdout).toBe("{\n");
    expect(r.stderr).toBe("");
  });
});

describe("stderr to a pipe the reader closes early", () => {
  it("normalize --write saying 'rewritten' file by file ends quietly with 141, as for stdout: the files after stay as they were", async () => {
    const files = Array.from({ length: 1000 }, (_, i) => tmp.write(`w-${i}.json`, '{"dtype": "int4", "group_size": 32}'));
    const child = spawn(process.execPath, [FQC, "normalize", "--write", ...files], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.once("data", () => child.stderr.destroy());
    const exit = await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    expect(exit).toEqual(endedBy("SIGPIPE"));
    expect(readFileSync(files[files.length - 1], "utf8")).toBe('{"dtype": "int4", "group_size": 32}');
  });
});

describe.skipIf(!existsSync("/dev/full"))("stdout or stderr that cannot be written (/dev/full)", () => {
  const toFull = (args: string[], which: "stdout" | "stderr") => {
    const full = openSync("/dev/full", "w");
    try {
      const stdio: Array<"ignore" | "pipe" | number> = which === "stdout" ? ["ignore", full, "pipe"] : ["ignore", "pipe", full];
      const r = spawnSync(process.execPath, [FQC, ...args], { cwd: ROOT, stdio, encoding: "utf8" });
      return { code: r.status, out: (which === "stdout" ? r.stderr : r.stdout) ?? "" };
    } finally {
      closeSync(full);
    }
  };

  it.each([
    ["schema", ["schema"]],
    ["validate", ["validate", cfg, "-f", "json"]],
    ["normalize", ["normalize", cfg]],
  ])("%s > /dev/full: one line, exit 2", (_, args) => {
    const r = toFull(args, "stdout");
    expect(r.code).toBe(2);
    expect(r.out).toBe("fqc: cannot write to standard output: no space left on device\n");
  });

  it("apply --json > /dev/full: exit 2 (the output file is complete: it was renamed into place first)", () => {
    const out = tmp.path("applied.npy");
    const r = toFull(["apply", path.join(ROOT, "examples/weight.npy"), out, "-c", cfg, "--json"], "stdout");
    expect(r.code).toBe(2);
    expect(r.out).toBe("fqc: cannot write to standard output: no space left on device\n");
    expect(existsSync(out)).toBe(true);
  });

  it("apply's summary line > /dev/full (written without the stream): one line, exit 2, the output in place", () => {
    const out = tmp.path("summarised.npy");
    const r = toFull(["apply", path.join(ROOT, "examples/weight.npy"), out, "-c", cfg], "stdout");
    expect(r.code).toBe(2);
    expect(r.out).toBe("fqc: cannot write to standard output: no space left on device\n");
    expect(existsSync(out)).toBe(true);
  });

  it("an error message to a stderr that cannot be written: still exit 2, nothing on stdout", () => {
    const r = toFull(["apply", tmp.path("missing.npy"), tmp.path("o.npy"), "-c", cfg], "stderr");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
  });
});

describe("stdout to a file that fills up part-way through a write (ulimit -f)", () => {
  // A limit of two 512-byte blocks (POSIX sh counts -f in them): the reports below are several KB, written in one piece.
  const limited = (args: string[], outFile: string) =>
    spawnSync("sh", ["-c", `ulimit -f 2 && exec "$0" "$@" > "${outFile}"`, process.execPath, FQC, ...args], { cwd: ROOT, encoding: "utf8" });
  const model = path.join(ROOT, "examples/llama-tiny");

  it.each([
    ["report -f json", ["report", model, "-c", path.join(ROOT, "examples/int8-per-channel.json"), "-f", "json"]],
    ["validate -f json", ["validate", ...cfgs.slice(0, 20), "-f", "json"]],
  ])("%s > file: exit 2 saying the file is too large, never 0 with the report cut", (_, args) => {
    const outFile = tmp.path(`limited-${args[0]}.json`);
    const r = limited(args, outFile);
    expect(r.stderr).toBe("fqc: cannot write to standard output: file too large (past the file-size limit, ulimit -f)\n");
    expect(r.status).toBe(2);
  });

  it("apply's OUT past the limit: exit 2 naming OUT with the limit and its fix, the old OUT intact, no temp file", () => {
    const dir = tempDir();
    try {
      const out = dir.write("out.npy", "old");
      const r = spawnSync("sh", ["-c", 'ulimit -f 2 && exec "$0" "$@"', process.execPath, FQC, "apply", path.join(ROOT, "examples/weight.npy"), out, "-c", cfg], { cwd: ROOT, encoding: "utf8" });
      expect(r.stderr).toContain(`fqc: ${out}: cannot write: file too large (past the file-size limit, ulimit -f,`);
      expect(r.stderr).toContain("hint: Raise the limit (ulimit -f unlimited)");
      expect(r.status).toBe(2);
      expect(readFileSync(out, "utf8")).toBe("old");
      expect(readdirSync(dir.dir)).toEqual(["out.npy"]);
    } finally {
      dir.cleanup();
    }
  });
});
