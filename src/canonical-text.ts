/**
 * A config file rewritten in canonical form (`normalize --write/--check`):
 * the canonical config, plus what a file carries for editors — a top-level
 * "$schema", and in YAML the leading comment lines (the yaml-language-server
 * modeline). JSON stays JSON, YAML stays YAML, keys in canonical order.
 */
import YAML from "yaml";
import { canonicalJson, canonicalValue, schemaUriOf } from "./config/normalize.js";
import type { CanonicalDocument } from "./config/types.js";

export function isYamlName(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

const BOM = "\uFEFF";

/** A UTF-8 byte-order mark is read as editors read it, and kept: the canonical text starts with one when the file did. */
export function canonicalFileText(doc: CanonicalDocument, originalText: string, file: string): string {
  return originalText.startsWith(BOM) ? BOM + canonicalBody(doc, originalText.slice(1), file) : canonicalBody(doc, originalText, file);
}

function canonicalBody(doc: CanonicalDocument, originalText: string, file: string): string {
  if (!isYamlName(file)) return canonicalJson(doc, { schema: schemaUriOf(JSON.parse(originalText)) });
  const schema = schemaUriOf(YAML.parse(originalText));
  const value = canonicalValue(doc);
  const leadingComments = /^(?:#[^\n]*\n)*/.exec(originalText.replace(/\r\n/g, "\n"))![0];
  return leadingComments + YAML.stringify(schema !== undefined ? { $schema: schema, ...value } : value);
}
