/**
 * Mutators for the fuzz suite: each turns a valid input into a hostile one.
 * A mutator sees bytes and a seeded random source, so a failing case can be
 * replayed from its seed. Format-aware mutators (the .npy header, JSON
 * values) sit beside generic byte mutators; a target (targets.ts) picks its
 * list. To fuzz a new format, write its seeds and any format-aware mutator
 * here and add a target.
 */

/** A small deterministic generator (mulberry32): the same seed gives the same cases on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export interface Mutator {
  readonly name: string;
  mutate(input: Uint8Array, rng: Rng): Uint8Array;
}

const enc = new TextEncoder();
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** Text that breaks parsers and arithmetic: huge and odd numbers, quotes, escapes, controls, encodings, prototype names. */
export const HOSTILE_TOKENS: readonly string[] = [
  "9007199254740991", "9007199254740992", "18446744073709551616", "04", "-1", "0", "1e999", "-0", "NaN", "nan", ".inf", "1.5",
  '"', "\\", "\\u", "\\ud800", "\u0000", "\u0001", "\n", "\r", "\t", "\u2028", "\ufeff", "\uFFFD", "{", "}", "[", "]", ":", ",", "(", ")",
  "__proto__", "constructor", "prototype", "&a", "*a", "!!binary", "---", "'", "<f4", ">f8", "|u1", "O", "fortran_order", "shape", "True",
];

export const flipByte: Mutator = {
  name: "flip a byte",
  mutate(input, rng) {
    const out = Uint8Array.from(input);
    if (out.length > 0) out[rng.int(out.length)] ^= 1 << rng.int(8);
    return out;
  },
};

export const randomByte: Mutator = {
  name: "set a random byte",
  mutate(input, rng) {
    const out = Uint8Array.from(input);
    if (out.length > 0) out[rng.int(out.length)] = rng.int(256);
    return out;
  },
};

export const truncate: Mutator = {
  name: "truncate",
  mutate: (input, rng) => input.slice(0, rng.int(input.length + 1)),
};

export const deleteRange: Mutator = {
  name: "delete a range",
  mutate(input, rng) {
    const a = rng.int(input.length + 1);
    const b = Math.min(input.length, a + 1 + rng.int(16));
    return Uint8Array.from([...input.subarray(0, a), ...input.subarray(b)]);
  },
};

export const duplicateRange: Mutator = {
  name: "duplicate a range",
  mutate(input, rng) {
    const a = rng.int(input.length + 1);
    const b = Math.min(input.length, a + 1 + rng.int(64));
    return Uint8Array.from([...input.subarray(0, b), ...input.subarray(a, b), ...input.subarray(b)]);
  },
};

export const insertToken: Mutator = {
  name: "insert a hostile token",
  mutate(input, rng) {
    const at = rng.int(input.length + 1);
    return Uint8Array.from([...input.subarray(0, at), ...enc.encode(rng.pick(HOSTILE_TOKENS)), ...input.subarray(at)]);
  },
};

/** Replace one number of the text (a dimension, a group size, a header length digit) with a hostile token. */
export const replaceNumber: Mutator = {
  name: "replace a number",
  mutate(input, rng) {
    const text = latin1(input);
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
    if (numbers.length === 0) return input;
    const m = rng.pick(numbers);
    const token = rng.pick(["0", "1", "-1", "04", "00", "9007199254740991", "4294967296", "65536", "1e999", "3", "7", "33", String(rng.int(1 << 20))]);
    return fromLatin1(text.slice(0, m.index) + token + text.slice(m.index! + m[0].length));
  },
};

/** An encoding change: the whole text as UTF-16LE or UTF-32BE, with or without a byte-order mark. */
export const reencode: Mutator = {
  name: "re-encode",
  mutate(input, rng) {
    const text = Buffer.from(input).toString("utf8");
    const bom = rng.int(2) === 1 ? "\ufeff" : "";
    const u16 = Buffer.from(bom + text, "utf16le");
    if (rng.int(2) === 0) return new Uint8Array(u16);
    const cps = [...(bom + text)].map((c) => c.codePointAt(0)!);
    const out = Buffer.alloc(cps.length * 4);
    cps.forEach((cp, i) => out.writeUInt32BE(cp, i * 4));
    return new Uint8Array(out);
  },
};

