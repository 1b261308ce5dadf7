/**
 * Small positional reads served from one block read ahead. A report over a
 * checkpoint of many tiny tensors read each with a system call of its own
 * (~7 µs each: 2 s for 300,000 tensors); they mostly lie back to back, so one
 * read of the next MiB serves hundreds of them. Reads of `small` bytes or
 * more go straight to the file.
 */
import { readSync } from "node:fs";
import { io } from "./fail.js";
import { readFully } from "./positional.js";

export class ReadAhead {
  readonly #small: number;
  readonly #blockBytes: number;
  #block?: Uint8Array;
  #fd = -1;
  #start = 0;
  #length = 0;

  constructor(opts: { small?: number; blockBytes?: number } = {}) {
    this.#small = opts.small ?? 64 << 10;
    this.#blockBytes = Math.max(opts.blockBytes ?? 1 << 20, this.#small);
  }

  /** As readFully: fills `dest` from `position` of `fd`, or throws (naming `file`) when the file ends first. */
  read(fd: number, dest: Uint8Array, position: number, file: string): void {
    if (dest.length >= this.#small) {
      readFully(fd, dest, position, file);
      return;
    }
    if (!this.#holds(fd, position, dest.length)) this.#fill(fd, position, file);
    // Still short: the file ends inside `dest`; readFully reports it as it reports any short read.
    if (!this.#holds(fd, position, dest.length)) {
      readFully(fd, dest, position, file);
      return;
    }
    const at = position - this.#start;
    dest.set(this.#block!.subarray(at, at + dest.length));
  }

  #holds(fd: number, position: number, length: number): boolean {
    return fd === this.#fd && position >= this.#start && position + length <= this.#start + this.#length;
  }

  #fill(fd: number, position: number, file: string): void {
    const block = (this.#block ??= new Uint8Array(this.#blockBytes));
    this.#fd = fd;
    this.#start = position;
    this.#length = 0;
    while (this.#length < block.length) {
      const n = io(file, "read", () => readSync(fd, block, this.#length, block.length - this.#length, position + this.#length));
      if (n === 0) break;
      this.#length += n;
    }
  }
}
