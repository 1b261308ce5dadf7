/** "Did you mean …?": the edit distance and the choice of the closest candidate. */
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../src/config/suggest.js";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("int4", "int4")).toBe(0);
    expect(editDistance("int4", "uint4")).toBe(1);
  });

  it("counts a swap of adjacent characters as one edit, but edits no substring twice (optimal string alignment)", () => {
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("dtpye", "dtype")).toBe(1);
    expect(editDistance("abcd", "badc")).toBe(2);
    expect(editDistance("ca", "abc")).toBe(3);
  });
});

describe("didYouMean", () => {
  const keys = ["dtype", "granularity", "mapping_type", "is_symmetric", "group_size"];

  it("finds a candidate equal after folding case, -, spaces and torch's prefix, whatever its distance", () => {
    expect(didYouMean("GROUP-SIZE", keys)).toBe("group_size");
    expect(didYouMean("mapping type", keys)).toBe("mapping_type");
    expect(didYouMean("torch.int8", ["int4", "int8"])).toBe("int8");
    expect(didYouMean("torch.int8", ["torch.int8"])).toBe("torch.int8");
    expect(didYouMean("a b\tc d e f g", ["a_b_c_d_e_f_g"])).toBe("a_b_c_d_e_f_g");
  });

  it("suggests within max(2, a third of the length) edits, and nothing further", () => {
    expect(didYouMean("symmetric", keys)).toBe("is_symmetric");
    expect(didYouMean("dtpye", keys)).toBe("dtype");
    expect(didYouMean("xx", ["abxx"])).toBe("abxx");
    expect(didYouMean("xx", ["abcxx"])).toBeUndefined();
    // 12 characters: 4 edits are near enough, 5 are not.
    expect(didYouMean("granularitys", ["grxnxlxrity"])).toBe("grxnxlxrity");
    expect(didYouMean("granularitys", ["grxnxlxrxty"])).toBeUndefined();
    expect(didYouMean("zzzz", keys)).toBeUndefined();
    // A third of 7 is 2 edits, not 3.
    expect(didYouMean("abcdefg", ["abcdxyg"])).toBe("abcdxyg");
    expect(didYouMean("abcdefg", ["abcdxyz"])).toBeUndefined();
  });

  it("takes the closest candidate, the first of equally close ones", () => {
    expect(didYouMean("int3", ["uint33", "int4", "int2"])).toBe("int4");
    expect(didYouMean("ab", ["ax", "xb"])).toBe("ax");
    expect(didYouMean("ab", ["xb", "ax"])).toBe("xb");
  });
});
