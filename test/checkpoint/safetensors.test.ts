import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FqcError, exitCodeFor } from "../../src/errors.js";
import { openSafetensors } from "../../src/checkpoint/safetensors.js";
import { MAX_SAFETENSORS_HEADER } from "../../src/checkpoint/safetensors-header.js";
import { collect, headerText, patternBytes, rawSafetensors, safetensorsBytes, tempDir, type TensorSpec } from "./helpers.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const TENSORS: TensorSpec[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [8, 4] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F32", shape: [3, 4] },
  { name: "model.layers.0.input_layernorm.weight", dtype: "F16", shape: [4] },
  { name: "step", dtype: "I64", shape: [] },
];

function writeFile(name: string, bytes: Uint8Array): string {
  const p = tmp.file(name);
  fs.writeFileSync(p, bytes);
  return p;
}

/** The CHECKPOINT error opening these bytes gives; fails the test if it opens. */
function refusal(bytes: Uint8Array, name = "bad.safetensors"): FqcError {
  const p = writeFile(name, bytes);
  try {
    openSafetensors(p).close();
  } catch (err) {
    expect(err).toBeInstanceOf(FqcError);
    const e = err as FqcError;
    expect(e.message.startsWith(`${p}: `)).toBe(true);
    expect(e.message).not.toContain("\n");
    expect(e.hint).toBeTruthy();
    expect(exitCodeFor(e.code)).toBe(2);
    return e;
  }
  throw new Error("the file was accepted");
}

function hostile(header: string, dataLength: number, opts: { pad?: boolean } = {}): Uint8Array {
  return rawSafetensors(header, patternBytes(dataLength), opts);
}

