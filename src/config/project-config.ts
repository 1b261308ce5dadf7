/**
 * A project's linter settings, shared by CI and editors: `fqc.config.json`
 * (or a `"fqc"` key in package.json) with the same controls as the command
 * line. The JSON Schema of the file comes from here (projectConfigSchema),
 * and so do the checks, so the two cannot disagree.
 */
import { FqcError } from "../errors.js";
import { adjustableRules, checkRuleSetting, RULE_LEVELS, type RuleLevel } from "./rule-settings.js";
import { didYouMean } from "./suggest.js";

export const PROJECT_CONFIG_FILE = "fqc.config.json";
export const PROJECT_CONFIG_SCHEMA_ID = "https://fqc.dev/schema/v1/fqc.config.schema.json";

export interface ProjectConfig {
  /** The file the settings came from (package.json for its "fqc" key). */
  file: string;
  rules: Map<string, RuleLevel>;
  /** Globs of files never linted or normalized, relative to the directory of `file`. */
  ignorePatterns: string[];
  /** false: a glob that matches no file (or only ignored ones) is not an error. */
  errorOnUnmatchedPattern: boolean;
}

const KEYS = ["$schema", "rules", "ignorePatterns", "errorOnUnmatchedPattern"] as const;

/** Check a parsed settings object; `where` names it in messages (a path, or "package.json#fqc"). */
export function parseProjectConfig(value: unknown, where: string): ProjectConfig {
  const fail = (msg: string, hint?: string): never => {
    throw new FqcError("USAGE", `${where}: ${msg}`, { file: where, hint: hint ?? `See the schema: ${PROJECT_CONFIG_SCHEMA_ID}` });
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail("fqc settings must be a JSON object");
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if ((KEYS as readonly string[]).includes(k)) continue;
    const guess = didYouMean(k, KEYS);
    fail(`unknown key \`${k}\`${guess ? `; did you mean \`${guess}\`?` : ""}`, `Valid keys: ${KEYS.join(", ")}.`);
  }
  const out: ProjectConfig = { file: where, rules: new Map(), ignorePatterns: [], errorOnUnmatchedPattern: true };
  if (obj.$schema !== undefined && typeof obj.$schema !== "string") fail("`$schema` must be a string");
  if (obj.rules !== undefined) {
    const rules = obj.rules;
    if (rules === null || typeof rules !== "object" || Array.isArray(rules)) fail('`rules` must be an object: {"<rule id>": "off" | "warn" | "error"}');
    for (const [id, level] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof level !== "string") fail(`rules.${id} must be one of ${RULE_LEVELS.join(", ")}`);
      out.rules.set(id, checkRuleSetting(id, level as string, where));
    }
  }
  if (obj.ignorePatterns !== undefined) {
    const p = obj.ignorePatterns;
    if (!Array.isArray(p) || p.some((x) => typeof x !== "string" || x === "")) fail("`ignorePatterns` must be an array of non-empty glob strings");
    out.ignorePatterns = [...(p as string[])];
  }
  if (obj.errorOnUnmatchedPattern !== undefined) {
    if (typeof obj.errorOnUnmatchedPattern !== "boolean") fail("`errorOnUnmatchedPattern` must be true or false");
    out.errorOnUnmatchedPattern = obj.errorOnUnmatchedPattern as boolean;
  }
  return out;
}

/** The JSON Schema (draft 2020-12) of fqc.config.json and package.json's "fqc" key. */
export function projectConfigSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: PROJECT_CONFIG_SCHEMA_ID,
    title: "fqc project settings",
    description: "Linter settings for `fqc validate` in this project (fqc.config.json, or the \"fqc\" key of package.json). Command-line options override them.",
    type: "object",
    additionalProperties: false,
    properties: {
      $schema: { type: "string", description: "The URL or path of this schema, for editors." },
      rules: {
        type: "object",
        description: "Rule levels by rule id: off, warn or error. torchao's construct-stage rules, syntax errors and unreadable files cannot be changed (torchao would not even build such a config).",
        propertyNames: { enum: adjustableRules().map((r) => r.id) },
        additionalProperties: { enum: [...RULE_LEVELS], description: "off: not reported; warn: a warning; error: an error." },
        default: {},
      },
      ignorePatterns: {
        type: "array",
        description: "Globs (relative to the directory of this file) of files that `fqc validate` never lints and `fqc normalize` never reads or rewrites, e.g. \"legacy/**\".",
        items: { type: "string", minLength: 1 },
        default: [],
      },
      errorOnUnmatchedPattern: {
        type: "boolean",
        description: "false: a glob that matches no file, or only ignored ones, is not an error for `fqc validate` and `fqc normalize` (like --no-error-on-unmatched-pattern).",
        default: true,
      },
    },
  };
}
