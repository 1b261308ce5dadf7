/**
 * validate: text (JSON or YAML) or an already-parsed value → diagnostics with
 * exact positions, plus the canonical document when the file constructs.
 *
 * Order: torchao's first constructor error stays first (it is what torchao
 * raises); everything else is sorted by position.
 */
import { compareRanges, formatForFile, nearestRange, type SourceRange } from "../diagnostics/locate.js";
import { parseSourceText, valueSource, type SourceDoc } from "../diagnostics/source.js";
import { messageText } from "../diagnostics/one-line.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { checkDocument, torchaoFirstError } from "./document.js";
import type { Finding } from "./finding.js";
import { ruleInfo } from "./rules.js";
import { schemaFindings } from "./schema-check.js";
import { plainSource } from "./torchao-envelope.js";
import type { CanonicalDocument } from "./types.js";

export interface ValidateOptions {
  /** File name shown in diagnostics; `.yaml`/`.yml` selects YAML. Default "<input>". */
  filename?: string;
  /** Force the text format (otherwise from the file name; JSON by default). */
  format?: "json" | "yaml";
}

export interface ValidateResult {
  diagnostics: Diagnostic[];
  /**
   * The canonical document, present when every config in the file constructs
   * in torchao (no construct-stage diagnostic). Forward-stage errors such as
   * per_token + SYMMETRIC may still be present: check `diagnostics`.
   */
  document?: CanonicalDocument;
}

/**
 * Validate a config file. A string is parsed as text (JSON, or YAML for
 * .yaml/.yml names or format "yaml"); any other value is taken as already
 * parsed, and its diagnostics are positioned at 1:1.
 */
export function validate(input: string | unknown, opts: ValidateOptions = {}): ValidateResult {
  const file = opts.filename ?? "<input>";
  let src: SourceDoc;
  if (typeof input === "string") {
    const parsed = parseSourceText(input, opts.format ?? formatForFile(opts.filename));
    if (!parsed.ok) {
      const { message, hint, ...range } = parsed.error;
      const d: Diagnostic = { ruleId: "fqc/syntax", severity: "error", message: messageText(message), file, pointer: "", ...range };
      if (hint) d.hint = hint;
      return { diagnostics: [d] };
    }
    src = parsed.doc;
  } else {
    src = valueSource(input);
  }

  // torchao's own JSON (config_to_dict) is read through its envelope; problems with the envelope itself come alone.
  const plain = plainSource(src);
  if (plain.problems.length > 0) {
    return { diagnostics: plain.problems.map((f) => toDiagnostic(f, rangeOf(src, f), file)) };
  }
  src = plain.src;

  const check = checkDocument(src.value, src);
  const fromSchema = schemaFindings(src.value, check.findings, check.configPointers);
  const findings = dedupe([...check.findings, ...fromSchema]);
  if (findings.length === 0) return { diagnostics: [], document: check.document };

  const primary = torchaoFirstError(check.findings);
  const placed = findings.map((f) => ({ f, range: rangeOf(src, f) }));
  const rest = placed.filter((p) => p.f !== primary);
  rest.sort((a, b) => compareRanges(a.range, b.range)); // stable: ties keep rule order
  const ordered = primary ? [placed.find((p) => p.f === primary)!, ...rest] : rest;
  const diagnostics = ordered.map(({ f, range }) => toDiagnostic({ ...f, pointer: plain.toOriginal(f.pointer) }, range, file));
  return { diagnostics, document: check.document };
}

function rangeOf(src: SourceDoc, f: Finding): SourceRange {
  return nearestRange((p, part) => src.range(p, part), f.pointer, f.part ?? "value");
}

function toDiagnostic(f: Finding, range: SourceRange, file: string): Diagnostic {
  const d: Diagnostic = { ruleId: f.ruleId, severity: ruleInfo(f.ruleId).severity, message: messageText(f.message), file, pointer: f.pointer, ...range };
  if (f.hint) d.hint = messageText(f.hint);
  return d;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.ruleId}\u0000${f.pointer}\u0000${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
