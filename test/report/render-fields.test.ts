/**
 * Every renderer shows each figure and summary field where its reader looks, rounded as documented: a report built
 * by hand, so each value is known (20 dB, RMSE 0.5, 25 % zeroed, 512 B of 2 KiB, refusals, left-out values).
 */
import { describe, expect, it } from "vitest";
import { renderReportCsv } from "../../src/report/render-csv.js";
import { renderReportHtml } from "../../src/report/render-html.js";
import { reportJsonValue } from "../../src/report/render-json.js";
import { renderReportMarkdown } from "../../src/report/render-markdown.js";
import { renderReportTable, summaryLine } from "../../src/report/render-table.js";
import type { ReportCell } from "../../src/report/types.js";
import { quantized, reportOf, SKIPPED, summary, tensor } from "../helpers/synthetic-report.js";

/** 20 dB, RMSE 0.5, max |e| 0.75, one of four zeroed. */
const a0 = quantized({ sumX2: 100, sumE2: 1, counted: 4, maxAbsError: 0.75, zeroed: 1 }, { bytes: 6 });
const a1 = quantized({ sumX2: 4, sumE2: 0, counted: 4 }, { key: "layers.*", config: "int4 per_group 32 symmetric", bytes: 5 });
const refused: ReportCell = { status: "refused", key: "--config", config: "int8 per_channel symmetric", reason: "group size 32 does not divide 30\nin torchao", sums: null, figures: null, bytes: 120 };
const skippedByKey: ReportCell = { ...SKIPPED, key: "w.b", reason: "`w.b` is null: left alone" };
/** Two NaN and one inf input, one non-finite output: figures over the 4 counted. */
const c0 = quantized({ sumX2: 1e6, sumE2: 1, counted: 4, maxAbsError: 0.001234, zeroed: 0, nanInputs: 2, infInputs: 1, nonFiniteOutputs: 1 }, { bytes: 7 });

const report = reportOf([
  tensor("w.a", [a0, a1], [2, 2]),
  tensor("w.b", [refused, skippedByKey], [30]),
  tensor("w.c", [c0, SKIPPED], [8]),
], {
  kinds: ["config", "recipe"],
  summaries: [
    summary("col0", {
      tensorsQuantized: 2, tensorsRefused: 1, elementsQuantized: 12, sumX2: 1000100, sumE2: 2, overallSqnrDb: 56.9901,
      worst: [{ name: "w.a", sqnrDb: 20 }, { name: "w.c", sqnrDb: 60 }, { name: "w.x", sqnrDb: 61 }, { name: "w.y", sqnrDb: 62 }],
      originalBytes: 2048, quantizedBytes: 512, nanInputs: 2, infInputs: 1, nonFiniteOutputs: 1,
    }),
    summary("col1", { tensorsQuantized: 1, elementsQuantized: 4, sumX2: 4, overallSqnrDb: Infinity, worst: [{ name: "w.a", sqnrDb: Infinity }], originalBytes: 2048, quantizedBytes: 2048 }),
  ],
});

