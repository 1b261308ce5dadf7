/**
 * File names are the user's (or a script's, or a download's) choice: a line
 * break or a terminal escape sequence in one must not break apply's summary
 * line or the dry run's heading, nor move or recolour the terminal, as
 * messages already guard against.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { lossyArgument, rawCommandLine } from "../../src/cli/lossy-args.js";
import { FQC, runFqc, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";
import { writeSafetensors } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const cfg = tmp.write("w.json", '{"dtype":"int4","group_size":32}');
const npy = tmp.write("plain.npy", Buffer.concat([Buffer.from("\x93NUMPY\x01\x00\x76\x00", "latin1"),
  Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 32), }".padEnd(117, " ") + "\n"), Buffer.alloc(2 * 32 * 4)]));
const st = tmp.path("plain.safetensors");
writeSafetensors(st, [{ name: "a.weight", dtype: "F32", shape: [2, 32], data: new Uint8Array(2 * 32 * 4) }]);

const EVIL = "x\n\u001b[31m\u001b]0;title\u0007";
const SHOWN = "x\\n\\u001b[31m\\u001b]0;title\\u0007";

describe("a line break or escape sequence in a file name is shown as escapes", () => {
  it("in apply's summary line for a .npy (input and output)", async () => {
    const input = tmp.path(`in-${EVIL}.npy`);
    copyFileSync(npy, input);
    const r = await runMain(["apply", input, tmp.path(`out-${EVIL}.npy`), "-c", cfg], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`in-${SHOWN}.npy (2×32 float32) → ${tmp.path(`out-${SHOWN}.npy`)}: `);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).not.toContain("\u001b");
    expect(existsSync(tmp.path(`out-${EVIL}.npy`))).toBe(true);
  });

  it("in apply's summary line for a checkpoint, its --qparams-out included", async () => {
    const input = tmp.path(`m-${EVIL}.safetensors`);
    copyFileSync(st, input);
    const r = await runMain(["apply", input, tmp.path(`o-${EVIL}.safetensors`), "-c", cfg, "--qparams-out", tmp.path(`q-${EVIL}.safetensors`)], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toContain(`m-${SHOWN}.safetensors (safetensors, 1 tensor`);
    expect(r.stdout).toContain(`qparams → ${tmp.path(`q-${SHOWN}.safetensors`)}`);
    expect(r.stdout).not.toContain("\u001b");
  });

  it("in the dry run's heading", async () => {
    const input = tmp.path(`d-${EVIL}.safetensors`);
    copyFileSync(st, input);
    const r = await runMain(["apply", input, tmp.path("dry.safetensors"), "-c", cfg, "--dry-run"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(`${tmp.path(`d-${SHOWN}.safetensors`)} (safetensors), under ${cfg}:`);
    expect(r.stdout).not.toContain("\u001b");
  });
});

describe("a file name whose bytes are not UTF-8", () => {
  it("lossyArgument names the argument with U+FFFD when the raw command line is not UTF-8", () => {
    const raw = () => Buffer.concat([Buffer.from("node\0fqc\0apply\0in"), Buffer.from([0xff]), Buffer.from(".npy\0")]);
    expect(lossyArgument(["apply", "in\uFFFD.npy", "o.npy"], raw)).toBe("in\uFFFD.npy");
  });

  it("lossyArgument leaves a U+FFFD typed as such (the command line is valid UTF-8), and reads nothing without one", () => {
    expect(lossyArgument(["apply", "in\uFFFD.npy"], () => Buffer.from("node\0apply\0in\uFFFD.npy\0"))).toBeUndefined();
    expect(lossyArgument(["apply", "in.npy"], () => { throw new Error("must not be read"); })).toBeUndefined();
    expect(lossyArgument(["apply", "in\uFFFD.npy"], () => null)).toBeUndefined();
  });

  it.skipIf(!existsSync("/proc/self/cmdline"))("rawCommandLine reads this process's own command line, each argument NUL-terminated", () => {
    // A test runner's worker may be a thread, whose process.argv is not the process's: only the form is checked.
    const raw = rawCommandLine()!;
    expect(raw.length).toBeGreaterThan(1);
    expect(raw[raw.length - 1]).toBe(0);
  });

  const linux = existsSync("/proc/self/cmdline") && existsSync("/bin/sh");
  if (!linux) console.log("path-names: no /proc/self/cmdline or /bin/sh here: the non-UTF-8 command line case is skipped");
  it.skipIf(!linux)("apply with an output named in Latin-1 is refused (exit 2, one message) instead of writing another name", () => {
    // Node cannot put such bytes on a command line itself: a shell's printf does.
    const r = spawnSync("/bin/sh", ["-c", `exec "$0" "$1" apply "$2" "$(printf 'o\\377.npy')" -c "$3" -q`, process.execPath, FQC, npy, cfg],
      { cwd: tmp.dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("o\uFFFD.npy: this argument holds bytes that are not valid UTF-8");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(2); // the message and its hint
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith("o\uFFFD") || n.includes(".fqc-"))).toEqual([]);
  });

  /** A directory holding a config whose name on disk has the Latin-1 byte 0xFF; false where the file system refuses it. */
  const latin1Dir = (() => {
    const dir = tmp.path("latin1");
    mkdirSync(dir);
    try {
      writeFileSync(Buffer.concat([Buffer.from(`${dir}/x`), Buffer.from([0xff]), Buffer.from(".json")]), '{"dtype":"int4","group_size":32}');
      return readdirSync(dir).length === 1;
    } catch {
      return false;
    }
  })();
  it.skipIf(!latin1Dir)("a glob matching a file named in Latin-1 says its name is not valid UTF-8, not that it does not exist", () => {
    const r = runFqc(["validate", "-f", "github", "latin1/*.json"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^::error file=latin1\/x\uFFFD\.json,.*title=fqc\/io::.*bytes that are not valid UTF-8/m);
    expect(r.stdout).toContain("hint: Rename the file to a UTF-8 name");
  });
});
