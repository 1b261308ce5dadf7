import { describe, expect, it } from "vitest";
import { displayWidth, padToWidth } from "../../src/diagnostics/display-width.js";

describe("displayWidth: terminal columns of a text", () => {
  it("counts ASCII one column a character", () => {
    expect(displayWidth("model.layers.0.weight")).toBe(21);
    expect(displayWidth("")).toBe(0);
  });
  it("counts CJK, Hangul, fullwidth forms and emoji two columns", () => {
    expect(displayWidth("漢字")).toBe(4);
    expect(displayWidth("한국")).toBe(4);
    expect(displayWidth("ｗ")).toBe(2);
    expect(displayWidth("😀")).toBe(2);
    expect(displayWidth("\u{20000}")).toBe(2);
  });
  it("counts combining marks, joiners and variation selectors as no column", () => {
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("e\u0301\u0301.w")).toBe(3);
    expect(displayWidth("a\u200db")).toBe(2);
    expect(displayWidth("\u2764\ufe0f")).toBe(1);
  });
  it("counts other non-ASCII one column a character (Latin, Greek, astral math letters)", () => {
    expect(displayWidth("é×σ")).toBe(3);
    expect(displayWidth("\u{1D430}")).toBe(1);
  });
  it("pads to a width in columns, on either side", () => {
    expect(padToWidth("漢", 4)).toBe("漢  ");
    expect(padToWidth("漢", 4, true)).toBe("  漢");
    expect(padToWidth("abcdef", 4)).toBe("abcdef");
  });
});
