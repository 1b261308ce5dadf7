/**
 * applyFile refuses, before reading the tensor, an output that is one of the files it reads, naming both as its
 * caller gave them (a library call its options, the CLI its operands and flags); force lets the output (only) replace the input.
 */
import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile, applyFileAs, type ApplyOptions } from "../../src/apply.js";
import { CLI_WORDS } from "../../src/caller-words.js";
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
const NEVER = "fqc never overwrites a file it reads";

/** Each caller's names for the files, as it wrote them: the library's options, the CLI's operands and flags. */
const CALLERS = [
  {
    caller: "a library call",
    apply: (opts: ApplyOptions) => applyFile(opts),
    input: "options.input", output: "options.output", config: "options.configFile", scale: "options.scaleIn", zeroPoint: "options.zeroPointIn",
    scaleOut: "options.scaleOut", zeroPointOut: "options.zeroPointOut", force: "set options.force to true",
  },
  {
    caller: "the CLI",
    apply: (opts: ApplyOptions) => applyFileAs(opts, CLI_WORDS),
    input: "IN", output: "OUT", config: "--config", scale: "--scale", zeroPoint: "--zero-point",
    scaleOut: "--scale-out", zeroPointOut: "--zero-point-out", force: "pass --force",
  },
];

describe.each(CALLERS)("applyFile's outputs against the files it reads, for $caller", (w) => {
  const refusal = (opts: Partial<ApplyOptions>) => w.apply({ ...base, ...opts }).then(() => "written", (e: unknown) => (e as Error).message);

  it("names each as the caller gave it: the config, the static scales and zero points", async () => {
    expect(await refusal({ output: configFile })).toBe(`${w.output} ${configFile} is the same file as ${w.config} ${configFile}: ${NEVER}; write ${w.output} elsewhere`);
    expect(await refusal({ scaleOut: scaleIn })).toBe(`${w.scaleOut} ${scaleIn} is the same file as ${w.scale} ${scaleIn}: ${NEVER}; write ${w.scaleOut} elsewhere`);
    expect(await refusal({ zeroPointOut: zeroPointIn }))
      .toBe(`${w.zeroPointOut} ${zeroPointIn} is the same file as ${w.zeroPoint} ${zeroPointIn}: ${NEVER}; write ${w.zeroPointOut} elsewhere`);
  });

  it("lets the output replace the input with force, and no other output", async () => {
    expect(await refusal({ output: input }))
      .toBe(`${w.output} ${input} is the same file as ${w.input} ${input}: refusing to overwrite an input; write ${w.output} elsewhere, or ${w.force} to replace ${w.input}`);
    expect(await refusal({ scaleOut: input, force: true })).toBe(`${w.scaleOut} ${input} is the same file as ${w.input} ${input}: ${NEVER}; write ${w.scaleOut} elsewhere`);
    expect(await refusal({ output: input, force: true })).toBe("written");
  });
});
