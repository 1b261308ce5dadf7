/**
 * applyFile sweeps killed runs' temp files from beside its outputs, but never a file it reads that merely has such
 * a name (the tensor, the static qparams, the config file): those it keeps.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
/** fqc's temp-file name for `base`, owned by a process that has exited: what the sweep removes. */
const leftoverName = (base: string) => `.${base}.fqc-${spawnSync(process.execPath, ["-e", "0"]).pid}-0123456789ab.tmp`;
/** A .npy written plainly (an atomic write would itself sweep the names this test plants). */
const npy = (file: string, descr: string, shape: number[], values: Float32Array | Int32Array) =>
  writeFileSync(file, Buffer.concat([encodeNpyHeader({ descr, shape }), Buffer.from(values.buffer)]));

describe("applyFile beside files named like leftovers", () => {
  it("keeps every file it reads, and sweeps the real leftover", async () => {
    const input = tmp.path(leftoverName("w.npy"));
    const scaleIn = tmp.path(leftoverName("s.npy"));
    const zeroPointIn = tmp.path(leftoverName("z.npy"));
    const configFile = tmp.path(leftoverName("cfg.json"));
    npy(input, "<f4", [2, 8], Float32Array.from({ length: 16 }, (_, i) => i / 4));
    npy(scaleIn, "<f4", [2, 1], Float32Array.from([0.1, 0.2]));
    npy(zeroPointIn, "<i4", [2, 1], Int32Array.from([1, 2]));
    writeFileSync(configFile, "{}");
    // A dead process's own temp file beside the outputs: the sweep does run.
    const stale = tmp.write(leftoverName("old.npy"), "left by a killed run");
    const reads = [input, scaleIn, zeroPointIn, configFile];
    const before = reads.map((f) => readFileSync(f));
    const config = normalize({ dtype: "uint8", granularity: "per_channel", is_dynamic: false, is_symmetric: false });
    // Each output's writer sweeps the directory: the qparams outputs' too.
    await applyFile({ input, output: tmp.path("o.npy"), config, scaleIn, zeroPointIn, configFile, scaleOut: tmp.path("s-out.npy"), zeroPointOut: tmp.path("z-out.npy"), threads: 1 });
    expect(reads.map((f) => readFileSync(f))).toEqual(before);
    expect(readdirSync(tmp.dir)).not.toContain(path.basename(stale));
    expect(readdirSync(tmp.dir)).toContain("o.npy");
  });
});
