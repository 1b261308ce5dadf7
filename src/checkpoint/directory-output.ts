/**
 * A sharded output's directory: its files written as atomic temp files and
 * renamed into place together, into an existing directory or a new one
 * filled as a temp directory beside it.
 */
import { closeSync, constants, mkdirSync, openSync, renameSync, rmdirSync, rmSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AtomicFile, outputPathKind, syncDirectory } from "../npy/atomic.js";
import { ioError, ioFailure, withOpenFilesHint } from "../npy/fail.js";
import { movedTo, stillAt } from "../npy/moved-file.js";
import { entryExists } from "../npy/path-exists.js";
import { resolveTarget } from "../npy/path-check.js";
import { registerTempDirectory, removeStaleTemps, tempNameFor, unregisterTemp } from "../npy/temp-files.js";
import type { WriterRunOptions } from "./writer-options.js";
import { acquireCommitLock, DEFAULT_LOCK_WAIT, type LockWait } from "./commit-lock.js";

/**
 * An output directory is missing (it will be created; a dangling symbolic link: where it leads) or a directory;
 * anything else is refused, a loop of links included. Returns whether it exists.
 */
export function checkOutputDirectory(dir: string): boolean {
  const kind = outputPathKind(dir, dir);
  if (kind === "other") {
    throw ioFailure(dir, "exists and is not a directory: a sharded checkpoint is written to a directory", "Give a directory (missing or existing) as the output.");
  }
  if (kind === "missing" && entryExists(resolveTarget(dir))) {
    throw ioFailure(dir, "is a symbolic link that leads to no path a directory could be created at (a loop of links)", "Give a directory (missing or existing) as the output, or remove the link.");
  }
  return kind !== "missing";
}

/**
 * Several files written into one output directory, all appearing or none:
 * - the directory is missing: it is created as a hidden temp directory beside
 *   it, filled, then renamed into place in one step (all or nothing);
 * - it exists: each file is a temp file in it, renamed over its name in the
 *   given order (put the index last). A rename failing half-way leaves the
 *   files renamed before it (complete new files) and removes every temp file;
 *   the index, renamed last, is then untouched, so it never describes shards
 *   that were not written.
 */
export class DirectoryOutput {
  /** The directory as given (named in messages). */
  readonly dir: string;
  readonly files: ReadonlyMap<string, AtomicFile>;
  /** A new directory: the path it is renamed to (where a dangling symbolic link at `dir` leads; the link stays). */
  readonly #target: string;
  readonly #staging: string | null;
  /** The temp directory held open, to find it if it is renamed or moved during the run (Linux: /proc/self/fd); null without one. */
  #stagingFd: number | null;
  /** Files already renamed to their final names inside the temp directory. */
  readonly #renamed: string[] = [];
  /** fsync the parent after renaming the temp directory into place (the files sync their own directory). */
  readonly #durable: boolean;
  readonly #lockWait: LockWait;
  #done = false;

  private constructor(dir: string, target: string, staging: string | null, files: Map<string, AtomicFile>, durable: boolean, lockWait: LockWait) {
    this.dir = dir;
    this.#durable = durable;
    this.#lockWait = lockWait;
    this.#target = target;
    this.#staging = staging;
    this.files = files;
    this.#stagingFd = staging === null ? null : openDirectory(staging);
  }

