/** The input every formatter receives, and small helpers they share. */
import { posix, sep, win32 } from "node:path";
import type { Diagnostic, RuleInfo } from "./types.js";

/** Problems of one file left out of a report, by severity. */
export interface UnlistedCount {
  errorCount: number;
  warningCount: number;
}

export interface FormatInput {
  /** Diagnostics for all files, in report order. */
  diagnostics: Diagnostic[];
  /** file → source text, for code frames; a missing entry means no frame. */
  sources: Map<string, string>;
  /** Every file validated, including clean ones. */
  filesChecked: string[];
  /** The rule registry (src/config/rules.ts). */
  rules: RuleInfo[];
  toolVersion: string;
  /** Directory that relative file names are resolved against. */
  cwd: string;
  /**
   * Repository root: GitHub annotation paths and SARIF URIs are relative to it, and SARIF's `%SRCROOT%` is its
   * file URI. Defaults to `cwd`; the CLI passes the repository root (src/cli/repo-root.ts).
   */
  root?: string;
  /**
   * Problems found but not listed, per file: the CLI lists at most
   * MAX_PROBLEMS_PER_FILE per file (src/diagnostics/problem-cap.ts) and every
   * formatter states how many more there were. Absent: everything is listed.
   */
  unlisted?: ReadonlyMap<string, UnlistedCount>;
  /** Project home page, used for SARIF `informationUri` and rule `helpUri`s; defaults to FQC_HOMEPAGE. */
  homepage?: string;
}

export type FormatName = "stylish" | "json" | "github" | "sarif";
export const FORMAT_NAMES: readonly FormatName[] = ["stylish", "json", "github", "sarif"];

export const TOOL_NAME = "fqc";
/** Where the rule documentation lives; one anchor per rule id in the README's rule table. */
export const FQC_HOMEPAGE = "https://github.com/fqc-dev/fqc";
/** The file name the CLI uses for standard input. */
export const STDIN_FILE = "<stdin>";

/**
 * True for a problem that kept fqc from analysing a file at all: it could not be read (`fqc/io`, also a glob that
 * matched nothing) or did not parse (`fqc/syntax`), so none of its rules ran. The CLI exits 2 for these.
 */
export function notAnalysed(d: Pick<Diagnostic, "ruleId" | "severity">): boolean {
  return d.severity === "error" && (d.ruleId === "fqc/io" || d.ruleId === "fqc/syntax");
}

/** The message followed by the hint on its own line, for formats with a single text field. */
export function messageWithHint(d: Pick<Diagnostic, "message" | "hint">): string {
  return d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
}

/**
 * The file (resolved against `cwd`) relative to `root` with forward slashes, or null when it lies
 * outside `root` (or is standard input) and so has no repo-relative form.
 */
export function repoRelativePath(file: string, cwd: string, root: string = cwd): string | null {
  if (file === STDIN_FILE) return null;
  // Windows paths get win32 semantics on any host, so reports made on Windows agents stay correct.
  const pathApi = /^[A-Za-z]:[\\/]|^\\\\/.test(cwd) || sep === "\\" ? win32 : posix;
  const rel = pathApi.relative(pathApi.resolve(cwd, root), pathApi.resolve(cwd, file));
  if (rel === "" || rel === ".." || rel.startsWith(".." + pathApi.sep) || pathApi.isAbsolute(rel)) return null;
  return pathApi.sep === "\\" ? rel.split("\\").join("/") : rel;
}

/** Anchor of a rule in the documentation: "torchao/group-size-conflict" → "torchao-group-size-conflict". */
export function ruleAnchor(ruleId: string): string {
  return ruleId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export function ruleHelpUri(ruleId: string, homepage: string = FQC_HOMEPAGE): string {
  return `${homepage.replace(/\/+$/, "")}#${ruleAnchor(ruleId)}`;
}
