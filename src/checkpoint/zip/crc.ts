/**
 * CRC-32 (ZIP's) through node:zlib. Node 20's crc32 returns 0 instead of the
 * running value for a view of a zero-length ArrayBuffer, so empty input is
 * handled here.
 */
import { crc32 } from "node:zlib";

/** The CRC-32 of what `crc` covered followed by `bytes` (unsigned). */
export function crc32Update(bytes: Uint8Array, crc: number = 0): number {
  return bytes.length === 0 ? crc >>> 0 : crc32(bytes, crc) >>> 0;
}
