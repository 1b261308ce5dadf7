/**
 * A realistic report shared by the formatter tests: several files, errors and
 * warnings, a clean file, a file without source (stdin), unicode, `%`, `:`,
 * `,` and newlines in messages and file names. Positions are computed from the
 * source text, so they are real.
 */
import type { FormatInput } from "../../src/diagnostics/format-types.js";
import type { Diagnostic, RuleInfo, Severity } from "../../src/diagnostics/types.js";

export const CWD = "/repo";

export const PAIR_FILE = "configs/8da4w.json";
export const PAIR_SOURCE = [
  "{",
  '  "$schema": "../schema/fqc.schema.json",',
  '  "activation": {',
  '    "dtype": "int8",',
  '    "granularity": "per_token"',
  "  },",
  '  "weight": {',
  '\t\t"dtype": "int4",',
  '\t\t"group_szie": 32,',
  '\t\t"is_symmetric": true',
  "  }",
  "}",
  "",
].join("\r\n");

/** Unicode, comma, colon, percent and a space in the name. */
export const ODD_FILE = "configs/ünïcode 名前, v1:100%.yaml";
export const ODD_SOURCE = "# 量子化 config\ndtype: uint4\ngroup_size: 32\nmapping_type: ASYMMETRIC\nzero_point_domain: FLOAT\neps: 0\n";

export const NEWLINE_FILE = "configs/odd\nname.json";
export const NEWLINE_SOURCE = '{"dtype": "int16", "granularity": "per_channel"}';

export const CLEAN_FILE = "configs/clean.json";
export const CLEAN_SOURCE = '{"dtype": "int4", "group_size": 32}\n';

export const STDIN = "<stdin>";

/** Line/column span (1-based, end exclusive) of the `occurrence`-th `needle` in `source`. */
export function span(source: string, needle: string, occurrence = 0) {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = source.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not in source`);
  }
  const before = source.slice(0, at).split(/\r\n|\r|\n/);
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  if (needle.includes("\n")) throw new Error("single-line needles only");
  return { line, column, endLine: line, endColumn: column + needle.length };
}

function diag(
  file: string,
  source: string,
  needle: string,
  ruleId: string,
  severity: Severity,
  message: string,
  pointer: string,
  hint?: string,
): Diagnostic {
  return { ruleId, severity, message, ...(hint ? { hint } : {}), file, pointer, ...span(source, needle) };
}

export const DIAGNOSTICS: Diagnostic[] = [
  diag(PAIR_FILE, PAIR_SOURCE, '"per_token"', "forward/symmetric-per-token", "error",
    "Symmetric per token is not supported yet", "/activation/granularity",
    'per_token needs "mapping_type": "ASYMMETRIC"'),
  diag(PAIR_FILE, PAIR_SOURCE, '"group_szie"', "fqc/unknown-key", "error",
    "Unknown key 'group_szie'", "/weight/group_szie", 'did you mean "group_size"?'),
  diag(ODD_FILE, ODD_SOURCE, "0", "lint/eps", "warning",
    "eps: 0 gives scale 0 for an all-zero group, 100% NaN output,\nthen 1/0 = inf", "/eps"),
  diag(NEWLINE_FILE, NEWLINE_SOURCE, '"int16"', "torchao/dtype-unsupported", "error",
    "Unsupported dtype 'torch.int16', choose from [torch.int8, torch.uint8, …]", "/dtype"),
  { ruleId: "fqc/syntax", severity: "error", message: "Unexpected token } in JSON", file: STDIN, pointer: "",
    line: 1, column: 2, endLine: 1, endColumn: 3 },
];

export const RULES: RuleInfo[] = [
  { id: "fqc/syntax", severity: "error", description: "The file is not valid JSON or YAML." },
  { id: "fqc/unknown-key", severity: "error", description: "A key that FakeQuantizeConfig does not accept. torchao raises TypeError." },
  { id: "forward/symmetric-per-token", severity: "error", description: "per_token with SYMMETRIC mapping fails at forward in torchao." },
  { id: "torchao/dtype-unsupported", severity: "error", description: "dtype outside int1..int8 and uint1..uint8." },
  // "lint/eps" is deliberately not registered: formatters must cope with unknown rule ids.
];

export function fixtureInput(overrides: Partial<FormatInput> = {}): FormatInput {
  return {
    diagnostics: DIAGNOSTICS,
    sources: new Map([
      [PAIR_FILE, PAIR_SOURCE],
      [ODD_FILE, ODD_SOURCE],
      [NEWLINE_FILE, NEWLINE_SOURCE],
      [CLEAN_FILE, CLEAN_SOURCE],
    ]),
    filesChecked: [PAIR_FILE, CLEAN_FILE, ODD_FILE, NEWLINE_FILE, STDIN],
    rules: RULES,
    toolVersion: "0.1.0",
    cwd: CWD,
    ...overrides,
  };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\x1b\[[0-9;]*m/;
// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
