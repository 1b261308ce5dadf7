import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { openNpz } from "../../src/checkpoint/npz.js";
import { craftZip, npyF32, npzFixture } from "./npz-helpers.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-npz-fuzz-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SOURCES: Record<string, Uint8Array> = {
  stored: new Uint8Array(fs.readFileSync(npzFixture("stored.npz"))),
  compressed: new Uint8Array(fs.readFileSync(npzFixture("compressed.npz"))),
  zip64: new Uint8Array(fs.readFileSync(npzFixture("zip64.npz"))),
  streamed: new Uint8Array(fs.readFileSync(npzFixture("streamed.npz"))),
  crafted: craftZip([{ name: "w.npy", payload: npyF32([1, 2, 3, 4], [2, 2]), method: 8 }, { name: "b.npy", payload: npyF32([5, 6]) }]),
};

type Mutation = { kind: "set"; at: number; value: number } | { kind: "cut"; at: number } | { kind: "insert"; at: number; value: number };

const mutation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
);

function mutate(src: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    const at = m.at % (b.length + 1);
    if (m.kind === "set" && b.length > 0) b[at % b.length] = m.value;
    else if (m.kind === "cut") b = b.slice(0, at);
    else if (m.kind === "insert") b = new Uint8Array([...b.subarray(0, at), m.value, ...b.subarray(at)]);
  }
  return b;
}

/** Open descriptors of this process (-1 where /proc is missing). */
function openDescriptors(): number {
  try {
    return fs.readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

/** Open and stream everything; any failure must be a one-line FqcError naming the file. */
function openAndStream(file: string): void {
  try {
    const ck = openNpz(file);
    try {
      for (const t of ck.tensors) {
        let n = 0;
        for (const piece of ck.stream(t, 4096)) n += piece.length;
        expect(n).toBe(t.byteLength);
      }
    } finally {
      ck.close();
    }
  } catch (err) {
    if (!(err instanceof FqcError)) throw new Error(`not an FqcError: ${String(err)}`, { cause: err });
    expect(err.message).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(err.message.startsWith(`${file}: `)).toBe(true);
    expect(["NPY", "IO"]).toContain(err.code);
  }
}

describe("fuzzing .npz archives", () => {
  it.each(Object.keys(SOURCES))("a mutated %s archive opens and streams, or is refused with one line naming the file", (name) => {
    const file = path.join(tmp, `${name}.npz`);
    const heapBefore = process.memoryUsage().rss;
    const fdsBefore = openDescriptors();
    const t0 = performance.now();
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        fs.writeFileSync(file, mutate(SOURCES[name], ms));
        openAndStream(file);
      }),
      { numRuns: 200 },
    );
    // Bounded work: 200 archives of ~2 KB each take well under a second of real work.
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(256 << 20);
    if (fdsBefore >= 0) expect(openDescriptors()).toBe(fdsBefore); // no descriptor leaked by a refusal
  });

  it("mutations aimed at the directory and end records are refused cleanly too", () => {
    const src = SOURCES.zip64;
    const file = path.join(tmp, "tail.npz");
    const tailStart = src.length - 120 - 9 * 60;
    fc.assert(
      fc.property(fc.array(fc.record({ kind: fc.constant("set" as const), at: fc.integer({ min: tailStart, max: src.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 3 }), (ms) => {
        fs.writeFileSync(file, mutate(src, ms));
        openAndStream(file);
      }),
      { numRuns: 200 },
    );
  });
});
