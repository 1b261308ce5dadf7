/**
 * Atomic file output: write a temp file beside the target (temp-files.ts
 * names it), then rename it over the target, so readers see either the old
 * file or the complete new one. What the user had is kept:
 * - a symbolic link is written through (the link stays, the file it names
 *   is replaced); a dangling one gets the file it names created;
 * - an existing file's permission bits, and its owner and group where the
 *   process may set them (as root; a group the user belongs to); when the
 *   group cannot be kept, the group bits are cleared rather than granted to
 *   another group;
 * - a file with several hard links, or one the user could not write, is
 *   refused unless `force`: a rename would give only this name the new
 *   content, and would replace a file its permissions protect;
 * - a target that exists but is no regular file (a device such as
 *   /dev/null, a FIFO, a socket) is refused, since the rename would replace it.
 */
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, type Stats } from "node:fs";
import { FqcError } from "../errors.js";
import { basename, dirname, join } from "node:path";
import { io, ioError, ioFailure } from "./fail.js";
import { checkPaths, endsWithSeparator, resolveTarget } from "./path-check.js";
import { movedTo, stillAt } from "./moved-file.js";
import { entryExists } from "./path-exists.js";
import { writeFully } from "./positional.js";
import { registerTemp, removeStaleTemps, tempNameFor, unregisterTemp } from "./temp-files.js";

const TEMP_NAME_ATTEMPTS = 8;

export interface AtomicOptions {
  /** Inputs the target must not be (checkPaths: same device + inode, or the same resolved path). */
  protect?: readonly string[];
  /**
   * Further files the run reads, which the sweep of killed runs' leftovers in
   * the target's directory must not remove (the protected paths and the
   * target itself are kept too).
   */
  keep?: readonly string[];
  /**
   * Allow replacing a protected path, a file with several hard links, and a
   * file the user has no write permission on.
   */
  force?: boolean;
  /** The step that sets `force`, offered in refusals ("pass --force", CallerWords.set); none when absent. */
  forceStep?: string;
  /**
   * fsync the data and the directory before/after the rename, so the new file
   * survives a power loss. Off by default, like cp and np.save: the rename
   * alone already guarantees that no partial file ever appears under the
   * target name when the process fails or is interrupted.
   */
  durable?: boolean;
  /**
   * The path to name in messages when the file is written elsewhere first and
   * moved there later (a shard of a sharded output filled in a temp directory):
   * `OUT/shard`, not the temp directory's path.
   */
  shownAs?: string;
}

export class AtomicFile {
  /** The path as given (named in messages). */
  readonly targetPath: string;
  /** The file the rename replaces or creates: targetPath, or the file a symbolic link there names. */
  readonly writePath: string;
  readonly tempPath: string;
  #fd: number | null;
  #position = 0;
  #state: "open" | "prepared" | "committed" | "aborted" = "open";
  readonly #durable: boolean;

  private constructor(targetPath: string, writePath: string, tempPath: string, fd: number, durable: boolean) {
    this.targetPath = targetPath;
    this.writePath = writePath;
    this.tempPath = tempPath;
    this.#fd = fd;
    this.#durable = durable;
  }

