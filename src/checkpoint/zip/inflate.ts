/**
 * Inflate one deflated ZIP member incrementally, synchronously and within a
 * byte budget. node:zlib cannot do this: its synchronous calls are one-shot
 * (the whole member in memory) and its streams are asynchronous, while a
 * checkpoint is read through a synchronous iterator. pako's low-level zlib
 * port lets each call fill a caller-given output window, so the output never
 * exceeds the member's declared size by more than one byte: a deflate bomb
 * stops there, whatever it would inflate to.
 */
import { ZStream, Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, zlibInflate, zlibInflateEnd, zlibInflateInit2 } from "pako";
import { FqcError } from "../../errors.js";
import { readFully } from "../../npy/positional.js";

/** Compressed bytes read from the file per step. */
const INPUT_PIECE = 64 << 10;

export interface DeflatedRange {
  fd: number;
  /** Absolute offset of the first compressed byte. */
  offset: number;
  compressedSize: number;
  /** What the central directory declares the member inflates to. */
  uncompressedSize: number;
}

export class BoundedInflater {
  readonly #src: DeflatedRange;
  readonly #fail: (what: string) => FqcError;
  readonly #file: string;
  readonly #strm = new ZStream();
  readonly #input: Uint8Array;
  #read = 0;
  #produced = 0;
  #ended = false;

  /** `fail` builds the error naming the file and member. */
  constructor(src: DeflatedRange, fail: (what: string) => FqcError, file: string) {
    this.#src = src;
    this.#fail = fail;
    this.#file = file;
    this.#input = new Uint8Array(Math.min(INPUT_PIECE, Math.max(1, src.compressedSize)));
    if (zlibInflateInit2(this.#strm, -15) !== Z_OK) throw new Error("pako: inflateInit2 failed");
    this.#strm.avail_in = 0;
  }

  /** Bytes inflated so far. */
  get produced(): number {
    return this.#produced;
  }

  /**
   * Fill `dest` with the next inflated bytes; returns how many (fewer than
   * dest.length only at the member's end, after its size and stream end were
   * checked).
   */
  read(dest: Uint8Array): number {
    const strm = this.#strm;
    let filled = 0;
    while (filled < dest.length && !this.#ended) {
      if (strm.avail_in === 0 && this.#read < this.#src.compressedSize) {
        const n = Math.min(this.#input.length, this.#src.compressedSize - this.#read);
        readFully(this.#src.fd, this.#input.subarray(0, n), this.#src.offset + this.#read, this.#file);
        this.#read += n;
        strm.input = this.#input.subarray(0, n);
        strm.next_in = 0;
        strm.avail_in = n;
      }
      // One byte more than declared is room enough to see a member lie about its size.
      const window = Math.min(dest.length - filled, this.#src.uncompressedSize - this.#produced + 1);
      strm.output = dest as Uint8Array<ArrayBuffer>;
      strm.next_out = filled;
      strm.avail_out = window;
      const status = zlibInflate(strm, Z_NO_FLUSH);
      const got = strm.next_out - filled;
      filled += got;
      this.#produced += got;
      if (this.#produced > this.#src.uncompressedSize) {
        this.#close();
        throw this.#fail(`inflates to more than its declared ${this.#src.uncompressedSize} bytes (a deflate bomb, or sizes that lie); stopped there`);
      }
      if (status === Z_STREAM_END) {
        this.#ended = true;
        const unused = strm.avail_in + (this.#src.compressedSize - this.#read);
        this.#close();
        if (unused > 0) throw this.#fail(`its deflate stream ends ${unused} bytes before its declared compressed size ${this.#src.compressedSize}`);
        if (this.#produced < this.#src.uncompressedSize) {
          throw this.#fail(`inflates to ${this.#produced} bytes, fewer than its declared ${this.#src.uncompressedSize}`);
        }
      } else if (status === Z_BUF_ERROR || (status === Z_OK && got === 0 && strm.avail_in === 0)) {
        if (strm.avail_in === 0 && this.#read >= this.#src.compressedSize) {
          this.#close();
          throw this.#fail(`its deflate stream is cut short: all ${this.#src.compressedSize} compressed bytes give ${this.#produced} of ${this.#src.uncompressedSize} bytes`);
        }
      } else if (status !== Z_OK) {
        this.#close();
        throw this.#fail(`corrupt deflate data (${strm.msg || `zlib status ${status}`}) after ${this.#produced} inflated bytes`);
      }
    }
    return filled;
  }

  #close(): void {
    zlibInflateEnd(this.#strm);
  }
}
