/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). Beyond what the
 * schema requires, code scanning wants: stable rule ids with descriptions and
 * help URIs in `tool.driver.rules`, repo-relative artifact URIs under a
 * `%SRCROOT%` base, 1-based regions, and `partialFingerprints` so an alert
 * keeps its identity across commits.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { FormatInput } from "./format-types.js";
import { FQC_HOMEPAGE, messageWithHint, notAnalysed, repoRelativePath, ruleHelpUri, STDIN_FILE, TOOL_NAME } from "./format-types.js";
import { summarize, unlistedText } from "./summary.js";
import type { Diagnostic, RuleInfo, Severity } from "./types.js";

export const SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const SRCROOT = "%SRCROOT%";
/** Key of fqc's own fingerprint; bump the version if the hashed inputs ever change. */
export const FINGERPRINT_KEY = "fqcLocation/v1";

type Level = "error" | "warning";

interface ArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  index?: number;
  description?: { text: string };
}

export function formatSarif(input: FormatInput): string {
  const homepage = input.homepage ?? FQC_HOMEPAGE;
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);

  // Registry rules first, in registry order; ids seen only in diagnostics are appended so every ruleIndex resolves.
  const rules: RuleInfo[] = [...input.rules];
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  for (const d of input.diagnostics) {
    if (!ruleIndex.has(d.ruleId)) {
      ruleIndex.set(d.ruleId, rules.length);
      rules.push({ id: d.ruleId, severity: d.severity, description: `fqc rule ${d.ruleId}.` });
    }
  }

  const root = input.root ?? input.cwd;
  const artifacts = summary.files.map((f) => ({ location: artifactLocation(f.file, input.cwd, root), roles: ["analysisTarget"] }));
  const artifactIndex = new Map(summary.files.map((f, i) => [f.file, i]));

  const seen = new Map<string, number>();
  const results = input.diagnostics.map((d) => {
    const location = { ...artifactLocation(d.file, input.cwd, root), index: artifactIndex.get(d.file)! };
    const base = fingerprint(d, location.uri ?? d.file);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return {
      ruleId: d.ruleId,
      ruleIndex: ruleIndex.get(d.ruleId)!,
      level: level(d.severity),
      message: { text: messageWithHint(d) },
      locations: [{ physicalLocation: { artifactLocation: location, region: region(d) } }],
      // Same rule at the same pointer in the same file is the same alert; repeats get GitHub's ":n" suffix.
      partialFingerprints: { [FINGERPRINT_KEY]: n === 0 ? base : `${base}:${n}` },
      properties: { pointer: d.pointer },
    };
  });

  const sarif = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: input.toolVersion,
            ...(isSemver(input.toolVersion) ? { semanticVersion: input.toolVersion } : {}),
            informationUri: homepage,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: firstSentence(r.description) },
              fullDescription: { text: r.description },
              defaultConfiguration: { level: level(r.severity) },
              helpUri: ruleHelpUri(r.id, homepage),
              help: { text: `${r.description} See ${ruleHelpUri(r.id, homepage)}` },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(resolve(input.cwd, root)) } },
        artifacts,
        results,
        invocations: [invocation(input.diagnostics, summary.unlistedCount, artifactIndex, input.cwd, root)],
        // A cut report also says so as a run property, for tools that read properties rather than notifications.
        ...(summary.unlistedCount > 0 ? { properties: { unlistedCount: summary.unlistedCount } } : {}),
        columnKind: "utf16CodeUnits",
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

/**
 * The run's one invocation. SARIF 2.1.0 §3.20.14 and §3.20.21: `executionSuccessful` is false when the tool failed
 * (fqc exits 2), and an error-level tool execution notification means the results are not complete. A file fqc could
 * not read, or could not parse, was not analysed (its rules never ran): each gets such a notification, located at
 * the file. A cut report is only a warning: every problem was found and counted, some are just not listed.
 */
function invocation(diagnostics: readonly Diagnostic[], unlistedCount: number, artifactIndex: Map<string, number>, cwd: string, root: string) {
  const notifications: Array<{ level: Level; message: { text: string }; locations?: unknown[] }> = diagnostics.filter(notAnalysed).map((d) => ({
    level: "error",
    message: { text: `${TOOL_NAME} could not analyse ${d.file === STDIN_FILE ? "standard input" : d.file}: ${d.message}` },
    locations: [{ physicalLocation: { artifactLocation: { ...artifactLocation(d.file, cwd, root), index: artifactIndex.get(d.file)! } } }],
  }));
  const executionSuccessful = notifications.length === 0;
  if (unlistedCount > 0) notifications.push({ level: "warning", message: { text: `${TOOL_NAME}: ${unlistedText(unlistedCount)}` } });
  return { executionSuccessful, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) };
}

function level(sev: Severity): Level {
  return sev === "error" ? "error" : "warning";
}

/** Repo-relative URI under %SRCROOT% when possible; an absolute file URI otherwise; no URI for stdin. */
function artifactLocation(file: string, cwd: string, root: string): ArtifactLocation {
  if (file === STDIN_FILE) return { description: { text: "standard input" } };
  const rel = repoRelativePath(file, cwd, root);
  if (rel !== null) return { uri: rel.split("/").map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(resolve(cwd, file)).href };
}

function region(d: Diagnostic) {
  // SARIF requires positive, non-decreasing positions; clamp sloppy input rather than emit an invalid log.
  const startLine = Math.max(1, d.line);
  const startColumn = Math.max(1, d.column);
  const endLine = Math.max(startLine, d.endLine);
  const endColumn = endLine === startLine ? Math.max(startColumn, d.endColumn) : Math.max(1, d.endColumn);
  return { startLine, startColumn, endLine, endColumn };
}

/** Stable across runs and machines: rule, repo-relative file and JSON pointer — not the line, which moves with edits. */
function fingerprint(d: Diagnostic, uri: string): string {
  return createHash("sha256").update(`${d.ruleId}\u0000${uri}\u0000${d.pointer}`).digest("hex").slice(0, 32);
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith("/") ? href : href + "/";
}

// SemVer 2.0: numbers without leading zeros (in a pre-release too), dot-separated identifiers none of which is empty.
const NUMBER = "(?:0|[1-9]\\d*)";
const PRE_RELEASE_ID = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = "[0-9A-Za-z-]+";
const SEMVER = new RegExp(`^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRE_RELEASE_ID}(?:\\.${PRE_RELEASE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`);

function isSemver(v: string): boolean {
  return SEMVER.test(v);
}

function firstSentence(s: string): string {
  const m = /^(.+?[.!?])(?:\s|$)/.exec(s);
  return m ? m[1] : s;
}
