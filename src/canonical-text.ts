/**
 * A config file rewritten in canonical form (`normalize --write/--check`):
 * the canonical config, plus what a file carries for people and editors — a
 * top-level "$schema", and in YAML its comments (the yaml-language-server
 * modeline among them). JSON stays JSON, YAML stays YAML, keys in canonical order.
 */
import { canonicalJson, canonicalValue, schemaUriOf } from "./config/normalize.js";
import { FULL_YAML_MAX_LENGTH, parseYamlText, type SourceDoc } from "./diagnostics/source.js";
import { FqcError } from "./errors.js";
import type { CanonicalDocument } from "./config/types.js";
import { yamlCommentAt } from "./yaml-comment-at.js";
import { startsWithDocumentMarker, yamlWithComments } from "./yaml-comments.js";

export function isYamlName(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

const BOM = "\uFEFF";

/**
 * A UTF-8 byte-order mark is read as editors read it, and kept: the canonical text starts with one when the file did.
 * Line breaks follow the file's first one: a CRLF checkout (Git for Windows' core.autocrlf default) is canonical
 * with CRLF, else `normalize --check` failed every config there and `--write` rewrote them only for git to convert back;
 * a JSON file with lone CRs (classic Mac OS) keeps them likewise.
 */
export function canonicalFileText(doc: CanonicalDocument, originalText: string, file: string, source?: SourceDoc): string {
  const body = originalText.startsWith(BOM) ? BOM + canonicalBody(doc, originalText.slice(1), file, source) : canonicalBody(doc, originalText, file, source);
  const lineBreak = lineBreakOf(originalText, isYamlName(file));
  // Canonical text has raw line feeds only as line breaks (JSON escapes them in strings).
  return lineBreak === "\n" ? body : body.replace(/\n/g, lineBreak);
}

/**
 * A text's first line break: CRLF, a lone CR, or LF (also for a text without one). A lone CR counts in JSON only:
 * YAML breaks lines at LF and CRLF alone, so a YAML file written with lone CRs would not read back.
 */
function lineBreakOf(text: string, yaml: boolean): "\n" | "\r\n" | "\r" {
  const at = text.search(/[\r\n]/);
  if (at < 0 || text[at] === "\n") return "\n";
  if (text[at + 1] === "\n") return "\r\n";
  return yaml ? "\n" : "\r";
}

/** `source`: the text as validate read it, when the caller has it: the file is not read again. */
function canonicalBody(doc: CanonicalDocument, originalText: string, file: string, source: SourceDoc | undefined): string {
  if (!isYamlName(file)) return canonicalJson(doc, { schema: schemaUriOf(source ? source.value : JSON.parse(originalText)) });
  // Read as validate read it (fqc's large-file reader, the package only within its bound): YAML.parse took 130 s on a 4 MB recipe.
  const parsed = source ?? readYaml(originalText);
  const schema = parsed ? schemaUriOf(parsed.value) : undefined;
  const value = canonicalValue(doc);
  const lf = originalText.replace(/\r\n/g, "\n");
  const out = schema !== undefined ? { $schema: schema, ...value } : value;
  // The comments come from the same reading when the yaml package made it (fqc's large-file reader keeps none).
  if (lf.length <= FULL_YAML_MAX_LENGTH) return yamlWithComments(out, lf, parsed?.yamlDocument);
  // Past the yaml package's bound only the leading comment lines (the modeline) are kept: refuse to drop any other.
  const leadingComments = /^(?:#[^\n]*\n)*/.exec(lf)![0];
  const comment = yamlCommentAt(lf, leadingComments.length);
  if (comment >= 0) {
    const line = lf.slice(0, comment).split("\n").length;
    throw new FqcError("USAGE", `${file}: line ${line} holds a comment, which fqc cannot keep in a YAML file over ${FULL_YAML_MAX_LENGTH / 1024} KiB; it rewrites such a file only without comments past its first lines`, {
      file,
      hint: "Move the comments to the top of the file, split the recipe, or save it as JSON.",
    });
  }
  return leadingComments + yamlWithComments(out, startsWithDocumentMarker(lf.slice(leadingComments.length)) ? "---\n" : "");
}

function readYaml(text: string): SourceDoc | undefined {
  const parsed = parseYamlText(text);
  return parsed.ok ? parsed.doc : undefined;
}
