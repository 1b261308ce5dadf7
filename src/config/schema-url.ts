/**
 * The `$schema` a config file names, for editors: one that is not fqc's schema for config files (a typo in the URL,
 * JSON Schema's own meta-schema copied from a schema file, the schema of fqc.config.json) makes editors check the
 * file against the wrong schema, or none, while validate passes it.
 */
import { childPointer } from "../diagnostics/locate.js";
import { isPlainObject, type Finding } from "./finding.js";
import { PROJECT_CONFIG_SCHEMA_ID } from "./project-config.js";
import { SCHEMA_ID_2020, SCHEMA_ID_DRAFT07 } from "./schema-source.js";

const fileOf = (url: string) => url.replace(/[?#].*$/s, "").split(/[/\\]/).pop() ?? "";
/** fqc's config-file schemas by file name: any copy so named (node_modules/fqc/schema/…, `fqc schema > fqc.schema.json`, a mirror's URL) is fqc's. */
const CONFIG_SCHEMA_FILES = new Set([SCHEMA_ID_2020, SCHEMA_ID_DRAFT07].map(fileOf));
/** The schema of the project settings file, fqc.config.json: not a config file's. */
const PROJECT_SCHEMA_FILE = fileOf(PROJECT_CONFIG_SCHEMA_ID);

/** What is wrong with a `$schema` value, worded after "`$schema` …"; undefined when it may well be fqc's. */
function schemaUrlProblem(url: string): string | undefined {
  const file = fileOf(url);
  if (CONFIG_SCHEMA_FILES.has(file)) return undefined;
  // A scheme of two letters or more: `C:\…` is a Windows path.
  const absolute = /^[a-z][a-z0-9+.-]+:/i.test(url);
  // A local file under another name may be a copy of fqc's schema: only a URL, an empty value and the settings' schema are known wrong.
  if (!absolute && url.trim() !== "" && file !== PROJECT_SCHEMA_FILE) return undefined;
  if (url.trim() === "") return "is empty: editors check this file against no schema";
  const what =
    file === PROJECT_SCHEMA_FILE ? "the schema of fqc.config.json (fqc's settings), not of config files"
    : /json-schema\.org\//i.test(url) ? "JSON Schema's meta-schema, the schema of schemas, not of config files"
    : "not fqc's schema for config files";
  return `${JSON.stringify(url)} is ${what}: editors check this file against another schema`;
}

const HINT = `Use "${SCHEMA_ID_2020}", or the path of node_modules/fqc/schema/fqc.schema.json relative to this file.`;

/** A top-level `"$schema"` key that names another schema. */
export function schemaUrlFinding(value: unknown): Finding | undefined {
  if (!isPlainObject(value) || typeof value.$schema !== "string") return undefined;
  const problem = schemaUrlProblem(value.$schema);
  return problem === undefined ? undefined : { ruleId: "lint/schema-url", message: `\`$schema\` ${problem}`, hint: HINT, pointer: childPointer("", "$schema") };
}

/** The yaml-language-server modeline (`# yaml-language-server: $schema=URL`), looked for in the comment lines a YAML file starts with. */
const MODELINE = /^#\s*yaml-language-server:\s*\$schema=(\S*)/;

/** A YAML file's modeline that names another schema, placed at its URL (a comment has no JSON pointer). */
export function modelineSchemaFinding(text: string): Finding | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && /^\s*(#|$)/.test(lines[i]); i++) {
    const m = MODELINE.exec(lines[i].trimStart());
    if (!m) continue;
    const problem = schemaUrlProblem(m[1]);
    if (problem === undefined) return undefined;
    const column = lines[i].length - lines[i].trimStart().length + m[0].length - m[1].length + 1;
    return {
      ruleId: "lint/schema-url",
      message: `the yaml-language-server modeline's \`$schema\` ${problem}`,
      hint: HINT,
      pointer: "",
      at: { line: i + 1, column, endLine: i + 1, endColumn: column + Math.max(1, m[1].length) },
    };
  }
  return undefined;
}
