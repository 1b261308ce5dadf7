/**
 * validate: text (JSON or YAML) or an already-parsed value → diagnostics with
 * exact positions, plus the canonical document when the file constructs.
 *
 * Order: torchao's first constructor error stays first (it is what torchao
 * raises); everything else is sorted by position.
 */
import { compareRanges, formatForFile, nearestRange, type SourceRange } from "../diagnostics/locate.js";
import { parseSourceText, valueSource, type SourceDoc } from "../diagnostics/source.js";
import { modelineSchemaFinding } from "./schema-url.js";
import { messageText } from "../diagnostics/one-line.js";
import type { UnlistedCount } from "../diagnostics/format-types.js";
import type { Diagnostic, Severity } from "../diagnostics/types.js";
import { checkDocument, torchaoFirstError } from "./document.js";
import { raisedBy, type Finding } from "./finding.js";
import type { RuleSettings } from "./rule-settings.js";
import { ruleInfo } from "./rules.js";
import { schemaFindings } from "./schema-check.js";
import { plainSource } from "./torchao-envelope.js";
import type { CanonicalDocument, TorchaoVersion } from "./types.js";
import { keyBudget } from "./unknown-keys.js";
import { FqcError } from "../errors.js";
import { checkChoice, checkReadableValue, checkNotBytes, checkTorchao, kindOf, optionNames, optionsObject } from "../library-args.js";

/** Every option validate takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<ValidateOptions>()(["filename", "format", "ruleSettings", "maxProblems", "torchao"]);

export interface ValidateOptions {
  /** File name shown in diagnostics; `.yaml`/`.yml` selects YAML. Default "<input>". */
  filename?: string;
  /** Force the text format (otherwise from the file name; JSON by default). */
  format?: "json" | "yaml";
  /**
   * Rule levels (`--rule`, a project file): a rule turned off is neither listed nor counted, the others get
   * the level's severity. Applied before `maxProblems`.
   */
  ruleSettings?: RuleSettings;
  /**
   * List at most this many diagnostics (the first in report order) and count the rest in `unlisted`. Only
   * the listed ones are worded and placed at a line and column, so a file with 500,000 problems costs little
   * more than reading it. Default: list every diagnostic.
   */
  maxProblems?: number;
  /**
   * The torchao version whose forward rules apply (default "0.12"): from v0.13, range learning with an integer
   * zero point fails only for asymmetric configs (see `torchaoVersions` on a finding), and PerRow prints as `PerRow(dim=-1)`.
   */
  torchao?: TorchaoVersion;
}

export interface ValidateResult {
  diagnostics: Diagnostic[];
  /**
   * The canonical document, present when every config in the file constructs
   * in torchao (no construct-stage diagnostic). Forward-stage errors such as
   * per_token + SYMMETRIC may still be present: check `diagnostics`.
   */
  document?: CanonicalDocument;
  /** The diagnostics found but not listed (past `maxProblems`), by severity. */
  unlisted: UnlistedCount;
}

/** validate's result, and whether any diagnostic was an error before rule settings changed levels (what `fqc validate --tensor` looks at). */
export interface JudgedText extends ValidateResult {
  errorsBeforeRuleSettings: boolean;
  /** The text as read, when it parsed: `normalize --write/--check` rewrite it from this reading, not another. */
  source?: SourceDoc;
}

/**
 * Validate a config file. A string is parsed as text (JSON, or YAML for
 * .yaml/.yml names or format "yaml"); any other value is taken as already
 * parsed, and its diagnostics are positioned at 1:1.
 */
export function validate(input: string | unknown, opts: ValidateOptions = {}): ValidateResult {
  const { diagnostics, document, unlisted } = judge(input, opts);
  return document ? { diagnostics, document, unlisted } : { diagnostics, unlisted };
}

