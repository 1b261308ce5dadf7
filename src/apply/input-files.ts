/**
 * The checkpoint's files, opened once each for positional reads by every
 * thread (descriptors are process-wide). Closed after the workers stopped.
 */
import { closeSync, openSync } from "node:fs";
import { io } from "../npy/fail.js";

export class InputFiles {
  readonly #fds = new Map<string, number>();

  /** The descriptor of `path`, opened read-only on first use. */
  fd(path: string): number {
    let fd = this.#fds.get(path);
    if (fd === undefined) {
      fd = io(path, "open", () => openSync(path, "r"));
      this.#fds.set(path, fd);
    }
    return fd;
  }

  close(): void {
    for (const fd of this.#fds.values()) {
      try { closeSync(fd); } catch { /* closing a read-only descriptor cannot lose data */ }
    }
    this.#fds.clear();
  }
}
