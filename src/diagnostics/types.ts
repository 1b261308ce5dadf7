/** A diagnostic is plain data; formatters render it, rules produce it. */

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable rule id, e.g. "torchao/group-size-conflict". */
  ruleId: string;
  severity: Severity;
  /** The message; for torchao constructor errors, torchao's exact text. */
  message: string;
  /** Optional advice on how to fix it (printed after the message). */
  hint?: string;
  /** File name as given by the user ("<stdin>" for standard input). */
  file: string;
  /** RFC 6901 JSON pointer to the offending value ("" = document root). */
  pointer: string;
  /** 1-based positions; end is exclusive column of the offending value. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One-line description for SARIF/README. */
  description: string;
}
