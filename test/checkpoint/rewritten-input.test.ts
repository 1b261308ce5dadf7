/**
 * A checkpoint written to in place while a run reads it (`cp new.safetensors model.safetensors` onto the same inode,
 * a download restarted into it): the reads could mix its old and new bytes at any size. apply and report end with an
 * I/O error naming the file, and apply leaves no output and no temp file. A file replaced by a rename is another
 * inode: the run reads the file it opened, whole, and succeeds.
 */
import { closeSync, openSync, readdirSync, readFileSync, renameSync, utimesSync, writeSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { checkUnchanged, stampOf } from "../../src/npy/file-stamp.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { tempDir } from "../helpers/cli.js";
import { writeSafetensors, type RawTensor } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4 = normalize({ dtype: "int4", group_size: 32 });
const LONG_AGO = new Date("2020-01-01T00:00:00Z");

function model(scale: number): RawTensor[] {
  return ["a.weight", "b.weight"].map((name, k) => ({
    name, dtype: "F32" as const, shape: [64, 256],
    data: new Uint8Array(Float32Array.from({ length: 64 * 256 }, (_, i) => Math.sin(i + k) * scale).buffer),
  }));
}

let n = 0;
/** A safetensors file written long ago (so that any write now moves its time, whatever the clock's grain), opened by fqc. */
function opened() {
  const input = tmp.path(`m${n++}.safetensors`);
  writeSafetensors(input, model(0.1));
  utimesSync(input, LONG_AGO, LONG_AGO);
  return { input, ckpt: openCheckpoint(input) };
}

/** Overwrites the second tensor's first bytes in place: same inode, same size. */
function writeInPlace(input: string, offset: number): void {
  const fd = openSync(input, "r+");
  try {
    writeSync(fd, new Uint8Array(4096).fill(0x3f), 0, 4096, offset);
  } finally {
    closeSync(fd);
  }
}

function expectRewritten(err: unknown, input: string): void {
  expect(err).toBeInstanceOf(FqcError);
  const e = err as FqcError;
  expect(e.code).toBe("IO");
  expect(e.file).toBe(input);
  expect(e.message).toBe(`${input}: the file was written to while fqc read it (its modification time changed): what was read may mix its old and new bytes`);
  expect(e.hint).toContain("Make sure nothing rewrites the file while fqc reads it");
}

const leftovers = (prefix: string) => readdirSync(tmp.dir).filter((f) => f.startsWith(prefix) || f.includes(".fqc-"));

describe("a checkpoint written to in place while fqc reads it", () => {
  for (const threads of [1, 2]) {
    it(`apply (${threads} thread${threads > 1 ? "s" : ""}): an I/O error naming the file, no output, no temp file`, async () => {
      const { input, ckpt } = opened();
      writeInPlace(input, ckpt.tensors[1].dataOffset!);
      const output = tmp.path(`out-${n}.safetensors`);
      const err = await runCheckpoint(ckpt, [int4, int4], () => createCheckpointWriter(ckpt, output), { output, threads, chunkElements: 2048 })
        .then(() => undefined, (e: unknown) => e);
      ckpt.close();
      expectRewritten(err, input);
      expect(leftovers(`out-${n}`)).toEqual([]);
    });
  }

  it("apply copying the tensors as they are (no config): the same error", async () => {
    const { input, ckpt } = opened();
    writeInPlace(input, ckpt.tensors[1].dataOffset!);
    const output = tmp.path(`out-${n}.safetensors`);
    const err = await runCheckpoint(ckpt, [null, null], () => createCheckpointWriter(ckpt, output), { output, threads: 1 }).then(() => undefined, (e: unknown) => e);
    ckpt.close();
    expectRewritten(err, input);
    expect(leftovers(`out-${n}`)).toEqual([]);
  });

  it("report: the same error, no figures from mixed bytes", async () => {
    const { input, ckpt } = opened();
    writeInPlace(input, ckpt.tensors[1].dataOffset!);
    const targets = ckpt.tensors.map(() => ({ action: "quantize" as const, key: null, config: int4 }));
    const err = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets }], { threads: 1 }).then(() => undefined, (e: unknown) => e);
    ckpt.close();
    expectRewritten(err, input);
  });

  it("a file replaced by a rename is not flagged: the run reads the file it opened, whole", async () => {
    const { input, ckpt } = opened();
    const reference = tmp.path("reference.safetensors");
    writeSafetensors(reference, model(0.1));
    const expected = tmp.path(`expected-${n}.safetensors`);
    const refCkpt = openCheckpoint(reference);
    await runCheckpoint(refCkpt, [int4, int4], () => createCheckpointWriter(refCkpt, expected), { output: expected, threads: 1 });
    refCkpt.close();
    const other = tmp.path(`other-${n}.safetensors`);
    writeSafetensors(other, model(5));
    renameSync(other, input);
    const output = tmp.path(`out-${n}.safetensors`);
    await runCheckpoint(ckpt, [int4, int4], () => createCheckpointWriter(ckpt, output), { output, threads: 1 });
    ckpt.close();
    expect(readFileSync(output).equals(readFileSync(expected))).toBe(true);
  });
});

describe("checkUnchanged", () => {
  it("passes a file nothing wrote to, and names the new size of one that grew or shrank", () => {
    const file = tmp.write("stamped.bin", new Uint8Array(100));
    const fd = openSync(file, "r+");
    try {
      const stamp = stampOf(fd);
      expect(() => checkUnchanged(file, fd, stamp)).not.toThrow();
      writeSync(fd, new Uint8Array(20), 0, 20, 100);
      expect(() => checkUnchanged(file, fd, stamp)).toThrow(`${file}: the file was written to while fqc read it (its size went from 100 to 120 bytes)`);
    } finally {
      closeSync(fd);
    }
  });
});
