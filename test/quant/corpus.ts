/**
 * Test-side access to the conformance corpus: its case lists, configs as
 * canonical configs, and a case's tensors as numbers.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalize } from "../../src/config/normalize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { readNpy } from "../../src/npy/whole.js";
import { CONFORMANCE } from "../helpers/cli.js";

const CONFORMANCE_DIR = CONFORMANCE;

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
  input: string;
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

/** The corpus' torchao constructor kwargs as a canonical config (the corpus only runs valid ones). */
export function canonicalFromKwargs(kw: Record<string, unknown>): CanonicalConfig {
  return normalize(kw);
}

/** A corpus tensor as plain numbers (halves decoded exactly, int64 as Number). */
export function loadNumbers(relPath: string): { shape: number[]; values: Float64Array; descr: string } {
  const { header, data } = readNpy(join(CONFORMANCE_DIR, relPath));
  const values = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Number(data[i]);
  return { shape: header.shape, values, descr: header.descr };
}
