/** Decode raw little-endian tensor bytes of any dtype fqc writes into numbers, for comparisons in tests. */
import type { TensorDtype } from "../../src/checkpoint/types.js";
import { halfBitsToNumber } from "./fixtures.js";

export function decodeBytes(bytes: Uint8Array, dtype: TensorDtype): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[] = [];
  const size = { F32: 4, F16: 2, BF16: 2, F64: 8, I8: 1, U8: 1, I16: 2, I32: 4, I64: 8 }[dtype as string];
  if (!size) throw new Error(`cannot decode ${dtype}`);
  for (let at = 0; at < bytes.length; at += size) {
    switch (dtype) {
      case "F32": out.push(buf.readFloatLE(at)); break;
      case "F64": out.push(buf.readDoubleLE(at)); break;
      case "F16": out.push(halfBitsToNumber(buf.readUInt16LE(at))); break;
      case "BF16": {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(buf.readUInt16LE(at) << 16 >>> 0);
        out.push(b.readFloatLE(0));
        break;
      }
      case "I8": out.push(buf.readInt8(at)); break;
      case "U8": out.push(buf.readUInt8(at)); break;
      case "I16": out.push(buf.readInt16LE(at)); break;
      case "I32": out.push(buf.readInt32LE(at)); break;
      case "I64": out.push(Number(buf.readBigInt64LE(at))); break;
    }
  }
  return out;
}
