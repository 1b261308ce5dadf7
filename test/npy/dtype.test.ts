import { describe, expect, it } from "vitest";
import { canonicalDescr, parseDescr } from "../../src/npy/dtype.js";

describe("parseDescr", () => {
  it.each([
    ["<f2", "float16", "little", 2], [">f2", "float16", "big", 2], ["<f4", "float32", "little", 4], [">f8", "float64", "big", 8],
    ["|i1", "int8", "little", 1], ["<i2", "int16", "little", 2], ["<i4", "int32", "little", 4], [">i8", "int64", "big", 8],
    ["|u1", "uint8", "little", 1], ["<u2", "uint16", "little", 2], ["<u4", "uint32", "little", 4], ["<u8", "uint64", "little", 8],
    ["|b1", "bool", "little", 1], ["<i1", "int8", "little", 1], [">u1", "uint8", "little", 1], [">b1", "bool", "little", 1],
  ])("accepts %s as %s (%s, %d bytes)", (descr, dtype, byteOrder, itemSize) => {
    expect(parseDescr(descr)).toEqual({ ok: true, info: { dtype, byteOrder, itemSize } });
  });
  it("refuses object arrays as pickles with an allow_pickle=False hint", () => {
    const r = parseDescr("|O");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.what).toContain("pickle");
      expect(r.hint).toContain("allow_pickle=False");
      expect(r.hint).toContain("with a numeric dtype");
    }
  });
  it("gives each refusal the hint that fits it", () => {
    expect(parseDescr("<c8")).toMatchObject({ ok: false, hint: "Save a numeric array, e.g. np.save(path, a.astype(np.float32), allow_pickle=False)." });
    expect(parseDescr("<M8[ns]")).toMatchObject({ ok: false, hint: expect.stringContaining("Save a numeric array") });
    expect(parseDescr("<f3")).toMatchObject({ ok: false, hint: "Supported dtypes: float16/32/64, int8/16/32/64, uint8/16/32/64, bool." });
    expect(parseDescr("f4")).toMatchObject({ ok: false, hint: expect.stringContaining("must start with '<' (little-endian) or '>' (big-endian)") });
  });
  it.each([
    ["<f3", "dtype '<f3' is not supported"], ["<i3", "dtype '<i3' is not supported"], ["<i16", "dtype '<i16' is not supported"],
    ["<f16", "extended-precision float '<f16' is not supported"], ["<f12", "extended-precision float '<f12' is not supported"],
    ["<x4", "dtype '<x4' is not supported"], ["<f", "dtype '<f' is not supported"],
    ["M8[ns]", "dtype 'M8[ns]' has units or a subarray, which is not supported"], ["x<M8[ns]", "dtype 'x<M8[ns]' is not a numpy type string"],
    ["|a4", "byte-string dtype is not supported (descr '|a4')"],
  ])("says why it refuses %j", (descr, what) => {
    expect(parseDescr(descr)).toMatchObject({ ok: false, what });
  });
  it.each([
    ["<c8", "complex"], ["<c16", "complex"], ["|S10", "byte-string"], ["<U5", "unicode-string"], ["|V8", "void"],
    ["<M8[ns]", "units"], ["<M8", "datetime64"], ["<m8", "timedelta64"], ["<f16", "extended-precision"], ["<f3", "not supported"],
    ["<i3", "not supported"], ["<b2", "not supported"], ["float32", "not a numpy type string"], ["<f", "not supported"],
    ["", "not a numpy type string"], ["f4", "no explicit byte order"], ["|f4", "no explicit byte order"], ["=f4", "no explicit byte order"],
  ])("refuses %j (%s)", (descr, what) => {
    const r = parseDescr(descr);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.what).toContain(what);
  });
  it("spells descrs like numpy: '|' for one-byte types", () => {
    expect(canonicalDescr({ dtype: "int8", byteOrder: "little", itemSize: 1 })).toBe("|i1");
    expect(canonicalDescr({ dtype: "bool", byteOrder: "little", itemSize: 1 })).toBe("|b1");
    expect(canonicalDescr({ dtype: "float16", byteOrder: "big", itemSize: 2 })).toBe(">f2");
    expect(canonicalDescr({ dtype: "uint64", byteOrder: "little", itemSize: 8 })).toBe("<u8");
  });
});
