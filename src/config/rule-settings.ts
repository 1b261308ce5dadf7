/**
 * Per-rule settings, with ESLint's words: a rule may be turned "off" or set
 * to "warn" or "error". Only rules about configs torchao builds can be
 * changed: a construct-stage rule describes a config torchao's constructor
 * refuses (it would not even exist), a syntax error leaves nothing to check,
 * and an unreadable file cannot be linted — those stay errors.
 */
import type { Diagnostic, Severity } from "../diagnostics/types.js";
import { FqcError } from "../errors.js";
import { RULES, type FqcRuleInfo } from "./rules.js";
import { didYouMean } from "./suggest.js";

export const RULE_LEVELS = ["off", "warn", "error"] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];
export type RuleSettings = ReadonlyMap<string, RuleLevel>;

/** Rules whose level cannot change, with why (shown when someone tries). */
function fixedReason(rule: FqcRuleInfo): string | undefined {
  if (rule.stage === "construct") return "torchao's constructor refuses such a config, so it cannot be used at all";
  if (rule.stage === "syntax") return "a file that does not parse cannot be checked";
  if (rule.id === "fqc/io") return "a file that cannot be read cannot be checked";
  return undefined;
}

/** The rules `--rule` and a project file may change. */
export function adjustableRules(): FqcRuleInfo[] {
  return RULES.filter((r) => fixedReason(r) === undefined);
}

/**
 * Check one setting; `where` names its origin in messages (`--rule` or a
 * project file's path). Throws FqcError "USAGE" for an unknown rule, an
 * unknown level or a rule that cannot change.
 */
export function checkRuleSetting(id: string, level: string, where: string): RuleLevel {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) {
    const guess = didYouMean(id, RULES.map((r) => r.id));
    throw new FqcError("USAGE", `${where}: unknown rule '${id}'${guess ? `; did you mean '${guess}'?` : ""}`, {
      hint: `Rules that can be changed: ${adjustableRules().map((r) => r.id).join(", ")}.`,
    });
  }
  if (!(RULE_LEVELS as readonly string[]).includes(level)) {
    throw new FqcError("USAGE", `${where}: '${level}' is not a rule level for ${id}`, { hint: "Use off, warn or error." });
  }
  const fixed = fixedReason(rule);
  if (fixed && level !== "error") {
    throw new FqcError("USAGE", `${where}: ${id} cannot be set to ${level}: ${fixed}`, {
      hint: `Only these rules can be changed: ${adjustableRules().map((r) => r.id).join(", ")}.`,
    });
  }
  return level as RuleLevel;
}

/** `--rule id=level` values, in order (a later setting of the same rule wins). */
export function parseRuleOptions(values: readonly string[]): Map<string, RuleLevel> {
  const out = new Map<string, RuleLevel>();
  for (const v of values) {
    const eq = v.lastIndexOf("=");
    if (eq <= 0) throw new FqcError("USAGE", `--rule '${v}': expected <rule>=off|warn|error`, { hint: "For example --rule lint/asymmetric-int-domain=off" });
    const id = v.slice(0, eq).trim();
    out.set(id, checkRuleSetting(id, v.slice(eq + 1).trim(), "--rule"));
  }
  return out;
}

/** Settings applied in order; later ones (the command line) override earlier ones (the project file). */
export function mergeRuleSettings(...layers: Array<RuleSettings | undefined>): Map<string, RuleLevel> {
  const out = new Map<string, RuleLevel>();
  for (const l of layers) for (const [k, v] of l ?? []) out.set(k, v);
  return out;
}

const SEVERITY: Record<Exclude<RuleLevel, "off">, Severity> = { warn: "warning", error: "error" };

/** Drop the diagnostics of rules turned off and give the others their configured severity. */
export function applyRuleSettings(diagnostics: readonly Diagnostic[], settings: RuleSettings): Diagnostic[] {
  if (settings.size === 0) return [...diagnostics];
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const level = settings.get(d.ruleId);
    if (level === undefined) out.push(d);
    else if (level !== "off") out.push(d.severity === SEVERITY[level] ? d : { ...d, severity: SEVERITY[level] });
  }
  return out;
}
