/**
 * The standard agrees with itself: on generated documents (valid, near-valid and hostile: wrong types,
 * unknown and unicode keys, edge numbers, `$schema` present/absent/wrong, pairs, recipes, torchao's
 * envelope, duplicate keys, YAML anchors and tags), written as JSON and YAML text,
 * - the linter and both published schema files (run with ajv as a user would) give the same verdict,
 *   except for what README lists as beyond the schema (src/config/beyond-schema.ts);
 * - every diagnostic sits at the line:col of its pointer's key or value, computed here from the text;
 * - normalize succeeds exactly when validate finds no construct-stage error, returns plain JSON data, is a fixed point, and its
 *   output validates with no diagnostic the input did not have, under the linter and both schemas.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import YAML from "yaml";
import { BEYOND_SCHEMA, SCHEMA_STRICTER, SCHEMA_TORCHAO } from "../../src/config/beyond-schema.js";
import { canonicalJson, normalizeDocument } from "../../src/config/normalize.js";
import { ruleInfo } from "../../src/config/rules.js";
import { validate } from "../../src/config/validate.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { configArb, configWithExtra, documentArb, saneConfig, withSchemaKey } from "../helpers/config-arbitraries.js";

const root = new URL("../../", import.meta.url);
const readSchema = (name: string) => JSON.parse(readFileSync(new URL(`schema/${name}`, root), "utf8")) as object;
// As README tells a user to run them: ajv with the editor annotation declared, nothing else.
const schema2020 = new Ajv2020({ keywords: ["enumDescriptions", "errorMessage"] }).compile(readSchema("fqc.schema.json"));
const schema07 = new Ajv({ keywords: ["enumDescriptions", "errorMessage"] }).compile(readSchema("fqc.draft-07.schema.json"));

const BEYOND_RULES = new Set(BEYOND_SCHEMA.flatMap((b) => (b.rules === "every rule" ? [] : b.rules)));
const errorsOf = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");
const isEnvelope = (v: unknown) => typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)._type === "string" && "_data" in v;

// ---------------------------------------------------------------- text with known positions

type Pos = [line: number, column: number];
interface Emitted { text: string; keyAt: Map<string, Pos>; valueAt: Map<string, Pos> }

const seg = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** JSON text (2-space indent; `-0` kept) and where each pointer's key and value start, 1-based. */
function emitJson(value: unknown): Emitted {
  let text = "";
  let line = 1;
  let col = 1;
  const keyAt = new Map<string, Pos>();
  const valueAt = new Map<string, Pos>();
  const put = (s: string) => {
    for (const ch of s) {
      if (ch === "\n") { line++; col = 1; } else col++;
    }
    text += s;
  };
  const scalar = (v: unknown) => (Object.is(v, -0) ? "-0" : JSON.stringify(v));
  const walk = (v: unknown, ptr: string, indent: string) => {
    valueAt.set(ptr, [line, col]);
    if (Array.isArray(v)) return put(JSON.stringify(v));
    if (v === null || typeof v !== "object") return put(scalar(v));
    const keys = Object.keys(v);
    if (keys.length === 0) return put("{}");
    put("{\n");
    keys.forEach((k, i) => {
      put(`${indent}  `);
      keyAt.set(`${ptr}/${seg(k)}`, [line, col]);
      put(`${JSON.stringify(k)}: `);
      walk((v as Record<string, unknown>)[k], `${ptr}/${seg(k)}`, `${indent}  `);
      put(i < keys.length - 1 ? ",\n" : "\n");
    });
    put(`${indent}}`);
  };
  walk(value, "", "");
  return { text: `${text}\n`, keyAt, valueAt };
}

/** YAML block text (double-quoted keys and strings, flow arrays) and where each pointer's key and scalar value start. */
function emitYaml(value: unknown): Emitted {
  const lines: string[] = [];
  const keyAt = new Map<string, Pos>();
  const valueAt = new Map<string, Pos>();
  const scalar = (v: unknown) => (Object.is(v, -0) ? "-0" : Array.isArray(v) ? JSON.stringify(v) : JSON.stringify(v));
  const walk = (v: Record<string, unknown>, ptr: string, indent: string) => {
    for (const k of Object.keys(v)) {
      const child = v[k];
      const p = `${ptr}/${seg(k)}`;
      const head = `${indent}${JSON.stringify(k)}:`;
      keyAt.set(p, [lines.length + 1, indent.length + 1]);
      if (child !== null && typeof child === "object" && !Array.isArray(child) && Object.keys(child).length > 0) {
        lines.push(head);
        walk(child as Record<string, unknown>, p, `${indent}  `);
      } else {
        valueAt.set(p, [lines.length + 1, head.length + 2]);
        lines.push(`${head} ${child !== null && typeof child === "object" && !Array.isArray(child) ? "{}" : scalar(child)}`);
      }
    }
  };
  if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) walk(value as Record<string, unknown>, "", "");
  else {
    valueAt.set("", [1, 1]);
    lines.push(value !== null && typeof value === "object" && !Array.isArray(value) ? "{}" : scalar(value));
  }
  return { text: `${lines.join("\n")}\n`, keyAt, valueAt };
}

