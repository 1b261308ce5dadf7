import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { BoundedInflater } from "../../src/checkpoint/zip/inflate.js";
import { ChunkedDeflater } from "../../src/checkpoint/zip/deflate.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-zip-streams-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function inflaterOver(raw: Uint8Array, declared: number): { inflater: BoundedInflater; close: () => void } {
  const file = path.join(tmp, `raw-${Math.random()}.bin`);
  fs.writeFileSync(file, raw);
  const fd = fs.openSync(file, "r");
  const fail = (what: string) => new FqcError("NPY", `${file}: member 'm': ${what}`, { file });
  return { inflater: new BoundedInflater({ fd, offset: 0, compressedSize: raw.length, uncompressedSize: declared }, fail, file), close: () => fs.closeSync(fd) };
}

function sample(n: number): Uint8Array {
  const f = new Float32Array(n / 4);
  for (let i = 0; i < f.length; i++) f[i] = Math.round(Math.sin(i * 0.37) * 1000) / 64;
  return new Uint8Array(f.buffer);
}

describe("BoundedInflater", () => {
  it("inflates a member in pieces of the caller's size", () => {
    const data = sample(300_000);
    const { inflater, close } = inflaterOver(new Uint8Array(deflateRawSync(data)), data.length);
    const got: number[] = [];
    const piece = new Uint8Array(4093);
    for (let n; (n = inflater.read(piece)) > 0;) got.push(...piece.subarray(0, n));
    close();
    expect(Buffer.from(got).equals(data)).toBe(true);
  });

  it("stops a bomb one byte past the declared size: 1 KiB declared, 100 MB inside, ~1 KiB inflated", () => {
    const raw = new Uint8Array(deflateRawSync(new Uint8Array(100_000_000)));
    const { inflater, close } = inflaterOver(raw, 1024);
    const piece = new Uint8Array(1 << 20);
    expect(() => { while (inflater.read(piece) > 0); }).toThrow(/inflates to more than its declared 1024 bytes/);
    close();
    expect(inflater.produced).toBe(1025);
  });
});

describe("ChunkedDeflater", () => {
  it("makes one raw deflate stream of many pieces, about as small as a one-shot deflate", () => {
    const data = sample(3 * (1 << 20) + 999);
    const d = new ChunkedDeflater();
    const parts: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += 100_003) d.push(data.subarray(at, at + 100_003), (o) => parts.push(o.slice()));
    parts.push(d.finish());
    const out = Buffer.concat(parts);
    expect(inflateRawSync(out).equals(data)).toBe(true);
    expect(out.length).toBeLessThan(deflateRawSync(data).length * 1.01 + 64);
  });

  it("gives the same bytes however the input is split into pushes (pieces are cut by size, not by call)", () => {
    const data = sample(2 * (1 << 20) + 4096);
    const deflate = (step: number): Buffer => {
      const d = new ChunkedDeflater();
      const parts: Uint8Array[] = [];
      for (let at = 0; at < data.length; at += step) d.push(data.subarray(at, at + step), (o) => parts.push(o.slice()));
      parts.push(d.finish());
      return Buffer.concat(parts);
    };
    const whole = deflate(data.length);
    expect(inflateRawSync(whole).equals(data)).toBe(true);
    for (const step of [100_003, 4096]) expect(deflate(step).equals(whole), `pushes of ${step} bytes`).toBe(true);
  });

  it("ends an empty stream validly", () => {
    const d = new ChunkedDeflater();
    expect(inflateRawSync(d.finish()).length).toBe(0);
  });
});
