/** DirectoryOutput: a sharded output's files, appearing together; a new directory is filled as a temp directory beside it. */
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkOutputDirectory, DirectoryOutput } from "../../src/checkpoint/directory-output.js";
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

  it.skipIf(process.platform === "win32")("a dangling symbolic link gets the directory it names created, and stays a link", () => {
    const parent = fresh();
    const link = path.join(parent, "out");
    fs.symlinkSync("real", link);
    const out = DirectoryOutput.create(link, ["a.safetensors"], {});
    out.files.get("a.safetensors")!.write(Uint8Array.of(7));
    out.commit();
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(parent, "real", "a.safetensors"))).toEqual(Buffer.of(7));
    expect(fs.readdirSync(parent).sort()).toEqual(["out", "real"]);
  });

  it.skipIf(process.platform === "win32")("a loop of links is refused before anything is created (and by the check a dry run makes)", () => {
    const parent = fresh();
    const link = path.join(parent, "loop");
    fs.symlinkSync("loop", link);
    const refusal = `${link}: is a symbolic link that leads to no path a directory could be created at (a loop of links)`;
    expect(() => checkOutputDirectory(link)).toThrow(refusal);
    expect(() => DirectoryOutput.create(link, ["a.safetensors"], {})).toThrow(refusal);
    expect(fs.readdirSync(parent)).toEqual(["loop"]);
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

describe("DirectoryOutput into a new directory whose temp directory is moved during the run", () => {
  const procFd = fs.existsSync("/proc/self/fd");
  if (!procFd) console.log("directory-output.test: no /proc/self/fd: a moved temp directory cannot be found, these cases are skipped");
  const names = ["a.safetensors", "model.safetensors.index.json"];
  /** A new output `parent/out` with both files written, and its parent renamed: the temp directory went with it. */
  function movedDuringRun(prepared: boolean): { out: DirectoryOutput; dir: string; moved: string } {
    const parent = fresh();
    const dir = path.join(parent, "out");
    const out = DirectoryOutput.create(dir, names, {});
    for (const f of out.files.values()) f.write(Uint8Array.of(1, 2, 3));
    if (prepared) for (const f of out.files.values()) f.prepare();
    const moved = `${parent}-moved`;
    fs.renameSync(parent, moved);
    return { out, dir, moved };
  }

  it.skipIf(!procFd)("commit refuses, and the temp directory is removed from where it went", () => {
    const { out, dir, moved } = movedDuringRun(false);
    expect(() => out.commit()).toThrow(`${path.join(dir, names[0])}: cannot replace: its directory was removed or renamed while fqc wrote the output`);
    expect(fs.readdirSync(moved)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it.skipIf(!procFd)("moved after its files were closed (only the renames left): commit refuses before renaming, and removes it from where it went", () => {
    const { out, dir, moved } = movedDuringRun(true);
    expect(() => out.commit()).toThrow(`${dir}: cannot create: the temporary directory fqc was filling beside it`);
    expect(fs.readdirSync(moved)).toEqual([]);
  });

  it.skipIf(!procFd)("abort removes it from where it went", () => {
    const { out, moved } = movedDuringRun(true);
    out.abort();
    expect(fs.readdirSync(moved)).toEqual([]);
  });

  it.skipIf(!procFd)("a signal's removeLiveTemps removes it from where it went too, naming the output directory", () => {
    const { out, dir, moved } = movedDuringRun(false);
    expect(removeLiveTemps()).toEqual([dir]);
    expect(fs.readdirSync(moved)).toEqual([]);
    out.abort();
  });

  it.skipIf(!procFd)("what someone else put in it stays, and so does the directory; fqc's files go", () => {
    const { out, moved } = movedDuringRun(false);
    const [staging] = fs.readdirSync(moved);
    fs.writeFileSync(path.join(moved, staging, "notes.txt"), "mine");
    out.abort();
    expect(fs.readdirSync(path.join(moved, staging))).toEqual(["notes.txt"]);
  });

  it.skipIf(process.platform === "win32")("a directory now at the temp directory's old path is not fqc's: abort leaves it", () => {
    const parent = fresh();
    const out = DirectoryOutput.create(path.join(parent, "out"), names, {});
    const [staging] = fs.readdirSync(parent);
    fs.renameSync(path.join(parent, staging), path.join(parent, "elsewhere"));
    fs.mkdirSync(path.join(parent, staging));
    fs.writeFileSync(path.join(parent, staging, "other.txt"), "not fqc's");
    out.abort();
    expect(fs.readFileSync(path.join(parent, staging, "other.txt"), "utf8")).toBe("not fqc's");
  });
});

describe("DirectoryOutput into a new directory that someone else creates during the run", () => {
  it("a directory filled there meanwhile is left as it is: commit refuses, saying so, and removes the temp directory", () => {
    const parent = fresh();
    const dir = path.join(parent, "out");
    const out = DirectoryOutput.create(dir, ["a.safetensors"], {});
    out.files.get("a.safetensors")!.write(Uint8Array.of(7));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "theirs.txt"), "theirs");
    expect(() => out.commit()).toThrow(`${dir}: appeared (not empty) while fqc wrote the output, which was not written`);
    expect(fs.readdirSync(parent)).toEqual(["out"]);
    expect(fs.readdirSync(dir)).toEqual(["theirs.txt"]);
  });
});
