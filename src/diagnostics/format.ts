/** Picks a formatter by name: the one entry point the CLI needs. */
import { FqcError } from "../errors.js";
import { formatGithub } from "./format-github.js";
import { formatJson } from "./format-json.js";
import { formatSarif } from "./format-sarif.js";
import { formatStylish } from "./format-stylish.js";
import type { FormatInput, FormatName } from "./format-types.js";

export type { FormatInput, FormatName } from "./format-types.js";
export { FORMAT_NAMES } from "./format-types.js";
export { formatGithub, formatJson, formatSarif, formatStylish };

/** Render diagnostics; non-empty results end with a newline, a clean stylish run is "". */
export function formatDiagnostics(format: FormatName, input: FormatInput, opts: { color: boolean }): string {
  switch (format) {
    default:
      throw new FqcError("USAGE", `formatDiagnostics: format ${JSON.stringify(format) ?? String(format)} is not one of "stylish", "json", "github", "sarif"`);
    case "stylish":
      return formatStylish(input, opts);
    case "json":
      return formatJson(input);
    case "github":
      return formatGithub(input);
    case "sarif":
      return formatSarif(input);
  }
}
