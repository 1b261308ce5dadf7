/**
 * The lock a run holds while it renames its files into an existing output directory. Two runs writing the same
 * directory then rename one after the other, and the directory holds one run's whole output, never shards of both.
 * It is held only for the renames (milliseconds), so a run finding it waits rather than fails. The lock is a file
 * created exclusively in the directory, holding its owner's pid; one whose owner is gone (a run killed while it
 * renamed) is taken over. Two runs finding the same stale lock at once could both take it: that needs a run killed
 * in the rename step first, and is left at that.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ioError, ioFailure } from "../npy/fail.js";
import { processExists } from "../npy/temp-files.js";

export const COMMIT_LOCK_NAME = ".fqc-commit.lock";

/** How long to wait for another run's renames, and how often to look. */
export interface LockWait {
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export const DEFAULT_LOCK_WAIT: LockWait = { timeoutMs: 5_000, pollMs: 10 };

/** A lock file with no pid yet is being written by its owner; one still empty after this long was left by a killed run. */
const EMPTY_LOCK_STALE_MS = 2_000;

/**
 * Take the lock of `dir` (named as given in messages), waiting for another run's renames; returns its release,
 * which never throws. Throws FqcError "IO" when another live run holds it past `wait.timeoutMs`, or the lock
 * cannot be created.
 */
export function acquireCommitLock(dir: string, wait: LockWait = DEFAULT_LOCK_WAIT): () => void {
  const path = join(dir, COMMIT_LOCK_NAME);
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(dir, `create the lock file ${COMMIT_LOCK_NAME} in it`, e);
      const owner = lockOwner(path);
      if (owner === "stale") {
        try { unlinkSync(path); } catch { /* another run took it over first */ }
        continue;
      }
      if (Date.now() >= deadline) {
        throw ioFailure(dir, `another fqc run${owner === "unknown" ? "" : ` (pid ${owner})`} is renaming its output into this directory: fqc waited ${wait.timeoutMs / 1000} s for it, and wrote nothing`,
          `Run again once it has finished, or write to another directory. If no fqc run is writing here, remove ${path}.`);
      }
      sleep(wait.pollMs);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => release(path);
  }
}

/** The lock's owner: a live pid, "unknown" while its owner writes it, or "stale" (gone, or empty too long). */
function lockOwner(path: string): number | "unknown" | "stale" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "unknown"; // removed meanwhile: the next attempt creates it
  }
  const pid = /^(\d+)\n$/.exec(text)?.[1];
  // This process's own pid: a lock it failed to remove (its renames are synchronous: it cannot be holding it now).
  if (pid !== undefined) return Number(pid) === process.pid || !processExists(Number(pid)) ? "stale" : Number(pid);
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_STALE_MS ? "stale" : "unknown";
  } catch {
    return "unknown";
  }
}

/** Remove the lock if it is still this process's (a run that found it stale may have taken it over). */
function release(path: string): void {
  try {
    if (readFileSync(path, "utf8") === `${process.pid}\n`) unlinkSync(path);
  } catch { /* gone already: nothing to release */ }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
