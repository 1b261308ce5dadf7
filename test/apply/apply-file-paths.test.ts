/**
 * applyFile refuses, before reading the tensor, an output that is one of the files it reads, naming both by their
 * flags as the CLI shows them; --force lets OUT (only) replace IN.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile, type ApplyOptions } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const npy = (name: string, descr: string, shape: number[], values: Float32Array | Int32Array) => {
  writeFileSync(tmp.path(name), Buffer.concat([encodeNpyHeader({ descr, shape }), Buffer.from(values.buffer)]));
  return tmp.path(name);
};
const input = npy("w.npy", "<f4", [2, 8], Float32Array.from({ length: 16 }, (_, i) => i / 4));
const scaleIn = npy("s.npy", "<f4", [2, 1], Float32Array.from([0.1, 0.2]));
const zeroPointIn = npy("z.npy", "<i4", [2, 1], Int32Array.from([1, 2]));
const configFile = tmp.write("cfg.json", "{}");
const config = normalize({ dtype: "uint8", granularity: "per_channel", is_dynamic: false, is_symmetric: false });
const base: ApplyOptions = { input, output: tmp.path("o.npy"), config, scaleIn, zeroPointIn, configFile, threads: 1 };
const refusal = (opts: Partial<ApplyOptions>) => applyFile({ ...base, ...opts }).then(() => "written", (e: unknown) => (e as Error).message);
const NEVER = "fqc never overwrites a file it reads";

describe("applyFile's outputs against the files it reads", () => {
  it("names each by its flag: the config, the static scales and zero points", async () => {
    expect(await refusal({ output: configFile })).toBe(`OUT ${configFile} is the same file as --config ${configFile}: ${NEVER}; write OUT elsewhere`);
    expect(await refusal({ scaleOut: scaleIn })).toBe(`--scale-out ${scaleIn} is the same file as --scale ${scaleIn}: ${NEVER}; write --scale-out elsewhere`);
    expect(await refusal({ zeroPointOut: zeroPointIn })).toBe(`--zero-point-out ${zeroPointIn} is the same file as --zero-point ${zeroPointIn}: ${NEVER}; write --zero-point-out elsewhere`);
  });

  it("lets OUT replace IN with --force, and no other output", async () => {
    expect(await refusal({ output: input })).toBe(`OUT ${input} is the same file as IN ${input}: refusing to overwrite an input; write OUT elsewhere, or pass --force to replace IN`);
    expect(await refusal({ scaleOut: input, force: true })).toBe(`--scale-out ${input} is the same file as IN ${input}: ${NEVER}; write --scale-out elsewhere`);
    expect(await refusal({ output: input, force: true })).toBe("written");
  });
});
