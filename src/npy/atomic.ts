/**
 * Atomic file output: write a temp file beside the target
 * (`.<base>.fqc-<pid>-<random>.tmp`), fsync it, then rename it over the
 * target, so readers see either the old file or the complete new one.
 * A target that is a symbolic link is written through (the link stays, the
 * file it names is replaced); a target that exists but is no regular file
 * (a device such as /dev/null, a FIFO, a socket) is refused, since the rename
 * would replace it.
 */
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { io, ioError, ioFailure } from "./fail.js";
import { checkNotProtected } from "./protect.js";
import { writeFully } from "./positional.js";

const TEMP_NAME_ATTEMPTS = 8;

/** 48 random bits as 12 hex digits. */
function randomHex(): string {
  const part = () => Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, "0");
  return part() + part();
}

export interface AtomicOptions {
  /** Paths the target must not be (inputs); compared by device + inode. */
  protect?: readonly string[];
  /** Allow replacing a protected path. */
  force?: boolean;
  /**
   * fsync the data and the directory before/after the rename, so the new file
   * survives a power loss. Off by default, like cp and np.save: the rename
   * alone already guarantees that no partial file ever appears under the
   * target name when the process fails or is interrupted.
   */
  durable?: boolean;
}

export class AtomicFile {
  /** The path as given (named in messages). */
  readonly targetPath: string;
  /** The file the rename replaces: targetPath, or the file a symbolic link there names. */
  readonly writePath: string;
  readonly tempPath: string;
  #fd: number | null;
  #position = 0;
  #state: "open" | "committed" | "aborted" = "open";
  readonly #durable: boolean;

  private constructor(targetPath: string, writePath: string, tempPath: string, fd: number, durable: boolean) {
    this.targetPath = targetPath;
    this.writePath = writePath;
    this.tempPath = tempPath;
    this.#fd = fd;
    this.#durable = durable;
  }

  static create(targetPath: string, opts: AtomicOptions = {}): AtomicFile {
    if (!opts.force) checkNotProtected(targetPath, opts.protect ?? []);
    const writePath = throughLink(targetPath);
    const existing = (() => { try { return statSync(writePath); } catch { return null; } })();
    if (existing?.isDirectory()) {
      throw ioFailure(targetPath, "is a directory", "Give an output file path, not a directory.");
    }
    if (existing && !existing.isFile()) {
      throw ioFailure(targetPath, `is ${specialKind(existing)}, not a regular file: fqc writes a temporary file and renames it over the output, which would replace it`,
        "Give the path of a regular file (to discard the result, write it to a temporary file and delete that).");
    }
    const dir = dirname(writePath);
    const base = basename(writePath);
    // "wx" (O_EXCL) never opens an existing file or follows a planted link, so the name needs
    // no cryptographic randomness, only to be unlikely to collide; node:crypto would cost ~5 ms of start-up.
    for (let attempt = 1; ; attempt++) {
      const tempPath = join(dir, `.${base}.fqc-${process.pid}-${randomHex()}.tmp`);
      try {
        return new AtomicFile(targetPath, writePath, tempPath, openSync(tempPath, "wx", 0o666), opts.durable ?? false);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST" && attempt < TEMP_NAME_ATTEMPTS) continue;
        throw ioError(targetPath, "create a temporary file in its directory", e);
      }
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

  /** (durable: fsync,) close, rename over the target (durable: fsync the directory, best effort). */
  commit(): void {
    const fd = this.#openFd("commit");
    try {
      if (this.#durable) io(this.targetPath, "flush to disk", () => fsyncSync(fd));
      this.#fd = null;
      io(this.targetPath, "close", () => closeSync(fd));
      io(this.targetPath, "replace", () => renameSync(this.tempPath, this.writePath));
    } catch (err) {
      this.abort();
      throw err;
    }
    this.#state = "committed";
    if (this.#durable) syncDirectory(dirname(this.writePath));
  }

  /** Close and delete the temp file. Safe to call twice and after commit (then a no-op). */
  abort(): void {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    if (this.#fd !== null) {
      try { closeSync(this.#fd); } catch { /* already failing; the unlink below matters more */ }
      this.#fd = null;
    }
    try { unlinkSync(this.tempPath); } catch { /* already gone */ }
  }

  #openFd(doing: string): number {
    if (this.#state !== "open" || this.#fd === null) {
      throw new Error(`${this.targetPath}: cannot ${doing}: the output was already ${this.#state === "committed" ? "committed" : "aborted"}`);
    }
    return this.#fd;
  }
}

/** The file a symbolic link at `path` names (through any chain of links); `path` itself otherwise, or when the link dangles. */
function throughLink(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

function specialKind(st: Stats): string {
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  return "a special file";
}

/** Make the rename durable; some file systems refuse fsync on directories, which is harmless here. */
function syncDirectory(dir: string): void {
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
