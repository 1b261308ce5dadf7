/**
 * The descriptors a checkpoint holds open, and the runs reading through them. A run's threads were handed the
 * descriptor numbers when it started: closing them under it would let the next file opened take a number over,
 * and the run read that file's bytes as the tensor's. So close() while a run holds them waits for the last one.
 */
import { closeSync } from "node:fs";
import { FqcError } from "../errors.js";

export class HeldDescriptors {
  #fds: Map<string, number> | null;
  #holds = 0;
  #closeAsked = false;

  constructor(fds: Map<string, number>) {
    this.#fds = fds;
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