  static create(targetPath: string, opts: AtomicOptions = {}): AtomicFile {
    const shown = opts.shownAs ?? targetPath;
    const { writePath, existing } = checkedTarget(targetPath, opts, shown);
    const dir = dirname(writePath);
    removeStaleTemps(dir, [writePath, ...(opts.protect ?? []), ...(opts.keep ?? [])]);
    // "wx" (O_EXCL) never opens an existing file or follows a planted link, so the name needs
    // no cryptographic randomness, only to be unlikely to collide; node:crypto would cost ~5 ms of start-up.
    // Over an existing file, the temp starts private (0600) until it has the target's owner and mode.
    for (let attempt = 1; ; attempt++) {
      const tempPath = join(dir, tempNameFor(basename(writePath)));
      let fd: number;
      try {
        fd = openSync(tempPath, "wx", existing ? 0o600 : 0o666);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST" && attempt < TEMP_NAME_ATTEMPTS) continue;
        throw tempCreateError(shown, dir, creatingTemp(targetPath, writePath), e);
      }
      const file = new AtomicFile(shown, writePath, tempPath, fd, opts.durable ?? false);
      // On a signal too, the temp file is found where its directory went (while its descriptor is open).
      registerTemp(tempPath, shown, () => removeTemp(tempPath, file.#fd));
      if (existing) {
        try {
          keepOwnerAndMode(fd, existing);
        } catch (e) {
          file.abort();
          throw ioError(shown, "give the temporary file the permissions of the file it replaces", e);
        }
      }
      return file;
    }
  }

  /** Bytes written so far. */
  get position(): number {
    return this.#position;
  }

  /** Append bytes. A failure removes the temp file before it is reported. */
  write(bytes: Uint8Array): void {
    this.writeAt(bytes, this.#position);
  }

  /** Write bytes at `position` (the append position moves past them if they end later). A failure removes the temp file. */
  writeAt(bytes: Uint8Array, position: number): void {
    const fd = this.#openFd("write");
    try {
      writeFully(fd, bytes, position, this.targetPath);
    } catch (err) {
      this.abort();
      throw err;
    }
    this.#position = Math.max(this.#position, position + bytes.length);
  }

  /** The open temp file's descriptor, for positional writes from other threads (valid until commit or abort). */
  get fd(): number {
    return this.#openFd("share");
  }

  /**
   * Everything but the rename: (durable: fsync,) check the temp file is still
   * where it was made, close it. Closing is where a full disk or a network
   * file system may still report a write error; a run with several outputs
   * prepares them all before renaming any, so such an error leaves every
   * target as it was. A failure removes the temp file. No-op when prepared.
   */
  prepare(): void {
    if (this.#state === "prepared") return;
    const fd = this.#openFd("prepare");
    try {
      if (this.#durable) io(this.targetPath, "flush to disk", () => fsyncSync(fd));
      // Checked while the descriptor is open, so that abort can still find the temp file where it went.
      if (!stillAt(this.tempPath, fd)) throw movedError(this.targetPath);
      // A directory made at the output's path meanwhile would fail the rename (EISDIR). Found here, where a directory
      // output prepares every file before renaming any, it stops the run before any of its files is replaced.
      if (isDirectoryAt(this.writePath)) throw becameDirectoryError(this.targetPath);
      this.#fd = null;
      io(this.targetPath, "close", () => closeSync(fd));
    } catch (err) {
      this.#abort(this.#fd);
      throw err;
    }
    this.#state = "prepared";
  }

  /** prepare (unless done), rename over the target (durable: fsync the directory, best effort). */
  commit(): void {
    this.prepare();
    try {
      io(this.targetPath, "replace", () => renameSync(this.tempPath, this.writePath));
    } catch (err) {
      this.#abort(null);
      throw err;
    }
    this.#state = "committed";
    unregisterTemp(this.tempPath);
    if (this.#durable) syncDirectory(dirname(this.writePath));
  }

  /** Close and delete the temp file. Safe to call twice and after commit (then a no-op). */
  abort(): void {
    this.#abort(this.#fd);
  }

  /** abort, `fd` being the temp file's open descriptor (to find the file if its directory moved), or null. */
  #abort(fd: number | null): void {
    if (this.#state !== "open" && this.#state !== "prepared") return;
    this.#state = "aborted";
    removeTemp(this.tempPath, fd);
    if (this.#fd !== null) {
      try { closeSync(this.#fd); } catch { /* already failing; the temp file is removed already */ }
      this.#fd = null;
    }
    unregisterTemp(this.tempPath);
  }

  #openFd(doing: string): number {
    if (this.#state !== "open" || this.#fd === null) {
      throw new Error(`${this.targetPath}: cannot ${doing}: the output was already ${this.#state}`);
    }
    return this.#fd;
  }
}

/**
 * Delete a temp file by its path; when that is gone (its directory was
 * renamed or moved during the run), by the path the kernel now gives the open
 * descriptor `fd` (Linux's /proc/self/fd), if it still names a file of the
 * temp's name. Never throws: a failure is already being reported.
 */
function removeTemp(tempPath: string, fd: number | null): void {
  try {
    unlinkSync(tempPath);
    return;
  } catch (e) {
    // ENOTDIR: a file now stands where the directory was.
    const code = (e as NodeJS.ErrnoException).code;
    if ((code !== "ENOENT" && code !== "ENOTDIR") || fd === null) return;
  }
  const now = movedTo(tempPath, fd);
  if (now === null) return;
  try {
    unlinkSync(now);
  } catch { /* deleted already */ }
}

function isDirectoryAt(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function becameDirectoryError(targetPath: string): FqcError {
  return ioFailure(targetPath, "cannot replace: a directory was made at this path while fqc wrote the output, which was not written",
    "Remove or rename that directory (or give another output path), and run again.");
}

function movedError(targetPath: string): FqcError {
  return ioFailure(targetPath, "cannot replace: its directory was removed or renamed while fqc wrote the output, which was not written",
    "Keep the output's directory in place while fqc runs, and run again.");
}

/**
 * What is at an output path: nothing (or nothing reachable), a directory, or another file; a name too long to create is
 * refused (FqcError IO) before any work. (No Node types in the published declarations: hence not the Stats.)
 */
export function outputPathKind(targetPath: string, path: string): "missing" | "directory" | "other" {
  const st = statOutputPath(targetPath, path);
  return st === null ? "missing" : st.isDirectory() ? "directory" : "other";
}

/** stat that returns null for a path that cannot be reached, and refuses a name too long to create. */
function statOutputPath(targetPath: string, path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENAMETOOLONG") throw nameTooLong(targetPath, path);
    return null;
  }
}

/** Said before anything is written: the rename at the end would fail after all the work. */
function nameTooLong(targetPath: string, path: string): FqcError {
  const nameBytes = Buffer.byteLength(basename(path));
  const what = nameBytes > 255
    ? `its name is ${nameBytes} bytes long, more than a file name may have (255 bytes on most file systems)`
    : `the path is ${Buffer.byteLength(path)} bytes long, more than the file system accepts`;
  return ioFailure(targetPath, what, "Use a shorter name.");
}

/**
 * What AtomicFile.create refuses before it creates anything: the target is a protected input, names a
 * directory, or is a file a rename would damage or the user could not write (unless forced). Exported so
 * that a run which writes nothing (`apply --dry-run`) refuses what the real run would.
 */
export function checkAtomicTarget(targetPath: string, opts: AtomicOptions = {}): void {
  const shown = opts.shownAs ?? targetPath;
  const { writePath } = checkedTarget(targetPath, opts, shown);
  checkCanCreateIn(dirname(writePath), shown, creatingTemp(targetPath, writePath));
}

/** What creating the temp file is, in a message: through a symbolic link that directory is not the one beside the name given. */
function creatingTemp(targetPath: string, writePath: string): string {
  let link = false;
  try {
    link = lstatSync(targetPath).isSymbolicLink();
  } catch { /* not there: no link */ }
  return link ? `create a temporary file in ${dirname(writePath)}, the directory its symbolic link leads to` : "create a temporary file in its directory";
}

/**
 * Throws what creating a file in `dir` would (missing, not a directory, not writable), worded as the creation
 * says it (`doing`), for runs that create nothing; messages name `shown`.
 */
export function checkCanCreateIn(dir: string, shown: string, doing: string): void {
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw tempCreateError(shown, dir, doing, e);
  }
}

/** Creating a temp file in `dir` failed: a missing directory is named, with the fix, rather than "check the path". */
function tempCreateError(shown: string, dir: string, doing: string, e: unknown): FqcError {
  const err = ioError(shown, doing, e);
  if ((e as NodeJS.ErrnoException).code !== "ENOENT") return err;
  return new FqcError(err.code, err.message, { file: err.file, cause: e, hint: `The directory ${dir} does not exist: create it first, or write elsewhere.` });
}

/** checkAtomicTarget's checks, returning the path to write (through a symlink) and what is there now; messages name `shown`. */
function checkedTarget(targetPath: string, opts: AtomicOptions, shown: string): { writePath: string; existing: Stats | null } {
  if (opts.protect?.length) {
    checkPaths({
      reads: opts.protect.map((p) => ({ path: p, role: "the input", forceable: true })),
      writes: [{ path: targetPath, role: "the output", forceable: true }],
      force: opts.force,
      forceStep: opts.forceStep,
    });
  }
  const writePath = resolveTarget(targetPath);
  // A link to something with no path (/dev/stdout on a pipe: /proc/self/fd/1 → "pipe:[…]") reaches it only through
  // the link: judge what the link reaches, or the refusal would be a puzzling "no such directory".
  const reached = statOutputPath(shown, targetPath);
  if (reached && !reached.isFile() && !reached.isDirectory()) checkReplaceable(shown, writePath, reached, opts);
  const existing = statOutputPath(shown, writePath);
  // Resolution stops on a loop of links at one of them: the rename would replace that link with the file.
  if (!existing && entryExists(writePath)) {
    throw ioFailure(shown, "is a symbolic link that leads to no path a file could be created at (a loop of links)", "Give the output file's path, or remove the link.");
  }
  // resolve() drops a trailing slash, which would turn `out/` into a file named `out`; open(2) refuses it too.
  if (endsWithSeparator(targetPath) && !existing?.isDirectory()) {
    throw ioFailure(shown, "ends with a slash, so it names a directory, not the file to write", "Give the output file's path without the trailing slash.");
  }
  if (existing) checkReplaceable(shown, writePath, existing, opts);
  return { writePath, existing };
}

/** Refuse to replace what a rename would damage, or what the user could not write (unless forced). */
function checkReplaceable(targetPath: string, writePath: string, st: Stats, opts: AtomicOptions): void {
  if (st.isDirectory()) {
    throw ioFailure(targetPath, "is a directory", "Give an output file path, not a directory.");
  }
  if (!st.isFile()) {
    throw ioFailure(targetPath, `is ${specialKind(st)}, not a regular file: fqc writes a temporary file and renames it over the output, which would replace it`,
      "Give the path of a regular file (to discard the result, write it to a temporary file and delete that).");
  }
  if (opts.force) return;
  const orForce = opts.forceStep ? `, or ${opts.forceStep}` : "";
  if (st.nlink > 1) {
    throw ioFailure(targetPath, `has ${st.nlink} hard links: fqc replaces a file by renaming a new one into place, which would give only this name the new content`,
      `Write to another path, or remove the other links (or this file) first${orForce ? `${orForce} to replace this name only` : ""}.`);
  }
  try {
    accessSync(writePath, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM") return; // e.g. a read-only file system: the rename reports it
    throw ioFailure(targetPath, `is not writable by you (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}): fqc does not replace a file you could not write`,
      `Make it writable (chmod u+w), or write elsewhere${orForce ? `${orForce} to replace it (keeping its mode)` : ""}.`);
  }
}

/**
 * Give the temp file the replaced file's owner, group and permission bits
 * (not set-user/group-ID). chown works as root; a non-root user can set a
 * group they belong to. If the group cannot be kept, its permission bits
 * are cleared, so that they are not granted to another group.
 */
function keepOwnerAndMode(fd: number, target: Stats): void {
  let mode = target.mode & 0o777;
  const temp = fstatSync(fd);
  if (temp.uid !== target.uid || temp.gid !== target.gid) {
    try {
      fchownSync(fd, target.uid, target.gid);
    } catch {
      try {
        if (temp.gid !== target.gid) fchownSync(fd, temp.uid, target.gid);
      } catch {
        mode &= ~0o070;
      }
    }
  }
  fchmodSync(fd, mode);
}

function specialKind(st: Stats): string {
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  return "a special file";
}

/** Make the rename durable; some file systems refuse fsync on directories, which is harmless here. */
export function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
