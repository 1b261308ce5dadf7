/**
 * Deflate a member's bytes as they arrive, synchronously, with node:zlib.
 * Input is staged into pieces of STAGE bytes; each piece is compressed by
 * deflateRawSync with a sync flush (so pieces concatenate into one raw
 * deflate stream, ending on byte boundaries) and the previous 32 KiB as its
 * preset dictionary (so matches reach across pieces and the ratio is that of
 * one continuous stream); `finish` appends the final empty block.
 */
import { constants, deflateRawSync } from "node:zlib";

/** Bytes per deflate call: large enough that the 5-byte flush marker and the per-call cost vanish. */
const STAGE = 1 << 20;
/** deflate's window: a longer dictionary would not be used. */
const WINDOW = 32 << 10;

export class ChunkedDeflater {
  readonly #stage = new Uint8Array(STAGE);
  #staged = 0;
  readonly #dict = new Uint8Array(WINDOW);
  #dictLength = 0;

  /** Take `bytes`; `emit` receives compressed output as pieces fill (each valid only during the call). */
  push(bytes: Uint8Array, emit: (out: Uint8Array) => void): void {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, STAGE - this.#staged);
      this.#stage.set(bytes.subarray(at, at + n), this.#staged);
      this.#staged += n;
      at += n;
      if (this.#staged === STAGE) emit(this.#flush(constants.Z_SYNC_FLUSH));
    }
  }

  /** Compress what is staged and end the stream; returns the last output. */
  finish(): Uint8Array {
    return this.#flush(constants.Z_FINISH);
  }

  #flush(mode: number): Uint8Array {
    const piece = this.#stage.subarray(0, this.#staged);
    const opts: { finishFlush: number; dictionary?: Uint8Array } = { finishFlush: mode };
    if (this.#dictLength > 0) opts.dictionary = this.#dict.subarray(0, this.#dictLength);
    const out = deflateRawSync(piece, opts);
    // Keep the window for the next piece: the last 32 KiB of what came before.
    const keep = Math.min(WINDOW, this.#dictLength + piece.length);
    const fromPiece = Math.min(keep, piece.length);
    const fromOld = keep - fromPiece;
    this.#dict.copyWithin(0, this.#dictLength - fromOld, this.#dictLength);
    this.#dict.set(piece.subarray(piece.length - fromPiece), fromOld);
    this.#dictLength = keep;
    this.#staged = 0;
    return out;
  }
}