/**
 * .npy: rewrite the header dict (shape, descr, fortran_order) and keep the
 * magic and length consistent, so the mutation reaches the header's meaning
 * rather than stopping at the length check.
 */
export const npyHeaderField: Mutator = {
  name: ".npy header field",
  mutate(input, rng) {
    if (input.length < 10) return input;
    const major = input[6];
    const lenBytes = major === 1 ? 2 : 4;
    const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const headerLen = lenBytes === 2 ? dv.getUint16(8, true) : dv.getUint32(8, true);
    const start = 8 + lenBytes;
    const header = latin1(input.subarray(start, start + headerLen));
    const data = input.subarray(start + headerLen);
    const shapes = ["()", "(0,)", "(0, 9007199254740991)", "(9007199254740991, 0)", "(04, 64)", "(4, 64)", "(64, 4)", "(1, 1)", "(2, 2, 2, 8)", "(-1, 4)", "(4,)", "(4, 64, )", "(4 64)", "(1e3, 2)", "(True, 2)", "(4, 65536)", "(256,)"];
    const descrs = ["'<f4'", "'>f4'", "'<f2'", "'<f8'", "'>f8'", "'|u1'", "'<i4'", "'|O'", "'<c8'", "'<V4'", "[('a', '<f4')]", "'f4'", "''"];
    const choice = rng.int(3);
    let h = header;
    if (choice === 0) h = h.replace(/'shape':\s*\([^)]*\)/, `'shape': ${rng.pick(shapes)}`);
    else if (choice === 1) h = h.replace(/'descr':\s*'[^']*'/, `'descr': ${rng.pick(descrs)}`);
    else h = h.replace(/'fortran_order':\s*\w+/, `'fortran_order': ${rng.pick(["True", "False", "1", "None", "'yes'"])}`);
    const body = fromLatin1(h);
    const out = new Uint8Array(start + body.length + data.length);
    out.set(input.subarray(0, 8));
    const odv = new DataView(out.buffer);
    if (lenBytes === 2) odv.setUint16(8, Math.min(body.length, 0xffff), true);
    else odv.setUint32(8, body.length, true);
    out.set(body, start);
    out.set(data, start + body.length);
    return out;
  },
};

/** JSON configs: replace one value of the parsed document with another type or a hostile value, or add a key. */
export const jsonValue: Mutator = {
  name: "JSON value",
  mutate(input, rng) {
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.from(input).toString("utf8"));
    } catch {
      return input;
    }
    const values: unknown[] = [null, true, 0, -1, 1.5, 1e308, 2 ** 53, "", "int4", "per_token", "SYMMETRIC", "__proto__", "constructor", "toString", [], {}, { type: "PerGroup", group_size: 0 }, [1, 2], "x".repeat(300)];
    const objects: Record<string, unknown>[] = [];
    const walk = (v: unknown) => {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        objects.push(v as Record<string, unknown>);
        Object.values(v).forEach(walk);
      }
    };
    walk(doc);
    if (objects.length === 0) return input;
    const target = rng.pick(objects);
    const keys = Object.keys(target);
    const key = rng.int(4) === 0 || keys.length === 0 ? rng.pick(["__proto__", "constructor", "toString", "dtype", "group_size", "weight", "activation", "_type", "_data", "grup_size", "x"]) : rng.pick(keys);
    Object.defineProperty(target, key, { value: rng.pick(values), enumerable: true, configurable: true, writable: true });
    return enc.encode(JSON.stringify(doc));
  },
};

/**
 * safetensors: mutate the JSON header's text (an entry's dtype, shape or offsets, a number, a hostile token) and
 * write its length again, so the mutation reaches the header's meaning rather than stopping at the length check.
 */
