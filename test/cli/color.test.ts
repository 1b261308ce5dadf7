/** When the stylish output is coloured: --color/--no-color, then NO_COLOR and FORCE_COLOR (no-color.org, Node), then a TTY. */
import { describe, expect, it } from "vitest";
import { useColor } from "../../src/cli/io.js";

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("useColor", () => {
  it("colours a terminal and leaves a pipe or file plain when the environment says nothing", () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
  });

  it("takes --color or --no-color over NO_COLOR, FORCE_COLOR and the terminal", () => {
    expect(useColor(pipe, { NO_COLOR: "1" }, true)).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: "1" }, false)).toBe(false);
  });

  it("turns colour off for a NO_COLOR with any value, but not for an empty one (no-color.org)", () => {
    expect(useColor(tty, { NO_COLOR: "1" })).toBe(false);
    expect(useColor(tty, { NO_COLOR: "0" })).toBe(false);
    expect(useColor(tty, { NO_COLOR: "" })).toBe(true);
    expect(useColor(pipe, { NO_COLOR: "", FORCE_COLOR: "1" })).toBe(true);
  });

  it("forces colour on a pipe with FORCE_COLOR, an empty one aside, and NO_COLOR wins over it", () => {
    expect(useColor(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: "true" })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: "" })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: "" })).toBe(true);
    expect(useColor(pipe, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });

  it("turns colour off on a terminal for FORCE_COLOR=0 or false, as Node and chalk do (it coloured the terminal anyway)", () => {
    expect(useColor(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: "false" })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: "0" }, true)).toBe(true);
  });
});
