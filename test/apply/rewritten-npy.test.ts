/**
 * applyFile on a .npy written to in place while it is read (the same inode, the same size: `cp` of another tensor
 * onto it): the rows read after the write come from the new file, so the output would mix two tensors. The run ends
 * with an I/O error naming the input instead, and writes nothing.
 */
import { closeSync, openSync, readdirSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("a .npy written to in place during apply", () => {
  it("ends with an I/O error naming the input, and leaves no output and no temp file", async () => {
    const rows = 8;
    const n = 64;
    const header = encodeNpyHeader({ descr: "<f4", shape: [rows, n] });
    const input = tmp.path("in.npy");
    writeFileSync(input, Buffer.concat([header, Buffer.from(Float32Array.from({ length: rows * n }, (_, i) => Math.sin(i)).buffer)]));
    // Written long ago: the write below moves the modification time whatever the clock's grain.
    utimesSync(input, new Date("2020-01-01T00:00:00Z"), new Date("2020-01-01T00:00:00Z"));
    let rewritten = false;
    const err = await applyFile({
      input, output: tmp.path("out.npy"), config: normalize({ dtype: "int8", granularity: "per_channel" }), threads: 1, chunkElements: n,
      // After the first row's chunk: the rows after it are rewritten before they are read.
      onProgress: () => {
        if (rewritten) return;
        rewritten = true;
        const fd = openSync(input, "r+");
        writeSync(fd, new Uint8Array((rows - 1) * n * 4).fill(0x42), 0, (rows - 1) * n * 4, header.length + n * 4);
        closeSync(fd);
      },
    }).then(() => undefined, (e: unknown) => e);
    expect(rewritten).toBe(true);
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("IO");
    expect((err as FqcError).message).toBe(`${input}: the file was written to while fqc read it (its modification time changed): what was read may mix its old and new bytes`);
    expect(readdirSync(tmp.dir)).toEqual(["in.npy"]);
  });
});