export const safetensorsHeader: Mutator = {
  name: "safetensors header",
  mutate(input, rng) {
    if (input.length < 8) return input;
    const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const declared = Number(dv.getBigUint64(0, true));
    if (declared > input.length - 8) return input;
    const header = latin1(input.subarray(8, 8 + declared));
    const data = input.subarray(8 + declared);
    let h = header;
    const choice = rng.int(4);
    if (choice === 0) {
      const dtypes = ['"F32"', '"BF16"', '"F16"', '"F64"', '"I32"', '"BOOL"', '"F8_E4M3"', '"f32"', '""', "32", "null", '"__proto__"'];
      h = h.replace(/"dtype":\s*"[^"]*"/, `"dtype":${rng.pick(dtypes)}`);
    } else if (choice === 1) {
      const shapes = ["[]", "[0]", "[4,64]", "[64,4]", "[1,1]", "[2,2,2,32]", "[-1,64]", "[9007199254740991,0]", "[4.5,64]", '["4",64]', "null", "[4,64,1]"];
      h = h.replace(/"shape":\s*\[[^\]]*\]/, `"shape":${rng.pick(shapes)}`);
    } else if (choice === 2) {
      const offsets = ["[0,0]", "[0,1]", "[1,0]", "[0,512]", "[0,18446744073709551616]", "[-8,0]", "[0]", "[0,1,2]", "null", '["0","512"]'];
      h = h.replace(/"data_offsets":\s*\[[^\]]*\]/, `"data_offsets":${rng.pick(offsets)}`);
    } else {
      h = latin1(rng.pick([replaceNumber, insertToken, duplicateRange, deleteRange]).mutate(fromLatin1(header), rng));
    }
    const body = fromLatin1(h);
    const out = new Uint8Array(8 + body.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
    out.set(body, 8);
    out.set(data, 8 + body.length);
    return out;
  },
};

/** ZIP (.npz): one numeric field of a local header, central directory entry or end record set to a hostile value. */
export const zipField: Mutator = {
  name: "zip field",
  mutate(input, rng) {
    // Field offsets and widths per record signature: flags, method, crc, sizes, name/extra lengths, offsets, counts.
    const records: Array<{ sig: number; fields: Array<[number, 2 | 4]> }> = [
      { sig: 0x04034b50, fields: [[6, 2], [8, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]] },
      { sig: 0x02014b50, fields: [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [42, 4]] },
      { sig: 0x06054b50, fields: [[8, 2], [10, 2], [12, 4], [16, 4], [20, 2]] },
      { sig: 0x06064b50, fields: [[24, 4], [32, 4], [40, 4], [48, 4]] },
    ];
    const dv = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const found: Array<{ at: number; fields: Array<[number, 2 | 4]> }> = [];
    for (let i = 0; i + 4 <= input.length; i++) {
      const r = records.find((x) => x.sig === dv.getUint32(i, true));
      if (r) found.push({ at: i, fields: r.fields });
    }
    if (found.length === 0) return input;
    const rec = rng.pick(found);
    const [off, width] = rng.pick(rec.fields);
    if (rec.at + off + width > input.length) return input;
    const out = Uint8Array.from(input);
    const odv = new DataView(out.buffer);
    const old = width === 2 ? odv.getUint16(rec.at + off, true) : odv.getUint32(rec.at + off, true);
    const max = width === 2 ? 0xffff : 0xffffffff;
    const value = rng.pick([0, 1, max, max - 1, old + 1, Math.max(0, old - 1), old * 2, rng.int(max + 1)]) % (max + 1);
    if (width === 2) odv.setUint16(rec.at + off, value, true);
    else odv.setUint32(rec.at + off, value, true);
    return out;
  },
};

export const BYTE_MUTATORS: readonly Mutator[] = [flipByte, randomByte, truncate, deleteRange, duplicateRange, insertToken, replaceNumber];

/** One to three mutations in a row. */
export function mutateSome(input: Uint8Array, mutators: readonly Mutator[], rng: Rng): { bytes: Uint8Array; applied: string[] } {
  let bytes = input;
  const applied: string[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const m = rng.pick(mutators);
    bytes = m.mutate(bytes, rng);
    applied.push(m.name);
  }
  return { bytes, applied };
}
