/** DirectoryOutput: a sharded output's files, appearing together; a new directory is filled as a temp directory beside it. */
import { spawnSync } from "node:child_process";
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
    expect(() => checkOutputDirectory(link)).toThrow(expect.objectContaining({ message: refusal, hint: "Give a directory (missing or existing) as the output, or remove the link." }));
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
    expect(() => out.commit()).toThrow(expect.objectContaining({
      message: expect.stringContaining(`${dir}: cannot create: the temporary directory fqc was filling beside it`),
      hint: "Keep the output's parent directory, and what fqc creates in it, in place while fqc runs, and run again.",
    }));
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
    expect(() => out.commit()).toThrow(expect.objectContaining({
      message: expect.stringContaining(`${dir}: appeared (not empty) while fqc wrote the output, which was not written`),
      hint: "Run again: into this directory now that it exists (its files are then replaced one by one), or into a new path.",
    }));
    expect(fs.readdirSync(parent)).toEqual(["out"]);
    expect(fs.readdirSync(dir)).toEqual(["theirs.txt"]);
  });
});

describe("DirectoryOutput: what it refuses, and what it leaves", () => {
  /** Paths under `dir` that this process holds a descriptor on (Linux: /proc/self/fd). */
  const heldUnder = (dir: string) => fs.readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const at = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return at.startsWith(`${dir}${path.sep}`) ? [at] : [];
    } catch {
      return [];
    }
  });

  it("refuses an output path that is a file, saying what to give", () => {
    const file = path.join(fresh(), "plain");
    fs.writeFileSync(file, "x");
    expect(() => checkOutputDirectory(file)).toThrow(expect.objectContaining({
      message: `${file}: exists and is not a directory: a sharded checkpoint is written to a directory`,
      hint: "Give a directory (missing or existing) as the output.",
    }));
  });

  it("removes a killed run's temp directory beside a new output directory, and keeps one holding an input of this run", () => {
    const parent = fresh();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const stale = path.join(parent, `.out.fqc-${dead}-0123456789ab.tmp`);
    const input = path.join(parent, `.ck.fqc-${dead}-0123456789ab.tmp`);
    for (const d of [stale, input]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, "model.safetensors"), "x");
    }
    const out = DirectoryOutput.create(path.join(parent, "out"), ["a"], {}, [path.join(input, "model.safetensors")]);
    out.commit();
    expect(fs.readdirSync(parent).sort()).toEqual([path.basename(input), "out"].sort());
  });

  it("into an existing directory: a signal's removeLiveTemps removes each temp file, naming each file (not the directory)", () => {
    const dir = fresh();
    const out = DirectoryOutput.create(dir, ["a", "b"], {});
    expect(removeLiveTemps().sort()).toEqual([path.join(dir, "a"), path.join(dir, "b")]);
    expect(fs.readdirSync(dir)).toEqual([]);
    out.abort();
  });

  it("into an existing directory: a file of its names with other hard links is replaced only with force", () => {
    const dir = fresh();
    fs.writeFileSync(path.join(dir, "b"), "old");
    fs.linkSync(path.join(dir, "b"), path.join(dir, "b-link"));
    expect(() => DirectoryOutput.create(dir, ["a", "b"], { forceStep: "pass --force" })).toThrow(expect.objectContaining({
      message: expect.stringContaining("has 2 hard links"),
      hint: expect.stringContaining("or pass --force to replace this name only"),
    }));
    expect(fs.readdirSync(dir).sort()).toEqual(["b", "b-link"]);
    const out = DirectoryOutput.create(dir, ["a", "b"], { force: true });
    out.files.get("b")!.write(Uint8Array.of(7));
    out.commit();
    expect(fs.readFileSync(path.join(dir, "b"))).toEqual(Buffer.of(7));
    expect(fs.readFileSync(path.join(dir, "b-link"), "utf8")).toBe("old");
  });

  it("a name it cannot write (a directory there) is refused, and the temp files made before it are removed", () => {
    const dir = fresh();
    fs.mkdirSync(path.join(dir, "b"));
    expect(() => DirectoryOutput.create(dir, ["a", "b", "c"], {})).toThrow(`${path.join(dir, "b")}: is a directory`);
    expect(fs.readdirSync(dir)).toEqual(["b"]);
  });

  it("into an existing directory: a directory made at one of its names meanwhile stops the commit before any file is replaced", () => {
    const dir = fresh();
    for (const name of ["a", "b"]) fs.writeFileSync(path.join(dir, name), `old ${name}`);
    const out = DirectoryOutput.create(dir, ["a", "b"], {});
    out.files.get("a")!.write(Uint8Array.of(1));
    out.files.get("b")!.write(Uint8Array.of(2));
    fs.rmSync(path.join(dir, "b"));
    fs.mkdirSync(path.join(dir, "b"));
    expect(() => out.commit()).toThrow(`${path.join(dir, "b")}: cannot replace: a directory was made at this path while fqc wrote the output, which was not written`);
    // "a" comes first and was not renamed: the output is all old or all new, never half of each.
    expect(fs.readFileSync(path.join(dir, "a"), "utf8")).toBe("old a");
    expect(fs.readdirSync(dir).sort()).toEqual(["a", "b"]);
  });

  it("a file put at the new directory's path meanwhile is reported as the failure it is, and the temp directory is removed", () => {
    const parent = fresh();
    const dir = path.join(parent, "out");
    const out = DirectoryOutput.create(dir, ["a"], {});
    fs.writeFileSync(dir, "theirs");
    let error: unknown;
    try {
      out.commit();
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(`${dir}: cannot create the output directory: a file was made at this path while fqc wrote the output, which was not written`);
    expect(fs.readdirSync(parent)).toEqual(["out"]);
    expect(fs.readFileSync(dir, "utf8")).toBe("theirs");
  });

  it.skipIf(!fs.existsSync("/proc/self/fd"))("commit and abort close the temp directory's descriptor", () => {
    const parent = fresh();
    const committed = DirectoryOutput.create(path.join(parent, "done"), ["a"], {});
    const aborted = DirectoryOutput.create(path.join(parent, "gone"), ["a"], {});
    expect(heldUnder(parent).length).toBe(4); // each temp directory and the temp file in it
    committed.commit();
    aborted.abort();
    expect(heldUnder(parent)).toEqual([]);
  });
});
