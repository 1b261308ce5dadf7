/** The canonical form written as YAML, for `normalize` on .yaml/.yml files: same keys, same order as the JSON form. */
import YAML from "yaml";
import { canonicalJson } from "./config/normalize.js";
import type { CanonicalDocument } from "./config/types.js";

export function canonicalYaml(doc: CanonicalDocument): string {
  return YAML.stringify(JSON.parse(canonicalJson(doc)));
}