/** validate, with what `fqc validate` needs besides. */
export function judge(input: string | unknown, opts: ValidateOptions = {}): JudgedText {
  opts = checkValidateOptions(opts);
  checkReadableValue(input, "validate: the config");
  checkNotBytes(input, "validate");
  const file = opts.filename ?? "<input>";
  const max = opts.maxProblems ?? Infinity;
  let src: SourceDoc;
  let read: SourceDoc | undefined;
  if (typeof input === "string") {
    const parsed = parseSourceText(input, opts.format ?? formatForFile(opts.filename));
    if (!parsed.ok) {
      const { message, hint, ...range } = parsed.error;
      const d: Diagnostic = { ruleId: "fqc/syntax", severity: "error", message: messageText(message), file, pointer: "", ...range };
      if (hint) d.hint = hint;
      return listed([d], max);
    }
    src = read = parsed.doc;
  } else {
    src = valueSource(input);
  }

  // torchao's own JSON (config_to_dict) is read through its envelope; problems with the envelope itself come alone.
  const plain = plainSource(src);
  if (plain.problems.length > 0) {
    const levels = severities(opts.ruleSettings);
    const kept = plain.problems.filter((f) => levels(f.ruleId) !== undefined);
    return { ...listed(kept.map((f) => toDiagnostic(f, levels(f.ruleId)!, rangeOf(src, f), file)), max), source: read };
  }
  src = plain.src;

  // Past the cap, an object's unknown keys are counted, not turned into findings (see unknown-keys.ts).
  const source = src;
  const budget = keyBudget(max, source.keysInOrder && ((p) => source.keysInOrder!(p)));
  const check = checkDocument(src.value, src, budget);
  const fromSchema = schemaFindings(src.value, check.findings, check.configPointers, budget.unknownIn);
  // The schema check above saw every finding (a schema error is explained by its rule's finding, whatever the version);
  // what the chosen torchao version does not raise is dropped only now.
  const torchao = opts.torchao ?? "0.12";
  const findings = raisedBy(dedupe(check.findings, fromSchema), torchao);
  // A YAML file names its schema in a comment; only the text holds it.
  const modeline = typeof input === "string" && src.format === "yaml" ? modelineSchemaFinding(input) : undefined;
  if (modeline) findings.push(modeline);
  const unlisted = { errorCount: 0, warningCount: 0 };
  if (findings.length === 0 && budget.skipped.size === 0) return { diagnostics: [], document: check.document, unlisted, errorsBeforeRuleSettings: false, source: read };
  const errorsBeforeRuleSettings = budget.skipped.size > 0 || findings.some((f) => ruleInfo(f.ruleId).severity === "error");

  // Rule levels first: a rule turned off neither takes a place in the list nor counts.
  const levels = severities(opts.ruleSettings);
  for (const [ruleId, n] of budget.skipped) {
    const severity = levels(ruleId);
    if (severity === "error") unlisted.errorCount += n;
    else if (severity === "warning") unlisted.warningCount += n;
  }
  const primary = torchaoFirstError(findings, check.configPointers);
  const rest: Finding[] = [];
  let lead: Finding | undefined;
  for (const f of findings) {
    if (levels(f.ruleId) === undefined) continue;
    if (f === primary) lead = f;
    else rest.push(f);
  }
  // Only these findings are placed: a source that can, finds their positions without indexing every node
  // (past some thousands of findings, indexing every node is as cheap).
  if (findings.length <= TARGETED_POSITIONS) src.prepareRanges?.(findings.map((f) => f.pointer));
  const toListed = (f: Finding, range: SourceRange) => toDiagnostic({ ...f, pointer: plain.toOriginal(f.pointer) }, levels(f.ruleId)!, range, file);
  const diagnostics: Diagnostic[] = [];
  if (lead) diagnostics.push(toListed(lead, rangeOf(src, lead)));
  for (const { f, range } of firstByPosition(src, rest, Math.max(0, Math.min(max, rest.length + diagnostics.length) - diagnostics.length), unlisted, levels)) {
    diagnostics.push(toListed(f, range));
  }
  if (diagnostics.length > max) {
    // max 0: even the lead is only counted.
    for (const d of diagnostics.splice(max)) count(unlisted, d.severity);
  }
  return { diagnostics, document: check.document, unlisted, errorsBeforeRuleSettings, source: read };
}

const TARGETED_POSITIONS = 10_000;

/** Severity of a rule under the settings; undefined when it is turned off. */
/** A JavaScript caller's options, checked: a plain object for ruleSettings or a NaN maxProblems would otherwise crash or list nothing. */
function checkValidateOptions(opts: unknown): ValidateOptions {
  const o = optionsObject<ValidateOptions>(opts, "validate", false, OPTION_NAMES);
  if (o.filename !== undefined && typeof o.filename !== "string") throw new FqcError("USAGE", `validate: options.filename must be a string, not ${kindOf(o.filename)}`);
  checkChoice(o.format, ["json", "yaml"] as const, "validate: options.format");
  checkTorchao(o.torchao, "validate: options.torchao");
  if (o.ruleSettings !== undefined && !(o.ruleSettings instanceof Map)) {
    throw new FqcError("USAGE", `validate: options.ruleSettings must be a Map of rule id → "off" | "warn" | "error", not ${kindOf(o.ruleSettings)}`, {
      hint: "e.g. new Map([[\"fqc/unknown-key\", \"warn\"]]), or new Map(Object.entries(settings)).",
    });
  }
  for (const [rule, level] of o.ruleSettings ?? []) {
    if (level !== "off" && level !== "warn" && level !== "error") {
      throw new FqcError("USAGE", `validate: options.ruleSettings gives rule ${rule} the level ${JSON.stringify(level) ?? kindOf(level)}, not one of "off", "warn", "error"`);
    }
  }
  const max = o.maxProblems;
  if (max !== undefined && (typeof max !== "number" || !(max === Infinity || (Number.isSafeInteger(max) && max >= 0)))) {
    throw new FqcError("USAGE", `validate: options.maxProblems must be a whole number ≥ 0, not ${typeof max === "number" ? String(max) : kindOf(max)}`);
  }
  return o;
}