/** The diagnostic sits at its pointer's key or value, or (for a pointer to something absent) at its nearest present ancestor's. */
function expectPlaced(d: Diagnostic, e: Emitted, format: "json" | "yaml"): void {
  let p = d.pointer;
  while (p !== "" && !e.keyAt.has(p)) p = p.slice(0, p.lastIndexOf("/"));
  const allowed: Pos[] = [];
  if (e.keyAt.has(p)) allowed.push(e.keyAt.get(p)!);
  if (e.valueAt.has(p)) allowed.push(e.valueAt.get(p)!);
  // A YAML block mapping starts at its first key.
  if (format === "yaml") for (const [q, at] of e.keyAt) if (q.startsWith(`${p}/`) && q.lastIndexOf("/") === p.length) { allowed.push(at); break; }
  if (p === "") allowed.push([1, 1]);
  expect(allowed, `${d.ruleId} at ${d.pointer} (${d.line}:${d.column})\n${e.text}`).toContainEqual([d.line, d.column]);
}

// ---------------------------------------------------------------- the comparisons

interface Tally { agree: number; beyond: number; valid: number }

/** Linter verdict on the text against both schemas' verdicts on what a standard parser reads from it. */
function compare(text: string, parsed: unknown, filename: string, tally: Tally): Diagnostic[] {
  const ds = validate(text, { filename }).diagnostics;
  // The linter explains every schema error with a rule of its own.
  expect(ds.filter((d) => d.ruleId === "fqc/schema"), text).toEqual([]);
  const ok2020 = schema2020(parsed);
  expect(schema07(parsed), `draft-07 and 2020-12 disagree on\n${text}`).toBe(ok2020);
  const errors = errorsOf(ds);
  if (errors.length === 0) expect(ok2020, `the linter accepts what the schema refuses:\n${text}\n${JSON.stringify(schema2020.errors)}`).toBe(true);
  if (!ok2020) expect(errors.length, `the schema refuses what the linter accepts:\n${text}`).toBeGreaterThan(0);
  if (ok2020 && errors.length > 0) {
    // Only what README lists as beyond the schema.
    if (!isEnvelope(parsed)) for (const d of errors) expect(BEYOND_RULES, `${d.ruleId}: ${d.message}\n${text}`).toContain(d.ruleId);
    tally.beyond++;
  } else tally.agree++;
  if (ok2020 && errors.length === 0) tally.valid++;
  return ds;
}

