/**
 * A checkpoint truncated while a run reads it (another program rewriting it,
 * a download restarted over it): apply and report end with an I/O error
 * naming the file and the tensor in which the file now ends, and apply
 * leaves no output and no temp file.
 */
import { readdirSync, truncateSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import { explainShrunkInput } from "../../src/checkpoint/shrunk-input.js";
import type { CheckpointTensor } from "../../src/checkpoint/types.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { tempDir } from "../helpers/cli.js";
import { writeSafetensors, type RawTensor } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4 = normalize({ dtype: "int4", group_size: 32 });

/** Three F32 tensors of 64×256 (64 KiB each): big enough to be read in chunks, not gathered into one span. */
function model(): RawTensor[] {
  return ["a.weight", "b.weight", "c.weight"].map((name, k) => ({
    name, dtype: "F32" as const, shape: [64, 256],
    data: new Uint8Array(Float32Array.from({ length: 64 * 256 }, (_, i) => Math.sin(i + k) * 0.1).buffer),
  }));
}

let n = 0;
/** A safetensors file opened by fqc's reader, then cut inside its second tensor (at its 1000th byte). */
function cutAfterOpen() {
  const input = tmp.path(`m${n++}.safetensors`);
  writeSafetensors(input, model());
  const ckpt = openCheckpoint(input);
  const second = ckpt.tensors[1];
  const at = second.dataOffset! + 1000;
  truncateSync(input, at);
  return { input, ckpt, second, at };
}

function expectNamed(err: unknown, input: string, tensor: string, at: number): void {
  expect(err).toBeInstanceOf(FqcError);
  const e = err as FqcError;
  expect(e.code).toBe("IO");
  expect(e.file).toBe(input);
  expect(e.message).toContain(`${input}: tensor "${tensor}": the file now ends at byte ${at}, inside this tensor's data`);
  expect(e.message).toContain("truncated while fqc read it");
  expect(e.message).not.toContain("\n");
  expect(e.hint).toContain("Make sure nothing rewrites or truncates the file");
}

describe("a checkpoint truncated while fqc reads it", () => {
  for (const threads of [1, 2]) {
    it(`apply (${threads} thread${threads > 1 ? "s" : ""}) reports an I/O error naming the file and the tensor where it now ends, and writes nothing`, async () => {
      const { input, ckpt, second, at } = cutAfterOpen();
      const output = tmp.path(`out-${n}.safetensors`);
      const err = await runCheckpoint(ckpt, [int4, int4, int4], () => createCheckpointWriter(ckpt, output), { output, threads, chunkElements: 2048 })
        .then(() => undefined, (e: unknown) => e);
      ckpt.close();
      expectNamed(err, input, second.name, at);
      expect(readdirSync(tmp.dir).filter((f) => f.startsWith(`out-${n}`) || f.includes(".fqc-"))).toEqual([]);
    });
  }

  it("apply names the tensor when the cut tensor is copied as it is (no config for it)", async () => {
    const { input, ckpt, second, at } = cutAfterOpen();
    const output = tmp.path(`out-${n}.safetensors`);
    const err = await runCheckpoint(ckpt, [null, null, null], () => createCheckpointWriter(ckpt, output), { output, threads: 1 })
      .then(() => undefined, (e: unknown) => e);
    ckpt.close();
    expectNamed(err, input, second.name, at);
  });

  it("report reports the same I/O error, naming the file and the tensor", async () => {
    const { input, ckpt, second, at } = cutAfterOpen();
    const targets = ckpt.tensors.map(() => ({ action: "quantize" as const, key: null, config: int4 }));
    const err = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets }], { threads: 1 }).then(() => undefined, (e: unknown) => e);
    ckpt.close();
    expectNamed(err, input, second.name, at);
  });
});

describe("explainShrunkInput", () => {
  const file = tmp.path("whole.bin");
  tmp.write("whole.bin", new Uint8Array(100));
  const tensor = (name: string, dataOffset: number | null, byteLength: number): CheckpointTensor => ({
    name, dtype: "F32", shape: [byteLength / 4], byteLength, index: 0, file, dataOffset, byteOrder: "little", fortranOrder: false,
  });

  it("keeps an error about a file that still holds every tensor as it is", () => {
    const e = new FqcError("IO", `${file}: cannot read: EIO`, { file });
    expect(explainShrunkInput(e, [tensor("a", 0, 40), tensor("b", 40, 60)])).toBe(e);
  });

  it("names the first tensor, by position in the file, that the file no longer holds whole", () => {
    const e = new FqcError("IO", `${file}: the file ended early at byte 100`, { file });
    const out = explainShrunkInput(e, [tensor("late", 160, 40), tensor("cut", 80, 40), tensor("whole", 0, 80)]) as FqcError;
    expect(out.code).toBe("IO");
    expect(out.message).toBe(`${file}: tensor "cut": the file now ends at byte 100, inside this tensor's data (bytes 80–120): it was truncated while fqc read it`);
  });

  it("keeps an interruption, an error without a file, and errors that are not fqc's as they are", () => {
    const stop = new FqcError("INTERRUPTED", "interrupted", { file });
    const noFile = new FqcError("IO", "no file");
    const plain = new Error("bug");
    const cut = [tensor("a", 60, 80)];
    expect(explainShrunkInput(stop, cut)).toBe(stop);
    expect(explainShrunkInput(noFile, cut)).toBe(noFile);
    expect(explainShrunkInput(plain, cut)).toBe(plain);
  });

  it("escapes a line break in the tensor's name, so the message stays one line", () => {
    const e = new FqcError("IO", "short", { file });
    const out = explainShrunkInput(e, [tensor("evil\nname", 60, 80)]) as FqcError;
    expect(out.message).toContain('tensor "evil\\nname"');
    expect(out.message).not.toContain("\n");
  });
});
