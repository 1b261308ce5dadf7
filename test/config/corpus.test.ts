import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseJson } from "@humanwhocodes/momoa";
import { validate } from "../../src/config/validate.js";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import invalid from "../fixtures/conformance/invalid.json" with { type: "json" };
import normalizeCases from "../fixtures/conformance/normalize.json" with { type: "json" };
import manifest from "../fixtures/conformance/manifest.json" with { type: "json" };
import forwardErrors from "../fixtures/conformance/forward_errors.json" with { type: "json" };

interface InvalidCase { id: string; config: Record<string, unknown>; message: string; head_message?: string }
interface NormalizeCase { id: string; config: Record<string, unknown>; normalized: Record<string, unknown> }
interface ForwardCase { id: string; config: Record<string, unknown>; message: string; error: string; mode: string }

const INVALID = invalid as InvalidCase[];

/**
 * Each entry's `config` exactly as written in the corpus file: JSON.parse would
 * turn `32.0` into `32`, but torchao's message depends on the literal.
 */
function configTexts(file: string): Map<string, string> {
  const text = readFileSync(new URL(`../fixtures/conformance/${file}`, import.meta.url), "utf8");
  const root = parseJson(text).body;
  const out = new Map<string, string>();
  if (root.type !== "Array") throw new Error(`${file}: expected an array`);
  for (const el of root.elements) {
    if (el.value.type !== "Object") continue;
    const member = (name: string) => el.value.type === "Object" ? el.value.members.find((m) => m.name.type === "String" && m.name.value === name) : undefined;
    const id = member("id")?.value;
    const cfg = member("config")?.value;
    if (id?.type === "String" && cfg) out.set(id.value, text.slice(cfg.loc.start.offset, cfg.loc.end.offset));
  }
  return out;
}
const INVALID_TEXT = configTexts("invalid.json");
const NORMALIZE = normalizeCases as NormalizeCase[];
const MANIFEST = (manifest as { cases: Array<{ id: string; config: Record<string, unknown> }> }).cases;
const FORWARD = forwardErrors as ForwardCase[];

describe("invalid.json: torchao's constructor errors", () => {
  it.each(INVALID.map((c) => [c.id, c] as const))("%s: validate reports torchao's exact message first", (_id, c) => {
    const text = INVALID_TEXT.get(c.id)!;
    expect(JSON.parse(text)).toEqual(c.config);
    const { diagnostics, document } = validate(text, { filename: "cfg.json" });
    expect(diagnostics[0]?.message).toBe(c.message);
    expect(diagnostics[0]?.severity).toBe("error");
    expect(diagnostics[0]?.ruleId).toMatch(/^torchao\//);
    expect(document).toBeUndefined();
  });

  it.each(INVALID.map((c) => [c.id, c] as const))("%s: normalize throws FqcError CONFIG with torchao's message", (_id, c) => {
    let thrown: unknown;
    try {
      normalize(INVALID_TEXT.get(c.id)!);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FqcError);
    expect((thrown as FqcError).code).toBe("CONFIG");
    expect((thrown as FqcError).message).toBe(c.message);
  });

  it.each(INVALID.map((c) => [c.id, c] as const))("%s: with --torchao 0.18, validate reports torchao HEAD's message first", (_id, c) => {
    const { diagnostics } = validate(INVALID_TEXT.get(c.id)!, { filename: "cfg.json", torchao: "0.18" });
    expect(diagnostics[0]?.message).toBe(c.head_message ?? c.message);
    expect(diagnostics[0]?.ruleId).toMatch(/^torchao\//);
  });

  it("the same message comes first when the config is given as a parsed value or as YAML (integral literals only)", () => {
    for (const c of INVALID) {
      if (/\d\.\d|\de/i.test(INVALID_TEXT.get(c.id)!)) continue; // a parsed value cannot tell 32.0 from 32
      expect(validate(c.config).diagnostics[0].message).toBe(c.message);
      expect(() => normalize(c.config)).toThrow(c.message);
      const yaml = Object.entries(c.config).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n");
      expect(validate(yaml, { filename: "cfg.yaml" }).diagnostics[0].message).toBe(c.message);
    }
  });
});

describe("normalize.json: shorthand → torchao's stored config", () => {
  it.each(NORMALIZE.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const n = normalize(c.config);
    // Key order is part of the canonical form.
    expect(JSON.stringify(n)).toBe(JSON.stringify(c.normalized));
    expect(normalize(n)).toEqual(n);
    expect(normalizeDocument(c.config)).toEqual({ kind: "single", config: c.normalized });
  });
});

describe("manifest.json: every config that runs in torchao", () => {
  it("validates without errors (warnings allowed) and normalizes", () => {
    expect(MANIFEST.length).toBeGreaterThan(600);
    for (const c of MANIFEST) {
      const r = validate(JSON.stringify(c.config));
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      expect(errors, c.id).toEqual([]);
      expect(r.document, c.id).toEqual({ kind: "single", config: normalize(c.config) });
    }
  });
});

/** Failures that depend only on the config, not on the tensor's shape or dtype or on the call sequence. */
function tensorIndependent(c: ForwardCase): boolean {
  if (c.message === "Symmetric per token is not supported yet") return true;
  if (c.message === "zero_point should be None when zero_point_domain is NONE") return true;
  if (c.message === "Only Tensors of floating point and complex dtype can require gradients") return true;
  const gs = c.config.group_size;
  return c.error === "AssertionError" && c.message === "" && typeof gs === "number" && gs <= 1;
}

describe("forward_errors.json", () => {
  it("flags every config whose forward failure does not depend on the tensor as an error", () => {
    const flagged = FORWARD.filter(tensorIndependent);
    expect(flagged.length).toBeGreaterThan(40);
    for (const c of flagged) {
      const errors = validate(c.config).diagnostics.filter((d) => d.severity === "error");
      expect(errors.length, c.id).toBeGreaterThan(0);
      if (c.message !== "") expect(errors.map((d) => d.message), c.id).toContain(c.message);
      else expect(errors.map((d) => d.ruleId), c.id).toContain("forward/group-size");
    }
  });

  it("does not flag configs whose failure depends on the tensor (shape, dtype) or on calling initialize first", () => {
    const others = FORWARD.filter((c) => !tensorIndependent(c));
    expect(others.length).toBeGreaterThan(20);
    for (const c of others) {
      const errors = validate(c.config).diagnostics.filter((d) => d.severity === "error");
      expect(errors, c.id).toEqual([]);
    }
  });

  it("still normalizes them: torchao constructs every one", () => {
    for (const c of FORWARD) expect(() => normalize(c.config), c.id).not.toThrow();
  });
});
