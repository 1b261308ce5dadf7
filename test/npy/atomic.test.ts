/** AtomicFile keeps what the user had: mode, owner, links, permissions; temp names and leftovers of killed runs. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { AtomicFile, checkAtomicTarget } from "../../src/npy/atomic.js";
import { checkOutputDirectory } from "../../src/checkpoint/directory-output.js";
import { registerTempDirectory, removeLiveTemps, removeStaleTemps, tempNameFor, tempOwner, TEMP_BASE_BYTES } from "../../src/npy/temp-files.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let seq = 0;
const out = (name = "out.txt") => tmp.file(`${seq++}-${name}`);
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
if (!isRoot) console.log("atomic.test: not root: the owner/group tests (chown) are skipped");

function writeText(target: string, text: string, opts: Parameters<typeof AtomicFile.create>[1] = {}): void {
  const f = AtomicFile.create(target, opts);
  f.write(new TextEncoder().encode(text));
  f.commit();
}
const mode = (p: string) => fs.statSync(p).mode & 0o7777;
const temps = (dir: string) => fs.readdirSync(dir).filter((n) => tempOwner(n) !== undefined);

describe("AtomicFile keeps the mode, owner and group of the file it replaces", () => {
  it.each([0o600, 0o640, 0o755, 0o444])("keeps mode %s", (m) => {
    const target = out();
    fs.writeFileSync(target, "old");
    fs.chmodSync(target, m);
    writeText(target, "new", { force: true }); // force: 0444 is not writable by a non-root user
    expect(fs.readFileSync(target, "utf8")).toBe("new");
    expect(mode(target)).toBe(m);
  });

  it("drops set-user-ID and set-group-ID bits", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    fs.chmodSync(target, 0o6755);
    writeText(target, "new");
    expect(mode(target)).toBe(0o755);
  });

  it("gives a new file the usual mode (0666 less the umask)", () => {
    const target = out();
    writeText(target, "new");
    const umask = process.umask();
    expect(mode(target)).toBe(0o666 & ~umask);
  });

  it.skipIf(!isRoot)("as root, keeps the owner and group", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    fs.chownSync(target, NOBODY, NOBODY);
    fs.chmodSync(target, 0o640);
    writeText(target, "new");
    const st = fs.statSync(target);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([NOBODY, NOBODY, 0o640]);
  });
});

describe("AtomicFile refuses what a rename would damage, unless forced", () => {
  it("refuses a file with several hard links, naming the count, and changes nothing", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    const other = out("other-name.txt");
    fs.linkSync(target, other);
    let err: FqcError | undefined;
    try {
      writeText(target, "new", { forceStep: "pass --force" });
    } catch (e) {
      err = e as FqcError;
    }
    expect(err?.code).toBe("IO");
    expect(err?.message).toBe(`${target}: has 2 hard links: fqc replaces a file by renaming a new one into place, which would give only this name the new content`);
    expect(err?.hint).toContain("--force to replace this name only");
    expect(fs.readFileSync(other, "utf8")).toBe("old");
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("with force, replaces this name only: the other link keeps the old content", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    const other = out("other-name.txt");
    fs.linkSync(target, other);
    writeText(target, "new", { force: true });
    expect(fs.readFileSync(target, "utf8")).toBe("new");
    expect(fs.readFileSync(other, "utf8")).toBe("old");
  });

  it.each([["a new name", false], ["an existing file", true]])("refuses %s written with a trailing slash, which names a directory (it became a file of that name)", (_, exists) => {
    const target = out();
    if (exists) fs.writeFileSync(target, "old");
    expect(() => writeText(`${target}/`, "new")).toThrow(`${target}/: ends with a slash, so it names a directory, not the file to write`);
    expect(exists ? fs.readFileSync(target, "utf8") : fs.existsSync(target)).toBe(exists ? "old" : false);
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses an existing directory written with a trailing slash as a directory", () => {
    const target = out("dir");
    fs.mkdirSync(target);
    expect(() => writeText(`${target}/`, "new")).toThrow(`${target}/: is a directory`);
  });

  it("refuses an output that is a loop of links (or a link to itself), keeping the links, instead of replacing one with the file", () => {
    const a = out("loop-a.npy");
    const b = out("loop-b.npy");
    fs.symlinkSync(b, a);
    fs.symlinkSync(a, b);
    const self = out("self.npy");
    fs.symlinkSync(self, self);
    for (const target of [a, b, self]) {
      for (const attempt of [() => writeText(target, "new"), () => checkAtomicTarget(target)]) {
        expect(attempt).toThrow(`${target}: is a symbolic link that leads to no path a file could be created at (a loop of links)`);
      }
      expect(fs.lstatSync(target).isSymbolicLink()).toBe(true);
    }
    expect(temps(path.dirname(a))).toEqual([]);
  });

  it("names the directory a dangling link leads to when that directory is missing (the link's own directory exists)", () => {
    const target = out("link.npy");
    const missing = tmp.file(`${seq++}-gone`);
    fs.symlinkSync(path.join(missing, "x.npy"), target);
    for (const attempt of [() => writeText(target, "new"), () => checkAtomicTarget(target)]) {
      expect(attempt).toThrow(`${target}: cannot create a temporary file in ${missing}, the directory its symbolic link leads to: no such file or directory`);
    }
    expect(() => writeText(path.join(missing, "plain.npy"), "new")).toThrow("cannot create a temporary file in its directory: no such file or directory");
  });

  it("says which directory is missing, and to create it, for the run and its dry run alike", () => {
    const missing = tmp.file(`${seq++}-absent`);
    const target = path.join(missing, "o.npy");
    const link = out("to-absent.npy");
    fs.symlinkSync(path.join(missing, "x.npy"), link);
    for (const [given, dir] of [[target, missing], [link, missing]]) {
      for (const attempt of [() => writeText(given, "new"), () => checkAtomicTarget(given)]) {
        expect(attempt).toThrow(expect.objectContaining({ hint: `The directory ${dir} does not exist: create it first, or write elsewhere.` }));
      }
    }
    // Any other failure keeps its own hint.
    const file = out("plain-file");
    fs.writeFileSync(file, "x");
    expect(() => writeText(path.join(file, "o.npy"), "new")).toThrow(expect.objectContaining({ hint: expect.not.stringContaining("does not exist") }));
  });

  it.skipIf(isRoot)("refuses a file the user has no write permission on (root may write anything: see the CLI test run as nobody)", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    fs.chmodSync(target, 0o444);
    expect(() => writeText(target, "new")).toThrow(`${target}: is not writable by you (mode 0444)`);
    expect(fs.readFileSync(target, "utf8")).toBe("old");
  });
});

describe("AtomicFile temp names", () => {
  it("a target name of 255 bytes (the limit) is written: the temp name keeps at most 100 bytes of it", () => {
    const dir = out("long");
    fs.mkdirSync(dir);
    for (const base of ["a".repeat(255), `${"é".repeat(126)}.j`, `${"字".repeat(84)}.npy`.slice(0, 85)]) {
      expect(Buffer.byteLength(base)).toBeLessThanOrEqual(255);
      const target = path.join(dir, base);
      const f = AtomicFile.create(target);
      const tempBase = path.basename(f.tempPath);
      expect(Buffer.byteLength(tempBase)).toBeLessThan(255 - 100);
      expect(tempBase.startsWith(`.${base.slice(0, 20)}`)).toBe(true);
      expect(tempOwner(tempBase)).toBe(process.pid);
      f.write(Uint8Array.of(1));
      f.commit();
      expect(fs.readFileSync(target)).toEqual(Buffer.of(1));
    }
  });

  it("cuts a multi-byte name between characters", () => {
    const name = tempNameFor("é".repeat(200));
    expect(name.startsWith(`.${"é".repeat(TEMP_BASE_BYTES / 2)}.fqc-`)).toBe(true);
    expect(name).not.toContain("\uFFFD");
  });

  it("recognises fqc's temp names only", () => {
    expect(tempOwner(`.w.npy.fqc-1234-0123456789ab.tmp`)).toBe(1234);
    expect(tempOwner(tempNameFor("x.npy"))).toBe(process.pid);
    for (const other of ["w.npy.fqc-1234-0123456789ab.tmp", ".w.npy.fqc-1234-0123456789ab", ".w.npy.fqc-x-0123456789ab.tmp", ".w.npy.fqc-12-0123.tmp", ".w.npy.tmp", ".w.npy.fqc-0-0123456789ab.tmp"]) {
      expect(tempOwner(other), other).toBeUndefined();
    }
  });
});

describe("a name too long for the file system", () => {
  it("a target name of 256 bytes is refused before anything is created, naming its length (not after the work, at the rename)", () => {
    const dir = out("toolong");
    fs.mkdirSync(dir);
    const target = path.join(dir, "a".repeat(256));
    let err: unknown;
    try {
      AtomicFile.create(target);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("IO");
    expect((err as FqcError).message).toBe(`${target}: its name is 256 bytes long, more than a file name may have (255 bytes on most file systems)`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("a sharded output directory of a 256-byte name is refused before its temp directory is made", () => {
    const dir = out("toolong-dir");
    fs.mkdirSync(dir);
    expect(() => checkOutputDirectory(path.join(dir, "d".repeat(256)))).toThrow("its name is 256 bytes long");
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("the output's directory renamed or removed during the run", () => {
  const procFd = fs.existsSync(`/proc/self/fd`);
  if (!procFd) console.log("atomic.test: no /proc/self/fd: the temp file of a renamed directory cannot be found, the renamed-directory cases are skipped");

  it.skipIf(!procFd)("commit refuses to rename, says the directory moved, and removes the temp file from where it went", () => {
    const dir = out("moving");
    fs.mkdirSync(dir);
    const f = AtomicFile.create(path.join(dir, "o.npy"));
    f.write(Uint8Array.of(1, 2, 3));
    const moved = `${dir}-moved`;
    fs.renameSync(dir, moved);
    expect(() => f.commit()).toThrow(`${path.join(dir, "o.npy")}: cannot replace: its directory was removed or renamed while fqc wrote the output, which was not written`);
    expect(fs.readdirSync(moved)).toEqual([]);
  });

  it.skipIf(!procFd)("commit into a new directory made at the old path refuses too, leaving both directories empty", () => {
    const dir = out("replaced");
    fs.mkdirSync(dir);
    const f = AtomicFile.create(path.join(dir, "o.npy"));
    f.write(Uint8Array.of(1));
    fs.renameSync(dir, `${dir}-old`);
    fs.mkdirSync(dir);
    expect(() => f.commit()).toThrow("its directory was removed or renamed");
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(`${dir}-old`)).toEqual([]);
  });

  it.skipIf(!procFd)("commit with a file made at the old path refuses too, and removes the temp file from where the directory went", () => {
    const dir = out("replaced-by-file");
    fs.mkdirSync(dir);
    const f = AtomicFile.create(path.join(dir, "o.npy"));
    f.write(Uint8Array.of(1));
    fs.renameSync(dir, `${dir}-old`);
    fs.writeFileSync(dir, "not a directory");
    expect(() => f.commit()).toThrow("its directory was removed or renamed");
    expect(fs.readFileSync(dir, "utf8")).toBe("not a directory");
    expect(fs.readdirSync(`${dir}-old`)).toEqual([]);
  });

  /** An output with one byte written, whose directory is then renamed to `<dir>-moved`. */
  const outputInMovedDirectory = (name: string) => {
    const dir = out(name);
    fs.mkdirSync(dir);
    const f = AtomicFile.create(path.join(dir, "o.npy"));
    f.write(Uint8Array.of(1));
    fs.renameSync(dir, `${dir}-moved`);
    return { dir, f };
  };

  it.skipIf(!procFd)("abort removes the temp file from the directory's new place", () => {
    const { dir, f } = outputInMovedDirectory("moving-abort");
    f.abort();
    expect(fs.readdirSync(`${dir}-moved`)).toEqual([]);
  });

  it.skipIf(!procFd)("a signal's removeLiveTemps removes the temp file from the directory's new place too", () => {
    const { dir, f } = outputInMovedDirectory("moving-signal");
    expect(removeLiveTemps()).toEqual([path.join(dir, "o.npy")]);
    expect(fs.readdirSync(`${dir}-moved`)).toEqual([]);
    f.abort();
  });

  it("a removed directory is reported the same way", () => {
    const dir = out("removed");
    fs.mkdirSync(dir);
    const f = AtomicFile.create(path.join(dir, "o.npy"));
    f.write(Uint8Array.of(1));
    fs.rmSync(dir, { recursive: true });
    expect(() => f.commit()).toThrow("its directory was removed or renamed");
  });
});

