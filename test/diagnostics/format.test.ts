import { describe, expect, it } from "vitest";
import { FORMAT_NAMES, formatDiagnostics, formatGithub, formatJson, formatSarif, formatStylish } from "../../src/diagnostics/format.js";
import { fixtureInput } from "./fixture.js";

describe("formatDiagnostics", () => {
  it("dispatches to the formatter of each name", () => {
    const input = fixtureInput();
    expect(formatDiagnostics("stylish", input, { color: true })).toBe(formatStylish(input, { color: true }));
    expect(formatDiagnostics("stylish", input, { color: false })).toBe(formatStylish(input, { color: false }));
    expect(formatDiagnostics("json", input, { color: true })).toBe(formatJson(input));
    expect(formatDiagnostics("github", input, { color: true })).toBe(formatGithub(input));
    expect(formatDiagnostics("sarif", input, { color: true })).toBe(formatSarif(input));
  });

  it("returns newline-terminated text for every format, and ignores colour outside stylish", () => {
    for (const name of FORMAT_NAMES) {
      const out = formatDiagnostics(name, fixtureInput(), { color: true });
      expect(out.endsWith("\n")).toBe(true);
      if (name !== "stylish") expect(out).not.toContain("\x1b[");
    }
  });
});
