/**
 * Shorthand → canonical form, exactly as torchao stores a constructed config
 * (spec §2.2; normalize.json). Throws torchao's first error as an FqcError.
 *
 * normalize only replays construction: configs that construct but fail at
 * forward (per_token + SYMMETRIC, group_size 1, ...) still normalize, as in
 * torchao. `validate` reports those.
 */
import { FqcError } from "../errors.js";
import { checkDocument, constructFindings, isPairDocument } from "./document.js";
import type { Finding } from "./finding.js";
import { VALUE_NUMBER_KINDS } from "./pyrepr.js";
import { checkConstructor } from "./torchao-rules.js";
import type { CanonicalConfig, CanonicalDocument, CanonicalGranularity } from "./types.js";
import { CANONICAL_KEYS, PAIR_KEYS } from "./vocabulary.js";
import { isPlainObject } from "./finding.js";

function configError(f: Finding): FqcError {
  const where = f.pointer === "" ? "" : ` (at ${f.pointer})`;
  return new FqcError("CONFIG", f.message, { hint: f.hint ? `${f.hint}${where}` : where.trim() || undefined });
}

/** Normalize one config (no pair, no `$schema`). */
export function normalize(input: unknown): CanonicalConfig {
  if (!isPlainObject(input)) {
    throw new FqcError("CONFIG", `a config must be an object, not ${input === null ? "null" : Array.isArray(input) ? "an array" : typeof input}`);
  }
  const c = checkConstructor(input, "", VALUE_NUMBER_KINDS);
  if (c.findings.length > 0) throw configError(c.findings[0]);
  if (!c.config) throw new FqcError("CONFIG", "config could not be normalized");
  return orderConfig(c.config);
}

/** Normalize a whole file's value: one config or a QAT pair. */
export function normalizeDocument(input: unknown): CanonicalDocument {
  const r = checkDocument(input, VALUE_NUMBER_KINDS);
  const construct = constructFindings(r.findings);
  if (construct.length > 0) throw configError(construct[0]);
  if (!r.document) throw new FqcError("CONFIG", "config file could not be normalized");
  if (r.document.kind === "single") return { kind: "single", config: orderConfig(r.document.config) };
  const pair: CanonicalDocument & { kind: "pair" } = { kind: "pair", pair: {} };
  for (const role of PAIR_KEYS) {
    const c = r.document.pair[role];
    if (c) pair.pair[role] = orderConfig(c);
  }
  return pair;
}

function orderGranularity(g: CanonicalGranularity): CanonicalGranularity {
  if (g.type === "PerToken") return { type: "PerToken" };
  if (g.type === "PerAxis") return { type: "PerAxis", axis: 0 };
  return { type: "PerGroup", group_size: g.group_size };
}

/** A fresh object with the keys in torchao's field order. */
function orderConfig(c: CanonicalConfig): CanonicalConfig {
  const out: Record<string, unknown> = {};
  for (const k of CANONICAL_KEYS) out[k] = k === "granularity" ? orderGranularity(c.granularity) : c[k];
  return out as unknown as CanonicalConfig;
}

/** The canonical value of a document: the config itself, or {"activation", "weight"} in that order. */
export function canonicalValue(doc: CanonicalDocument): Record<string, unknown> {
  if (doc.kind === "single") return orderConfig(doc.config) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const role of PAIR_KEYS) {
    const c = doc.pair[role];
    if (c) out[role] = orderConfig(c);
  }
  return out;
}

/**
 * Canonical JSON text: 2-space indent, trailing newline. With `schema`, a
 * `"$schema"` key is written first (files may carry one; it is not config).
 */
export function canonicalJson(doc: CanonicalDocument, opts: { schema?: string } = {}): string {
  const value = canonicalValue(doc);
  const out = opts.schema !== undefined ? { $schema: opts.schema, ...value } : value;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The `$schema` a file's value carries at top level, if any (so `normalize --write` can keep it). */
export function schemaUriOf(input: unknown): string | undefined {
  return isPlainObject(input) && typeof input.$schema === "string" ? input.$schema : undefined;
}

export { isPairDocument };
