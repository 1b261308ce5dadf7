import { closeSync, openSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs";
import { ReadAhead } from "../../src/npy/read-ahead.js";
import { readFully } from "../../src/npy/positional.js";
import { tempDir } from "../helpers/cli.js";

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  return { ...real, readSync: vi.fn(real.readSync) };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SIZE = 5000;
const bytes = Uint8Array.from({ length: SIZE }, (_, i) => (i * 131 + 7) & 0xff);
const file = tmp.path("data.bin");
writeFileSync(file, bytes);

function thrown(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

describe("ReadAhead", () => {
  it("reads what readFully reads, in any order, and fails where it fails", () => {
    const fd = openSync(file, "r");
    try {
      fc.assert(fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: SIZE + 50 }), length: fc.integer({ min: 0, max: 400 }) }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 2000 }),
        (reads, small, blockBytes) => {
          const ahead = new ReadAhead({ small, blockBytes });
          for (const { at, length } of reads) {
            const want = new Uint8Array(length);
            const got = new Uint8Array(length);
            const wantError = thrown(() => readFully(fd, want, at, file));
            const gotError = thrown(() => ahead.read(fd, got, at, file));
            expect(gotError).toBe(wantError);
            if (!wantError) expect(got).toEqual(want);
          }
        },
      ), { numRuns: 300 });
    } finally {
      closeSync(fd);
    }
  });

  it("serves reads that lie back to back from one system call", () => {
    const fd = openSync(file, "r");
    try {
      const ahead = new ReadAhead({ small: 64, blockBytes: 1024 });
      const calls = vi.mocked(fs.readSync);
      calls.mockClear();
      const out = new Uint8Array(40);
      for (let at = 0; at + 40 <= 1000; at += 40) {
        ahead.read(fd, out, at, file);
        expect(out).toEqual(bytes.subarray(at, at + 40));
      }
      expect(calls).toHaveBeenCalledTimes(1);
      // A read of `small` bytes or more goes to the file itself.
      calls.mockClear();
      ahead.read(fd, new Uint8Array(64), 0, file);
      expect(calls).toHaveBeenCalledTimes(1);
    } finally {
      closeSync(fd);
    }
  });
});
