/**
 * `fqc apply` into an existing sharded output directory renames its shards and index under a lock file there, so a
 * second run writing the same directory cannot rename its files between the first one's: the directory holds one
 * run's whole output. A run that finds another's lock waits for it, then refuses (exit 2) with every file as it was.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSharded, type TensorSpec } from "../checkpoint/helpers.js";
import { runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const WEIGHTS: TensorSpec[] = [{ name: "a.weight", dtype: "F32", shape: [4, 64] }, { name: "b.weight", dtype: "F32", shape: [4, 64] }];
const LOCK = ".fqc-commit.lock";

const files = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, fs.readFileSync(path.join(dir, n)).toString("hex")]));

describe("apply into an existing sharded output directory another run is renaming into", () => {
  it("waits for the other run's lock, then refuses with every file as it was; once that run is gone its lock is taken over", async () => {
    const ck = tmp.path("ck");
    writeSharded(ck, [{ file: "model-00001-of-00002.safetensors", tensors: [WEIGHTS[0]] }, { file: "model-00002-of-00002.safetensors", tensors: [WEIGHTS[1]] }]);
    const int4 = tmp.write("int4.json", '{"dtype": "int4", "group_size": 32}');
    const int8 = tmp.write("int8.json", '{"dtype": "int8", "granularity": "per_channel"}');
    const out = tmp.path("out");
    expect(runFqc(["apply", ck, out, "-c", int4, "-q"]).code).toBe(0);
    const first = files(out);
    expect(Object.keys(first)).not.toContain(LOCK);

    const holder = spawn("sleep", ["60"]);
    try {
      fs.writeFileSync(path.join(out, LOCK), `${holder.pid}\n`);
      const started = Date.now();
      const r = runFqc(["apply", ck, out, "-c", int8, "--force", "-q"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`fqc: ${out}: another fqc run (pid ${holder.pid}) is renaming its output into this directory: fqc waited 5 s for it, and wrote nothing\n`
        + `  hint: Run again once it has finished, or write to another directory. If no fqc run is writing here, remove ${path.join(out, LOCK)}.\n`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
      expect(files(out)).toEqual({ ...first, [LOCK]: Buffer.from(`${holder.pid}\n`).toString("hex") });
    } finally {
      holder.kill();
    }
    await once(holder, "exit"); // reaped: its pid names no process now

    const r = runFqc(["apply", ck, out, "-c", int8, "--force", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const second = files(out);
    expect(Object.keys(second)).toEqual(Object.keys(first).filter((n) => n !== LOCK));
    expect(second["model-00001-of-00002.safetensors"]).not.toBe(first["model-00001-of-00002.safetensors"]);
  }, 30_000);
});
