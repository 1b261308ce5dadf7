/**
 * A checkpoint whose tensors would not fit in Node's heap is refused with the limit and how to raise it (exit 2),
 * never left to V8's fatal out-of-memory error and its native stack trace.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { afterAll, describe, expect, it } from "vitest";
import { checkArchiveHeap, checkHeaderHeap, checkHeapNeed, checkIndexHeap, checkShardedHeap, HEAP_PER_TENSOR } from "../../src/checkpoint/heap-need.js";
import { FqcError } from "../../src/errors.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { craftZip, npyF32 } from "./npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const MB = 2 ** 20;

describe("checkHeapNeed / checkHeaderHeap", () => {
  const tensors = Array.from({ length: 100_000 }, (_, i) => ({ name: `model.layers.${i}.mlp.up_proj.weight` }));
  it("passes what fits and refuses the rest, naming the file, the count, the need and the limit", () => {
    expect(() => checkHeapNeed("m.safetensors", { format: "safetensors", tensors }, HEAP_PER_TENSOR.apply, "fake-quantize them", 4096 * MB)).not.toThrow();
    let error: unknown;
    try {
      checkHeapNeed("m.safetensors", { format: "safetensors", tensors }, HEAP_PER_TENSOR.report + HEAP_PER_TENSOR.reportColumn, "report on them", 100 * MB);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FqcError);
    expect((error as FqcError).code).toBe("CHECKPOINT");
    expect((error as FqcError).message).toMatch(/^m\.safetensors: its 100,000 tensors need about \d+ MB of memory to report on them, more than this Node process may use \(100 MB\)$/);
    expect((error as FqcError).hint).toMatch(/NODE_OPTIONS=--max-old-space-size=\d+/);
  });

  it("counts the names: long names need more", () => {
    const long = tensors.map((t) => ({ name: t.name.repeat(20) }));
    const limit = 200 * MB;
    expect(() => checkHeapNeed("m", { format: "safetensors", tensors }, HEAP_PER_TENSOR.apply, "x", limit)).not.toThrow();
    expect(() => checkHeapNeed("m", { format: "safetensors", tensors: long }, HEAP_PER_TENSOR.apply, "x", limit)).toThrow(/need about/);
  });

  it("refuses a header too large to read before reading it", () => {
    expect(() => checkHeaderHeap("m.safetensors", 1 * MB, "header", 64 * MB)).not.toThrow();
    expect(() => checkHeaderHeap("m.safetensors", 100 * MB, "header", 512 * MB)).toThrow(/its header \(100 MB\) needs about \d+ MB of memory to read, more than this Node process may use \(512 MB\)/);
    expect(() => checkHeaderHeap("m.safetensors.index.json", 100 * MB, "index", 512 * MB)).toThrow(/its index \(100 MB\)/);
  });

  it("gives a file under 1 MB its size in bytes, not rounded up to 1 MB", () => {
    expect(() => checkHeaderHeap("m.safetensors.index.json", 344, "index", 8 * MB)).toThrow(/: its index \(344 bytes\) needs about 17 MB of memory to read/);
    expect(() => checkHeaderHeap("m.safetensors", MB - 1, "header", 8 * MB)).toThrow(/its header \(1,048,575 bytes\)/);
    expect(() => checkHeaderHeap("m.safetensors", MB + 1, "header", 8 * MB)).toThrow(/its header \(2 MB\)/);
    expect(() => checkIndexHeap("i.json", new Uint8Array(344).fill(0x22), 8 * MB)).toThrow(/its index \(344 bytes, up to 86 entries\)/);
  });
});

describe("the heap checks' estimates", () => {
  const fits = (f: () => unknown) => { try { f(); return true; } catch { return false; } };
  /** The thrown FqcError of `f`. */
  const refusal = (f: () => unknown): FqcError => {
    try {
      f();
    } catch (e) {
      return e as FqcError;
    }
    throw new Error("expected a refusal");
  };

  it("suggests a heap that holds the need with a quarter to spare, in steps of 256 MB", () => {
    for (const bytes of [10 * MB, 100 * MB, 333 * MB]) {
      const e = refusal(() => checkHeaderHeap("m.safetensors", bytes, "header", 8 * MB));
      const need = Number(/needs about ([\d,]+) MB/.exec(e.message)![1].replace(/,/g, ""));
      const suggest = Number(/--max-old-space-size=(\d+) \(MB\)/.exec(e.hint!)![1]);
      expect(suggest % 256, e.hint).toBe(0);
      expect(suggest).toBeGreaterThanOrEqual(need * 1.25 - 1);
      expect(suggest).toBeLessThan(need * 1.25 + 256);
    }
  });

  it("counts an .npz member's ZIP and .npy records on top of a tensor", () => {
    const tensors = Array.from({ length: 100_000 }, (_, i) => ({ name: `w${i}` }));
    const limit = 150 * MB; // 100,000 tensors: ~70 MB as safetensors tensors, ~100 MB more as .npz members
    expect(fits(() => checkHeapNeed("m", { format: "safetensors", tensors }, HEAP_PER_TENSOR.apply, "x", limit))).toBe(true);
    expect(fits(() => checkHeapNeed("m.npz", { format: "npz", tensors }, HEAP_PER_TENSOR.apply, "x", limit))).toBe(false);
  });

  it("adds what the run already holds to a header's need", () => {
    expect(fits(() => checkHeaderHeap("s.safetensors", 1 * MB, "header", 64 * MB))).toBe(true);
    expect(fits(() => checkHeaderHeap("s.safetensors", 1 * MB, "header", 64 * MB, 60 * MB))).toBe(false);
  });

  it("by default allows the old generation only: V8's heap limit less the young generation's 48 MB", () => {
    const oldSpace = getHeapStatistics().heap_size_limit - 48 * MB;
    // The largest header that fits in the old space, found with the limit given; without it, the same answer.
    let lo = 0;
    let hi = oldSpace;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(() => checkHeaderHeap("m", mid, "header", oldSpace))) lo = mid;
      else hi = mid;
    }
    expect(fits(() => checkHeaderHeap("m", lo))).toBe(true);
    expect(refusal(() => checkHeaderHeap("m", hi)).message).toMatch(/^m: its header \(/);
  });

  it("an index of short entries needs more than one of the same size with few: its quotes bound the entries", () => {
    const size = 4 * MB;
    const quotes = new Uint8Array(size).fill(0x22);
    const plain = new Uint8Array(size).fill(0x20);
    const limit = 64 * MB; // 4 MB of quotes: ~1 million entries, ~300 MB; 4 MB of spaces: ~24 MB
    expect(fits(() => checkIndexHeap("i.json", plain, limit))).toBe(true);
    const e = refusal(() => checkIndexHeap("i.json", quotes, limit));
    expect(e.message).toMatch(/^i\.json: its index \(4 MB, up to 1,048,576 entries\) needs about \d+ MB of memory to read, more than this Node process may use \(64 MB\)$/);
    expect(e.code).toBe("CHECKPOINT");
    // Its bytes count too: 32 MB without a quote need more than 64 MB.
    expect(fits(() => checkIndexHeap("i.json", new Uint8Array(32 * MB).fill(0x20), limit))).toBe(false);
  });

  it("a sharded checkpoint's entries, names and index bytes each count, and are held while its shards are read", () => {
    const limit = 256 * MB;
    expect(fits(() => checkShardedHeap("i.json", 1_000, 10_000, 100_000, limit))).toBe(true);
    expect(fits(() => checkShardedHeap("i.json", 1_000_000, 0, 0, limit))).toBe(false);
    expect(fits(() => checkShardedHeap("i.json", 0, 100_000_000, 0, limit))).toBe(false);
    expect(fits(() => checkShardedHeap("i.json", 0, 0, 300 * MB, limit))).toBe(false);
    const e = refusal(() => checkShardedHeap("i.json", 1_000_000, 0, 0, limit));
    expect(e.message).toMatch(/^i\.json: its weight_map's 1,000,000 tensors need about \d+ MB of memory to open its shards/);
    // Held while each shard's header is read: the index bytes, ~300 bytes per entry, and the names.
    const held = (entries: number, chars: number, bytes: number) => checkShardedHeap("i.json", entries, chars, bytes, Infinity);
    expect(held(0, 0, 5 * MB)).toBe(5 * MB);
    expect(held(100_000, 0, 0)).toBeGreaterThan(100_000 * 100);
    expect(held(0, 1_000_000, 0)).toBeGreaterThan(1_000_000);
  });

  it("an archive's members and central directory bytes each count before the directory is read", () => {
    const limit = 128 * MB;
    expect(fits(() => checkArchiveHeap("a.npz", 1_000, 100_000, limit))).toBe(true);
    expect(fits(() => checkArchiveHeap("a.npz", 100_000, 0, limit))).toBe(false);
    expect(fits(() => checkArchiveHeap("a.npz", 0, 100 * MB, limit))).toBe(false);
    expect(refusal(() => checkArchiveHeap("a.npz", 100_000, 0, limit)).message).toMatch(/^a\.npz: its 100,000 members need about \d+ MB of memory to read/);
  });
});