  /** `keep`: the run's inputs, which the sweep of killed runs' leftovers (beside or in `dir`) must not remove. */
  static create(dir: string, names: readonly string[], opts: WriterRunOptions, keep: readonly string[] = []): DirectoryOutput {
    const existing = checkOutputDirectory(dir);
    // Renaming the temp directory over a dangling link would fail after all the work: it goes where the link leads.
    const target = existing ? dir : resolveTarget(dir);
    let staging: string | null = null;
    if (!existing) {
      const parent = dirname(target);
      removeStaleTemps(parent, keep);
      for (let attempt = 1; staging === null; attempt++) {
        const candidate = join(parent, tempNameFor(basename(target)));
        try {
          mkdirSync(candidate);
          staging = candidate;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EEXIST" && attempt < 8) continue;
          throw ioError(dir, "create a temporary directory beside it", e);
        }
      }
    }
    const files = new Map<string, AtomicFile>();
    const out = new DirectoryOutput(dir, target, staging, files, opts.durable ?? false, opts.lockWait ?? DEFAULT_LOCK_WAIT);
    // A signal removes it with its files (where it went, if it moved), and names `dir` as not written (not each temp file inside).
    if (staging !== null) registerTempDirectory(staging, dir, () => out.#removeStaging());
    try {
      for (const name of names) {
        files.set(name, AtomicFile.create(join(staging ?? dir, name), { force: opts.force, forceStep: opts.forceStep, durable: opts.durable, keep, shownAs: join(dir, name) }));
      }
    } catch (err) {
      out.abort();
      throw withOpenFilesHint(err, `fqc holds the ${names.length} files of ${dir} open together until they are renamed into place, and the files it reads`, 2 * names.length);
    }
    return out;
  }

  /** Rename every file into place in the order given to create, then (new directory) the directory. */
  commit(): void {
    try {
      for (const f of this.files.values()) f.prepare();
      // Renaming into a temp directory that moved would fail half-way (or fill a directory now at its old path).
      this.#checkStaging();
      // Into an existing directory the renames are one by one: another run's must not fall between them.
      const release = this.#staging === null && this.files.size > 1 ? acquireCommitLock(this.dir, this.#lockWait) : () => undefined;
      try {
        for (const [name, f] of this.files) {
          f.commit();
          this.#renamed.push(name);
        }
      } finally {
        release();
      }
      if (this.#staging !== null) {
        const staging = this.#staging;
        this.#checkStaging();
        try {
          renameSync(staging, this.#target);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          // rename(2) replaces an empty directory only: a directory filled there meanwhile is left as it is.
          if (code === "ENOTEMPTY" || code === "EEXIST") {
            throw ioFailure(this.dir, "appeared (not empty) while fqc wrote the output, which was not written: fqc does not merge into a directory made meanwhile",
              "Run again: into this directory now that it exists (its files are then replaced one by one), or into a new path.");
          }
          // rename(2) of a directory over a file: the file is someone else's, and the path is no longer free.
          if (code === "ENOTDIR") {
            throw ioFailure(this.dir, "cannot create the output directory: a file was made at this path while fqc wrote the output, which was not written",
              "Remove or rename that file (or give another output path), and run again.");
          }
          throw ioError(this.dir, "create the output directory", e);
        }
        if (this.#durable) syncDirectory(dirname(this.#target));
        unregisterTemp(staging);
        this.#closeStaging();
      }
    } catch (err) {
      this.abort();
      throw err;
    }
    this.#done = true;
  }

  /**
   * Remove every temp file and the temp directory; no-op after commit. A temp directory renamed or moved during
   * the run is found where it went (through its open descriptor, on Linux) and emptied of what fqc put there,
   * then removed; it stays if anything else was put in it meanwhile.
   */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    for (const f of this.files.values()) f.abort();
    if (this.#staging !== null) {
      this.#removeStaging();
      unregisterTemp(this.#staging);
      this.#closeStaging();
    }
  }

  /** Remove the temp directory with what fqc put in it, where it is now (abort, or a signal). Never throws. */
  #removeStaging(): void {
    if (this.#staging === null) return;
    if (this.#stagingFd === null || stillAt(this.#staging, this.#stagingFd)) {
      try { rmSync(this.#staging, { recursive: true, force: true }); } catch { /* best effort: nothing else to do */ }
      return;
    }
    // Whatever is at its old path now is not fqc's; where it went, only the names fqc put there are.
    const moved = movedTo(this.#staging, this.#stagingFd);
    if (moved === null) return;
    for (const name of [...[...this.files.values()].map((f) => basename(f.tempPath)), ...this.#renamed]) {
      try { unlinkSync(join(moved, name)); } catch { /* not there: removed through its own descriptor, or never renamed */ }
    }
    try { rmdirSync(moved); } catch { /* something else was put in it: not fqc's to remove */ }
  }

  /** The temp directory is still at its path (when it can be told: its descriptor is open). */
  #checkStaging(): void {
    if (this.#staging === null || this.#stagingFd === null || stillAt(this.#staging, this.#stagingFd)) return;
    throw ioFailure(this.dir, `cannot create: the temporary directory fqc was filling beside it (${basename(this.#staging)}) was removed or renamed while fqc wrote the output, which was not written`,
      "Keep the output's parent directory, and what fqc creates in it, in place while fqc runs, and run again.");
  }

  #closeStaging(): void {
    if (this.#stagingFd === null) return;
    try { closeSync(this.#stagingFd); } catch { /* a read-only directory descriptor: nothing to lose */ }
    this.#stagingFd = null;
  }
}

/** A directory opened read-only (O_DIRECTORY), or null where directories cannot be opened (Windows). */
function openDirectory(path: string): number | null {
  try {
    return openSync(path, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  } catch {
    return null;
  }
}