describe("leftover temp files of killed runs", () => {
  /** The pid of a process that has exited. */
  const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

  it("a run writing into a directory removes fqc's temp files whose owner pid is gone, and nothing else", () => {
    const dir = out("stale");
    fs.mkdirSync(dir);
    const dead = deadPid();
    const stale = `.w.npy.fqc-${dead}-0123456789ab.tmp`;
    const live = `.w.npy.fqc-${process.ppid}-0123456789ab.tmp`; // the parent runs
    const notOurs = [`w.npy.fqc-${dead}-0123456789ab.tmp`, `.w.npy.fqc-${dead}-0123456789ab.tmp.bak`, "notes.txt"];
    for (const n of [stale, live, ...notOurs]) fs.writeFileSync(path.join(dir, n), "x");
    const linkName = `.l.npy.fqc-${dead}-0123456789ac.tmp`;
    fs.symlinkSync(path.join(dir, "notes.txt"), path.join(dir, linkName));
    // A temp directory holding anything but regular files is not the leftover of a sharded output: kept.
    const dirName = `.d.npy.fqc-${dead}-0123456789ad.tmp`;
    fs.mkdirSync(path.join(dir, dirName, "sub"), { recursive: true });

    writeText(path.join(dir, "out.txt"), "new");
    expect(fs.readdirSync(dir).sort()).toEqual([live, ...notOurs, linkName, dirName, "out.txt"].sort());
    expect(fs.readdirSync(path.join(dir, dirName))).toEqual(["sub"]);
  });

  it("removes the temp directory of a killed sharded output, with its files, and keeps one with a link inside or a running owner", () => {
    const dir = out("stale-dirs");
    fs.mkdirSync(dir);
    const dead = deadPid();
    const stale = `.ck.fqc-${dead}-0123456789ab.tmp`;
    fs.mkdirSync(path.join(dir, stale));
    // What a killed run leaves in it: shard temp files, or shards already renamed when it died committing.
    fs.writeFileSync(path.join(dir, stale, `.model-00001-of-00002.safetensors.fqc-${dead}-0123456789ac.tmp`), "x");
    fs.writeFileSync(path.join(dir, stale, "model-00002-of-00002.safetensors"), "x");
    const emptyStale = `.ck2.fqc-${dead}-0123456789ab.tmp`;
    fs.mkdirSync(path.join(dir, emptyStale));
    const withLink = `.ck3.fqc-${dead}-0123456789ab.tmp`;
    fs.mkdirSync(path.join(dir, withLink));
    fs.symlinkSync("/", path.join(dir, withLink, "model.safetensors"));
    const running = `.ck4.fqc-${process.ppid}-0123456789ab.tmp`;
    fs.mkdirSync(path.join(dir, running));
    fs.writeFileSync(path.join(dir, running, "model.safetensors"), "x");

    expect(removeStaleTemps(dir).sort()).toEqual([stale, emptyStale].sort());
    expect(fs.readdirSync(dir).sort()).toEqual([withLink, running].sort());
    expect(fs.readdirSync(path.join(dir, withLink))).toEqual(["model.safetensors"]);
  });

  it.skipIf(!isRoot)("keeps a temp directory holding another user's file", () => {
    const dir = out("others-dir");
    fs.mkdirSync(dir);
    const stale = path.join(dir, `.ck.fqc-${deadPid()}-0123456789ab.tmp`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, "theirs"), "x");
    fs.chownSync(path.join(stale, "theirs"), NOBODY, NOBODY);
    expect(removeStaleTemps(dir)).toEqual([]);
    expect(fs.existsSync(path.join(stale, "theirs"))).toBe(true);
  });

  it.skipIf(!isRoot)("keeps another user's leftovers", () => {
    const dir = out("others");
    fs.mkdirSync(dir);
    const theirs = path.join(dir, `.w.npy.fqc-${deadPid()}-0123456789ab.tmp`);
    fs.writeFileSync(theirs, "x");
    fs.chownSync(theirs, NOBODY, NOBODY);
    expect(removeStaleTemps(dir)).toEqual([]);
    expect(fs.existsSync(theirs)).toBe(true);
  });

  it("removeLiveTemps deletes the temp files this process has open and names their targets; commit and abort forget theirs", () => {
    const dir = out("live");
    fs.mkdirSync(dir);
    const committed = AtomicFile.create(path.join(dir, "done.txt"));
    committed.commit();
    const aborted = AtomicFile.create(path.join(dir, "aborted.txt"));
    aborted.abort();
    const open = AtomicFile.create(path.join(dir, "open.txt"));
    expect(temps(dir)).toEqual([path.basename(open.tempPath)]);
    expect(removeLiveTemps()).toEqual([path.join(dir, "open.txt")]);
    expect(temps(dir)).toEqual([]);
    expect(removeLiveTemps()).toEqual([]);
    open.abort();
  });

  it("removeLiveTemps removes a registered temp directory with its files, naming the directory's target instead of the files inside", () => {
    const dir = out("live-dir");
    fs.mkdirSync(dir);
    const staging = path.join(dir, tempNameFor("ck"));
    fs.mkdirSync(staging);
    registerTempDirectory(staging, path.join(dir, "ck"));
    const shard = AtomicFile.create(path.join(staging, "model.safetensors"));
    const other = AtomicFile.create(path.join(dir, "q.safetensors"));
    expect(removeLiveTemps()).toEqual([path.join(dir, "ck"), path.join(dir, "q.safetensors")]);
    expect(fs.readdirSync(dir)).toEqual([]);
    shard.abort();
    other.abort();
  });
});

