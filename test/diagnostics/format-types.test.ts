import { describe, expect, it } from "vitest";
import { messageWithHint, repoRelativePath, ruleAnchor, ruleHelpUri } from "../../src/diagnostics/format-types.js";

describe("repoRelativePath", () => {
  it("makes relative and absolute paths under cwd relative with forward slashes", () => {
    expect(repoRelativePath("configs/a.json", "/repo")).toBe("configs/a.json");
    expect(repoRelativePath("./configs/../b.yaml", "/repo")).toBe("b.yaml");
    expect(repoRelativePath("/repo/configs/a.json", "/repo/")).toBe("configs/a.json");
    expect(repoRelativePath("C:\\repo\\configs\\a.json", "C:\\repo")).toBe("configs/a.json");
  });

  it("resolves against cwd but makes the path relative to the root when one is given", () => {
    expect(repoRelativePath("a.fqc.json", "/repo/configs/qat", "/repo")).toBe("configs/qat/a.fqc.json");
    expect(repoRelativePath("../w.fqc.yaml", "/repo/configs", "/repo")).toBe("w.fqc.yaml");
    expect(repoRelativePath("/repo/x.json", "/repo/configs", "..")).toBe("x.json");
    expect(repoRelativePath("../../a.json", "/repo/configs", "/repo")).toBeNull();
  });

  it("has no relative form outside cwd, for cwd itself, or for stdin", () => {
    expect(repoRelativePath("../other/a.json", "/repo")).toBeNull();
    expect(repoRelativePath("/etc/a.json", "/repo")).toBeNull();
    expect(repoRelativePath("/repo", "/repo")).toBeNull();
    expect(repoRelativePath("<stdin>", "/repo")).toBeNull();
    // A sibling whose name starts with ".." is still inside.
    expect(repoRelativePath("..hidden/a.json", "/repo")).toBe("..hidden/a.json");
  });
});

describe("rule documentation links", () => {
  it("turns rule ids into anchors and absolute help URIs", () => {
    expect(ruleAnchor("torchao/group-size-conflict")).toBe("torchao-group-size-conflict");
    expect(ruleAnchor("fqc/Unknown_Key")).toBe("fqc-unknown-key");
    expect(ruleHelpUri("fqc/syntax", "https://example.org/fqc/")).toBe("https://example.org/fqc#fqc-syntax");
  });
});

describe("messageWithHint", () => {
  it("appends the hint on its own line, and leaves a message without hint alone", () => {
    expect(messageWithHint({ message: "Unknown key 'x'", hint: "did you mean 'y'?" })).toBe("Unknown key 'x'\nhint: did you mean 'y'?");
    expect(messageWithHint({ message: "m" })).toBe("m");
  });
});