describe("openSafetensors: valid files", () => {
  it("lists every tensor with dtype, shape, byte length and absolute data offset", () => {
    const bytes = safetensorsBytes(TENSORS, { format: "pt" });
    const p = writeFile("m.safetensors", bytes);
    const ck = openSafetensors(p);
    try {
      expect(ck.format).toBe("safetensors");
      expect(ck.path).toBe(p);
      expect(ck.metadata).toEqual({ format: "pt" });
      expect(ck.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength, t.index])).toEqual([
        ["model.embed_tokens.weight", "BF16", [8, 4], 64, 0],
        ["model.layers.0.mlp.up_proj.weight", "F32", [3, 4], 48, 1],
        ["model.layers.0.input_layernorm.weight", "F16", [4], 8, 2],
        ["step", "I64", [], 8, 3],
      ]);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(ck.tensors[0].dataOffset).toBe(8 + n);
      expect(ck.tensors[1].dataOffset).toBe(8 + n + 64);
      for (const t of ck.tensors) {
        expect(t.file).toBe(p);
        expect(t.byteOrder).toBe("little");
        expect(t.fortranOrder).toBe(false);
        expect(Buffer.from(collect(ck.stream(t, 1 << 20)))).toEqual(Buffer.from(bytes.subarray(t.dataOffset!, t.dataOffset! + t.byteLength)));
      }
    } finally {
      ck.close();
    }
  });

  it("orders tensors by data offset, not by header order", () => {
    // Written out, not JSON.stringify'd: an object would move the integer-like key "10" first, into offset order already.
    const header = `{"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]},"10":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"a":{"dtype":"U8","shape":[1],"data_offsets":[5,6]}}`;
    const ck = openSafetensors(writeFile("o.safetensors", hostile(header, 6)));
    expect(ck.tensors.map((t) => t.name)).toEqual(["10", "b", "a"]);
    ck.close();
  });

  it("orders an empty tensor before a tensor that begins at the same offset, wherever the header lists it", () => {
    const header = `{"z":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"e":{"dtype":"F32","shape":[0],"data_offsets":[2,2]}}`;
    const ck = openSafetensors(writeFile("tie.safetensors", hostile(header, 4)));
    expect(ck.tensors.map((t) => [t.name, t.dataOffset! - ck.tensors[0].dataOffset!])).toEqual([["w", 0], ["e", 2], ["z", 2]]);
    ck.close();
  });

  it("reads every digit of a dimension of an empty tensor (its byte size, 0, cannot tell [0, 12] from [0, 1, 2])", () => {
    const ck = openSafetensors(writeFile("z.safetensors", hostile(`{"e":{"dtype":"F32","shape":[0,12],"data_offsets":[0,0]},"s":{"dtype":"U8","shape":[10],"data_offsets":[0,10]}}`, 10)));
    expect(ck.tensors.map((t) => [t.name, t.shape])).toEqual([["e", [0, 12]], ["s", [10]]]);
    ck.close();
  });

  it("streams a tensor in pieces of at most maxBytes through one reused buffer", () => {
    const big: TensorSpec[] = [{ name: "w", dtype: "F32", shape: [100, 10] }];
    const bytes = safetensorsBytes(big);
    const ck = openSafetensors(writeFile("s.safetensors", bytes));
    const t = ck.tensors[0];
    const sizes: number[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const got: number[] = [];
    for (const piece of ck.stream(t, 1000)) {
      sizes.push(piece.length);
      buffers.add(piece.buffer);
      got.push(...piece);
    }
    expect(sizes).toEqual([1000, 1000, 1000, 1000]);
    expect(buffers.size).toBe(1);
    expect(Uint8Array.from(got)).toEqual(bytes.subarray(t.dataOffset!));
    ck.close();
  });

  it("accepts empty tensors (a zero dimension), scalars, no metadata, null metadata and trailing-space padding", () => {
    const header = `{"__metadata__":null,"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]},"s":{"dtype":"BF16","shape":[],"data_offsets":[0,2]}}     `;
    const ck = openSafetensors(writeFile("e.safetensors", hostile(header, 2, { pad: false })));
    expect(ck.metadata).toBeNull();
    expect(ck.tensors.map((t) => [t.name, t.byteLength])).toEqual([["e", 0], ["s", 2]]);
    expect(collect(ck.stream(ck.tensors[0], 16))).toEqual(new Uint8Array(0));
    ck.close();
  });

  it("accepts a file with no tensors at all", () => {
    const ck = openSafetensors(writeFile("none.safetensors", rawSafetensors("{}", new Uint8Array(0))));
    expect(ck.tensors).toEqual([]);
    ck.close();
  });

  it("accepts sub-byte dtypes that fill whole bytes (F4 pairs)", () => {
    const ck = openSafetensors(writeFile("f4.safetensors", hostile(`{"x":{"dtype":"F4","shape":[3,2],"data_offsets":[0,3]}}`, 3)));
    expect(ck.tensors[0].byteLength).toBe(3);
    ck.close();
  });

  it("reports a file truncated after it was opened, naming the tensor", () => {
    const p = writeFile("t.safetensors", safetensorsBytes(TENSORS));
    const ck = openSafetensors(p);
    fs.truncateSync(p, ck.tensors[1].dataOffset! + 10);
    expect(() => collect(ck.stream(ck.tensors[1], 1 << 20))).toThrow(/t\.safetensors: tensor "model\.layers\.0\.mlp\.up_proj\.weight": the file ended at byte \d+, inside the tensor/);
    ck.close();
  });

  it("refuses to stream a tensor of another checkpoint", () => {
    const a = openSafetensors(writeFile("a.safetensors", safetensorsBytes(TENSORS)));
    const b = openSafetensors(writeFile("b.safetensors", safetensorsBytes(TENSORS)));
    try {
      expect(() => a.stream(b.tensors[0], 8)).toThrow(/stream\(\) was given a tensor of another checkpoint \(model\.embed_tokens\.weight\)/);
    } finally {
      a.close();
      b.close();
    }
  });

  it("closes the file it opened when the header is refused", () => {
    const p = writeFile("bad.safetensors", hostile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,2]}}`, 2));
    const before = fs.readdirSync("/proc/self/fd").length;
    for (let i = 0; i < 5; i++) expect(() => openSafetensors(p)).toThrow(/needs 1 bytes/);
    expect(fs.readdirSync("/proc/self/fd").length).toBe(before);
  });

  it("refuses to stream after close, and close twice is harmless", () => {
    const ck = openSafetensors(writeFile("c.safetensors", safetensorsBytes(TENSORS)));
    ck.close();
    ck.close();
    expect(() => ck.stream(ck.tensors[0], 8)).toThrow(/closed/);
  });
});

describe("openSafetensors: refusals (exit 2, one line naming the file, and the tensor where there is one)", () => {
  it("refuses a file shorter than the 8-byte length field", () => {
    expect(refusal(Uint8Array.of(1, 2, 3)).message).toMatch(/too short for the 8-byte header length/);
  });

  it("refuses a header length above the 100 MB cap", () => {
    const bytes = rawSafetensors("{}", new Uint8Array(0), { declaredLength: BigInt(MAX_SAFETENSORS_HEADER) + 1n });
    expect(refusal(bytes).message).toMatch(/larger than the 100000000-byte limit/);
  });

  it("refuses an absurd header length (2^64 - 1)", () => {
    const bytes = rawSafetensors("{}", new Uint8Array(0), { declaredLength: (1n << 64n) - 1n });
    expect(refusal(bytes).message).toMatch(/header length 18446744073709551615 is larger than/);
  });

  it("refuses a header length that runs past the end of the file", () => {
    const bytes = rawSafetensors("{}", new Uint8Array(0), { declaredLength: 1000n });
    expect(refusal(bytes).message).toMatch(/header length 1000 runs past the end of the file \(8 bytes follow/);
  });

  it("refuses a header length one byte past the end of the file", () => {
    const bytes = rawSafetensors("{}", new Uint8Array(0), { declaredLength: 9n });
    expect(refusal(bytes).message).toMatch(/header length 9 runs past the end of the file \(8 bytes follow/);
  });

  it("takes a header length of exactly the cap as within it (the reference refuses only above it)", () => {
    const bytes = rawSafetensors("{}", new Uint8Array(0), { declaredLength: BigInt(MAX_SAFETENSORS_HEADER) });
    expect(refusal(bytes).message).toMatch(/header length 100000000 runs past the end of the file/);
  });

  it("refuses a header that does not begin with '{'", () => {
    expect(refusal(hostile(` {}`, 0, { pad: false })).message).toMatch(/header begins with byte 0x20, not '\{'/);
    expect(refusal(rawSafetensors("", new Uint8Array(0))).message).toMatch(/header is empty/);
    expect(refusal(hostile(`\u0005{}`, 0, { pad: false })).message).toMatch(/header begins with byte 0x05, not '\{'/);
  });

  it("refuses a header that is not UTF-8", () => {
    const bytes = rawSafetensors(`{"a\u00e9":1}`, new Uint8Array(0), { pad: false });
    bytes[11] = 0xff;
    expect(refusal(bytes).message).toMatch(/not valid UTF-8/);
  });

  it("refuses a header that is not JSON", () => {
    expect(refusal(hostile(`{"a": {"dtype": "F32",}}`, 0)).message).toMatch(/not valid JSON: expected a string key, found '\}' \(at character 22/);
    expect(refusal(hostile(`{"a":1} x`, 0, { pad: false })).message).toMatch(/not valid JSON: unexpected 'x' after the JSON value/);
    // Empty array items in an entry's usual form (which is read straight from the text) are JSON errors too.
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[,],"data_offsets":[,]}}`, 0)).message).toMatch(/not valid JSON: expected a value, found ','/);
  });

  it("refuses a truncated JSON object", () => {
    expect(refusal(hostile(`{`, 0)).message).toMatch(/not valid JSON: expected a string key, found end of input/);
  });

  it("refuses a tensor entry that is not an object", () => {
    expect(refusal(hostile(`{"t": [1, 2]}`, 0)).message).toMatch(/tensor "t": its entry is an array, not an object/);
  });

  it("refuses a duplicate tensor name (JSON.parse would keep the last)", () => {
    const header = `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`;
    expect(refusal(hostile(header, 2)).message).toMatch(/duplicate key "w"/);
  });

  it("refuses a duplicate field inside a tensor entry", () => {
    const header = `{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
    expect(refusal(hostile(header, 1)).message).toMatch(/duplicate key "dtype"/);
  });

  it("refuses a __metadata__ value that is not a string", () => {
    const header = `{"__metadata__":{"format":"pt","epoch":3},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`;
    expect(refusal(hostile(header, 1)).message).toMatch(/__metadata__ "epoch" is the number 3: every metadata value must be a string/);
  });

  it("refuses a __metadata__ that is not an object", () => {
    expect(refusal(hostile(`{"__metadata__":"pt"}`, 0)).message).toMatch(/__metadata__ is a string "pt", not an object of strings/);
  });

  it("refuses an unknown field in a tensor entry", () => {
    const header = `{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"offset":0}}`;
    expect(refusal(hostile(header, 1)).message).toMatch(/tensor "w": unexpected field "offset"/);
  });

  it("refuses a tensor entry with a field missing", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1]}}`, 0)).message).toMatch(/tensor "w": the field "data_offsets" is missing/);
  });

  it("refuses an unknown dtype, and names the accepted ones in the hint", () => {
    const e = refusal(hostile(`{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, 16));
    expect(e.message).toMatch(/tensor "w": unknown dtype "F128"/);
    expect(e.hint).toContain("BOOL, U8, I8, U16");
    expect(refusal(hostile(`{"w":{"dtype":7,"shape":[1],"data_offsets":[0,1]}}`, 1)).message).toMatch(/dtype is the number 7/);
  });

  it("refuses a shape or data_offsets that is not an array", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":4,"data_offsets":[0,4]}}`, 4)).message).toMatch(/tensor "w": shape is the number 4, not an array of dimensions/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[4],"data_offsets":"0,4"}}`, 4)).message).toMatch(/tensor "w": data_offsets is a string "0,4", not \[begin, end\]/);
  });

  it("reports the first bad tensor in the header when several are bad", () => {
    const header = `{"a":{"dtype":"X1","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"X2","shape":[1],"data_offsets":[1,2]}}`;
    expect(refusal(hostile(header, 2)).message).toMatch(/tensor "a": unknown dtype "X1"/);
  });

  it("refuses a negative dimension", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}`, 0)).message).toMatch(/tensor "w": dimension 0 of the shape is negative \(-1\)/);
  });

  it("refuses a non-integer dimension, including 1e3 and 2.0", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}`, 1)).message).toMatch(/dimension 0 of the shape is 1.5, not an integer/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1e3],"data_offsets":[0,1000]}}`, 1000)).message).toMatch(/1e3, not an integer/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[2.0],"data_offsets":[0,2]}}`, 2)).message).toMatch(/2.0, not an integer/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":["2"],"data_offsets":[0,2]}}`, 2)).message).toMatch(/a string "2", not an integer/);
  });

  it("refuses a huge dimension (past 2^53 - 1), and a shape whose byte size overflows", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,1]}}`, 1)).message).toMatch(/larger than 2\^53 - 1/);
    expect(refusal(hostile(`{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,1]}}`, 1)).message).toMatch(/tensor "w": shape × F64 size is \d+ bytes, more than 2\^53 - 1/);
  });

  it("refuses a sub-byte tensor that ends inside a byte", () => {
    expect(refusal(hostile(`{"x":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`, 2)).message).toMatch(/tensor "x": 3 elements of F4 \(4 bits each\) do not fill whole bytes/);
  });

  it("refuses data_offsets that are not two non-negative integers", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}`, 1)).message).toMatch(/data_offsets is an array of 1 items, not \[begin, end\]/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}`, 1)).message).toMatch(/data_offsets begin is negative/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}`, 1)).message).toMatch(/data_offsets \[1, 0\] end before they begin/);
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}}`, 1)).message).toMatch(/data_offsets end is 1.0, not an integer/);
  });

  it("refuses data_offsets out of bounds (past the data buffer)", () => {
    expect(refusal(hostile(`{"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}`, 4)).message).toMatch(/tensor "w": data_offsets \[0, 8\] run past the end of the data buffer \(4 bytes\)/);
  });

  it("refuses overlapping tensors", () => {
    const header = `{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}`;
    expect(refusal(hostile(header, 6)).message).toMatch(/tensor "b": data_offsets \[2, 6\] overlap tensor "a" \[0, 4\]/);
  });

  it("refuses two tensors at the same offsets (aliases)", () => {
    const header = `{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`;
    expect(refusal(hostile(header, 4)).message).toMatch(/tensor "b": data_offsets \[0, 4\] overlap tensor "a"/);
  });

  it("refuses a gap between tensors", () => {
    const header = `{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}`;
    expect(refusal(hostile(header, 5)).message).toMatch(/tensor "b": data_offsets \[3, 5\] leave 1 bytes unused after tensor "a"/);
  });

  it("refuses a data buffer that does not start at offset 0", () => {
    expect(refusal(hostile(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3)).message).toMatch(/leave 1 bytes unused at the start of the data buffer/);
  });

  it("refuses trailing bytes not covered by any tensor", () => {
    expect(refusal(hostile(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 5)).message).toMatch(/3 bytes of the data buffer are not covered by any tensor after tensor "a"/);
    expect(refusal(hostile(`{}`, 5)).message).toMatch(/5 bytes of the data buffer are not covered by any tensor and no tensor covers them/);
    // An empty tensor at the end holds no bytes: the uncovered ones follow the last tensor that does.
    const empty = `{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]},"e":{"dtype":"U8","shape":[0],"data_offsets":[6,6]}}`;
    expect(refusal(hostile(empty, 8)).message).toMatch(/2 bytes of the data buffer are not covered by any tensor after tensor "b"/);
  });

  it("refuses a shape whose byte size differs from data_offsets", () => {
    expect(refusal(hostile(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`, 12)).message).toMatch(/tensor "w": shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[0, 12\] hold 12/);
    const after = `{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[4,16]}}`;
    expect(refusal(hostile(after, 16)).message).toMatch(/tensor "w": shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[4, 16\] hold 12/);
  });

  it("names a tensor with control characters on one line (JSON-escaped)", () => {
    const e = refusal(hostile(`{"bad\\nname":{"dtype":"U8","shape":[1],"data_offsets":[0,2]}}`, 2));
    expect(e.message).toContain(`tensor "bad\\nname"`);
  });

  it("refuses nesting deeper than 128 levels without overflowing the stack", () => {
    const deep = `{"__metadata__":${"[".repeat(100000)}${"]".repeat(100000)}}`;
    expect(refusal(hostile(deep, 0)).message).toMatch(/nested deeper than 128 levels/);
  });

  it("refuses lone surrogate escapes (serde_json does)", () => {
    expect(refusal(hostile(`{"\\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1)).message).toMatch(/lone high surrogate/);
  });

  it("refuses a FIFO at once instead of waiting for a writer", () => {
    const fifo = tmp.file("pipe.safetensors");
    execFileSync("mkfifo", [fifo]);
    expect(() => openSafetensors(fifo)).toThrow(/is not a regular file/);
  });

  it("refuses a directory, and a missing file, as I/O errors naming the path", () => {
    expect(() => openSafetensors(tmp.dir)).toThrow(/is a directory/);
    expect(() => openSafetensors(tmp.file("missing.safetensors"))).toThrow(/no such file or directory/);
  });

  it("builds the same header text as the helper promises (sanity for the other tests)", () => {
    expect(headerText([{ name: "a", dtype: "U8", shape: [2] }], { k: "v" })).toBe(`{"__metadata__":{"k":"v"},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`);
  });
});

describe("openSafetensors: members whose JSON tree would not be bounded by the header's size", () => {
  it("refuses a tensor whose shape has 10 million dimensions, naming it (no regex stack overflow)", () => {
    const header = `{"a":{"dtype":"F32","shape":[${"1,".repeat(10_000_000)}1],"data_offsets":[0,4]}}`;
    expect(refusal(hostile(header, 4)).message).toMatch(/tensor "a" holds more than 100,000 JSON values \(at character \d+ of the header\); refusing to read it/);
  });

  it("refuses a __metadata__ of 150,000 entries", () => {
    const meta = Array.from({ length: 150_000 }, (_, i) => `"${i.toString(36)}":""`).join(",");
    const header = `{"__metadata__":{${meta}},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
    expect(refusal(hostile(header, 4)).message).toMatch(/__metadata__ holds more than 100,000 JSON values/);
  });

  it("still reads a shape of 100 dimensions (past the fast path's 64) and metadata of 1,000 entries", () => {
    const meta = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, "v"]));
    const header = JSON.stringify({ __metadata__: meta, a: { dtype: "F32", shape: Array(100).fill(1), data_offsets: [0, 4] } });
    const p = writeFile("wide.safetensors", hostile(header, 4));
    const ck = openSafetensors(p);
    try {
      expect(ck.tensors[0].shape).toEqual(Array(100).fill(1));
      expect(Object.keys(ck.metadata ?? {}).length).toBe(1_000);
    } finally {
      ck.close();
    }
  });
});
