import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32Update } from "../../src/checkpoint/zip/crc.js";

describe("crc32Update", () => {
  it("keeps the running value over an empty view of a zero-length buffer (node:zlib gives 0 there)", () => {
    expect(crc32Update(new Uint8Array(new ArrayBuffer(0)), 0x775268a3)).toBe(0x775268a3);
    expect(crc32Update(new Uint8Array(0), 5)).toBe(5);
  });

  it("chains like one CRC over the concatenation, unsigned", () => {
    const a = Buffer.from("hello, ");
    const b = Buffer.from("npz");
    expect(crc32Update(b, crc32Update(a))).toBe(crc32(Buffer.concat([a, b])) >>> 0);
    expect(crc32Update(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBeGreaterThan(0);
  });
});
