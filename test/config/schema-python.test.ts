/**
 * The published schemas read the same in Python's jsonschema (what check-jsonschema runs in CI) as in ajv, on the
 * corpus of schema-interop.test.ts: each file passes its metaschema, and every verdict matches ajv's. Python reads
 * a JSON document's numbers itself (1e400 is infinity, a long integer stays exact), and a YAML document's NaN and
 * infinities reach it as numbers. Runs wherever python3 imports jsonschema; says why it is skipped otherwise.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Ajv } from "ajv";
import { EDITOR_KEYWORDS } from "../../src/config/schema-source.js";
import { ROOT } from "../helpers/cli.js";
import { parseDoc, schemaCorpus, type CorpusDoc } from "../helpers/schema-corpus.js";

const probe = spawnSync("python3", ["-c", "import jsonschema"], { encoding: "utf8" });
const SKIP_REASON = probe.error
  ? "python3 is not installed"
  : probe.status !== 0
    ? "python3 has no jsonschema (pip install jsonschema, or Debian's python3-jsonschema)"
    : "";
if (SKIP_REASON) console.log(`test/config/schema-python: skipped; ${SKIP_REASON}`);

const readSchema = (name: string) => JSON.parse(readFileSync(path.join(ROOT, "schema", name), "utf8")) as object;
const ajv2020 = new Ajv2020({ keywords: [...EDITOR_KEYWORDS] }).compile(readSchema("fqc.schema.json"));
const ajv07 = new Ajv({ keywords: [...EDITOR_KEYWORDS] }).compile(readSchema("fqc.draft-07.schema.json"));
const ajvSettings = new Ajv2020().compile(readSchema("fqc.config.schema.json"));

/** JSON text that Python's json.loads reads back to the same value: -0, NaN and the infinities kept. */
function pythonJson(v: unknown): string {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    return Object.is(v, -0) ? "-0.0" : JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${pythonJson(x)}`).join(",")}}`;
  return JSON.stringify(v);
}

interface PythonRun { version: string; metaschema_errors: Record<string, string[]>; verdicts: boolean[][] }

function runPython(docs: readonly CorpusDoc[]): PythonRun {
  const input = docs.map((d) => JSON.stringify({ schema: d.schema, text: d.format === "json" ? d.text : pythonJson(parseDoc(d)) })).join("\n");
  const r = spawnSync("python3", [path.join(ROOT, "test/helpers/jsonschema-verdicts.py"), path.join(ROOT, "schema")], { input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`jsonschema-verdicts.py exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as PythonRun;
}

describe.skipIf(SKIP_REASON !== "")("Python's jsonschema and ajv on the published schemas", () => {
  it("each file passes its metaschema, and every corpus document gets ajv's verdict, in both drafts", () => {
    const docs = schemaCorpus();
    const py = runPython(docs);
    expect(py.metaschema_errors).toEqual({ "fqc.schema.json": [], "fqc.draft-07.schema.json": [], "fqc.config.schema.json": [] });
    expect(py.verdicts).toHaveLength(docs.length);
    const disagreements: string[] = [];
    const nonFinite: boolean[][] = [];
    docs.forEach((d, i) => {
      const value = parseDoc(d);
      const ajvVerdicts = d.schema === "settings" ? [ajvSettings(value)] : [ajv2020(value), ajv07(value)];
      if (JSON.stringify(py.verdicts[i]) !== JSON.stringify(ajvVerdicts)) {
        disagreements.push(`jsonschema ${py.version} says ${JSON.stringify(py.verdicts[i])}, ajv ${JSON.stringify(ajvVerdicts)} ([2020-12, draft-07]) on ${d.id}:\n${d.text}`);
      }
      if (/^YAML [-+]?\.(nan|inf)/i.test(d.id)) nonFinite.push(py.verdicts[i]);
    });
    expect(disagreements).toEqual([]);
    // YAML's NaN and infinities, which Python's jsonschema takes as numbers, are there and refused at every place.
    expect(nonFinite.length).toBeGreaterThan(40);
    expect(nonFinite.filter((v) => v.some(Boolean))).toEqual([]);
  });

  it("README's one difference: an integer written just past the largest double is that double to ajv (accepted) and exact to Python (refused)", () => {
    const past = `17976931348623158${"0".repeat(292)}`;
    const docs: CorpusDoc[] = [
      `{"dtype": "int4", "group_size": 32, "eps": ${past}}`,
      `{"dtype": "int4", "group_size": 32, "is_symmetric": ${past}}`,
      `{"_type": "FakeQuantizeConfig", "_version": ${past}, "_data": {}}`,
    ].map((text, i) => ({ id: String(i), schema: "config", format: "json", text }));
    const py = runPython(docs);
    for (const [i, d] of docs.entries()) {
      const value = JSON.parse(d.text) as Record<string, unknown>;
      expect(Object.values(value), d.text).toContain(Number.MAX_VALUE);
      expect([ajv2020(value), ajv07(value)], d.text).toEqual([true, true]);
      expect(py.verdicts[i], d.text).toEqual([false, false]);
    }
  });
});
