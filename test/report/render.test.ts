import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReportCsv, reportCsvPieces } from "../../src/report/render-csv.js";
import { renderReportHtml } from "../../src/report/render-html.js";
import { renderReportJson, reportJsonPieces, reportJsonValue } from "../../src/report/render-json.js";
import { renderReportMarkdown } from "../../src/report/render-markdown.js";
import { renderReportTable, reportTablePieces } from "../../src/report/render-table.js";
import { renderReport, reportPieces } from "../../src/report/render.js";
import { niceTicks, renderSqnrChart } from "../../src/report/render-chart.js";
import { formatDb } from "../../src/report/rows.js";
import { displayWidth } from "../../src/diagnostics/display-width.js";
import { shownName } from "../../src/diagnostics/one-line.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report, TensorTarget } from "../../src/report/types.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights, type TestTensor } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT4 = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });
const INT8 = normalize({ dtype: "int8", granularity: "per_channel" });

let report: Report;

beforeAll(async () => {
  const tensors: TestTensor[] = [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [32, 64], values: weights(32 * 64, 1) },
    ...[0, 1].flatMap((l): TestTensor[] => [
      { name: `model.layers.${l}.self_attn.q_proj.weight`, dtype: "BF16", shape: [64, 64], values: weights(4096, 10 + l) },
      { name: `model.layers.${l}.mlp.down_proj.weight`, dtype: "BF16", shape: [64, 96], values: weights(64 * 96, 20 + l, l ? 0.5 : 0.02) },
      { name: `model.layers.${l}.input_layernorm.weight`, dtype: "BF16", shape: [64], values: weights(64, 30 + l, 1) },
    ]),
    // A zero-initialised layer: y = x, so SQNR is inf (compute_error would divide 0 by 0; fqc defines it as inf when y = x).
    { name: "zero|odd,name.weight", dtype: "F32", shape: [2, 64], values: new Float32Array(128) },
    { name: "lm_head.weight", dtype: "BF16", shape: [32, 64], values: weights(32 * 64, 40) },
  ];
  const ckpt = testCheckpoint(tmp.path("render.safetensors"), tensors);
  const recipe: TensorTarget[] = configTargets(ckpt, INT4).map((t, i) =>
    tensors[i].name === "lm_head.weight" ? { action: "quantize", key: "lm_head", config: INT8 } : tensors[i].name.startsWith("model.embed") ? { action: "skip", key: "model.embed_tokens", reason: "`model.embed_tokens` is null: left alone" } : t);
  report = await reportCheckpoint(ckpt, [
    { name: "int4-g32", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) },
    { name: "int8", source: "int8.json", kind: "config", targets: configTargets(ckpt, INT8) },
    { name: "recipe", source: "recipe.json", kind: "recipe", targets: recipe },
  ], { threads: 1 });
});

