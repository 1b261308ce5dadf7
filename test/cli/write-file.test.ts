import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { batchedText, writePiecesAtomic } from "../../src/cli/write-file.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("batchedText", () => {
  it("gathers pieces into writes of ~1 MiB, the same text in the same order", () => {
    const pieces = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${"é".repeat(i % 50)}\n`);
    const batches = [...batchedText(pieces)];
    expect(batches.join("")).toBe(pieces.join(""));
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches.slice(0, -1)) expect(b.length).toBeGreaterThanOrEqual(1 << 20);
    expect([...batchedText([])]).toEqual([]);
  });
});

describe("writePiecesAtomic", () => {
  it("writes the pieces as UTF-8", () => {
    const target = tmp.path("whole.txt");
    writePiecesAtomic(target, ["a\n", "ü\u{1F600}\n", "c"]);
    expect(readFileSync(target, "utf8")).toBe("a\nü\u{1F600}\nc");
  });

  it("leaves no file, no temp file and an existing file as it was when making the pieces fails", () => {
    const target = tmp.path("kept.txt");
    writeFileSync(target, "before");
    function* failing(): Generator<string> {
      yield "x".repeat(3 << 20); // past one write
      throw new Error("render failed");
    }
    expect(() => writePiecesAtomic(target, failing())).toThrow("render failed");
    expect(readFileSync(target, "utf8")).toBe("before");
    expect(() => writePiecesAtomic(tmp.path("never.txt"), failing())).toThrow("render failed");
    expect(existsSync(tmp.path("never.txt"))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});
