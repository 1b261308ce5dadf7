/** Picks a formatter by name: the one entry point the CLI needs. */
import { FqcError } from "../errors.js";
import { checkReadableValue, kindOf, optionsObject } from "../library-args.js";
import { formatGithub } from "./format-github.js";
import { formatJson } from "./format-json.js";
import { formatSarif } from "./format-sarif.js";
import { formatStylish } from "./format-stylish.js";
import type { FormatInput, FormatName } from "./format-types.js";

export type { FormatInput, FormatName } from "./format-types.js";
export { FORMAT_NAMES } from "./format-types.js";
export { formatGithub, formatJson, formatSarif, formatStylish };

/** Render diagnostics; non-empty results end with a newline, a clean stylish run is "". */
export function formatDiagnostics(format: FormatName, input: FormatInput, options: { color: boolean }): string {
  const opts = optionsObject<{ color: boolean }>(options, "formatDiagnostics", true, ["color"]);
  checkFormatInput(input);
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

/** A JavaScript caller's input is refused naming the field, not met by a TypeError from inside a formatter. */
function checkFormatInput(input: unknown): void {
  checkReadableValue(input, "formatDiagnostics: input", 3);
  const refuse = (what: string, must: string, v: unknown) => {
    throw new FqcError("USAGE", `formatDiagnostics: ${what} must be ${must}, not ${kindOf(v)}`, {
      hint: "input is { diagnostics, sources, filesChecked, rules, toolVersion, cwd } (README: Library API).",
    });
  };
  if (input === null || typeof input !== "object" || Array.isArray(input)) refuse("input", "an object", input);
  const i = input as Record<string, unknown>;
  for (const key of ["diagnostics", "filesChecked", "rules"]) if (!Array.isArray(i[key])) refuse(`input.${key}`, "an array", i[key]);
  if (!(i.sources instanceof Map)) refuse("input.sources", "a Map of file name to text", i.sources);
  for (const key of ["toolVersion", "cwd"]) if (typeof i[key] !== "string") refuse(`input.${key}`, "a string", i[key]);
}
