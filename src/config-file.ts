/**
 * Reading config files for the commands: text from a path or stdin, validated
 * into a canonical document, and the role picked out of a QAT pair.
 */
import { readFileSync } from "node:fs";
import { FqcError } from "./errors.js";
import { validate } from "./config/validate.js";
import type { CanonicalConfig, CanonicalDocument, Recipe, Role } from "./config/types.js";
import type { Diagnostic } from "./diagnostics/types.js";

export interface LoadedConfig {
  file: string;
  text: string;
  diagnostics: Diagnostic[];
  document?: CanonicalDocument;
}

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory, expected a file" : err.code === "EACCES" ? "permission denied" : err.message;
    const hint = err.code === "EISDIR" ? `To check the configs inside, give a glob: '${path.replace(/\/+$/, "")}/**/*.{json,yaml,yml}'` : undefined;
    throw new FqcError("IO", `${path}: ${what}`, { file: path, hint, cause: e });
  }
}

export function loadConfigText(file: string, text: string): LoadedConfig {
  const { diagnostics, document } = validate(text, { filename: file });
  return { file, text, diagnostics, document };
}

export function selectRole(doc: CanonicalDocument, role: Role | undefined, file: string): CanonicalConfig {
  if (doc.kind === "single") return doc.config;
  if (doc.kind === "recipe") {
    throw new FqcError("USAGE", `${file} is a recipe (fqn_to_config), not a config`, {
      file,
      hint: "A recipe maps a checkpoint's tensor names to configs: give it with --recipe and a checkpoint.",
    });
  }
  const { activation, weight } = doc.pair;
  if (role) {
    const c = doc.pair[role];
    if (!c) throw new FqcError("USAGE", `${file}: the QAT pair has no "${role}" config`, { file, hint: `It has: ${Object.keys(doc.pair).join(", ")}.` });
    return c;
  }
  if (activation && weight) {
    throw new FqcError("USAGE", `${file} is a QAT pair (activation + weight); say which config to apply`, {
      file,
      hint: "Pass --role weight (for a weight tensor) or --role activation.",
    });
  }
  return (activation ?? weight)!;
}

/** The recipe in a document given with --recipe; a config or a pair there is a usage error naming the file. */
export function selectRecipe(doc: CanonicalDocument, file: string): Recipe {
  if (doc.kind === "recipe") return doc.recipe;
  throw new FqcError("USAGE", `${file} is a ${doc.kind === "pair" ? "QAT pair" : "config"}, not a recipe (no "fqn_to_config")`, {
    file,
    hint: "Give it with --config to fake-quantize every Linear weight, or write a recipe: {\"fqn_to_config\": {\"re:.*_proj\": {...}}}.",
  });
}
