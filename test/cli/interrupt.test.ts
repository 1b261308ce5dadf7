/** Ctrl-C during `fqc apply`: the run stops, exits 130, and leaves neither the output nor a temp file. */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, ftruncateSync, writeSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { FQC, ROOT, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("interrupting fqc apply", () => {
  it.each(["1", "2"])("SIGINT mid-run with --threads %s: exit 130, no output, no temp file", async (threads) => {
    // A 512 MiB float32 tensor of zeros, made sparse so the test writes almost nothing; bfloat16
    // compute takes the general (slowest) kernel path, so the run lasts seconds, not milliseconds.
    const rows = 131072;
    const cols = 1024;
    const input = tmp.path("big.npy");
    const header = encodeNpyHeader({ descr: "<f4", shape: [rows, cols] });
    const fd = openSync(input, "w");
    writeSync(fd, header);
    ftruncateSync(fd, header.length + rows * cols * 4);
    closeSync(fd);
    const cfg = tmp.write("cfg.json", '{"dtype": "int4", "group_size": 32}');
    const output = tmp.path("out.npy");

    const child = spawn(process.execPath, [FQC, "apply", input, output, "-c", cfg, "--threads", threads, "--compute-dtype", "bfloat16"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Wait until the temp output exists (the run is under way), then interrupt.
    const started = Date.now();
    while (!readdirSync(tmp.dir).some((f) => f.endsWith(".tmp")) && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted");
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
