/**
 * Stream a float .npy tensor by whole rows with positional reads, so memory
 * stays bounded by the caller's chunk plus one scratch buffer (<= 8 MiB).
 *
 * C order: one contiguous range per call; float32->Float32Array and
 * float64->Float64Array read straight into the destination's bytes.
 *
 * Fortran order, rank 2 (and any rank whose middle dimensions are all 1):
 * each column's part of the row range is one contiguous run; batches of
 * columns are read into the scratch buffer (one read when the gaps between
 * them are small, else one per column) and transposed tile by tile.
 *
 * Fortran order, rank >= 3: a C-order row range is scattered over each
 * column slab in runs of i0 values (see fortran.ts). Runs closer than 64 KiB
 * are coalesced into one read of at most the scratch size, so memory stays
 * bounded, at the price of reading the gaps: a full pass costs about
 * (file size) x d0 / (i0 values per call) of I/O. Pass large row ranges, or
 * convert such files with np.ascontiguousarray.
 */
import { closeSync } from "node:fs";
import { decodeFloats, decodeTransposed, toFromHostOrder, type FloatArray, type FloatDtype } from "./convert.js";
import { isFloatDtype } from "./dtype.js";
import { npyError } from "./fail.js";
import { planFortranRows, type Run } from "./fortran.js";
import { openRegularFile, readHeaderFromFd, type NpyHeader } from "./header.js";
import { checkUnchanged, stampOf, type FileStamp } from "./file-stamp.js";
import { bytesOf, readFully } from "./positional.js";
import { shapeRepr, rowLayout } from "./shape.js";

/** Largest scratch buffer a reader allocates. */
export const SCRATCH_BYTES = 8 << 20;
/** Gaps up to this size between Fortran runs are read through rather than skipped with a new syscall. */
export const MAX_GAP_BYTES = 64 << 10;

/** Tuning knobs (tests use tiny values to exercise chunking on tiny files). */
export interface NpyRowReaderOptions {
  scratchBytes?: number;
  maxGapBytes?: number;
}

export class NpyRowReader {
  readonly header: NpyHeader;
  readonly rows: number;
  readonly rowLength: number;
  readonly path: string;
  #fd: number | null;
  /** false for a reader over another reader's descriptor: close() then leaves it open. */
  readonly #ownsFd: boolean;
  #scratch: Uint8Array | null = null;
  readonly #scratchLimit: number;
  readonly #maxGapBytes: number;
  /** The file as open() found it, before its header was read. */
  #stamp: FileStamp | undefined;

  private constructor(path: string, fd: number, header: NpyHeader, opts: NpyRowReaderOptions, ownsFd = true) {
    this.path = path;
    this.#ownsFd = ownsFd;
    this.#scratchLimit = Math.max(8, opts.scratchBytes ?? SCRATCH_BYTES);
    this.#maxGapBytes = opts.maxGapBytes ?? MAX_GAP_BYTES;
    this.#fd = fd;
    this.header = header;
    const { rows, rowLength } = rowLayout(header.shape);
    this.rows = rows;
    this.rowLength = rowLength;
  }

