/**
 * `--threads` is checked, in the flag's own words, before anything is read or
 * written: a word, a negative or fractional count, or more threads than the
 * machine allows ends with exit 2 and one line, for every command and input
 * form that takes it.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const npy = tmp.path("w.npy");
writeFileSync(npy, Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [4, 32] }), Buffer.from(weights(128, 5).buffer)]));
const model = testCheckpoint(tmp.path("m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [4, 32], values: weights(128, 6) }]);
model.close();
const cfg = tmp.path("c.json");
writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
const inputs = ["c.json", "m.safetensors", "w.npy"];

const commands = {
  "apply on a .npy": (t: string) => ["apply", npy, tmp.path("o.npy"), "-c", cfg, "--threads", t],
  "apply on a checkpoint": (t: string) => ["apply", model.path, tmp.path("o.safetensors"), "-c", cfg, "--threads", t],
  "apply --dry-run": (t: string) => ["apply", model.path, tmp.path("o.safetensors"), "-c", cfg, "--dry-run", "-j", t],
  report: (t: string) => ["report", model.path, "-c", cfg, "-j", t],
};

describe("--threads that fqc cannot use", () => {
  for (const [name, args] of Object.entries(commands)) {
    it(`${name}: refuses a word, a sign or a fraction, naming what was typed`, async () => {
      for (const t of ["many", "-2", "1.5", "0x4", "1e3"]) {
        const r = await runMain(args(t), { cwd: tmp.dir });
        expect(r.code, `${name} --threads ${t}`).toBe(2);
        expect(r.stderr).toContain(`--threads must be a whole number ≥ 0 or "auto", not "${t}"`);
        expect(r.stderr).toContain(`0 or 1 computes on the main thread alone; "auto" picks one thread per core for large tensors.`);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(readdirSync(tmp.dir).sort()).toEqual(inputs);
    });

    it(`${name}: refuses more threads than the machine allows, before reading any tensor`, async () => {
      const r = await runMain(args("100000"), { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--threads is 100000, more than fqc allows on this machine \(at most \d+\)/);
      expect(r.stderr).toMatch(/cores; "auto" picks a good number/);
      expect(readdirSync(tmp.dir).sort()).toEqual(inputs);
    });
  }

  it("takes 0, 1 and auto", async () => {
    for (const t of ["0", "1", "auto"]) {
      const r = await runMain(commands["apply on a .npy"](t), { cwd: tmp.dir });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(tmp.path("o.npy"))).toBe(true);
    }
  });
});
