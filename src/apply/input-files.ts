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

export class InputFiles {
  readonly #checkpoint: Pick<Checkpoint, "descriptor" | "hold"> | undefined;
  /** The descriptors opened here (the checkpoint closes its own). */
  readonly #fds = new Map<string, number>();
  /** Lets the checkpoint close its descriptors: a caller's close() during the run waits for it. */
  readonly #release: (() => void) | undefined;

  constructor(checkpoint?: Pick<Checkpoint, "descriptor" | "hold">) {
    this.#checkpoint = checkpoint;
    this.#release = checkpoint?.hold?.();
  }

  /** The descriptor of `path`: the checkpoint's, else one opened read-only on first use. */
  fd(path: string): number {
    const held = this.#checkpoint?.descriptor?.(path);
    if (held !== undefined) return held;
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
    this.#release?.();
  }
}
