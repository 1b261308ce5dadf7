/**
 * apply's memory check before any work counts --report's statistics (and each of its columns) when they are
 * gathered in the same pass: under a heap that fits the plain apply of a checkpoint of many tensors, the apply that
 * also gathers them is refused, naming what it needs. The heap limit is set here, not the machine's.
 */
import { readdirSync } from "node:fs";
import type * as V8 from "node:v8";
import { afterAll, describe, expect, it, vi } from "vitest";
import { applyCheckpointWithStats } from "../../src/apply/checkpoint.js";
import { normalize } from "../../src/config/normalize.js";
import { tempDir } from "../helpers/cli.js";
import { writeSafetensors } from "../helpers/safetensors.js";

const YOUNG = 48 << 20;
const TENSORS = 1000;
/** Old space of 25 MiB: 24 MiB + 1,000 tensors at apply's 450 bytes fit; at apply's and a report column's 1,790 they do not. */
const LIMIT = YOUNG + (25 << 20);

vi.mock("node:v8", async (importOriginal) => {
  const v8 = await importOriginal<typeof V8>();
  return { ...v8, getHeapStatistics: () => ({ ...v8.getHeapStatistics(), heap_size_limit: LIMIT }) };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const input = tmp.path("many.safetensors");
writeSafetensors(input, Array.from({ length: TENSORS }, (_, i) => ({ name: `t${i}.weight`, dtype: "F32" as const, shape: [1, 4], values: [1, 2, 3, 4] })));
const select = { config: normalize({ dtype: "int8", granularity: "per_channel" }) };

describe("apply's memory check with --report's statistics", () => {
  it("fits the plain apply, and refuses the same apply gathering statistics before writing anything", async () => {
    const plain = await applyCheckpointWithStats({ input, output: tmp.path("plain.safetensors"), select, threads: 1 });
    expect(plain.quantized).toBe(TENSORS);
    const error = await applyCheckpointWithStats({ input, output: tmp.path("stats.safetensors"), select, threads: 1, stats: true }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: "CHECKPOINT", file: input });
    expect((error as Error).message).toMatch(new RegExp(`^${input.replace(/[.]/g, "\\.")}: its 1,000 tensors need about \\d+ MB of memory to fake-quantize them, more than this Node process may use \\(25 MB\\)$`));
    expect(readdirSync(tmp.dir).sort()).toEqual(["many.safetensors", "plain.safetensors"]);
  });
});