/** A safetensors file of `count` F32 tensors of [1, 2]. */
function manyTensors(file: string, count: number, name: (i: number) => string): string {
  const header: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) header[name(i)] = { dtype: "F32", shape: [1, 2], data_offsets: [8 * i, 8 * i + 8] };
  let text = JSON.stringify(header);
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(file, Buffer.concat([length, Buffer.from(text), Buffer.alloc(8 * count)]));
  return file;
}

describe("fqc with a small heap (NODE_OPTIONS=--max-old-space-size)", () => {
  const env = (mb: number) => ({ NODE_OPTIONS: `--max-old-space-size=${mb}` });
  const config = tmp.write("int8.json", JSON.stringify({ dtype: "int8", granularity: "per_channel" }));

  it("refuses a report on 40,000 tensors with exit 2 and the fix, no fatal error", () => {
    const model = manyTensors(tmp.path("forty.safetensors"), 40_000, (i) => `model.layers.${i}.mlp.up_proj.weight`);
    // 48 MB reads its 4 MB header; the report would need about 100 MB.
    const r = runFqc(["report", model, "-c", config, "--no-progress"], { env: env(48) });
    expect(r.stderr).not.toMatch(/FATAL|heap out of memory|Native stack/);
    expect(r.stderr).toContain("its 40,000 tensors need about");
    expect(r.stderr).toContain("more than this Node process may use (48 MB)");
    expect(r.stderr).toContain("NODE_OPTIONS=--max-old-space-size=");
    expect(r.code).toBe(2);
    // With the heap it asks for, the same report runs.
    const asked = /--max-old-space-size=(\d+)/.exec(r.stderr)![1];
    const ok = runFqc(["report", model, "-c", config, "--no-progress", "-f", "csv"], { env: env(Number(asked)) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.split("\n").length).toBe(40_000 + 2);
  });

  it("refuses validate --tensor on 80,000 tensors whose header it could read, with exit 2 and the fix, no fatal error", () => {
    const model = manyTensors(tmp.path("eighty.safetensors"), 80_000, (i) => `model.layers.${i}.mlp.up_proj.weight`);
    // 64 MB reads its 8 MB header (about 54 MB); listing the tensors to check the config against needs more.
    const r = runFqc(["validate", config, "--tensor", model], { env: env(64) });
    expect(r.stderr).not.toMatch(/FATAL|heap out of memory|Native stack/);
    expect(r.stderr).toMatch(/its 80,000 tensors need about \d+ MB of memory to check them, more than this Node process may use \(64 MB\)/);
    expect(r.code).toBe(2);
    const asked = /--max-old-space-size=(\d+)/.exec(r.stderr)![1];
    expect(runFqc(["validate", config, "--tensor", model], { env: env(Number(asked)) }).code).toBe(0);
  });

  it("refuses a 10 MB header before reading it, in every command that reads one", () => {
    const model = manyTensors(tmp.path("big-header.safetensors"), 110_000, (i) => `model.layers.${i}.mlp.experts.${i % 64}.up_proj.weight`);
    for (const args of [["apply", model, tmp.path("out.safetensors"), "-c", config], ["apply", model, tmp.path("out.safetensors"), "-c", config, "--dry-run"],
      ["report", model, "-c", config], ["validate", config, "--tensor", model]]) {
      const r = runFqc(args, { env: env(32) });
      expect(r.stderr, args.join(" ")).toMatch(/its header \(\d+ MB\) needs about \d+ MB of memory to read, more than this Node process may use \(32 MB\)/);
      expect(r.stderr).not.toMatch(/FATAL|heap out of memory/);
      expect(r.code, args.join(" ")).toBe(2);
    }
  });

  it("refuses a sharded checkpoint's 8 MB index before reading it", () => {
    const dir = tmp.path("sharded");
    mkdirSync(dir);
    const weightMap = Object.fromEntries(Array.from({ length: 110_000 }, (_, i) => [`model.layers.${i}.mlp.up_proj.weight`, "model-00001-of-00001.safetensors"]));
    writeFileSync(`${dir}/model.safetensors.index.json`, JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const r = runFqc(["apply", dir, tmp.path("sharded-out"), "-c", config, "--dry-run"], { env: env(32) });
    expect(r.stderr).toMatch(/model\.safetensors\.index\.json: its index \(\d+ MB\) needs about \d+ MB of memory to read, more than this Node process may use \(32 MB\)/);
    expect(r.code).toBe(2);
  });

  /** A sharded checkpoint of `shards` shards of `perShard` F32 [1] tensors with short names (`l.<shard>.<i>`): a compact index. */
  function shortNamedShards(dir: string, shards: number, perShard: number): void {
    mkdirSync(dir);
    const weightMap: string[] = [];
    for (let s = 0; s < shards; s++) {
      const file = `s${s}.safetensors`;
      const entries: string[] = [];
      for (let i = 0; i < perShard; i++) {
        entries.push(`"l.${s}.${i}":{"dtype":"F32","shape":[1],"data_offsets":[${4 * i},${4 * i + 4}]}`);
        weightMap.push(`"l.${s}.${i}":"${file}"`);
      }
      let text = `{${entries.join(",")}}`;
      text += " ".repeat((8 - (text.length % 8)) % 8);
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(text.length));
      writeFileSync(`${dir}/${file}`, Buffer.concat([length, Buffer.from(text), Buffer.alloc(4 * perShard)]));
    }
    writeFileSync(`${dir}/model.safetensors.index.json`, `{"weight_map":{${weightMap.join(",")}}}`);
  }

  it("refuses an index of short entries (more heap per byte) before parsing it", () => {
    // 240,000 entries in 7 MB: ~10 bytes of heap per byte to parse, where the check before reading assumes 5.
    const dir = tmp.path("short-index");
    shortNamedShards(dir, 4, 60_000);
    const r = runFqc(["apply", dir, tmp.path("short-index-out"), "-c", config, "--dry-run"], { env: env(64) });
    expect(r.stderr).not.toMatch(/FATAL|heap out of memory|Native stack/);
    expect(r.stderr).toMatch(/model\.safetensors\.index\.json: its index \(7 MB, up to 240,001 entries\) needs about \d+ MB of memory to read, more than this Node process may use \(64 MB\)/);
    expect(r.code).toBe(2);
  });

  it("refuses shards that each fit but together would not, before opening them", () => {
    // Each shard's 4 MB header passes its own check; the four together (and the weight_map) ended in V8's abort at 104 MB.
    const dir = tmp.path("shards-together");
    shortNamedShards(dir, 4, 60_000);
    const r = runFqc(["apply", dir, tmp.path("shards-together-out"), "-c", config, "--dry-run"], { env: env(104) });
    expect(r.stderr).not.toMatch(/FATAL|heap out of memory|Native stack/);
    expect(r.stderr).toMatch(/model\.safetensors\.index\.json: its weight_map's 240,000 tensors need about \d+ MB of memory to open its shards, more than this Node process may use \(104 MB\)/);
    expect(r.code).toBe(2);
  });

  it("refuses an .npz of 20,000 members before reading its central directory", () => {
    const member = npyF32([1, 2], [1, 2]);
    const model = tmp.write("many.npz", craftZip(Array.from({ length: 20_000 }, (_, i) => ({ name: `layers.${i}.weight.npy`, payload: member }))));
    const r = runFqc(["apply", model, tmp.path("many-out.npz"), "-c", config, "--dry-run"], { env: env(24) });
    expect(r.stderr).toMatch(/many\.npz: its 20,000 members need about \d+ MB of memory to read, more than this Node process may use \(24 MB\)/);
    expect(r.stderr).not.toMatch(/FATAL|heap out of memory/);
    expect(r.code).toBe(2);
  });

  it("still runs what fits: a small checkpoint", () => {
    const model = manyTensors(tmp.path("small.safetensors"), 50, (i) => `layers.${i}.weight`);
    const r = runFqc(["report", model, "-c", config, "--no-progress"], { env: env(32) });
    expect(r.code, r.stderr).toBe(0);
  });
});
