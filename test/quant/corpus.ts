/**
 * Test-side access to the conformance corpus: torchao constructor kwargs →
 * CanonicalConfig (only for the valid configs the corpus runs), and loading a
 * case's tensors as numbers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CanonicalConfig, CanonicalGranularity } from "../../src/config/types.js";
import { CONFORMANCE_DIR, loadNpy, npyToNumbers } from "../helpers/fixtures.js";

export interface HeadInfo {
  reason: string;
  stage: "ok" | "error";
  expected?: string;
  scale?: string;
  zero_point?: string;
  error?: string;
  message?: string;
}

export interface ManifestCase {
  id: string;
  config: Record<string, unknown>;
  input: string;
  expected: string;
  scale: string | null;
  zero_point: string | null;
  input_dtype: "float32" | "float16" | "bfloat16";
  input_shape: number[];
  expected_dtype: string;
  scale_dtype: string;
  zero_point_dtype: string;
  mode: "dynamic" | "static_second_call" | "range_learning_init";
  implementation_defined: boolean;
  implementation_defined_reason: string | null;
  head_agrees: boolean;
  head: HeadInfo | null;
}

export interface ForwardErrorCase {
  id: string;
  config: Record<string, unknown>;
  input_dtype: string;
  input_shape: number[];
  mode: string;
  error: string;
  message: string;
}

export function loadManifest(): ManifestCase[] {
  return JSON.parse(readFileSync(join(CONFORMANCE_DIR, "manifest.json"), "utf8")).cases;
}

export function loadForwardErrors(): ForwardErrorCase[] {
  return JSON.parse(readFileSync(join(CONFORMANCE_DIR, "forward_errors.json"), "utf8"));
}

/** torchao's shorthand resolution (spec §2) for configs known to be valid. */
export function canonicalFromKwargs(kw: Record<string, unknown>): CanonicalConfig {
  const gs = kw.group_size as number | undefined | null;
  const g = kw.granularity as string | { type: string; group_size?: number } | undefined | null;
  let granularity: CanonicalGranularity;
  if (g === undefined || g === null) granularity = { type: "PerGroup", group_size: gs as number };
  else if (g === "per_token") granularity = { type: "PerToken" };
  else if (g === "per_channel") granularity = { type: "PerAxis", axis: 0 };
  else if (g === "per_group") granularity = { type: "PerGroup", group_size: gs as number };
  else if (typeof g === "object" && g.type === "PerToken") granularity = { type: "PerToken" };
  else if (typeof g === "object" && g.type === "PerAxis") granularity = { type: "PerAxis", axis: 0 };
  else if (typeof g === "object" && g.type === "PerGroup") granularity = { type: "PerGroup", group_size: g.group_size as number };
  else throw new Error(`unexpected granularity ${JSON.stringify(g)}`);
  let mapping = kw.mapping_type as CanonicalConfig["mapping_type"] | undefined | null;
  if (mapping === undefined || mapping === null) {
    mapping = kw.is_symmetric === undefined || kw.is_symmetric === null ? "SYMMETRIC" : kw.is_symmetric ? "SYMMETRIC" : "ASYMMETRIC";
  }
  return {
    dtype: kw.dtype as CanonicalConfig["dtype"],
    granularity,
    mapping_type: mapping,
    scale_precision: (kw.scale_precision ?? "float32") as CanonicalConfig["scale_precision"],
    zero_point_precision: (kw.zero_point_precision ?? "int32") as CanonicalConfig["zero_point_precision"],
    zero_point_domain: (kw.zero_point_domain ?? "INT") as CanonicalConfig["zero_point_domain"],
    is_dynamic: (kw.is_dynamic ?? true) as boolean,
    range_learning: (kw.range_learning ?? false) as boolean,
    eps: (kw.eps ?? null) as number | null,
  };
}

export function loadNumbers(relPath: string): { shape: number[]; values: Float64Array; descr: string } {
  const a = loadNpy(join(CONFORMANCE_DIR, relPath));
  return { shape: a.shape, values: npyToNumbers(a), descr: a.descr };
}
