/**
 * A shard replaced by another file after the checkpoint was opened (renamed over it, as a download or copy
 * finishing does): apply and report read the file whose header was checked, through the checkpoint's own
 * descriptor, not whatever the path names by then.
 */
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { configTargets } from "../../src/report/targets.js";
import { tempDir, writeSharded, type ShardSpec } from "./helpers.js";
import { craftZip, npyF32 } from "./npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const cfg = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });
const SECOND = "model-00002-of-00002.safetensors";

/** A two-shard checkpoint in `dir`; `seed` changes the values, not the layout. */
function checkpoint(dir: string, seed: number): string {
  const data = (k: number) => new Uint8Array(Float32Array.from({ length: 16 * 64 }, (_, i) => Math.sin(i * (k + 1) + seed)).buffer);
  const spec: ShardSpec[] = [
    { file: "model-00001-of-00002.safetensors", tensors: [{ name: "a.weight", dtype: "F32", shape: [16, 64], data: data(0) }] },
    { file: SECOND, tensors: [{ name: "b.weight", dtype: "F32", shape: [16, 64], data: data(1) }] },
  ];
  return writeSharded(dir, spec);
}

/** Opens the checkpoint at `index`, then (if `replace`) renames the other version's second shard over its own. */
function openThenReplace(index: string, replace: boolean) {
  const ck = openCheckpoint(index);
  if (replace) {
    checkpoint(tmp.file("other"), 7);
    fs.renameSync(path.join(tmp.file("other"), SECOND), path.join(path.dirname(index), SECOND));
  }
  return ck;
}

describe("a shard replaced after the checkpoint was opened", () => {
  for (const threads of [0, 2]) {
    it(`apply writes the values of the shard that was checked (${threads} threads)`, async () => {
      const outputs: string[] = [];
      for (const replace of [false, true]) {
        const index = checkpoint(tmp.file(`ck-apply-${threads}-${replace}`), 1);
        const ck = openThenReplace(index, replace);
        const output = tmp.file(`out-${threads}-${replace}`);
        try {
          await runCheckpoint(ck, ck.tensors.map(() => cfg), ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output, threads });
        } finally {
          ck.close();
        }
        outputs.push(output);
      }
      expect(fs.readFileSync(path.join(outputs[1], SECOND))).toEqual(fs.readFileSync(path.join(outputs[0], SECOND)));
    });
  }

  it("report measures the shard that was checked", async () => {
    const figures = [];
    for (const replace of [false, true]) {
      const ck = openThenReplace(checkpoint(tmp.file(`ck-report-${replace}`), 1), replace);
      try {
        const report = await reportCheckpoint(ck, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ck, cfg) }], { threads: 1 });
        figures.push(report.tensors.map((t) => t.cells[0].figures));
      } finally {
        ck.close();
      }
    }
    expect(figures[1]).toEqual(figures[0]);
  });

  it("apply checks the CRC-32 of a stored .npz member it read positionally in the archive that was checked", async () => {
    const archive = (seed: number) => craftZip([{ name: "w.weight.npy", payload: npyF32(Array.from({ length: 16 * 64 }, (_, i) => Math.cos(i + seed)), [16, 64]) }]);
    const outputs: string[] = [];
    for (const replace of [false, true]) {
      const input = tmp.file(`in-${replace}.npz`);
      fs.writeFileSync(input, archive(1));
      const ck = openCheckpoint(input);
      if (replace) {
        fs.writeFileSync(tmp.file("other.npz"), archive(7));
        fs.renameSync(tmp.file("other.npz"), input);
      }
      const output = tmp.file(`out-${replace}.npz`);
      try {
        await runCheckpoint(ck, [cfg], ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output, threads: 0 });
      } finally {
        ck.close();
      }
      outputs.push(output);
    }
    expect(fs.readFileSync(outputs[1])).toEqual(fs.readFileSync(outputs[0]));
  });
});
