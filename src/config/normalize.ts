/**
 * Shorthand → canonical form, exactly as torchao stores a constructed config
 * (spec §2.2; normalize.json). Throws torchao's first error as an FqcError.
 *
 * normalize only replays construction: configs that construct but fail at
 * forward (per_token + SYMMETRIC, group_size 1, ...) still normalize, as in
 * torchao. `validate` reports those.
 */
import { formatForFile } from "../diagnostics/locate.js";
import { parseSourceText, valueSource, type SourceDoc } from "../diagnostics/source.js";
import { FqcError } from "../errors.js";
import { defineKey } from "../own-key.js";
import { checkDocument, constructFindings, isPairDocument, torchaoFirstError } from "./document.js";
import type { Finding } from "./finding.js";
import { describe } from "./pair-check.js";
import { checkConstructor } from "./torchao-rules.js";
import { plainSource } from "./torchao-envelope.js";
import type { CanonicalConfig, CanonicalDocument, CanonicalGranularity, CanonicalPair, RecipeValue } from "./types.js";
import { CANONICAL_KEYS, PAIR_KEYS, RECIPE_KEY } from "./vocabulary.js";
import { isPlainObject, raisedBy } from "./finding.js";
import { checkChoice, checkNotBytes, checkReadableValue, checkText, kindOf, optionNames, optionsObject } from "../library-args.js";
import { escapeHidden } from "../visible-text.js";

/** Every option normalize takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<NormalizeOptions>()(["filename", "format"]);

function configError(f: Finding): FqcError {
  const where = f.pointer === "" ? "" : ` (at ${f.pointer})`;
  return new FqcError("CONFIG", f.message, { hint: f.hint ? `${f.hint}${where}` : where.trim() || undefined });
}

export interface NormalizeOptions {
  /** For text input: `.yaml`/`.yml` names are parsed as YAML. */
  filename?: string;
  format?: "json" | "yaml";
}

/**
 * A string is JSON/YAML text: parsing it keeps what the value loses, whether a
 * number was written as a float (`32.0` is a Python float in torchao's messages).
 */
function source(input: unknown, options: NormalizeOptions): SourceDoc {
  const opts = optionsObject<NormalizeOptions>(options, "normalize", false, OPTION_NAMES);
  if (opts.filename !== undefined && typeof opts.filename !== "string") throw new FqcError("USAGE", `normalize: options.filename must be a string, not ${kindOf(opts.filename)}`);
  checkChoice(opts.format, ["json", "yaml"] as const, "normalize: options.format");
  checkReadableValue(input, "normalize: the config");
  checkNotBytes(input, "normalize");
  let doc: SourceDoc;
  if (typeof input !== "string") doc = valueSource(input);
  else {
    const parsed = parseSourceText(input, opts.format ?? formatForFile(opts.filename));
    if (!parsed.ok) {
      const e = parsed.error;
      throw new FqcError("CONFIG", e.message, { hint: `at line ${e.line}, column ${e.column}`, file: opts.filename });
    }
    doc = parsed.doc;
  }
  // torchao's own JSON (config_to_dict) normalizes like the plain form it encodes.
  const plain = plainSource(doc);
  if (plain.problems.length > 0) throw configError(plain.problems[0]);
  return plain.src;
}

/** Normalize one config (no pair, no `$schema`): a value, or JSON/YAML text. */
export function normalize(input: unknown, opts: NormalizeOptions = {}): CanonicalConfig {
  const src = source(input, opts);
  const value = src.value;
  if (!isPlainObject(value)) {
    throw new FqcError("CONFIG", `a config must be an object, not ${describe(value)}`);
  }
  const c = checkConstructor(value, "", src);
  // torchao v0.12's messages, the reference (a finding of another version only words the same error its way).
  const findings = raisedBy(c.findings, "0.12");
  if (findings.length > 0) throw configError(torchaoFirstError(findings) ?? findings[0]);
  if (!c.config) throw new FqcError("CONFIG", "config could not be normalized");
  return orderConfig(c.config);
}

/** Normalize a whole file: one config or a QAT pair; a parsed value, or JSON/YAML text. */
export function normalizeDocument(input: unknown, opts: NormalizeOptions = {}): CanonicalDocument {
  const src = source(input, opts);
  const r = checkDocument(src.value, src);
  const construct = constructFindings(raisedBy(r.findings, "0.12"));
  if (construct.length > 0) throw configError(torchaoFirstError(construct, r.configPointers) ?? construct[0]);
  if (!r.document) throw new FqcError("CONFIG", "config file could not be normalized");
  if (r.document.kind === "single") return { kind: "single", config: orderConfig(r.document.config) };
  if (r.document.kind === "recipe") {
    return { kind: "recipe", recipe: { entries: r.document.recipe.entries.map((e) => ({ key: e.key, value: orderRecipeValue(e.value) })) } };
  }
  return { kind: "pair", pair: orderPair(r.document.pair) };
}

