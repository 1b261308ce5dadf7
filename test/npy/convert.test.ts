import { describe, expect, it } from "vitest";
import { swapInPlace } from "../../src/npy/convert.js";

describe("swapInPlace", () => {
  it("reverses the bytes of each 2-, 4- or 8-byte item and leaves 1-byte items as they are", () => {
    const bytes = () => Uint8Array.from({ length: 16 }, (_, i) => i);
    const swapped = (itemSize: number) => { const b = bytes(); swapInPlace(b, itemSize); return Array.from(b); };
    expect(swapped(1)).toEqual(Array.from(bytes()));
    expect(swapped(2).slice(0, 4)).toEqual([1, 0, 3, 2]);
    expect(swapped(4).slice(0, 8)).toEqual([3, 2, 1, 0, 7, 6, 5, 4]);
    expect(swapped(8).slice(0, 8)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
  });
  it("swaps only the view it is given, at its offset", () => {
    const buf = Uint8Array.from({ length: 8 }, (_, i) => i);
    swapInPlace(buf.subarray(2, 6), 2);
    expect(Array.from(buf)).toEqual([0, 1, 3, 2, 5, 4, 6, 7]);
    swapInPlace(buf.subarray(8), 4); // empty: nothing to do
  });
  it("refuses an item size no numeric dtype has", () => {
    expect(() => swapInPlace(new Uint8Array(24), 3)).toThrow(new RangeError("cannot swap 3-byte items"));
    expect(() => swapInPlace(new Uint8Array(16), 16)).toThrow(new RangeError("cannot swap 16-byte items"));
  });
});