describe("the sweep of leftovers keeps the run's inputs", () => {
  const deadPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!;

  it("keeps a leftover-named file or directory that is, or holds, a file the run reads, and still removes the others", () => {
    const dir = out("keep");
    fs.mkdirSync(dir);
    const dead = deadPid();
    const input = `.shard.fqc-${dead}-0123456789ab.tmp`;
    const inputDir = `.ck.fqc-${dead}-0123456789ac.tmp`;
    const stale = `.w.npy.fqc-${dead}-0123456789ad.tmp`;
    fs.writeFileSync(path.join(dir, input), "shard");
    fs.mkdirSync(path.join(dir, inputDir));
    fs.writeFileSync(path.join(dir, inputDir, "model.safetensors"), "model");
    fs.writeFileSync(path.join(dir, stale), "x");
    // Kept by device and inode, whatever path names the input: here a link to it.
    fs.symlinkSync(path.join(dir, inputDir, "model.safetensors"), path.join(dir, "link"));
    expect(removeStaleTemps(dir, [path.join(dir, input), path.join(dir, "link"), path.join(dir, "missing")])).toEqual([stale]);
    expect(fs.readdirSync(dir).sort()).toEqual([input, inputDir, "link"].sort());
  });

  it("AtomicFile.create keeps its protected and kept paths and the file it replaces", () => {
    const dir = out("keep-atomic");
    fs.mkdirSync(dir);
    const dead = deadPid();
    const names = [0, 1, 2].map((i) => `.f${i}.fqc-${dead}-0123456789a${i}.tmp`);
    for (const n of names) fs.writeFileSync(path.join(dir, n), n);
    writeText(path.join(dir, names[2]), "new", { protect: [path.join(dir, names[0])], keep: [path.join(dir, names[1])] });
    expect(fs.readdirSync(dir).sort()).toEqual(names.sort());
    expect(fs.readFileSync(path.join(dir, names[2]), "utf8")).toBe("new");
  });
});
