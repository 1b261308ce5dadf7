/**
 * spillTensor: a deflated member inflated into an unnamed file (created and
 * unlinked at once), through Checkpoint.stream and its checks, in pieces;
 * nothing is left in the directory whatever happens.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { spillTensor } from "../../src/checkpoint/spill.js";
import { FqcError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";
import { craftZip, npyF32, readTensor } from "./npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const VALUES = Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 100);
const PAYLOAD = npyF32(VALUES, [30, 100]);

/** Descriptors of this process on files that were in `dir` (Linux: /proc/self/fd; a spill file reads "DIR/NAME (deleted)"). */
function heldIn(dir: string): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const at = readlinkSync(`/proc/self/fd/${fd}`);
      return at.startsWith(`${dir}/`) ? [at] : [];
    } catch {
      return [];
    }
  });
}

function freshDir(name: string): string {
  const dir = tmp.path(name);
  mkdirSync(dir);
  return dir;
}

describe("spillTensor", () => {
  it("inflates the member piece by piece into a file that has no name, which close frees", async () => {
    const file = tmp.write("s.npz", craftZip([{ name: "w.npy", payload: PAYLOAD, method: 8 }]));
    const dir = freshDir("spill-ok");
    const ck = openCheckpoint(file);
    try {
      const t = ck.tensors[0];
      const sizes: number[] = [];
      const stream = ck.stream.bind(ck);
      ck.stream = (tensor, maxBytes) => {
        sizes.push(maxBytes);
        return stream(tensor, maxBytes);
      };
      let turns = 0;
      const spill = await spillTensor(ck, t, dir, { pieceBytes: 1000, between: async () => { turns++; } });
      expect(sizes).toEqual([1000]);
      expect(turns).toBe(Math.ceil(t.byteLength / 1000));
      // Nothing in the directory while it is open: the file was unlinked as soon as it was created.
      expect(readdirSync(dir)).toEqual([]);
      expect(fstatSync(spill.fd).nlink).toBe(0);
      expect(spill.tensor).toEqual({ ...t, dataOffset: 0 });
      const back = new Uint8Array(t.byteLength);
      expect(readSync(spill.fd, back, 0, back.length, 0)).toBe(t.byteLength);
      ck.stream = stream;
      expect(Buffer.from(back).equals(Buffer.from(readTensor(ck, t, 1 << 16)))).toBe(true);
      spill.close();
      spill.close();
      expect(() => fstatSync(spill.fd)).toThrow(/EBADF/);
    } finally {
      ck.close();
    }
  });

  it("keeps the stream's checks: a member whose CRC-32 does not match is refused, and nothing remains", async () => {
    const file = tmp.write("crc.npz", craftZip([{ name: "w.npy", payload: PAYLOAD, method: 8, crc: 0x12345678 }]));
    const dir = freshDir("spill-crc");
    const ck = openCheckpoint(file);
    try {
      await expect(spillTensor(ck, ck.tensors[0], dir, { pieceBytes: 4096 })).rejects.toThrow("CRC-32 mismatch");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      ck.close();
    }
  });

  it("stops when `between` throws (an abort), leaving nothing", async () => {
    const file = tmp.write("abort.npz", craftZip([{ name: "w.npy", payload: PAYLOAD, method: 8 }]));
    const dir = freshDir("spill-abort");
    const ck = openCheckpoint(file);
    try {
      let turns = 0;
      const run = spillTensor(ck, ck.tensors[0], dir, { pieceBytes: 1000, between: async () => { if (++turns === 2) throw new Error("stop"); } });
      await expect(run).rejects.toThrow("stop");
      expect(turns).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      ck.close();
    }
  });

  it("names the archive, the member and the directory when the file cannot be created, with the space it needs", async () => {
    const file = tmp.write("nodir.npz", craftZip([{ name: "layers/0.weight.npy", payload: PAYLOAD, method: 8 }]));
    const ck = openCheckpoint(file);
    try {
      const run = spillTensor(ck, ck.tensors[0], tmp.path("missing"));
      await expect(run).rejects.toThrow(FqcError);
      await expect(run).rejects.toThrow(`${file}: member 'layers/0.weight.npy': cannot create a temporary file for its inflated copy in ${tmp.path("missing")}: no such file or directory`);
      await expect(run).rejects.toThrow(expect.objectContaining({
        code: "IO",
        file,
        hint: `A deflated member stored in Fortran order is read from an inflated copy (12,000 bytes) in ${tmp.path("missing")} (apply's is beside OUT, `
          + "report's in $TMPDIR): make room there, or save the array in C order (np.savez_compressed(path, name=np.ascontiguousarray(a))) or with np.savez.",
      }));
    } finally {
      ck.close();
    }
  });

  it.skipIf(!existsSync("/proc/self/fd"))("closes the spill file when the stream fails or is stopped: nothing is held", async () => {
    const file = tmp.write("held.npz", craftZip([{ name: "w.npy", payload: PAYLOAD, method: 8, crc: 0x12345678 }]));
    const dir = freshDir("spill-held");
    const ck = openCheckpoint(file);
    try {
      await expect(spillTensor(ck, ck.tensors[0], dir, { pieceBytes: 4096 })).rejects.toThrow("CRC-32 mismatch");
      await expect(spillTensor(ck, ck.tensors[0], dir, { pieceBytes: 1000, between: async () => { throw new Error("stop"); } })).rejects.toThrow("stop");
      expect(heldIn(dir)).toEqual([]);
    } finally {
      ck.close();
    }
  });

  it("a second close leaves alone a descriptor that reuses the number since", async () => {
    const file = tmp.write("twice.npz", craftZip([{ name: "w.npy", payload: PAYLOAD, method: 8 }]));
    const ck = openCheckpoint(file);
    try {
      const spill = await spillTensor(ck, ck.tensors[0], freshDir("spill-twice"));
      spill.close();
      // open(2) gives the lowest free number: the one just closed comes back within a few opens.
      const others: number[] = [];
      while (others.length < 64 && others.at(-1) !== spill.fd) others.push(openSync(file, "r"));
      expect(others).toContain(spill.fd);
      spill.close();
      for (const fd of others) expect(fstatSync(fd).size).toBeGreaterThan(0);
      for (const fd of others) closeSync(fd);
    } finally {
      ck.close();
    }
  });
});
