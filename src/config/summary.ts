/** A config in a few words, as apply and the plan print it: "int4 per_group 32 symmetric". */
import type { CanonicalConfig } from "./types.js";

export function configSummary(config: CanonicalConfig): string {
  const g = config.granularity;
  const gran = g.type === "PerGroup" ? `per_group ${g.group_size}` : g.type === "PerAxis" ? "per_channel" : "per_token";
  return `${config.dtype} ${gran} ${config.mapping_type.toLowerCase()}`;
}
