/**
 * Two runs renaming their files into the same existing output directory rename one after the other: a run
 * holds a lock file there for its renames, waits for another's, takes over one left by a killed run.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMIT_LOCK_NAME } from "../../src/checkpoint/commit-lock.js";
import { DirectoryOutput } from "../../src/checkpoint/directory-output.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let seq = 0;
const NAMES = ["a.safetensors", "b.safetensors", "index.json"];

/** An existing output directory holding the old files (byte 1 each). */
function existing(): string {
  const dir = tmp.file(`d${seq++}`);
  fs.mkdirSync(dir);
  for (const n of NAMES) fs.writeFileSync(path.join(dir, n), Uint8Array.of(1));
  return dir;
}

/** Write byte 2 into every file of a DirectoryOutput over `dir`, as a run would. */
function filled(dir: string, lockWait = { timeoutMs: 300, pollMs: 5 }): DirectoryOutput {
  const out = DirectoryOutput.create(dir, NAMES, { force: true, lockWait });
  for (const f of out.files.values()) f.write(Uint8Array.of(2));
  return out;
}

const contents = (dir: string) => NAMES.map((n) => fs.readFileSync(path.join(dir, n))[0]);
/** A pid no process has now: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("renaming into an existing output directory under its lock", () => {
  it("holds no lock before or after: the lock file exists only for the renames", () => {
    const dir = existing();
    const out = filled(dir);
    expect(fs.existsSync(path.join(dir, COMMIT_LOCK_NAME))).toBe(false);
    out.commit();
    expect(contents(dir)).toEqual([2, 2, 2]);
    expect(fs.readdirSync(dir).sort()).toEqual([...NAMES].sort());
  });

  it("waits for another live run's lock, then refuses, every file as it was and no temp file left", () => {
    const dir = existing();
    const holder = spawn("sleep", ["30"]);
    try {
      fs.writeFileSync(path.join(dir, COMMIT_LOCK_NAME), `${holder.pid}\n`);
      const out = filled(dir);
      const started = Date.now();
      expect(() => out.commit()).toThrow(expect.objectContaining({
        message: `${dir}: another fqc run (pid ${holder.pid}) is renaming its output into this directory: fqc waited 0.3 s for it, and wrote nothing`,
        hint: `Run again once it has finished, or write to another directory. If no fqc run is writing here, remove ${path.join(dir, COMMIT_LOCK_NAME)}.`,
      }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(contents(dir)).toEqual([1, 1, 1]);
      expect(fs.readdirSync(dir).sort()).toEqual([COMMIT_LOCK_NAME, ...NAMES].sort());
      expect(fs.readFileSync(path.join(dir, COMMIT_LOCK_NAME), "utf8")).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill();
    }
  });

  it("renames once the other run's lock is released while it waits", () => {
    const dir = existing();
    const lock = path.join(dir, COMMIT_LOCK_NAME);
    // A live holder that removes its lock after 150 ms, as a run does when its renames end.
    const holder = spawn(process.execPath, ["-e", `setTimeout(() => require("fs").unlinkSync(${JSON.stringify(lock)}), 150)`]);
    fs.writeFileSync(lock, `${holder.pid}\n`);
    filled(dir, { timeoutMs: 10_000, pollMs: 5 }).commit();
    expect(contents(dir)).toEqual([2, 2, 2]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose run is gone (killed while renaming), or that is this process's own, and removes it after", () => {
    for (const owner of [deadPid(), process.pid]) {
      const dir = existing();
      fs.writeFileSync(path.join(dir, COMMIT_LOCK_NAME), `${owner}\n`);
      filled(dir).commit();
      expect(contents(dir), String(owner)).toEqual([2, 2, 2]);
      expect(fs.existsSync(path.join(dir, COMMIT_LOCK_NAME))).toBe(false);
    }
  });

  it("waits on an empty lock (its run is writing its pid), and takes it over once it has stayed empty for seconds", () => {
    const dir = existing();
    const lock = path.join(dir, COMMIT_LOCK_NAME);
    fs.writeFileSync(lock, "");
    expect(() => filled(dir).commit()).toThrow(/^.*: another fqc run is renaming its output into this directory: fqc waited 0\.3 s/);
    expect(contents(dir)).toEqual([1, 1, 1]);
    const past = new Date(Date.now() - 10_000);
    fs.utimesSync(lock, past, past);
    filled(dir).commit();
    expect(contents(dir)).toEqual([2, 2, 2]);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("leaves a lock another run took over in its place", () => {
    const dir = existing();
    const lock = path.join(dir, COMMIT_LOCK_NAME);
    const out = filled(dir);
    const other = spawn("sleep", ["30"]);
    try {
      // The other run's lock replaces this one's mid-commit: the first file's rename puts it there.
      const first = out.files.get(NAMES[0])!;
      const commit = first.commit.bind(first);
      first.commit = () => { commit(); fs.writeFileSync(lock, `${other.pid}\n`); };
      out.commit();
      expect(fs.readFileSync(lock, "utf8")).toBe(`${other.pid}\n`);
    } finally {
      other.kill();
    }
  });

  it("takes no lock for a new directory (renamed into place whole) or a single file (one rename)", () => {
    const parent = tmp.file(`p${seq++}`);
    fs.mkdirSync(parent);
    // A lock taken in a new directory would fail the commit: it does not exist until its temp directory is renamed.
    const out = DirectoryOutput.create(path.join(parent, "new"), NAMES, {});
    for (const f of out.files.values()) f.write(Uint8Array.of(2));
    out.commit();
    expect(fs.readdirSync(path.join(parent, "new")).sort()).toEqual([...NAMES].sort());
    // A single file's lock could not be taken here: its path is a directory.
    const one = existing();
    fs.mkdirSync(path.join(one, COMMIT_LOCK_NAME));
    const single = DirectoryOutput.create(one, [NAMES[0]], { force: true, lockWait: { timeoutMs: 50, pollMs: 5 } });
    single.files.get(NAMES[0])!.write(Uint8Array.of(2));
    single.commit();
    expect(fs.readFileSync(path.join(one, NAMES[0]))[0]).toBe(2);
  });
});
