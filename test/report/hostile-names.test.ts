// Tensor names are the checkpoint's choice: a hostile one must not drive the terminal, break a table, reorder text,
// make an SVG ill-formed or run as a spreadsheet formula, in any output that shows it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayWidth } from "../../src/diagnostics/display-width.js";
import { oneLine, shownName } from "../../src/diagnostics/one-line.js";
import { normalize } from "../../src/config/normalize.js";
import type { Checkpoint, CheckpointTensor } from "../../src/checkpoint/types.js";
import { reportCheckpoint, reportFromSums } from "../../src/report/pass.js";
import { SLOTS, statSums } from "../../src/report/stats.js";
import { renderReportCsv } from "../../src/report/render-csv.js";
import { renderReportHtml } from "../../src/report/render-html.js";
import { renderReportJson } from "../../src/report/render-json.js";
import { renderReportMarkdown } from "../../src/report/render-markdown.js";
import { renderReportTable } from "../../src/report/render-table.js";
import { configTargets, recipeTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { planTensors } from "../../src/tensor-plan/plan-tensors.js";
import { planTablePieces, renderPlanTable } from "../../src/tensor-plan/render-plan.js";
import { writeFileSync } from "node:fs";
import { runFqc, tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT4 = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });

const HOSTILE = {
  escape: "evil\u001b[31mRED\u001b]0;title\u0007.weight",
  newline: "line\nbreak\r.weight",
  tab: "tab\tbed.weight",
  bidi: "model.\u202eexe.weight",
  c1: "csi\u009b2J.weight",
  formula: "=HYPERLINK(\"http://x\",\"y\").weight",
  dash: "-2+3+cmd|' /C calc'!A0.weight",
};
const NAMES = [...Object.values(HOSTILE), "plain.weight"];