function orderPair<P extends CanonicalPair>(p: P): P {
  const out: CanonicalPair = {};
  for (const role of PAIR_KEYS) {
    const c = p[role];
    if (c) out[role] = orderConfig(c);
  }
  return out as P;
}

function orderRecipeValue(v: RecipeValue): RecipeValue {
  if (v === null) return null;
  return v.kind === "config" ? { kind: "config", config: orderConfig(v.config) } : { kind: "pair", pair: orderPair(v.pair) };
}

function orderGranularity(g: CanonicalGranularity): CanonicalGranularity {
  if (g.type === "PerToken") return { type: "PerToken" };
  if (g.type === "PerAxis") return { type: "PerAxis", axis: 0 };
  return { type: "PerGroup", group_size: g.group_size };
}

/** A fresh object with the keys in torchao's field order. */
function orderConfig(c: CanonicalConfig): CanonicalConfig {
  const g = c.granularity;
  // Past 2^53 the number read is not the one written: printing it would change the file's value.
  if (g.type === "PerGroup" && typeof g.group_size === "number" && Number.isInteger(g.group_size) && !Number.isSafeInteger(g.group_size)) {
    throw new FqcError("CONFIG", `\`group_size\` ${String(g.group_size)} is 2^53 or more: it cannot be read, nor written back, exactly`, {
      hint: "Use the number of elements per group, e.g. 32, 64 or 128 (fqc validate reports it as forward/group-size).",
    });
  }
  // NaN and ±infinity (a JS value, YAML's .inf, JSON's 1e400): JSON.stringify would print null, a different config.
  if (g.type === "PerGroup" && typeof g.group_size === "number" && !Number.isFinite(g.group_size)) {
    throw new FqcError("CONFIG", `\`group_size\` ${String(g.group_size)} is not a number JSON can hold: the canonical form would write it as null`, {
      hint: "Use the number of elements per group, e.g. 32, 64 or 128 (fqc validate reports it as forward/group-size).",
    });
  }
  const out: Record<string, unknown> = {};
  for (const k of CANONICAL_KEYS) out[k] = k === "granularity" ? orderGranularity(c.granularity) : c[k];
  return out as unknown as CanonicalConfig;
}

/**
 * The canonical value of a document: the config itself, {"activation", "weight"}
 * in that order, or {"fqn_to_config": {...}} with the keys in file order and
 * each value canonical (a QAT pair stays a pair: its activation config is
 * kept, so the recipe still reads as the QAT setup it came from).
 */
export function canonicalValue(doc: CanonicalDocument): Record<string, unknown> {
  if (doc.kind === "single") return orderConfig(doc.config) as unknown as Record<string, unknown>;
  if (doc.kind === "pair") return orderPair(doc.pair) as Record<string, unknown>;
  // Objects keep insertion order except for integer-like keys (a Sequential's module "0"), which JS lists first;
  // only re: keys depend on order, and they never look like integers.
  const table: Record<string, unknown> = {};
  for (const e of doc.recipe.entries) {
    const v = orderRecipeValue(e.value);
    defineKey(table, e.key, v === null ? null : v.kind === "config" ? v.config : v.pair);
  }
  return { [RECIPE_KEY]: table };
}

/**
 * Canonical JSON text: 2-space indent, trailing newline. With `schema`, a
 * `"$schema"` key is written first (files may carry one; it is not config).
 */
export function canonicalJson(doc: CanonicalDocument, opts: { schema?: string } = {}): string {
  checkCanonicalDocument(doc);
  opts = optionsObject<{ schema?: string }>(opts, "canonicalJson", false, optionNames<{ schema?: string }>()(["schema"]));
  if (opts.schema !== undefined) checkText(opts.schema, "canonicalJson: options.schema");
  const value = canonicalValue(doc);
  const out = opts.schema !== undefined ? { $schema: opts.schema, ...value } : value;
  return escapeHidden(`${JSON.stringify(out, null, 2)}\n`);
}

/** What a JavaScript caller passes canonicalJson (the types say the same to TypeScript): most often normalize's config itself. */
function checkCanonicalDocument(doc: unknown): void {
  checkReadableValue(doc, "canonicalJson: doc", 2, 'Pass normalizeDocument(value).');
  const kind = isPlainObject(doc) ? doc.kind : undefined;
  const body = kind === "single" ? "config" : kind === "pair" ? "pair" : kind === "recipe" ? "recipe" : undefined;
  if (body === undefined || !isPlainObject((doc as Record<string, unknown>)[body])) {
    const config = isPlainObject(doc) && isPlainObject(doc.granularity);
    throw new FqcError("USAGE", `canonicalJson: doc must be what normalizeDocument returns ({ kind, ... }), not ${config ? "a config" : kindOf(doc)}`, {
      hint: 'Pass normalizeDocument(value), or { kind: "single", config: normalize(value) } for one config.',
    });
  }
}

/** The `$schema` a file's value carries at top level, if any (so `normalize --write` can keep it). */
export function schemaUriOf(input: unknown): string | undefined {
  return isPlainObject(input) && typeof input.$schema === "string" ? input.$schema : undefined;
}

export { isPairDocument };