  /** Open and validate (magic, header, dtype, data size == shape) before any data is read. */
  static open(path: string, opts: NpyRowReaderOptions = {}): NpyRowReader {
    const { fd, size } = openRegularFile(path);
    try {
      const stamp = stampOf(fd);
      const reader = new NpyRowReader(path, fd, readHeaderFromFd(fd, size, path), opts);
      reader.#stamp = stamp;
      return reader;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * A second reader of an open file, e.g. in a worker thread (descriptors are
   * process-wide): reads are positional, so readers never disturb each other.
   * The header must come from a reader of the same descriptor; the caller
   * keeps the descriptor open while this reader is used.
   */
  static overDescriptor(path: string, fd: number, header: NpyHeader, opts: NpyRowReaderOptions = {}): NpyRowReader {
    return new NpyRowReader(path, fd, header, opts, false);
  }

  /** Throws when the file was written to since open() (file-stamp.ts): call once every row is read. */
  checkUnchanged(): void {
    if (this.#fd !== null) checkUnchanged(this.path, this.#fd, this.#stamp);
  }

  /** The open descriptor (to share with other threads through overDescriptor). */
  get fd(): number {
    if (this.#fd === null) throw new Error(`${this.path}: NpyRowReader is closed`);
    return this.#fd;
  }

  /** Fill dest[0 .. rowCount*rowLength) with rows [rowStart, rowStart+rowCount) in C order. */
  readRows(rowStart: number, rowCount: number, dest: Float32Array | Float64Array): void {
    const fd = this.#fd;
    if (fd === null) throw new Error(`${this.path}: NpyRowReader is closed`);
    const h = this.header;
    if (!Number.isSafeInteger(rowStart) || !Number.isSafeInteger(rowCount) || rowStart < 0 || rowCount < 0 || rowStart + rowCount > this.rows) {
      throw new RangeError(`${this.path}: rows [${rowStart}, ${rowStart + rowCount}) are outside 0..${this.rows}`);
    }
    const n = rowCount * this.rowLength;
    if (dest.length < n) throw new RangeError(`${this.path}: destination holds ${dest.length} values, ${n} needed`);
    const dtype = h.dtype;
    if (!isFloatDtype(dtype)) {
      throw npyError(this.path, `dtype ${h.descr} (${dtype}) is not a float tensor`, "Give a float16, float32 or float64 array.");
    }
    if (dtype === "float64" && dest instanceof Float32Array) {
      throw npyError(this.path, `dtype ${h.descr} (float64) cannot be read into float32 without rounding`, "Read it into a Float64Array.");
    }
    if (n === 0) return;
    if (h.fortranOrder && h.shape.length >= 2) this.#readFortran(fd, dtype, rowStart, rowCount, dest);
    else this.#readC(fd, dtype, rowStart * this.rowLength, n, dest);
  }

  close(): void {
    if (this.#fd !== null) {
      if (this.#ownsFd) closeSync(this.#fd);
      this.#fd = null;
      this.#scratch = null;
    }
  }

  #scratchBytes(): Uint8Array {
    if (this.#scratch === null) {
      const size = Math.max(8, Math.min(this.#scratchLimit, this.header.dataBytes));
      this.#scratch = new Uint8Array(new ArrayBuffer(size)); // own buffer: aligned for any item size
    }
    return this.#scratch;
  }

  #readC(fd: number, dtype: FloatDtype, elemStart: number, n: number, dest: FloatArray): void {
    const { itemSize, byteOrder, dataOffset } = this.header;
    const pos = dataOffset + elemStart * itemSize;
    if (itemSize === dest.BYTES_PER_ELEMENT) {
      // Same type: read straight into the destination, fix byte order in place.
      const bytes = bytesOf(dest, n * itemSize);
      readFully(fd, bytes, pos, this.path);
      toFromHostOrder(bytes, itemSize, byteOrder);
      return;
    }
    const scratch = this.#scratchBytes();
    const perChunk = Math.floor(scratch.length / itemSize);
    for (let done = 0; done < n; done += perChunk) {
      const k = Math.min(perChunk, n - done);
      const raw = scratch.subarray(0, k * itemSize);
      readFully(fd, raw, pos + done * itemSize, this.path);
      toFromHostOrder(raw, itemSize, byteOrder);
      decodeFloats(raw, dtype, 0, k, dest, done, 1);
    }
  }

  #readFortran(fd: number, dtype: FloatDtype, rowStart: number, rowCount: number, dest: FloatArray): void {
    const { itemSize, byteOrder, dataOffset } = this.header;
    const C = this.rowLength;
    const { runs, rowStride, slabSize } = planFortranRows(this.header.shape, rowStart, rowCount);
    const scratch = this.#scratchBytes();
    const cap = Math.floor(scratch.length / itemSize);
    const maxGap = Math.floor(this.#maxGapBytes / itemSize);
    const R = runs.length;
    if (R === 1 && runs[0].length <= cap) {
      this.#readFortranColumns(fd, dtype, runs[0], slabSize, rowStride, dest, scratch, cap, maxGap);
      return;
    }
    const total = R * C;
    const startOf = (p: number): number => Math.floor(p / R) * slabSize + runs[p % R].slabElem; // piece p = column j, run r
    const destStride = rowStride * C;
    const decodePiece = (raw: Uint8Array, p: number, srcStart: number, from: number, len: number): void => {
      const run = runs[p % R];
      const j = Math.floor(p / R);
      decodeFloats(raw, dtype, srcStart, len, dest, (run.firstRow + from * rowStride) * C + j, destStride);
    };
    const load = (elemStart: number, elems: number): Uint8Array => {
      const raw = scratch.subarray(0, elems * itemSize);
      readFully(fd, raw, dataOffset + elemStart * itemSize, this.path);
      toFromHostOrder(raw, itemSize, byteOrder);
      return raw;
    };

    let p = 0;
    while (p < total) {
      const start = startOf(p);
      const len = runs[p % R].length;
      if (len > cap) {
        // A run longer than the scratch buffer: stream it in pieces.
        for (let off = 0; off < len; off += cap) {
          const k = Math.min(cap, len - off);
          decodePiece(load(start + off, k), p, 0, off, k);
        }
        p++;
        continue;
      }
      // Coalesce following runs while the window fits the scratch and gaps stay small.
      let last = p;
      let end = start + len;
      while (last + 1 < total) {
        const s = startOf(last + 1);
        const e = s + runs[(last + 1) % R].length;
        if (e - start > cap || s - end > maxGap) break;
        last++;
        end = e;
      }
      const raw = load(start, end - start);
      for (let q = p; q <= last; q++) decodePiece(raw, q, startOf(q) - start, 0, runs[q % R].length);
      p = last + 1;
    }
  }

  /**
   * The common case (rank 2, or one run per column): load a batch of whole
   * column runs into the scratch buffer, then transpose it tile by tile.
   */
  #readFortranColumns(
    fd: number, dtype: FloatDtype, run: Run, slabSize: number, rowStride: number, dest: FloatArray,
    scratch: Uint8Array, cap: number, maxGap: number,
  ): void {
    const { itemSize, byteOrder, dataOffset } = this.header;
    const C = this.rowLength;
    const L = run.length;
    // Read through the gaps between columns when they are small: one read per batch.
    const oneRead = slabSize - L <= maxGap;
    const colStride = oneRead ? slabSize : L;
    const perBatch = Math.max(1, Math.floor((cap - L) / colStride) + 1);
    for (let j0 = 0; j0 < C; j0 += perBatch) {
      const nb = Math.min(perBatch, C - j0);
      const first = dataOffset + (j0 * slabSize + run.slabElem) * itemSize;
      const span = ((nb - 1) * colStride + L) * itemSize;
      const raw = scratch.subarray(0, span);
      if (oneRead) {
        readFully(fd, raw, first, this.path);
      } else {
        for (let jj = 0; jj < nb; jj++) {
          readFully(fd, raw.subarray(jj * L * itemSize, (jj * L + L) * itemSize), first + jj * slabSize * itemSize, this.path);
        }
      }
      toFromHostOrder(raw, itemSize, byteOrder);
      decodeTransposed(raw, dtype, 0, colStride, nb, L, dest, run.firstRow * C + j0, rowStride * C);
    }
  }

  toString(): string {
    return `NpyRowReader(${this.path}, ${this.header.descr}, shape ${shapeRepr(this.header.shape)})`;
  }
}
