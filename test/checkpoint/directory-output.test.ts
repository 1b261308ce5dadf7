/** DirectoryOutput: a sharded output's files, appearing together; a new directory is filled as a temp directory beside it. */
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryOutput } from "../../src/checkpoint/layout-writer.js";
import { removeLiveTemps, tempOwner } from "../../src/npy/temp-files.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let seq = 0;
const fresh = () => {
  const dir = tmp.file(`d${seq++}`);
  fs.mkdirSync(dir);
  return dir;
};

describe("DirectoryOutput into a new directory", () => {
  it("a directory name of 255 bytes (the limit) is written: its temp directory keeps at most 100 bytes of it", () => {
    const parent = fresh();
    const dir = path.join(parent, "c".repeat(255));
    const out = DirectoryOutput.create(dir, ["a.safetensors"], {});
    const [staging] = fs.readdirSync(parent);
    expect(tempOwner(staging)).toBe(process.pid);
    expect(Buffer.byteLength(staging)).toBeLessThan(255 - 100);
    out.files.get("a.safetensors")!.write(Uint8Array.of(7));
    out.commit();
    expect(fs.readdirSync(parent)).toEqual(["c".repeat(255)]);
    expect(fs.readFileSync(path.join(dir, "a.safetensors"))).toEqual(Buffer.of(7));
  });

  it("commit and abort forget the temp directory: a later signal names nothing of theirs", () => {
    const parent = fresh();
    const committed = DirectoryOutput.create(path.join(parent, "done"), ["a"], {});
    committed.commit();
    const aborted = DirectoryOutput.create(path.join(parent, "gone"), ["a"], {});
    aborted.abort();
    expect(fs.readdirSync(parent)).toEqual(["done"]);
    expect(removeLiveTemps()).toEqual([]);
  });

  it("a signal's removeLiveTemps removes the temp directory with its files, naming the output directory", () => {
    const parent = fresh();
    const dir = path.join(parent, "out");
    const out = DirectoryOutput.create(dir, ["a.safetensors", "model.safetensors.index.json"], {});
    expect(removeLiveTemps()).toEqual([dir]);
    expect(fs.readdirSync(parent)).toEqual([]);
    out.abort();
  });
});