/** Characters that must never reach a text table, Markdown or a summary raw: C0 but line feed, DEL, C1, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

let report: Report;

beforeAll(async () => {
  const ckpt = testCheckpoint(tmp.path("hostile.safetensors"), NAMES.map((name, i) => ({ name, dtype: "F32", shape: [2, 64], values: weights(128, i + 1) })));
  report = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 });
});

describe("escaping what a name must not do", () => {
  it("oneLine shows bidirectional controls, line breaks and C0/C1 controls as escapes and keeps tabs and other text", () => {
    expect(oneLine("a\u202eb\u2066c\u200fd\u0085e\tf é")).toBe("a\\u202eb\\u2066c\\u200fd\\u0085e\tf é");
  });
  it("shownName also escapes a tab, which would break a table's columns", () => {
    expect(shownName(HOSTILE.tab)).toBe("tab\\tbed.weight");
    expect(shownName(HOSTILE.escape)).toBe("evil\\u001b[31mRED\\u001b]0;title\\u0007.weight");
  });
});

describe("a report of a checkpoint with hostile tensor names", () => {
  it("prints them escaped in the text table: one line per tensor, no raw control character", () => {
    const text = renderReportTable(report);
    expect(text).not.toMatch(RAW_CONTROL);
    for (const name of NAMES) expect(text).toContain(shownName(name));
    // Header (3 lines after the title and a blank), one line per tensor, then the summary: no name adds a line.
    const lines = text.split("\n");
    expect(lines.filter((l) => l.includes(".weight  ")).length).toBe(NAMES.length);
    expect(text).toContain("line\\nbreak\\r.weight");
  });
  it("prints them escaped in Markdown", () => {
    const md = renderReportMarkdown(report);
    expect(md).not.toMatch(RAW_CONTROL);
    expect(md).toContain("model.\\\\u202eexe.weight");
    // Every table row is one line: rows + header + rule of both tables, and the title lines.
    expect(md.split("\n").filter((l) => l.startsWith("|")).length).toBe(2 + 1 + 2 + NAMES.length);
  });
  it("shows a name with an entity or a strike-through in Markdown as it is, not as the character or markup", () => {
    const r = { ...report, tensors: [{ ...report.tensors[0], name: "&lt;b&gt;~~x~~&amp;.weight" }] };
    expect(renderReportMarkdown(r)).toContain("| \\&lt;b\\&gt;\\~\\~x\\~\\~\\&amp;.weight |");
  });
  it("writes HTML whose text and SVG hold no character XML forbids and no bidi control", () => {
    const html = renderReportHtml(report);
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain("evil\\u001b[31mRED");
  });
  it("shows line breaks and tabs in names as escapes in the HTML, as the table does (HTML would collapse them to spaces)", () => {
    const html = renderReportHtml(report);
    expect(html).toContain('<td class="name">line\\nbreak\\r.weight</td>');
    expect(html).toContain('<td class="name">tab\\tbed.weight</td>');
    // The tooltip too; its own line break (between the name and the figure) stays.
    expect(html).toMatch(/<title>line\\nbreak\\r\.weight \(2×64 F32\)\nint4: [\d.]+ dB<\/title>/);
    // Data attributes keep the name exact.
    expect(html).toContain('data-tensor="line\nbreak\r.weight"');
  });
  it("keeps names exact in JSON", () => {
    const json = JSON.parse(renderReportJson(report)) as { tensors: Array<{ name: string }> };
    expect(json.tensors.map((t) => t.name)).toEqual(NAMES);
  });
  it("quotes CSV as RFC 4180 and disarms names a spreadsheet would run as formulas", () => {
    const csv = renderReportCsv(report);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"").weight",`);
    expect(csv).toContain(`\n"'-2+3+cmd|' /C calc'!A0.weight",`);
    expect(csv).toContain(`"line\nbreak\r.weight",`);
    // fqc's own words are not touched: the key column says --config as it is.
    expect(csv).toMatch(/,quantized,--config,/);
    expect(csv).toContain("\nplain.weight,");
  });
});

describe("CSV fields other than the tensor that a file chose", () => {
  it("disarms a recipe key and a column name a spreadsheet would run as formulas, and leaves --config as it is", async () => {
    const ckpt = testCheckpoint(tmp.path("formula-key.safetensors"), [HOSTILE.formula, "plain.weight"].map((name, i) => ({ name, dtype: "F32", shape: [2, 64], values: weights(128, i + 1) })));
    const value = { kind: "config" as const, config: INT4 };
    const recipe = { entries: [{ key: HOSTILE.formula, value }, { key: "_default", value }] };
    const r = await reportCheckpoint(ckpt, [{ name: "=1+2", source: "=1+2.json", kind: "recipe", targets: recipeTargets(ckpt, recipe) }], { threads: 1 });
    const csv = renderReportCsv(r);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"").weight",2x64,F32,128,"'=1+2",quantized,"'=HYPERLINK(""http://x"",""y"").weight",`);
    expect(csv).toContain(`\nplain.weight,2x64,F32,128,"'=1+2",quantized,_default,`);
    const plain = renderReportCsv(await reportCheckpoint(ckpt, [{ name: "-int4", source: "-int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 }));
    expect(plain).toContain(`\nplain.weight,2x64,F32,128,"'-int4",quantized,--config,`);
  });
});

describe("CSV cells a spreadsheet would run as formulas", () => {
  it("get a leading ' inside a quoted field when they are text (a tensor name, a config label), never when they are numbers", async () => {
    const ckpt = testCheckpoint(tmp.path("hyperlink.safetensors"), [{ name: '=HYPERLINK("x")', dtype: "F32", shape: [2, 64], values: weights(128, 5) }]);
    // A recipe's exact key reaches the tensor though its name is no *.weight, so it gets figures; the key is a text cell too.
    const recipe = { entries: [{ key: '=HYPERLINK("x")', value: { kind: "config" as const, config: INT4 } }] };
    const r = await reportCheckpoint(ckpt, [{ name: "-w4", source: "-w4.yaml", kind: "recipe", targets: recipeTargets(ckpt, recipe) }], { threads: 1 });
    // A negative SQNR (more error than signal) is a number: it must stay as it is, not become a text cell.
    const cell = r.tensors[0].cells[0];
    const negative = { ...r, tensors: [{ ...r.tensors[0], cells: [{ ...cell, figures: { ...cell.figures!, sqnrDb: -3.25 } }] }] };
    const row = renderReportCsv(negative).split("\n")[1];
    expect(row.startsWith(`"'=HYPERLINK(""x"")",2x64,F32,128,"'-w4",quantized,"'=HYPERLINK(""x"")",`)).toBe(true);
    expect(row).toContain(`,-3.25,${cell.figures!.rmse},${cell.figures!.maxAbsError},`);
  });
});

describe("a huge tensor name (the header allows 100 MB of them)", () => {
  const huge = `model.${"x".repeat(3_000_000)}.weight`;
  let big: Report;
  beforeAll(async () => {
    const names = [huge, ...Array.from({ length: 50 }, (_, i) => `t${i}.weight`)];
    const ckpt = testCheckpoint(tmp.path("huge-name.safetensors"), names.map((name, i) => ({ name, dtype: "F32", shape: [2, 32], values: weights(64, i + 1) })));
    big = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 });
  });
  it("is cut in the middle in tables, saying how much was left out, so rows stay short", () => {
    expect(shownName(huge)).toBe(`model.${"x".repeat(74)}…(${huge.length - 160} characters)…${"x".repeat(73)}.weight`);
    const text = renderReportTable(big);
    expect(text.length).toBeLessThan(60_000);
    expect(text).toContain(`…(${huge.length - 160} characters)…`);
    expect(renderReportMarkdown(big).length).toBeLessThan(60_000);
    const plan = renderPlanTable(planTensors([{ name: huge, dtype: "F32", shape: [2, 64], byteLength: 512 }, { name: "a.weight", dtype: "F32", shape: [2, 64], byteLength: 512 }], { config: INT4 }));
    expect(plan.length).toBeLessThan(2_000);
  });
  it("is cut in the middle in the HTML's tables and chart, as in the text table", () => {
    const html = renderReportHtml(big);
    expect(html).toContain(`<td class="name">${shownName(huge)}</td>`);
    // Whole only in the chart point's data attribute, which keeps names exact.
    expect(html.split(huge).length - 1).toBe(1);
    expect(html).toContain(`data-tensor="${huge}"`);
  });
  it("stays whole in JSON", () => {
    expect((JSON.parse(renderReportJson(big)) as { tensors: Array<{ name: string }> }).tensors[0].name).toBe(huge);
  });
});

describe("names beyond the Basic Multilingual Plane", () => {
  it("line up in the dry run's table by terminal columns, as in report's table: CJK and emoji two a character, a combining accent none", () => {
    const names = ["漢字漢字.weight", "e\u0301\u0301.weight", "emoji\u{1F600}.weight", "emb\u{1F600}\u{1F600}.weight", "plain.weight"];
    const text = renderPlanTable(planTensors(names.map((name) => ({ name, dtype: "F32" as const, shape: [2, 64], byteLength: 512 })), { config: INT4 }));
    const lines = text.split("\n").filter((l) => names.some((n) => l.startsWith(n)));
    expect(lines).toHaveLength(5);
    // Where the shape starts, in terminal columns: the same on every line, two past the widest name (漢字漢字.weight: 15).
    const shapeAt = lines.map((l) => displayWidth(l.slice(0, l.indexOf("2×64"))));
    expect(shapeAt).toEqual([17, 17, 17, 17, 17]);
    // And every later column: the lines (the same but for the name) end at the same terminal column.
    expect(new Set(lines.map((l) => displayWidth(l))).size).toBe(1);
  });
});

describe("names a terminal shows wider or narrower than their UTF-16 length", () => {
  it("line up in the report's table by terminal columns: CJK two a character, a combining accent none", async () => {
    const names = ["漢字漢字.weight", "e\u0301\u0301.weight", "emoji\u{1F600}.weight", "plain.weight"];
    const ckpt = testCheckpoint(tmp.path("wide.safetensors"), names.map((name, i) => ({ name, dtype: "F32", shape: [2, 64], values: weights(128, i + 1) })));
    const wide = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 });
    const lines = renderReportTable(wide).split("\n").filter((l) => names.some((n) => l.startsWith(n)));
    expect(lines).toHaveLength(4);
    // Where the shape starts, in terminal columns: the same on every line, two past the widest name (漢字漢字.weight: 15).
    const shapeAt = lines.map((l) => displayWidth(l.slice(0, l.indexOf("2×64"))));
    expect(shapeAt).toEqual([17, 17, 17, 17]);
    expect(new Set(lines.map((l) => displayWidth(l))).size).toBe(1);
  });
});

describe("a checkpoint of 200,000 tensors (large MoE models have ~100,000)", () => {
  // Math.max(...rows) passes one argument per tensor: past ~130,000 it overflowed the call stack in every text renderer.
  const N = 200_000;
  const tensors: CheckpointTensor[] = Array.from({ length: N }, (_, index) => ({
    index, name: `model.layers.${index}.mlp.up_proj.weight`, dtype: "F32" as const, shape: [2, 32], byteLength: 256,
    file: "many.safetensors", dataOffset: 8 + 256 * index, byteOrder: "little" as const, fortranOrder: false,
  }));
  it("renders the report in every format and the dry-run plan without overflowing the stack", () => {
    const ckpt = { path: "many.safetensors", format: "safetensors" as const, tensors, metadata: null, stream: () => [], close: () => undefined } as unknown as Checkpoint;
    const sums = tensors.map(() => [Float64Array.from({ length: SLOTS }, (_, k) => (k === 0 ? 64 : k === 1 ? 1 : 0))]);
    const many = reportFromSums(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], (i, c) => statSums(sums[i][c]));
    for (const text of [renderReportTable(many), renderReportHtml(many), renderReportCsv(many)]) {
      expect(text).toContain(`model.layers.${N - 1}.mlp.up`);
    }
    // Markdown stops its table under GitHub's step summary limit, saying so.
    expect(renderReportMarkdown(many)).toMatch(/\n\d{1,3}(,\d{3})* more tensors not in this table/);
    const entries = planTensors(tensors, { config: INT4 });
    const plan = renderPlanTable(entries);
    expect(plan).toContain("200,000 tensors: 200,000 to fake-quantize");
    // What the dry run writes: a line per piece, never the whole table as one string.
    const pieces = [...planTablePieces(entries)];
    expect(pieces.length).toBe(N + 2);
    expect(pieces.every((p) => p.endsWith("\n") && p.length < 200)).toBe(true);
  });
});

describe("report's lists on standard error", () => {
  it("name tensors below --fail-under escaped, one line each", () => {
    const model = tmp.path("hostile-cli.safetensors");
    testCheckpoint(model, [{ name: HOSTILE.escape, dtype: "F32", shape: [2, 64], values: weights(128, 3) }]).close();
    const cfg = tmp.path("int4.json");
    writeFileSync(cfg, '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["report", model, "-c", cfg, "--fail-under", "99", "-f", "json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`  ${shownName(HOSTILE.escape)} (int4): `);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});

describe("apply --dry-run's plan of hostile names", () => {
  it("prints them escaped, one row each, columns aligned", () => {
    const plan = planTensors(NAMES.map((name) => ({ name, dtype: "F32" as const, shape: [2, 64], byteLength: 512 })), { config: INT4 });
    const text = renderPlanTable(plan, { unmatchedKeys: ["re:\u001b[2J"] });
    expect(text).not.toMatch(RAW_CONTROL);
    const lines = text.split("\n");
    const col = lines[0].indexOf("shape");
    for (const l of lines.slice(1, 1 + NAMES.length)) expect(l.slice(col, col + 4)).toBe("2×64");
    expect(text).toContain("warning: recipe key re:\\u001b[2J matches no tensor");
  });
});

describe("a long name of characters outside the BMP (emoji, CJK extensions: two UTF-16 units each)", () => {
  /** Half a surrogate pair, which UTF-8 output writes as U+FFFD. */
  const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

  it("is cut between characters, never inside one, in every format that shortens it (table, Markdown, HTML and its chart)", async () => {
    // Both parities: the cut points fall on a pair's first unit in one name and its second in the other; the
    // third is cut only as the chart's axis label (past 40 characters).
    const names = ["😀".repeat(150) + ".weight", `a${"😀".repeat(150)}.weight`, `${"𠀀".repeat(30)}b.weight`];
    for (const name of names.slice(0, 2)) {
      const shown = shownName(name);
      expect(shown).not.toMatch(LONE);
      const [, left] = /…\((\d+) characters\)…/.exec(shown)!;
      expect(shown.length - `…(${left} characters)…`.length + Number(left)).toBe(name.length);
    }
    const ckpt = testCheckpoint(tmp.path("emoji.safetensors"), names.map((name, i) => ({ name, dtype: "F32", shape: [2, 64], values: weights(128, i + 1) })));
    const r = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 });
    for (const text of [renderReportTable(r), renderReportMarkdown(r), renderReportHtml(r)]) expect(text).not.toMatch(LONE);
    expect(renderReportHtml(r)).toContain(`data-tensor="${names[2]}"`);
  });
});
