import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { createNpzWriter, openNpz, type NpzCheckpoint } from "../../src/checkpoint/npz.js";
import type { CheckpointTensor, CheckpointWriter } from "../../src/checkpoint/types.js";
import { craftZip, npyF32, npzFixture, readTensor } from "./npz-helpers.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-npz-writer-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let serial = 0;
const outFile = () => path.join(tmp, `out-${++serial}.npz`);

type Mode = "write" | "positional";

/** Copy every tensor of `src` into `w`, through `write` in small pieces or positionally; `change` may alter a tensor's bytes. */
function copy(src: NpzCheckpoint, w: CheckpointWriter, mode: Mode, change?: (t: CheckpointTensor, bytes: Uint8Array) => Uint8Array): void {
  for (const t of src.tensors) {
    const bytes = change ? change(t, readTensor(src, t, 1 << 20)) : readTensor(src, t, 1 << 20);
    const sink = w.begin(t);
    if (mode === "positional" && sink.positional) {
      // Two halves, second first, as threads might.
      const half = Math.floor(bytes.length / 2);
      fs.writeSync(sink.positional.fd, bytes, half, bytes.length - half, sink.positional.dataOffset + half);
      fs.writeSync(sink.positional.fd, bytes, 0, half, sink.positional.dataOffset);
      sink.end(bytes.length);
    } else {
      const step = Math.max(7, Math.ceil(bytes.length / 64));
      for (let at = 0; at < bytes.length; at += step) sink.write(bytes.subarray(at, at + step));
      sink.end();
    }
  }
}

function roundTrip(fixture: string, mode: Mode, change?: (t: CheckpointTensor, bytes: Uint8Array) => Uint8Array): string {
  const src = openNpz(fixture);
  const out = outFile();
  try {
    const w = createNpzWriter(src, out);
    copy(src, w, mode, change);
    w.commit();
  } finally {
    src.close();
  }
  return out;
}

function sameTensors(a: string, b: string): void {
  const x = openNpz(a);
  const y = openNpz(b);
  try {
    expect(y.tensors.map(({ name, dtype, shape, byteOrder, fortranOrder }) => ({ name, dtype, shape, byteOrder, fortranOrder })))
      .toEqual(x.tensors.map(({ name, dtype, shape, byteOrder, fortranOrder }) => ({ name, dtype, shape, byteOrder, fortranOrder })));
    x.members.forEach((m, i) => {
      expect(y.members[i].zip.method).toBe(m.zip.method);
      expect(y.members[i].npyHeader).toEqual(m.npyHeader);
      // Buffer.equals: toEqual walks megabytes element by element.
      expect(Buffer.from(readTensor(y, y.tensors[i], 1 << 20)).equals(readTensor(x, x.tensors[i], 1 << 20))).toBe(true);
    });
  } finally {
    x.close();
    y.close();
  }
}

describe.each<Mode>(["write", "positional"])("writing a stored archive unchanged (%s)", (mode) => {
  it.each(["stored.npz", "zip64.npz"])("gives %s back byte for byte", (name) => {
    const out = roundTrip(npzFixture(name), mode);
    expect(fs.readFileSync(out).equals(fs.readFileSync(npzFixture(name)))).toBe(true);
  });
});

describe.each<Mode>(["write", "positional"])("writing changed tensors (%s)", (mode) => {
  it("writes the new bytes with CRC-32s that check", () => {
    const negate = (t: CheckpointTensor, b: Uint8Array) => (t.dtype === "F32" && t.byteOrder === "little" ? new Uint8Array(new Float32Array(new Float32Array(b.slice().buffer).map((v) => -v)).buffer) : b);
    const out = roundTrip(npzFixture("stored.npz"), mode, negate);
    const ck = openNpz(out);
    try {
      const w = ck.tensors.find((t) => t.name === "w")!;
      expect(Array.from(new Float32Array(readTensor(ck, w).buffer))).toEqual([-1.5, 2.25, -3, Math.fround(-0.1), Math.fround(-1e-8), 65504]);
      for (const t of ck.tensors) readTensor(ck, t); // every CRC checks
    } finally {
      ck.close();
    }
  });
});

describe("empty writes", () => {
  it.each(["stored.npz", "compressed.npz"])("keeps the CRC-32 of %s when a tensor gets an empty write (as a 0-element tensor does)", (name) => {
    const src = openNpz(npzFixture(name));
    const out = outFile();
    const w = createNpzWriter(src, out);
    for (const t of src.tensors) {
      const sink = w.begin(t);
      sink.write(new Uint8Array(new ArrayBuffer(0)));
      sink.write(readTensor(src, t, 1 << 20));
      sink.end();
    }
    w.commit();
    src.close();
    sameTensors(npzFixture(name), out);
  });
});

