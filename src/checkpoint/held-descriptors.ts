/**
 * The descriptors a checkpoint holds open, and the runs reading through them. A run's threads were handed the
 * descriptor numbers when it started: closing them under it would let the next file opened take a number over,
 * and the run read that file's bytes as the tensor's. So close() while a run holds them waits for the last one.
 */
import { closeSync } from "node:fs";
import { FqcError } from "../errors.js";
import { stampOf, type FileStamp } from "../npy/file-stamp.js";

export class HeldDescriptors {
  #fds: Map<string, number> | null;
  #holds = 0;
  #closeAsked = false;

  /** Each file as it was when its checkpoint was opened (file-stamp.ts), compared once a run has read it. */
  readonly #stamps = new Map<string, FileStamp | undefined>();

  constructor(fds: Map<string, number>) {
    this.#fds = fds;
    for (const [file, fd] of fds) this.#stamps.set(file, stampOf(fd));
  }

  /** `file` as the checkpoint found it when opened; undefined when it holds no descriptor on it. */
  stamp(file: string): FileStamp | undefined {
    return this.#stamps.get(file);
  }

  get open(): boolean {
    return this.#fds !== null;
  }

  /** The descriptor of `file`, or undefined when none is held (or they were closed). */
  get(file: string): number | undefined {
    return this.#fds?.get(file);
  }

  /**
   * Keeps the descriptors open until the returned release is called (once; more calls do nothing). Refused once
   * close() was called: a run would read by path instead, whatever file the path names by then.
   */
  hold(checkpoint: string): () => void {
    if (this.#closeAsked) {
      throw new FqcError("USAGE", `${checkpoint}: the checkpoint was closed`, { hint: "Open it again with openCheckpoint(path), and close it once every call that reads it has settled." });
    }
    this.#holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds--;
      if (this.#holds === 0 && this.#closeAsked) this.#closeNow();
    };
  }

  close(): void {
    this.#closeAsked = true;
    if (this.#holds === 0) this.#closeNow();
  }

  #closeNow(): void {
    if (this.#fds === null) return;
    for (const fd of this.#fds.values()) {
      try { closeSync(fd); } catch { /* closing for good: nothing to recover */ }
    }
    this.#fds = null;
  }
}