describe("report fields in every format", () => {
  it("csv: a row per tensor and column, each field in its column, full precision, counts, bytes and the reason", () => {
    expect(renderReportCsv(report)).toBe([
      "tensor,shape,dtype,elements,column,status,key,config,sqnr_db,rmse,max_abs_error,zeroed_share,nan_inputs,inf_inputs,nonfinite_outputs,bytes,reason",
      "w.a,2x2,F32,4,col0,quantized,--config,int8 per_channel symmetric,20,0.5,0.75,0.25,0,0,0,6,",
      "w.a,2x2,F32,4,col1,quantized,layers.*,int4 per_group 32 symmetric,inf,0,0,0,0,0,0,5,",
      "w.b,30,F32,30,col0,refused,--config,int8 per_channel symmetric,,,,,,,,120,\"group size 32 does not divide 30\nin torchao\"",
      "w.b,30,F32,30,col1,skipped,w.b,,,,,,,,,16,`w.b` is null: left alone",
      "w.c,8,F32,8,col0,quantized,--config,int8 per_channel symmetric,60,0.5,0.001234,0,2,1,1,7,",
      "w.c,8,F32,8,col1,skipped,,,,,,,,,,16,not a 2-D weight",
      "",
    ].join("\n"));
  });

  it("json: every summary field, dB as numbers or words", () => {
    const j = reportJsonValue(report);
    expect(j.summary).toEqual([
      {
        column: "col0", tensors_quantized: 2, tensors_refused: 1, elements_quantized: 12, overall_sqnr_db: 56.9901, sum_sq_x: 1000100, sum_sq_error: 2,
        worst: [{ name: "w.a", sqnr_db: 20 }, { name: "w.c", sqnr_db: 60 }, { name: "w.x", sqnr_db: 61 }, { name: "w.y", sqnr_db: 62 }],
        original_bytes: 2048, quantized_bytes: 512, nan_inputs: 2, inf_inputs: 1, nonfinite_outputs: 1,
      },
      {
        column: "col1", tensors_quantized: 1, tensors_refused: 0, elements_quantized: 4, overall_sqnr_db: "inf", sum_sq_x: 4, sum_sq_error: 0,
        worst: [{ name: "w.a", sqnr_db: "inf" }], original_bytes: 2048, quantized_bytes: 2048, nan_inputs: 0, inf_inputs: 0, nonfinite_outputs: 0,
      },
    ]);
    expect(j.columns).toEqual([{ name: "col0", source: "col0.json", kind: "config" }, { name: "col1", source: "col1.json", kind: "recipe" }]);
    expect(j).toMatchObject({ version: 1, model: "m.safetensors", format: "safetensors", torchao: "0.12" });
  });

  it("json: every cell field, the raw sums beside the figures, none for a cell without figures", () => {
    const j = reportJsonValue(report);
    expect(j.tensors[0]).toEqual({
      name: "w.a", dtype: "F32", shape: [2, 2], elements: 4, bytes: 16,
      cells: [
        {
          column: "col0", status: "quantized", key: "--config", config: "int8 per_channel symmetric", reason: null,
          sqnr_db: 20, rmse: 0.5, max_abs_error: 0.75, zeroed_share: 0.25,
          sum_sq_x: 100, sum_sq_error: 1, counted: 4, zeroed: 1, nan_inputs: 0, inf_inputs: 0, nonfinite_outputs: 0, bytes: 6,
        },
        {
          column: "col1", status: "quantized", key: "layers.*", config: "int4 per_group 32 symmetric", reason: null,
          sqnr_db: "inf", rmse: 0, max_abs_error: 0, zeroed_share: 0,
          sum_sq_x: 4, sum_sq_error: 0, counted: 4, zeroed: 0, nan_inputs: 0, inf_inputs: 0, nonfinite_outputs: 0, bytes: 5,
        },
      ],
    });
    expect(j.tensors[1].cells[0]).toEqual({
      column: "col0", status: "refused", key: "--config", config: "int8 per_channel symmetric", reason: "group size 32 does not divide 30\nin torchao",
      sqnr_db: null, rmse: null, max_abs_error: null, zeroed_share: null, bytes: 120,
    });
    expect(j.tensors[2].cells[0]).toMatchObject({ sqnr_db: 60, nan_inputs: 2, inf_inputs: 1, nonfinite_outputs: 1, counted: 4 });
  });

  it("json: -inf (an all-zero x with some error) as the string \"-inf\", in a cell and in a summary", () => {
    const zero = quantized({ sumX2: 0, sumE2: 1, counted: 4, maxAbsError: 1 });
    const j = reportJsonValue(reportOf([tensor("z", [zero])], { summaries: [summary("col0", { overallSqnrDb: -Infinity, worst: [{ name: "z", sqnrDb: -Infinity }] })] }));
    expect(j.tensors[0].cells[0].sqnr_db).toBe("-inf");
    expect(j.summary[0]).toMatchObject({ overall_sqnr_db: "-inf", worst: [{ name: "z", sqnr_db: "-inf" }] });
  });

  it("markdown: a summary row per column (refusals, overall, size and share of the original, three worst) and the figures per tensor", () => {
    const md = renderReportMarkdown(report).split("\n");
    expect(md).toContain("| col0 | 2 (1 refused) | 56.99 | 512 B of 2.00 KiB | 25.0% | w.a 20.00, w.c 60.00, w.x 61.00 |");
    expect(md).toContain("| col1 | 1 | inf | 2.00 KiB of 2.00 KiB | 100.0% | w.a inf |");
    expect(md).toContain("Column col0: 2 NaN and 1 inf inputs, 1 non-finite output left out of its figures.");
    expect(md).toContain("| tensor | shape | dtype | col0 SQNR dB | col0 max \\|e\\| | col1 SQNR dB | col1 max \\|e\\| |");
    expect(md).toContain("| w.a | 2×2 | F32 | 20.00 | 7.50e-1 | inf | 0 |");
    expect(md).toContain("| w.b | 30 | F32 | refused |  | — |  |");
    expect(md).toContain("| w.c | 8 | F32 | 60.00 | 1.23e-3 | — |  |");
    expect(md[0]).toBe("### fqc report: `m.safetensors`");
    expect(md[2]).toBe("3 tensors (safetensors), torchao 0.12 numerics. SQNR = 20·log10(‖x‖/‖x − y‖), in float64.");
  });

  it("markdown and table: no share of the original when the original has no bytes, no refusals when none", () => {
    const empty = { ...report, summaries: [summary("col0", { tensorsQuantized: 0, overallSqnrDb: null }), summary("col1")] };
    expect(renderReportMarkdown(empty).split("\n")).toContain("| col0 | 0 |  | 0 B of 0 B |  |  |");
    expect(summaryLine(empty.summaries[0])).toBe("col0: 0 tensors fake-quantized, no figures, 0 B → 0 B");
  });

  it("table: per tensor SQNR, RMSE, max |e| and zeroed (with the recipe key), then a summary line per column and the refusals", () => {
    const lines = renderReportTable(report).split("\n");
    const cells = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.trim().split(/ {2,}/);
    expect(lines[0]).toBe("m.safetensors (safetensors): 3 tensors, torchao 0.12 numerics");
    expect(lines[3].trim().split(/ {2,}/)).toEqual(["tensor", "shape", "dtype", "SQNR dB", "RMSE", "max|e|", "zeroed", "key", "SQNR dB", "RMSE", "max|e|", "zeroed"]);
    expect(cells("w.a")).toEqual(["w.a", "2×2", "F32", "20.00", "5.00e-1", "7.50e-1", "25.00%", "layers.*", "inf", "0", "0", "0.00%"]);
    expect(cells("w.b")).toEqual(["w.b", "30", "F32", "refused", "w.b", "—"]);
    expect(cells("w.c")).toEqual(["w.c", "8", "F32", "60.00", "5.00e-1", "1.23e-3", "0.00%", "—"]);
    expect(lines).toContain("col0: 2 tensors fake-quantized, 1 refused, overall SQNR 56.99 dB, 2 NaN and 1 inf inputs, 1 non-finite output left out, 2.00 KiB → 512 B (25.0%); worst: w.a 20.00 dB, w.c 60.00 dB, w.x 61.00 dB");
    expect(lines).toContain("col1: 1 tensor fake-quantized, overall SQNR inf dB, 2.00 KiB → 2.00 KiB (100.0%); worst: w.a inf dB");
    expect(lines.slice(lines.indexOf("torchao would refuse:"))).toEqual(["torchao would refuse:", "  w.b (col0): group size 32 does not divide 30\\nin torchao", ""]);
  });

  it("table: numbers right-aligned under their labels, names left-aligned", () => {
    const lines = renderReportTable(report).split("\n");
    const label = lines[3];
    const row = lines.find((l) => l.startsWith("w.c "))!;
    // "SQNR dB" of col0 ends where its figure ends; "tensor" starts where the name starts.
    expect(row.indexOf("60.00") + "60.00".length).toBe(label.indexOf("SQNR dB") + "SQNR dB".length);
    expect(row.indexOf("1.23e-3") + "1.23e-3".length).toBe(label.indexOf("max|e|") + "max|e|".length);
    // The group header names each column over its own sub-columns.
    expect(lines[2].indexOf("col0")).toBe(label.indexOf("SQNR dB"));
    expect(lines[2].indexOf("col1")).toBe(label.indexOf("key"));
    // A recipe column spans five sub-columns (its key first): the next column's name starts past all five.
    const swapped = reportOf(report.tensors.map((t) => ({ ...t, cells: [t.cells[1], t.cells[0]] })), { kinds: ["recipe", "config"] });
    const [, , groups, labels] = renderReportTable(swapped).split("\n");
    expect(groups.indexOf("col0")).toBe(labels.indexOf("key"));
    expect(groups.indexOf("col1")).toBe(labels.lastIndexOf("SQNR dB"));
  });

  it("html: the summary row per column and a row per tensor with its figures, refusals and the recipe key", () => {
    const html = renderReportHtml(report);
    expect(html).toContain('<tr><td class="text">col0</td><td class="text">col0.json</td><td>2 (1 refused)</td><td>56.99</td><td>512 B</td><td>25.0%</td>' +
      '<td class="text worst"><span>w.a 20.00</span><br><span>w.c 60.00</span><br><span>w.x 61.00</span></td></tr>');
    expect(html).toContain("<th>of 2.00 KiB</th>");
    expect(html).toContain('<tr><td class="name">w.a</td><td class="text">2×2</td><td class="text">F32</td>' +
      '<td class="first">20.00</td><td>5.00e-1</td><td>7.50e-1</td><td>25.00%</td>' +
      '<td class="text first">layers.*</td><td class="">inf</td><td>0</td><td>0</td><td>0.00%</td></tr>');
    expect(html).toContain('<td class="note first refused" colspan="4" title="group size 32 does not divide 30\\nin torchao">refused: group size 32 does not divide 30\\nin torchao</td>' +
      '<td class="text first">w.b</td><td class="note" colspan="4" title="`w.b` is null: left alone">—</td>');
    expect(html).toContain('<th class="group" colspan="4">col0</th><th class="group" colspan="5">col1</th>');
    expect(html).toContain('<p class="meta">Column col0: 2 NaN and 1 inf inputs, 1 non-finite output left out of its figures.</p>');
  });

  it("escapes each markup character of a name, one by one: Markdown, HTML and CSV", () => {
    const name = "a*b_c`d<e>f[g]h&i~j\\k|l\"m'n";
    const r = reportOf([tensor(name, [a0])]);
    expect(renderReportMarkdown(r)).toContain("| a\\*b\\_c\\`d\\<e\\>f\\[g\\]h\\&i\\~j\\\\k\\|l\"m'n | 4 |");
    expect(renderReportHtml(r)).toContain('<td class="name">a*b_c`d&lt;e&gt;f[g]h&amp;i~j\\k|l&quot;m&#39;n</td>');
    // A name a spreadsheet would run as a formula, whatever its first character; a field with a quote, comma or line end, quoted.
    const csvName = (n: string) => renderReportCsv(reportOf([tensor(n, [a0], [2, 2])])).split("\n")[1].slice(0, -",2x2,F32,4,col0,quantized,--config,int8 per_channel symmetric,20,0.5,0.75,0.25,0,0,0,6,".length);
    expect(["=1", "+1", "-1", "@1", "\t1", "\r1", "1=", "a\"b", "a,b", "a\rb", "plain"].map(csvName))
      .toEqual([`"'=1"`, `"'+1"`, `"'-1"`, `"'@1"`, `"'\t1"`, `"'\r1"`, "1=", `"a""b"`, `"a,b"`, `"a\rb"`, "plain"]);
  });
});
