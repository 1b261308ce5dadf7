/** A config in a few words, as apply and the plan print it: "int4 per_group 32 symmetric". */
import { FqcError } from "../errors.js";
import { checkReadableValue, kindOf } from "../library-args.js";
import type { CanonicalConfig } from "./types.js";

export function configSummary(config: CanonicalConfig): string {
  checkReadableValue(config, "configSummary: config", 2);
  return describeConfig(config);
}

/** configSummary without reading the config up front, for a plan's configs (once per tensor; the plan was read when checked). */
export function describeConfig(config: CanonicalConfig): string {
  const g = (config as Partial<CanonicalConfig> | null)?.granularity;
  // Only the shape is checked (this runs per tensor in reports): a shorthand config was a TypeError.
  if (typeof g !== "object" || g === null || typeof config.mapping_type !== "string") {
    throw new FqcError("USAGE", `configSummary: config must be a canonical config (what normalize returns), not ${config !== null && typeof config === "object" ? "a shorthand config" : kindOf(config)}`);
  }
  const gran = g.type === "PerGroup" ? `per_group ${g.group_size}` : g.type === "PerAxis" ? "per_channel" : "per_token";
  return `${config.dtype} ${gran} ${config.mapping_type.toLowerCase()}`;
}