function severities(settings: RuleSettings | undefined): (ruleId: string) => Severity | undefined {
  const memo = new Map<string, Severity | undefined>();
  return (ruleId) => {
    if (memo.has(ruleId)) return memo.get(ruleId);
    const level = settings?.get(ruleId);
    const s = level === undefined ? ruleInfo(ruleId).severity : level === "off" ? undefined : level === "warn" ? "warning" : "error";
    memo.set(ruleId, s);
    return s;
  };
}

function count(c: UnlistedCount, severity: Severity): void {
  if (severity === "error") c.errorCount++;
  else c.warningCount++;
}

/** Diagnostics that need no placing (a syntax error, envelope problems), capped. */
function listed(diagnostics: Diagnostic[], max: number): JudgedText {
  const unlisted = { errorCount: 0, warningCount: 0 };
  for (const d of diagnostics.slice(max)) count(unlisted, d.severity);
  return { diagnostics: diagnostics.slice(0, max), unlisted, errorsBeforeRuleSettings: diagnostics.some((d) => d.severity === "error") };
}

/**
 * The first `n` findings by source position (ties keep their order), each with its range; the others are
 * counted into `unlisted`. A file of 500,000 unknown keys is placed (an offset lookup per finding) but
 * sorted only as far as the first `n` need.
 */
function firstByPosition(
  src: SourceDoc,
  findings: readonly Finding[],
  n: number,
  unlisted: UnlistedCount,
  levels: (ruleId: string) => Severity | undefined,
): Array<{ f: Finding; range: SourceRange }> {
  if (findings.length <= n) {
    const placed = findings.map((f) => ({ f, range: rangeOf(src, f) }));
    placed.sort((a, b) => compareRanges(a.range, b.range)); // stable: ties keep rule order
    return placed;
  }
  // The best n so far, in order; a finding that does not beat the last of them is counted at once.
  const best: Array<{ f: Finding; range: SourceRange }> = [];
  const dropped = (f: Finding) => count(unlisted, levels(f.ruleId)!);
  for (const f of findings) {
    const range = rangeOf(src, f);
    if (best.length === n && (n === 0 || compareRanges(range, best[n - 1].range) >= 0)) {
      dropped(f);
      continue;
    }
    // After every earlier finding at the same place: a binary search for the first one strictly after it.
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareRanges(best[mid].range, range) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, { f, range });
    if (best.length > n) dropped(best.pop()!.f);
  }
  return best;
}

function rangeOf(src: SourceDoc, f: Finding): SourceRange {
  if (f.at) return f.at;
  return nearestRange((p, part) => src.range(p, part), f.pointer, f.part ?? "value");
}

function toDiagnostic(f: Finding, severity: Severity, range: SourceRange, file: string): Diagnostic {
  const d: Diagnostic = { ruleId: f.ruleId, severity, message: messageText(f.message), file, pointer: f.pointer, ...range };
  if (f.hint) d.hint = messageText(f.hint);
  return d;
}

/**
 * The findings in order, each (rule, pointer, message) once. Findings are grouped by pointer, so a file with
 * 500,000 findings at 500,000 places compares none of their messages.
 */
function dedupe(...lists: ReadonlyArray<readonly Finding[]>): Finding[] {
  const atPointer = new Map<string, Finding | Finding[]>();
  const out: Finding[] = [];
  for (const list of lists) {
    for (const f of list) {
      const seen = atPointer.get(f.pointer);
      if (seen === undefined) atPointer.set(f.pointer, f);
      else {
        const group = Array.isArray(seen) ? seen : [seen];
        if (group.some((g) => g.ruleId === f.ruleId && g.message === f.message)) continue;
        group.push(f);
        if (group !== seen) atPointer.set(f.pointer, group);
      }
      out.push(f);
    }
  }
  return out;
}
