/**
 * The checkpoint's files, opened once each for positional reads by every
 * thread (descriptors are process-wide). The checkpoint's own descriptors
 * are used where it holds them: the files its headers were checked in, even
 * if a path names another file by now (a shard replaced during the run), and
 * no second descriptor per shard. Closed after the workers stopped.
 */
import { closeSync, openSync } from "node:fs";
import { io } from "../npy/fail.js";
import type { Checkpoint } from "../checkpoint/types.js";
import { checkUnchanged, stampOf, type FileStamp } from "../npy/file-stamp.js";

export class InputFiles {
  readonly #checkpoint: Pick<Checkpoint, "descriptor" | "hold" | "stamp"> | undefined;
  /** The descriptors opened here (the checkpoint closes its own). */
  readonly #fds = new Map<string, number>();
  /** Each file's descriptor and stamp when the run first used it (file-stamp.ts). */
  readonly #stamps = new Map<string, { fd: number; stamp: FileStamp | undefined }>();
  /** Lets the checkpoint close its descriptors: a caller's close() during the run waits for it. */
  readonly #release: (() => void) | undefined;

  constructor(checkpoint?: Pick<Checkpoint, "descriptor" | "hold" | "stamp">) {
    this.#checkpoint = checkpoint;
    this.#release = checkpoint?.hold?.();
  }

  /** The descriptor of `path`: the checkpoint's, else one opened read-only on first use. */
  fd(path: string): number {
    const held = this.#checkpoint?.descriptor?.(path);
    let fd = held ?? this.#fds.get(path);
    if (fd === undefined) {
      fd = io(path, "open", () => openSync(path, "r"));
      this.#fds.set(path, fd);
    }
    // A held file is compared with the checkpoint as opened (its headers were read then); another from now.
    if (!this.#stamps.has(path)) this.#stamps.set(path, { fd, stamp: held !== undefined && this.#checkpoint?.stamp ? this.#checkpoint.stamp(path) : stampOf(fd) });
    return fd;
  }

  /** Throws when a file read through fd() was written to since: call once every read is done, before any output is committed. */
  checkUnchanged(): void {
    for (const [path, { fd, stamp }] of this.#stamps) checkUnchanged(path, fd, stamp);
  }

  close(): void {
    for (const fd of this.#fds.values()) {
      try { closeSync(fd); } catch { /* closing a read-only descriptor cannot lose data */ }
    }
    this.#fds.clear();
    this.#release?.();
  }
}