describe("the linter and both schema files agree, except for what README lists as beyond the schema", () => {
  it("on generated documents written as JSON, each diagnostic at its pointer's line:col", () => {
    const tally: Tally = { agree: 0, beyond: 0, valid: 0 };
    fc.assert(fc.property(documentArb, (doc) => {
      const e = emitJson(doc);
      const ds = compare(e.text, JSON.parse(e.text), "c.fqc.json", tally);
      for (const d of ds) expectPlaced(d, e, "json");
    }), { numRuns: 3000 });
    expect(tally.valid).toBeGreaterThan(150);
    expect(tally.agree).toBeGreaterThan(2000);
  });

  it("on generated documents written as YAML, each diagnostic at its pointer's line:col", () => {
    const tally: Tally = { agree: 0, beyond: 0, valid: 0 };
    fc.assert(fc.property(documentArb, (doc) => {
      const e = emitYaml(doc);
      const ds = compare(e.text, YAML.parse(e.text), "c.fqc.yaml", tally);
      for (const d of ds) expectPlaced(d, e, "yaml");
    }), { numRuns: 2000 });
    expect(tally.valid).toBeGreaterThan(100);
  });

  it("on YAML anchors and aliases, merge keys, and tags inside and outside the core schema", () => {
    const tally: Tally = { agree: 0, beyond: 0, valid: 0 };
    const tag = fc.constantFrom("", "!!str ", "!!int ", "!!float ", "!!bool ", "!!null ", "!custom ", "!!python/object:torch.int4 ");
    fc.assert(fc.property(fc.oneof(saneConfig, configArb), tag, fc.constantFrom("group_size", "eps", "dtype", "is_dynamic", "granularity"), fc.constantFrom("alias", "merge", "none"), (cfg, t, field, share) => {
      const body = emitYaml(cfg).text.trimEnd().split("\n").filter((l) => l !== "{}");
      const tagged = body.map((l) => (l.startsWith(`"${field}": `) ? l.replace(": ", `: ${t}`) : l));
      const block = tagged.map((l) => `  ${l}`).join("\n");
      const text = share === "alias"
        ? `weight: &w\n${block}\nactivation: *w\n`
        : share === "merge" ? `base: &b\n${block}\nweight:\n  <<: *b\n` : `${tagged.join("\n")}\n`;
      let parsed: unknown;
      try {
        parsed = YAML.parse(text, { logLevel: "silent" });
      } catch {
        return; // no value for a schema to judge (the linter's fqc/syntax is tested elsewhere)
      }
      compare(text, parsed, "c.fqc.yaml", tally);
    }), { numRuns: 1500 });
    expect(tally.beyond).toBeGreaterThan(10);
  });

  it("on JSON with duplicate keys and integers spelled as floats (32.0, 3.2e1)", () => {
    const tally: Tally = { agree: 0, beyond: 0, valid: 0 };
    fc.assert(fc.property(withSchemaKey(fc.oneof(saneConfig, configWithExtra)), fc.constantFrom("dup", "float", "exp"), (cfg, how) => {
      let text = emitJson(cfg).text;
      if (how === "dup") text = text.replace(/^\{\n/, '{\n  "dtype": "int4",\n');
      else text = text.replace(/("group_size": )(\d+)(?=[,\n])/, (_m, k: string, n: string) => (how === "float" ? `${k}${n}.0` : `${k}${n}e0`));
      compare(text, JSON.parse(text), "c.fqc.json", tally);
    }), { numRuns: 1500 });
    expect(tally.beyond).toBeGreaterThan(100);
  });

  it.each(BEYOND_SCHEMA.map((b) => [b.what, b] as const))("README's example of %s: both schemas accept it, the linter refuses it with the rule listed", (_what, b) => {
    const parsed = b.format === "json" ? JSON.parse(b.example) : YAML.parse(b.example);
    expect(schema2020(parsed)).toBe(true);
    expect(schema07(parsed)).toBe(true);
    const errors = errorsOf(validate(b.example, { filename: `x.fqc.${b.format}` }).diagnostics);
    expect(errors.length).toBeGreaterThan(0);
    if (b.rules !== "every rule") for (const d of errors) expect(b.rules).toContain(d.ruleId);
  });

  it("README's example of the schema being the stricter: it follows torchao v0.12, and --torchao 0.18 accepts what it refuses", () => {
    const doc = JSON.parse(SCHEMA_STRICTER.example);
    expect(schema2020(doc)).toBe(false);
    expect(schema07(doc)).toBe(false);
    expect(errorsOf(validate(doc, { torchao: SCHEMA_TORCHAO }).diagnostics).map((d) => d.ruleId)).toEqual([SCHEMA_STRICTER.rule]);
    expect(validate(doc, { torchao: SCHEMA_STRICTER.torchao }).diagnostics).toEqual([]);
  });
});

/** Paths in `v` to what JSON cannot hold (a function, a symbol, undefined, a non-finite number, a class instance). */
function nonData(v: unknown, path = ""): string[] {
  if (v === null || typeof v === "string" || typeof v === "boolean") return [];
  if (typeof v === "number") return Number.isFinite(v) ? [] : [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => nonData(x, `${path}/${i}`));
  if (typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
    return Object.entries(v).flatMap(([k, x]) => nonData(x, `${path}/${k}`));
  }
  return [`${path}: ${typeof v}`];
}

describe("normalize means what validate says", () => {
  it("succeeds exactly when validate finds no construct-stage error; its output is a fixed point with no new diagnostic, valid under both schemas when the input was", () => {
    let normalized = 0;
    let clean = 0;
    fc.assert(fc.property(documentArb, fc.boolean(), (doc, yaml) => {
      const text = yaml ? emitYaml(doc).text : emitJson(doc).text;
      const filename = yaml ? "c.fqc.yaml" : "c.fqc.json";
      const before = validate(text, { filename }).diagnostics;
      const refused = before.some((d) => d.severity === "error" && ["construct", "syntax"].includes(ruleInfo(d.ruleId).stage));
      let out: string;
      let value: ReturnType<typeof normalizeDocument>;
      try {
        value = normalizeDocument(text, { filename });
        out = canonicalJson(value);
      } catch (e) {
        // Besides construct errors, normalize refuses a group size past 2^53 (forward/group-size): it could not write it back.
        const pastSafe = before.some((d) => d.ruleId === "forward/group-size") && String(e).includes("is 2^53 or more");
        expect(refused || pastSafe, `normalize refused what validate lets construct:\n${text}`).toBe(true);
        return;
      }
      expect(refused, `normalize accepted what validate refuses:\n${text}\n${JSON.stringify(before)}`).toBe(false);
      normalized++;
      // Data only, every value written out: nothing (a function read from a table by an inherited name) left behind.
      expect(nonData(value), out).toEqual([]);
      expect(canonicalJson(normalizeDocument(out))).toBe(out);
      const after = validate(out, { filename: "n.fqc.json" }).diagnostics;
      const seen = new Set(before.map((d) => d.ruleId));
      for (const d of after) expect(seen, `normalize added ${d.ruleId}: ${d.message}\n${text}\n→\n${out}`).toContain(d.ruleId);
      if (errorsOf(before).length === 0) {
        expect(schema2020(JSON.parse(out)), out).toBe(true);
        expect(schema07(JSON.parse(out)), out).toBe(true);
      }
      if (before.length === 0) {
        clean++;
        expect(after).toEqual([]);
      }
    }), { numRuns: 3000 });
    expect(normalized).toBeGreaterThan(200);
    expect(clean).toBeGreaterThan(50);
  });
});
