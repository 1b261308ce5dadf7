/**
 * A checkpoint closed by its caller while a run reads it: the run's threads were handed its descriptors, and
 * the next file opened takes a closed one's number, so the run once read that file's bytes as the tensors'
 * (a report of a file of 1e30s, without a word). close() now waits for the run, then closes.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import * as fqc from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { weights, writeSafetensors } from "../helpers/safetensors.js";
import { openTestCheckpoint, testWriter } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const ROWS = 256;
const COLS = 512;
const model = tmp.path("m.safetensors");
writeSafetensors(model, [0, 1, 2, 3].map((i) => ({ name: `l${i}.weight`, dtype: "F32" as const, shape: [ROWS, COLS], values: weights(ROWS * COLS, i + 1) })));
// What a reused descriptor number would read instead: as large as the model, every value 1e30.
const decoy = tmp.path("decoy.bin");
writeFileSync(decoy, Buffer.from(new Float32Array(4 * ROWS * COLS + 1024).fill(1e30).buffer));
const config = fqc.normalize({ dtype: "int4", group_size: 32 });

/**
 * A progress callback that, when `closeMidRun`, closes the checkpoint at the first call and opens the decoy, which takes
 * a freed descriptor number. Called after each chunk the calling thread computes: with 32 chunks, the first comes while
 * most are unread. `done()` closes the decoy.
 */
function closingMidRun(ckpt: fqc.Checkpoint, closeMidRun: boolean) {
  let other: number | undefined;
  return {
    onProgress: (done: number, total: number) => {
      if (!closeMidRun || other !== undefined || done >= total) return;
      ckpt.close();
      other = openSync(decoy, "r");
    },
    closed: () => other !== undefined,
    done: () => { if (other !== undefined) closeSync(other); },
  };
}

async function report(closeMidRun: boolean) {
  const ckpt = fqc.openCheckpoint(model);
  const mid = closingMidRun(ckpt, closeMidRun);
  try {
    const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, config) }];
    const r = await fqc.reportCheckpoint(ckpt, columns, { threads: 2, chunkElements: 16384, onProgress: mid.onProgress });
    return { sums: r.tensors.map((t) => t.cells[0].sums), closedAfter: ckpt.descriptor?.(model) === undefined, closedMidRun: mid.closed() };
  } finally {
    mid.done();
    ckpt.close();
  }
}

describe("closing a checkpoint while reportCheckpoint reads it", () => {
  it("the run still reads the checkpoint's own bytes, and the descriptors are closed once it ends", async () => {
    const fdsBefore = readdirSync("/proc/self/fd").length;
    const plain = await report(false);
    const closed = await report(true);
    expect(closed.closedMidRun).toBe(true);
    expect(closed.sums).toEqual(plain.sums);
    expect(Math.max(...closed.sums.map((s) => s!.maxAbsError))).toBeLessThan(1);
    expect(closed.closedAfter).toBe(true);
    expect(readdirSync("/proc/self/fd").length).toBe(fdsBefore);
  });

  it("a report of a checkpoint closed before the call is refused, instead of read by path from whatever file is there by then", async () => {
    const ckpt = fqc.openCheckpoint(model);
    const columns = [{ name: "int4", source: "int4", kind: "config" as const, targets: fqc.configTargets(ckpt, config) }];
    ckpt.close();
    const e = await fqc.reportCheckpoint(ckpt, columns, { threads: 1 }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(fqc.FqcError);
    expect((e as fqc.FqcError).code).toBe("USAGE");
    expect((e as Error).message).toBe(`${model}: the checkpoint was closed`);
  });
});

describe("runCheckpoint's descriptors", () => {
  let n = 0;
  async function apply(closeMidRun: boolean, open: (path: string) => fqc.Checkpoint = fqc.openCheckpoint): Promise<Buffer> {
    const ckpt = open(model);
    const output = tmp.path(`applied-${n++}.safetensors`);
    const mid = closingMidRun(ckpt, closeMidRun);
    try {
      await fqc.runCheckpoint(ckpt, ckpt.tensors.map(() => config), () => testWriter(ckpt, output), { output, threads: 2, chunkElements: 16384, onProgress: mid.onProgress });
      if (closeMidRun) expect(mid.closed()).toBe(true);
    } finally {
      mid.done();
      ckpt.close();
    }
    return readFileSync(output);
  }

  it("closing the checkpoint mid-run: the run writes the checkpoint's own bytes, and every descriptor is closed once it ends", async () => {
    const fdsBefore = readdirSync("/proc/self/fd").length;
    const plain = await apply(false);
    expect(readdirSync("/proc/self/fd").length).toBe(fdsBefore);
    expect((await apply(true)).equals(plain)).toBe(true);
    expect(readdirSync("/proc/self/fd").length).toBe(fdsBefore);
  });

  it("a checkpoint that holds no descriptors: the files the run opened are closed once it ends", async () => {
    const fdsBefore = readdirSync("/proc/self/fd").length;
    const plain = await apply(false);
    expect((await apply(false, (path) => openTestCheckpoint(path))).equals(plain)).toBe(true);
    expect(readdirSync("/proc/self/fd").length).toBe(fdsBefore);
  });
});