/** The SVG's points: [series, tensor, value] from our own well-formed output. */
function chartPoints(html: string): Array<{ series: number; tensor: string; sqnr: string; title: string }> {
  const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
  const out = [];
  for (const m of svg.matchAll(/<path class="point" data-series="(\d+)" data-tensor="([^"]*)" data-sqnr="([^"]*)"[^>]*><title>([^<]*)<\/title><\/path>/g)) {
    out.push({ series: Number(m[1]), tensor: unescape(m[2]), sqnr: m[3], title: unescape(m[4]) });
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

describe("report renderers", () => {
  it("json: version 1, every tensor in checkpoint order, inf as a string, and the same bytes for the same report", () => {
    const text = renderReportJson(report);
    expect(renderReportJson(report)).toBe(text);
    const j = JSON.parse(text);
    expect(j.version).toBe(1);
    expect(j.tensors.map((t: { name: string }) => t.name)).toEqual(report.tensors.map((t) => t.name));
    const zero = j.tensors.find((t: { name: string }) => t.name.startsWith("zero"));
    expect(zero.cells[1]).toMatchObject({ column: "int8", status: "quantized", sqnr_db: "inf", sum_sq_error: 0, max_abs_error: 0 });
    expect(j.summary.map((s: { column: string }) => s.column)).toEqual(["int4-g32", "int8", "recipe"]);
    const norm = j.tensors.find((t: { name: string }) => t.name.endsWith("input_layernorm.weight"));
    expect(norm.cells[0]).toMatchObject({ status: "skipped", sqnr_db: null, rmse: null });
    expect(norm.cells[0]).not.toHaveProperty("sum_sq_x");
  });

  it("csv: a header and one row per tensor and column, quoting names with commas or quotes", () => {
    const lines = renderReportCsv(report).trimEnd().split("\n");
    expect(lines[0]).toBe("tensor,shape,dtype,elements,column,status,key,config,sqnr_db,rmse,max_abs_error,zeroed_share,nan_inputs,inf_inputs,nonfinite_outputs,bytes,reason");
    expect(lines).toHaveLength(1 + report.tensors.length * 3);
    expect(lines.find((l) => l.startsWith('"zero') && l.includes(',int8,'))).toBe('"zero|odd,name.weight",2x64,F32,128,int8,quantized,--config,int8 per_channel symmetric,inf,0,0,0,0,0,0,136,'); // 128 int8 values + 2 float32 scales
    const q = lines.find((l) => l.startsWith("model.layers.0.self_attn.q_proj.weight,64x64,BF16,4096,int4-g32,"))!;
    expect(Number(q.split(",")[8])).toBe(report.tensors[1].cells[0].figures!.sqnrDb);
  });

  it("markdown: a summary row per column and escaped table cells", () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain("| int4-g32 | 7 |");
    expect(md).toContain("zero\\|odd,name.weight");
    for (const line of md.split("\n").filter((l) => l.startsWith("| model.layers.0.self_attn.q_proj"))) {
      // tensor, shape, dtype + 2 cells per column: 9 cells, 10 unescaped pipes.
      expect(line.replace(/\\\|/g, "").split("|")).toHaveLength(11);
    }
  });

  it("table: --sort sqnr puts the lowest SQNR first and --worst N keeps N tensors", () => {
    const sorted = renderReportTable(report, { sort: "sqnr" });
    const worst = renderReportTable(report, { worst: 2, sort: "sqnr" });
    const rowsOf = (t: string) => t.split("\n").filter((l) => /^(model|lm_head|zero)/.test(l)).map((l) => l.split(/\s+/)[0]);
    const low = rowsOf(sorted);
    const lowest = (name: string) => Math.min(...report.tensors.find((t) => t.name === name)!.cells.map((c) => c.figures?.sqnrDb ?? Infinity));
    for (let i = 1; i < low.length && lowest(low[i]) !== Infinity; i++) expect(lowest(low[i])).toBeGreaterThanOrEqual(lowest(low[i - 1]));
    expect(rowsOf(worst)).toEqual(low.slice(0, 2));
    expect(sorted).toContain("int4-g32: 7 tensors fake-quantized, overall SQNR");
  });

  it("html: one self-contained file (no script, no external resource) whose SVG has a point per quantized tensor and column, valued as in the JSON", () => {
    const html = renderReportHtml(report, { threshold: 12 });
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/i);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(["http://www.w3.org/2000/svg"]);
    const j = JSON.parse(renderReportJson(report));
    const points = chartPoints(html);
    const expected = j.tensors.flatMap((t: { name: string; cells: Array<{ sqnr_db: number | string | null }> }) =>
      t.cells.flatMap((c, i) => (c.sqnr_db === null ? [] : [{ series: i, tensor: t.name, sqnr: String(c.sqnr_db) }])));
    expect(points.map(({ series, tensor, sqnr }) => ({ series, tensor, sqnr })).sort((a, b) => a.series - b.series))
      .toEqual(expected.sort((a: { series: number }, b: { series: number }) => a.series - b.series));
    // Every column a series, with a legend entry naming it.
    for (const [i, c] of report.columns.entries()) {
      expect(html).toContain(`<g class="series" data-series="${i}" data-column="${c.name}"`);
      expect(html).toMatch(new RegExp(`<g class="legend-item" data-series="${i}">.*${c.name}`));
    }
    // Each point's title names tensor, column and value.
    const p = points.find((x) => x.tensor === "lm_head.weight" && x.series === 2)!;
    expect(p.title).toContain("lm_head.weight");
    expect(p.title).toContain(`recipe: ${Number(p.sqnr).toFixed(2)} dB`);
    expect(html).toContain("--fail-under 12 dB");
    expect(html).toContain("SQNR (dB)");
  });

  it("chart y axis: round ticks covering the range", () => {
    expect(niceTicks(10.3, 23.7)).toMatchObject({ lo: 10, hi: 25, step: 5, ticks: [10, 15, 20, 25] });
    expect(niceTicks(14.2, 16.9)).toMatchObject({ lo: 14, hi: 17, step: 0.5 });
    expect(niceTicks(-3, 42).ticks).toEqual([-10, 0, 10, 20, 30, 40, 50]);
  });

  it("chart ticks stay finite and few for any range: a range float64 cannot cut into steps, or one reaching 1e308", () => {
    // 5e15 ± 1: a step of 0.5 added to 5e15 leaves it unchanged, and the loop that added it never ended.
    for (const [lo, hi] of [[5e15 - 1, 5e15 + 1], [-0.5, 1.6e308], [0, 1.79e308], [-1.6e308, 20], [1e17, 1e17]]) {
      const t = niceTicks(lo, hi);
      expect(t.ticks.length, `${lo}..${hi}`).toBeGreaterThan(1);
      expect(t.ticks.length).toBeLessThan(20);
      expect([t.lo, t.hi, t.step, ...t.ticks].every(Number.isFinite)).toBe(true);
    }
    expect(niceTicks(0, 1.6e308)).toMatchObject({ lo: 0, hi: 10_000, step: 2_000 });
  });

  it("html: a --fail-under threshold far outside the figures is drawn at the plot's edge, with no NaN in the chart", () => {
    for (const threshold of [5e15, 1.6e308, -1.6e308, 1e17]) {
      const html = renderReportHtml(report, { threshold });
      const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
      expect(svg, String(threshold)).not.toMatch(/NaN|Infinity/);
      expect(svg).toContain(`--fail-under ${threshold} dB`);
    }
    // No finite figure at all (a column that fake-quantizes nothing): only the threshold sets the axis.
    const none = { ...report, tensors: report.tensors.map((t) => ({ ...t, cells: t.cells.map((c) => ({ ...c, figures: null })) })) };
    const svg = renderReportHtml(none, { threshold: 5e15 });
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it("html chart: a legend of many columns or long column names wraps into rows inside the chart, and cuts a name wider than a row in the middle", () => {
    const long = `recipes/${"very-long-recipe-name-".repeat(12)}end`;
    const names = [...Array.from({ length: 10 }, (_, i) => `candidate-config-number-${i}`), long, "漢字".repeat(80)];
    const many: Report = {
      ...report,
      columns: names.map((name, i) => ({ ...report.columns[i % 3], name })),
      tensors: report.tensors.map((t) => ({ ...t, cells: names.map((_, i) => t.cells[i % 3]) })),
      summaries: names.map((name, i) => ({ ...report.summaries[i % 3], column: name })),
    };
    const svg = renderSqnrChart(many);
    const width = Number(/viewBox="0 0 (\d+) /.exec(svg)![1]);
    const items = [...svg.matchAll(/<g class="legend-item" data-series="(\d+)">(?:<title>([^<]*)<\/title>)?.*?<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text><\/g>/g)]
      .map((m) => ({ series: Number(m[1]), full: m[2], x: Number(m[3]), y: Number(m[4]), label: unescape(m[5]) }));
    expect(items.map((i) => i.series)).toEqual(names.map((_, i) => i));
    // Every label ends inside the chart (13 px text: at most 7.5 px a column), so the legend takes several rows.
    for (const it of items) expect(it.x + 7.5 * displayWidth(it.label)).toBeLessThanOrEqual(width - 24);
    const rows = [...new Set(items.map((i) => i.y))];
    expect(rows.length).toBeGreaterThan(2);
    // The long names are cut in the middle, their overall figure kept, and whole in a tooltip.
    for (const i of [10, 11]) {
      expect(items[i].label).toContain("…");
      expect(items[i].label).toMatch(/ \(overall [\d.]+ dB\)$/);
      expect(unescape(items[i].full!)).toBe(`${shownName(names[i])} (overall ${formatDb(many.summaries[i].overallSqnrDb)} dB)`);
    }
    expect(items[10].label.startsWith("recipes/very-long")).toBe(true);
    expect(items[0].full).toBeUndefined();
    // The plot starts below the last legend row: its top grid line and every point lie lower.
    const gridTop = Math.min(...[...svg.matchAll(/<line x1="70" x2="\d+" y1="([\d.]+)"/g)].map((m) => Number(m[1])));
    expect(gridTop).toBeGreaterThan(rows[rows.length - 1] + 10);
    // One legend row (three short columns) keeps the chart as it was: the plot at 56 px.
    const one = renderSqnrChart(report);
    expect(new Set([...one.matchAll(/<g class="legend-item"[^>]*>.*?<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => m[1]))).toEqual(new Set(["24"]));
  });

  const chromium = "/usr/bin/chromium";
  const hasChromium = existsSync(chromium);
  if (!hasChromium) console.log(`skipping the headless Chromium render of the HTML report: ${chromium} is not installed (apt-get install chromium)`);
  it.skipIf(!hasChromium)("html renders in headless Chromium to a non-trivial picture", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fqc-chromium-"));
    try {
      const html = path.join(dir, "report.html");
      const png = path.join(dir, "report.png");
      writeFileSync(html, renderReportHtml(report));
      const r = spawnSync(chromium, [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", `--user-data-dir=${path.join(dir, "profile")}`, `--screenshot=${png}`,
        "--window-size=1200,900", `file://${html}`,
      ], { encoding: "utf8", timeout: 90_000 });
      expect(r.error).toBeUndefined();
      expect(existsSync(png), r.stderr).toBe(true);
      const bytes = readFileSync(png);
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(bytes.readUInt32BE(16)).toBe(1200);
      // A blank page compresses to a few KB; the chart and tables do not.
      expect(statSync(png).size).toBeGreaterThan(30_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("reports written in pieces", () => {
  it("JSON a tensor at a time: the bytes of the whole, which parse to reportJsonValue(report) and are laid out as JSON.stringify(value, null, 2)", () => {
    const odd = { ...report, model: 'a "model"\nwith\\lines', tensors: report.tensors.map((t, i) => ({ ...t, name: i % 2 ? `${t.name}\n"x"` : t.name })) };
    for (const r of [report, odd, { ...report, tensors: [] }, { ...report, tensors: report.tensors.slice(0, 1) }, { ...report, summaries: [] }]) {
      const pieces = [...reportJsonPieces(r)];
      const text = pieces.join("");
      expect(text).toBe(renderReportJson(r));
      expect(JSON.parse(text)).toEqual(reportJsonValue(r));
      // Only the float fields' text differs from JSON.stringify's (2.0 for 2): strip ".0" and the layouts agree.
      expect(text.replace(/(\d)\.0(?=[,\n])/g, "$1")).toBe(`${JSON.stringify(reportJsonValue(r), null, 2)}\n`);
      expect(pieces.length).toBeGreaterThanOrEqual(r.tensors.length);
    }
  });

  it("table and CSV a line at a time, the same text as whole", () => {
    for (const opts of [{}, { sort: "sqnr" as const }, { worst: 2 }]) {
      const table = [...reportTablePieces(report, opts)];
      expect(table.join("")).toBe(renderReportTable(report, opts));
      expect(table.every((p) => p.endsWith("\n"))).toBe(true);
      expect(table.length).toBeGreaterThan(report.tensors.length / (opts.worst ? 4 : 1));
      const csv = [...reportCsvPieces(report, opts)];
      expect(csv.join("")).toBe(renderReportCsv(report, opts));
      expect(csv.length).toBe(1 + (opts.worst ?? report.tensors.length) * report.columns.length);
    }
    for (const format of ["table", "json", "csv", "markdown", "html"] as const) {
      expect([...reportPieces(format, report)].join("")).toBe(renderReport(format, report));
    }
  });
});

describe("counts in the report's words", () => {
  it("says 1 tensor, not 1 tensors, in the table, markdown and HTML of a one-tensor report", async () => {
    const ckpt = testCheckpoint(tmp.path("one.safetensors"), [{ name: "only.weight", dtype: "F32", shape: [2, 32], values: weights(64, 7) }]);
    const one = await reportCheckpoint(ckpt, [{ name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) }], { threads: 1 });
    const table = renderReportTable(one);
    expect(table).toMatch(/\): 1 tensor, torchao/);
    expect(table).toMatch(/^int4: 1 tensor fake-quantized, /m);
    expect(renderReportMarkdown(one)).toMatch(/^1 tensor \(safetensors\)/m);
    expect(renderReportHtml(one)).toContain('<p class="meta">1 tensor (safetensors)');
    for (const format of ["table", "markdown", "html"] as const) expect(renderReport(format, one)).not.toMatch(/\b1 tensors\b/);
  });
});
