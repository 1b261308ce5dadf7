/** What a config rule reports, before it is placed in a file (see validate.ts). */
import type { PointerPart, SourceRange } from "../diagnostics/locate.js";
import type { RuleId } from "./rules.js";
import type { TorchaoVersion } from "./types.js";

export interface Finding {
  ruleId: RuleId;
  message: string;
  hint?: string;
  /** JSON pointer of the offending value (or key, with part "key"). */
  pointer: string;
  part?: PointerPart;
  /** Where it is, when that is no value's place (a YAML comment): then the pointer only groups it. */
  at?: SourceRange;
  /** The torchao versions that raise it, when not all do (validate's `torchao` option drops it for the others). */
  torchaoVersions?: readonly TorchaoVersion[];
}

/** JSON spelling of a value for fqc's own messages (torchao's messages use Python's, see pyrepr.ts). */
export function jsonText(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  // Library callers can pass values JSON has no spelling for: name them instead of crashing or printing "undefined".
  if (typeof v === "bigint") return `${v}n (a BigInt)`;
  if (typeof v === "symbol") return v.toString();
  if (typeof v === "function") return "a function";
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  } catch {
    return "a value that contains itself";
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function hasKey(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** The findings the given torchao version raises (a finding without `torchaoVersions` is raised by all). */
export function raisedBy(findings: readonly Finding[], version: TorchaoVersion): Finding[] {
  return findings.filter((f) => f.torchaoVersions === undefined || f.torchaoVersions.includes(version));
}
