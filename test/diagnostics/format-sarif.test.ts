import { describe, expect, it } from "vitest";
import { validateSarif } from "../helpers/sarif.js";
import { FINGERPRINT_KEY, formatSarif, SRCROOT } from "../../src/diagnostics/format-sarif.js";
import { messageWithHint } from "../../src/diagnostics/format-types.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";
import { RULES as REGISTRY } from "../../src/config/rules.js";
import { CLEAN_FILE, DIAGNOSTICS, fixtureInput, NEWLINE_FILE, ODD_FILE, PAIR_FILE, RULES, STDIN } from "./fixture.js";

// CJS packages under NodeNext: the class/function is on `.default` (see toolchain notes).

const validateSchema = validateSarif;

function expectValidSarif(text: string) {
  const log = JSON.parse(text);
  const ok = validateSchema(log);
  expect(ok ? [] : validateSchema.errors).toEqual([]);
  return log;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const log: any = expectValidSarif(formatSarif(fixtureInput()));
const run = log.runs[0];

describe("formatSarif", () => {
  it("validates against the official SARIF 2.1.0 schema", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/^https:\/\/.*sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
  });

  it("describes the tool and every rule with descriptions, level and an absolute help URI", () => {
    expect(run.tool.driver).toMatchObject({ name: "fqc", version: "0.1.0", semanticVersion: "0.1.0" });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    const rules = run.tool.driver.rules;
    expect(rules.slice(0, RULES.length).map((r: any) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of rules) {
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(r.fullDescription.text.length).toBeGreaterThan(0);
      expect(["error", "warning"]).toContain(r.defaultConfiguration.level);
      expect(new URL(r.helpUri).protocol).toBe("https:");
    }
    const unknown = rules.find((r: any) => r.id === "lint/eps");
    expect(unknown).toBeDefined();
    expect(rules.find((r: any) => r.id === "fqc/unknown-key").shortDescription.text).toBe("A key that FakeQuantizeConfig does not accept.");
    expect(rules.find((r: any) => r.id === "fqc/syntax").help).toEqual({ text: "The file is not valid JSON or YAML. See https://github.com/fqc-dev/fqc#fqc-syntax" });
  });

  it("gives every result a ruleId whose ruleIndex points at that rule, and the right level and text", () => {
    expect(run.results).toHaveLength(DIAGNOSTICS.length);
    run.results.forEach((r: any, i: number) => {
      const d = DIAGNOSTICS[i];
      expect(r.ruleId).toBe(d.ruleId);
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(d.ruleId);
      expect(r.level).toBe(d.severity);
      expect(r.message.text).toBe(messageWithHint(d));
      expect(r.properties.pointer).toBe(d.pointer);
    });
  });

  it("uses repo-relative, forward-slash, percent-encoded URIs under %SRCROOT%", () => {
    expect(run.originalUriBaseIds[SRCROOT].uri).toBe("file:///repo/");
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      if (loc.uri === undefined) continue; // stdin
      expect(loc.uriBaseId).toBe(SRCROOT);
      expect(loc.uri).not.toMatch(/^\/|^[a-z]+:|\\/);
      expect(loc.uri).not.toMatch(/[\s,:]/);
    }
    const uris = run.results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris.filter(Boolean).map((u: string) => decodeURIComponent(u))).toEqual([PAIR_FILE, PAIR_FILE, ODD_FILE, NEWLINE_FILE]);
    // Resolving against %SRCROOT% gives the file's absolute location.
    const odd = new URL(uris[2], run.originalUriBaseIds[SRCROOT].uri);
    expect(decodeURIComponent(odd.pathname)).toBe(`/repo/${ODD_FILE}`);
  });

  it("has 1-based regions with the diagnostic's range (end column exclusive, as in SARIF)", () => {
    run.results.forEach((r: any, i: number) => {
      const d = DIAGNOSTICS[i];
      const region = r.locations[0].physicalLocation.region;
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region).toEqual({ startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: d.endColumn });
    });
    expect(run.columnKind).toBe("utf16CodeUnits");
  });

  it("lists every checked file as an artifact, and locations index into that list", () => {
    const names = run.artifacts.map((a: any) => (a.location.uri ? decodeURIComponent(a.location.uri) : STDIN));
    expect(names).toEqual([PAIR_FILE, CLEAN_FILE, ODD_FILE, NEWLINE_FILE, STDIN]);
    for (const a of run.artifacts) expect(a.roles).toEqual(["analysisTarget"]);
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation.artifactLocation;
      expect(run.artifacts[loc.index].location.uri).toBe(loc.uri);
    }
  });

  it("fingerprints by rule, file and pointer: stable when lines move, distinct otherwise", () => {
    const fp = (l: any) => l.runs[0].results.map((r: any) => r.partialFingerprints[FINGERPRINT_KEY]);
    const base = fp(log);
    expect(new Set(base).size).toBe(base.length);
    const moved = DIAGNOSTICS.map((d) => ({ ...d, line: d.line + 3, endLine: d.endLine + 3, message: d.message + " (edited)" }));
    expect(fp(JSON.parse(formatSarif(fixtureInput({ diagnostics: moved }))))).toEqual(base);
    // The same relative file reached through an absolute path, from another checkout, is the same alert.
    const elsewhere = DIAGNOSTICS.map((d) => (d.file === "<stdin>" ? d : { ...d, file: `/ci/work/${d.file}` }));
    const other = fp(JSON.parse(formatSarif(fixtureInput({ diagnostics: elsewhere, cwd: "/ci/work", filesChecked: [] }))));
    expect(other).toEqual(base);
    // Repeats of one rule at one pointer get GitHub's ":n" occurrence suffix.
    const twice = fp(JSON.parse(formatSarif(fixtureInput({ diagnostics: [DIAGNOSTICS[0], DIAGNOSTICS[0]] }))));
    expect(twice).toEqual([base[0], `${base[0]}:1`]);
  });

  it("gives a result the same fingerprint whatever other results the log holds", () => {
    const fp = (diagnostics: Diagnostic[]) => JSON.parse(formatSarif(fixtureInput({ diagnostics }))).runs[0].results.map((r: any) => r.partialFingerprints[FINGERPRINT_KEY]);
    const [alone] = fp([DIAGNOSTICS[1]]);
    expect(fp([DIAGNOSTICS[0], DIAGNOSTICS[1]])[1]).toBe(alone);
    expect(fp([DIAGNOSTICS[2], DIAGNOSTICS[3], DIAGNOSTICS[1]])[2]).toBe(alone);
  });

  it("keeps its fingerprint key and values from release to release, as code scanning matches alerts by them", () => {
    // A changed key or hash would make every open alert look fixed and a new one opened; the key's version says so.
    expect(FINGERPRINT_KEY).toBe("fqcLocation/v1");
    expect(run.results[1].partialFingerprints).toEqual({ "fqcLocation/v1": "141763b852c816e6f57f1f196a1e80aa" });
  });

  it("uses an absolute file URI for files outside cwd, and no URI for stdin; both validate", () => {
    const outside: Diagnostic = { ...DIAGNOSTICS[1], file: "../elsewhere/w.json" };
    const l = expectValidSarif(formatSarif(fixtureInput({ diagnostics: [outside, DIAGNOSTICS[4]], filesChecked: [] })));
    const locs = l.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation);
    expect(locs[0].uri).toBe("file:///elsewhere/w.json");
    expect(locs[0].uriBaseId).toBeUndefined();
    expect(locs[1].uri).toBeUndefined();
    expect(locs[1].description.text).toBe("standard input");
  });

  it("makes URIs relative to the repository root, with %SRCROOT% its file URI, when run in a subdirectory", () => {
    const sub: Diagnostic[] = [{ ...DIAGNOSTICS[1], file: "qat/w.fqc.json" }, { ...DIAGNOSTICS[1], file: "../top.fqc.json" }];
    const l = expectValidSarif(formatSarif(fixtureInput({ diagnostics: sub, filesChecked: [], cwd: "/repo/configs", root: "/repo" })));
    expect(l.runs[0].originalUriBaseIds[SRCROOT]).toEqual({ uri: "file:///repo/" });
    const locs = l.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation);
    expect(locs.map((x: any) => [x.uriBaseId, x.uri])).toEqual([[SRCROOT, "configs/qat/w.fqc.json"], [SRCROOT, "top.fqc.json"]]);
    expect(l.runs[0].artifacts.map((a: any) => a.location.uri)).toEqual(["configs/qat/w.fqc.json", "top.fqc.json"]);
  });

  it("clamps sloppy positions into a valid region", () => {
    const sloppy: Diagnostic = { ...DIAGNOSTICS[1], line: 0, column: 0, endLine: 0, endColumn: 0 };
    const l = expectValidSarif(formatSarif(fixtureInput({ diagnostics: [sloppy] })));
    expect(l.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 });
  });

  it("keeps a multi-line range's end column where it is, and lifts an end before the start up to the start", () => {
    const regionOf = (d: Diagnostic) => expectValidSarif(formatSarif(fixtureInput({ diagnostics: [d] }))).runs[0].results[0].locations[0].physicalLocation.region;
    // On a later line the end column may lie left of the start column.
    expect(regionOf({ ...DIAGNOSTICS[1], line: 2, column: 10, endLine: 4, endColumn: 3 })).toEqual({ startLine: 2, startColumn: 10, endLine: 4, endColumn: 3 });
    expect(regionOf({ ...DIAGNOSTICS[1], line: 2, column: 10, endLine: 4, endColumn: 0 })).toEqual({ startLine: 2, startColumn: 10, endLine: 4, endColumn: 1 });
    // On the same line it may not, nor may the end line lie before the start line.
    expect(regionOf({ ...DIAGNOSTICS[1], line: 3, column: 10, endLine: 3, endColumn: 4 })).toEqual({ startLine: 3, startColumn: 10, endLine: 3, endColumn: 10 });
    expect(regionOf({ ...DIAGNOSTICS[1], line: 5, column: 10, endLine: 2, endColumn: 12 })).toEqual({ startLine: 5, startColumn: 10, endLine: 5, endColumn: 12 });
  });

  it("gives %SRCROOT% one trailing slash, the file-system root included", () => {
    const baseOf = (cwd: string, root?: string) => expectValidSarif(formatSarif(fixtureInput({ cwd, root }))).runs[0].originalUriBaseIds[SRCROOT].uri;
    expect(baseOf("/")).toBe("file:///");
    expect(baseOf("/repo/configs", "/repo/")).toBe("file:///repo/");
  });

  it("gives semanticVersion only for a SemVer 2.0 version, pre-release and build metadata included", () => {
    const semver = (v: string) => JSON.parse(formatSarif(fixtureInput({ toolVersion: v, diagnostics: [] }))).runs[0].tool.driver.semanticVersion;
    for (const v of ["0.1.0", "10.20.30", "1.2.3-rc.1", "1.2.3-alpha-2", "1.2.3+build.5", "1.2.3-rc.1+sha.0a1b", "1.2.3-0", "1.2.3-0a.01b", "1.2.3+001", "1.2.3--.-"]) {
      expect(semver(v)).toBe(v);
    }
    // SemVer 2.0 forbids leading zeros in numbers (the pre-release's numeric identifiers too) and empty identifiers; build metadata may have leading zeros.
    for (const v of ["dev", "v1.2.3", "1.2", "1.2.3.4", "x1.2.3", "1.2.3x", "1.a.3", "1.2.3-", "1.2.3+", "1.2.3-rc_1", "1.2.3+b!", "01.2.3", "1.02.3", "1.2.03", "1.2.3-01", "1.2.3-rc..1", "1.2.3-rc.", "1.2.3+b..1", "1.2.3+.b"]) {
      expect(semver(v), v).toBeUndefined();
    }
  });

  it("is a valid log with no results for a clean run, and with an empty rule registry", () => {
    const clean = expectValidSarif(formatSarif(fixtureInput({ diagnostics: [] })));
    expect(clean.runs[0].results).toEqual([]);
    expect(clean.runs[0].artifacts).toHaveLength(5);
    const noRules = expectValidSarif(formatSarif(fixtureInput({ rules: [] })));
    expect(noRules.runs[0].tool.driver.rules.map((r: any) => r.id).sort()).toEqual([...new Set(DIAGNOSTICS.map((d) => d.ruleId))].sort());
  });

  it("omits semanticVersion for a non-semver version and honours a custom homepage", () => {
    const l = expectValidSarif(formatSarif(fixtureInput({ toolVersion: "dev", homepage: "https://example.org/fqc/" })));
    expect(l.runs[0].tool.driver.semanticVersion).toBeUndefined();
    expect(l.runs[0].tool.driver.informationUri).toBe("https://example.org/fqc/");
    expect(l.runs[0].tool.driver.rules[0].helpUri).toBe("https://example.org/fqc#fqc-syntax");
  });

  it("validates with the project's real rule registry, one rule entry per registered id", () => {
    const l = expectValidSarif(formatSarif(fixtureInput({ rules: REGISTRY, diagnostics: [] })));
    const ids = l.runs[0].tool.driver.rules.map((r: any) => r.id);
    expect(ids).toEqual(REGISTRY.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of l.runs[0].tool.driver.rules) expect(r.shortDescription.text.length).toBeLessThanOrEqual(r.fullDescription.text.length);
  });

  it("says the run succeeded (executionSuccessful true, no notification) when every file was read and parsed", () => {
    const findingsOnly = DIAGNOSTICS.filter((d) => d.ruleId !== "fqc/syntax");
    for (const diagnostics of [findingsOnly, []]) {
      const l = expectValidSarif(formatSarif(fixtureInput({ diagnostics })));
      expect(l.runs[0].invocations).toEqual([{ executionSuccessful: true }]);
      // Nothing was left out either, so the run has no unlistedCount property.
      expect(l.runs[0].properties).toBeUndefined();
    }
  });

  it("marks the run failed (executionSuccessful false) with an error notification at each file it could not read", () => {
    const missing: Diagnostic = { ruleId: "fqc/io", severity: "error", message: "no such file", file: "configs/missing.json", pointer: "", line: 1, column: 1, endLine: 1, endColumn: 1 };
    const l = expectValidSarif(formatSarif(fixtureInput({ diagnostics: [DIAGNOSTICS[0], missing], filesChecked: [PAIR_FILE, missing.file] })));
    const [inv] = l.runs[0].invocations;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toEqual([
      {
        level: "error",
        message: { text: "fqc could not analyse configs/missing.json: no such file" },
        locations: [{ physicalLocation: { artifactLocation: { uri: "configs/missing.json", uriBaseId: SRCROOT, index: 1 } } }],
      },
    ]);
    // The file stays an error result too, where code scanning shows it.
    expect(l.runs[0].results.map((r: any) => r.ruleId)).toEqual([DIAGNOSTICS[0].ruleId, "fqc/io"]);
  });

  it("marks the run failed when a file did not parse (stdin included), and keeps the cut-report warning beside it", () => {
    const l = expectValidSarif(formatSarif(fixtureInput({ unlisted: new Map([[PAIR_FILE, { errorCount: 3, warningCount: 0 }]]) })));
    const [inv] = l.runs[0].invocations;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications.map((n: any) => [n.level, n.message.text])).toEqual([
      ["error", "fqc could not analyse standard input: Unexpected token } in JSON"],
      ["warning", "fqc: 3 more not listed (at most 100 per file)"],
    ]);
    expect(inv.toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation).toEqual({ description: { text: "standard input" }, index: 4 });
  });

  it("the schema check itself rejects a broken log", () => {
    const broken = JSON.parse(formatSarif(fixtureInput()));
    broken.runs[0].results[0].level = "fatal";
    delete broken.version;
    expect(validateSchema(broken)).toBe(false);
  });
});