describe("writing a deflated archive", () => {
  it("deflates every member again: same names, order, methods, .npy headers and data", () => {
    const out = roundTrip(npzFixture("compressed.npz"), "write");
    sameTensors(npzFixture("compressed.npz"), out);
    const ck = openNpz(out);
    expect(ck.tensors.every((t) => t.dataOffset === null)).toBe(true);
    ck.close();
  });

  it("writes numpy's streamed archive (data descriptors) with its CRC-32 and sizes in the local headers instead", () => {
    const out = roundTrip(npzFixture("streamed.npz"), "write");
    sameTensors(npzFixture("streamed.npz"), out);
    const ck = openNpz(out);
    try {
      for (const m of ck.members) {
        expect(m.zip.local.flags & 0x08).toBe(0);
        expect(m.zip.local.crc32).toBe(m.zip.crc32);
        expect(m.zip.local.compressedSize).toBe(m.zip.compressedSize);
      }
    } finally {
      ck.close();
    }
  });

  it("gives no positional sink for a deflated member", () => {
    const src = openNpz(npzFixture("compressed.npz"));
    const w = createNpzWriter(src, outFile());
    expect(w.begin(src.tensors[0]).positional).toBeNull();
    w.abort();
    src.close();
  });

  it("streams a member larger than one deflate piece (several MiB) through and back", () => {
    const n = 3 * (1 << 20) + 12345;
    const values = Array.from({ length: n / 4 | 0 }, (_, i) => Math.round(Math.sin(i) * 100) / 16);
    const file = path.join(tmp, "big-deflated.npz");
    fs.writeFileSync(file, craftZip([{ name: "big.npy", payload: npyF32(values), method: 8 }, { name: "b.npy", payload: npyF32([1, 2]), method: 0 }]));
    const out = roundTrip(file, "write");
    sameTensors(file, out);
  });
});

describe("atomic output", () => {
  it("leaves nothing behind on abort", () => {
    const src = openNpz(npzFixture("stored.npz"));
    const out = outFile();
    const w = createNpzWriter(src, out);
    w.begin(src.tensors[0]).write(new Uint8Array(4));
    w.abort();
    src.close();
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses to commit before every tensor was written", () => {
    const src = openNpz(npzFixture("stored.npz"));
    const w = createNpzWriter(src, outFile());
    expect(() => w.commit()).toThrow(/commit before every tensor was written \(0 of 9 begun\)/);
    w.abort();
    src.close();
  });

  it("refuses tensors begun out of checkpoint order", () => {
    const src = openNpz(npzFixture("stored.npz"));
    const w = createNpzWriter(src, outFile());
    expect(() => w.begin(src.tensors[1])).toThrow(/tensors must be begun in checkpoint order/);
    w.abort();
    src.close();
  });

  it("refuses an end with the wrong byte count", () => {
    const src = openNpz(npzFixture("stored.npz"));
    const w = createNpzWriter(src, outFile());
    expect(() => w.begin(src.tensors[0]).end(3)).toThrow(/takes 24 bytes; 0 were written and 3 positionally/);
    w.abort();
    src.close();
  });

  it.each(["stored.npz", "compressed.npz"])("refuses, in %s, bytes past a member's size, and a write or end after its end", (name) => {
    const src = openNpz(npzFixture(name));
    const w = createNpzWriter(src, outFile());
    try {
      const t = src.tensors[0];
      const sink = w.begin(t);
      expect(() => sink.write(new Uint8Array(t.byteLength + 1))).toThrow(new RegExp(`takes ${t.byteLength} bytes; got more`));
      sink.write(new Uint8Array(t.byteLength));
      sink.end();
      expect(() => sink.write(new Uint8Array(0))).toThrow(/got more/);
      expect(() => sink.end()).toThrow(/ended twice/);
    } finally {
      w.abort();
      src.close();
    }
  });

  it("refuses to begin a member while a deflated one is open, and anything after abort", () => {
    const src = openNpz(npzFixture("compressed.npz"));
    const w = createNpzWriter(src, outFile());
    try {
      w.begin(src.tensors[0]).write(new Uint8Array(4));
      expect(() => w.begin(src.tensors[1])).toThrow(/a deflated member must end before the next one begins/);
      w.abort();
      expect(() => w.begin(src.tensors[1])).toThrow(/the output was aborted/);
      expect(() => w.commit()).toThrow(/the output was aborted/);
    } finally {
      w.abort();
      src.close();
    }
  });

  it("refuses to write over its source", () => {
    const copyPath = path.join(tmp, "source.npz");
    fs.copyFileSync(npzFixture("stored.npz"), copyPath);
    const src = openNpz(copyPath);
    try {
      expect(() => createNpzWriter(src, copyPath)).toThrow(FqcError);
    } finally {
      src.close();
    }
  });
});
