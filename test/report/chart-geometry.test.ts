/**
 * The SVG chart puts each point where its value is: on the y axis its ticks label (higher SQNR higher up, inf at the
 * top, -inf at the bottom), on the x axis in checkpoint order at even steps; the --fail-under line at its value; the
 * x labels short names (cut in the middle past 40 characters), or every so many positions for a model of many tensors.
 */
import { describe, expect, it } from "vitest";
import { attrDb, niceTicks, renderSqnrChart, shortName } from "../../src/report/render-chart.js";
import type { ReportTensor } from "../../src/report/types.js";
import { quantized, reportOf, SKIPPED, summary, tensor } from "../helpers/synthetic-report.js";

const W = 1100;
const LEFT = 70;
const RIGHT = 24;

const at = (db: number) => quantized({ sumX2: 10 ** (db / 10), sumE2: 1, counted: 4, maxAbsError: 0.5 });
const plusInf = quantized({ sumX2: 4, sumE2: 0, counted: 4 });
const minusInf = quantized({ sumX2: 0, sumE2: 1, counted: 4, maxAbsError: 1 });
const none = quantized({ nanInputs: 4 });

function ticksOf(svg: string): Array<{ v: number; y: number }> {
  return [...svg.matchAll(/<text x="62" y="([\d.]+)" text-anchor="end" dominant-baseline="middle">([^<]*)<\/text>/g)].map((m) => ({ v: Number(m[2]), y: Number(m[1]) }));
}

function pointsOf(svg: string): Array<{ series: number; tensor: string; sqnr: string; x: number; y: number }> {
  return [...svg.matchAll(/<path class="point" data-series="(\d+)" data-tensor="([^"]*)" data-sqnr="([^"]*)" transform="translate\(([\d.]+) ([\d.]+)\)"/g)]
    .map((m) => ({ series: Number(m[1]), tensor: m[2], sqnr: m[3], x: Number(m[4]), y: Number(m[5]) }));
}

describe("chart geometry", () => {
  const tensors: ReportTensor[] = [
    tensor("model.layers.0.q.weight", [at(10), at(30)]),
    tensor("norm", [SKIPPED, SKIPPED]), // no figure: no x position
    tensor("model.nan.weight", [none, none]), // fake-quantized, nothing measured (every value NaN): no x position either
    tensor("model.layers.1.q.weight", [at(20), plusInf]),
    tensor("model.layers.2.q.weight", [minusInf, at(40)]),
  ];
  const report = reportOf(tensors, { summaries: [summary("col0", { overallSqnrDb: 15 }), summary("col1", { overallSqnrDb: 35 })] });
  const svg = renderSqnrChart(report, { threshold: 25 });
  const ticks = ticksOf(svg);
  // The axis from its labelled ticks: y = y0 + slope · v.
  const slope = (ticks[ticks.length - 1].y - ticks[0].y) / (ticks[ticks.length - 1].v - ticks[0].v);
  const yOf = (v: number) => ticks[0].y + slope * (v - ticks[0].v);

  it("ticks: round values, evenly spaced, higher values higher up, covering every finite figure and the threshold", () => {
    expect(ticks.map((t) => t.v)).toEqual(niceTicks(10 - 1.5, 40 + 1.5).ticks);
    expect(slope).toBeLessThan(0);
    for (const t of ticks) expect(t.y).toBeCloseTo(yOf(t.v), 0);
    expect(ticks[0].v).toBeLessThanOrEqual(10);
    expect(ticks[ticks.length - 1].v).toBeGreaterThanOrEqual(40);
  });

  it("leaves a margin of at least 0.5 dB (or 5 % of the range) above and below the figures, so no point sits on the plot's edge", () => {
    const close = renderSqnrChart(reportOf([tensor("a", [at(20)]), tensor("b", [quantized({ sumX2: 10 ** 2.01, sumE2: 1, counted: 4 })])]));
    const t = ticksOf(close).map((x) => x.v);
    expect(t[0]).toBeLessThanOrEqual(19.5);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(20.6);
  });

  it("puts each finite point at its value on the y axis, inf at the top and -inf at the bottom", () => {
    const pts = pointsOf(svg);
    expect(pts).toHaveLength(6);
    const top = Math.min(...ticks.map((t) => t.y));
    const bottom = Math.max(...ticks.map((t) => t.y));
    for (const p of pts) {
      const want = p.sqnr === "inf" ? top : p.sqnr === "-inf" ? bottom : yOf(Number(p.sqnr));
      expect(Math.abs(p.y - want), `${p.tensor} ${p.sqnr}`).toBeLessThanOrEqual(0.1);
    }
  });

  it("puts the tensors with a figure at even steps across the plot, in checkpoint order, each column's points on the same x", () => {
    const pts = pointsOf(svg);
    const xs = [...new Set(pts.map((p) => p.x))];
    const step = (W - LEFT - RIGHT) / 3;
    expect(xs).toEqual([0, 1, 2].map((i) => Number((LEFT + step * (i + 0.5)).toFixed(1))));
    expect(pts.filter((p) => p.series === 0).map((p) => p.tensor)).toEqual(["model.layers.0.q.weight", "model.layers.1.q.weight", "model.layers.2.q.weight"]);
    // One polyline per series, through its points.
    const lines = [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]);
    expect(lines).toEqual([0, 1].map((s) => pts.filter((p) => p.series === s).map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ")));
  });

  it("draws the --fail-under line at its value, across the plot", () => {
    const m = /<g class="threshold"><line x1="(\d+)" x2="(\d+)" y1="([\d.]+)" y2="([\d.]+)"/.exec(svg)!;
    expect([Number(m[1]), Number(m[2])]).toEqual([LEFT, W - RIGHT]);
    expect(m[3]).toBe(m[4]);
    expect(Math.abs(Number(m[3]) - yOf(25))).toBeLessThanOrEqual(0.1);
    expect(renderSqnrChart(report)).not.toContain('class="threshold"');
    // A threshold above every figure widens the axis to take it, and is drawn at its value, not at the edge.
    const high = renderSqnrChart(report, { threshold: 60 });
    const t = ticksOf(high);
    expect(t[t.length - 1].v).toBeGreaterThanOrEqual(60);
    const y60 = t[0].y + ((t[t.length - 1].y - t[0].y) / (t[t.length - 1].v - t[0].v)) * (60 - t[0].v);
    expect(Math.abs(Number(/<g class="threshold"><line [^>]*y1="([\d.]+)"/.exec(high)![1]) - y60)).toBeLessThanOrEqual(0.1);
  });

  it("labels the x axis with short names, and the legend with each column's overall figure", () => {
    expect([...svg.matchAll(/rotate\(-60\)" text-anchor="end">([^<]*)</g)].map((m) => m[1])).toEqual(["layers.0.q", "layers.1.q", "layers.2.q"]);
    expect([...svg.matchAll(/dominant-baseline="middle">(col\d[^<]*)</g)].map((m) => m[1])).toEqual(["col0 (overall 15.00 dB)", "col1 (overall 35.00 dB)"]);
    expect(shortName("model.a.weight.weight")).toBe("a.weight");
    expect(shortName("xmodel.a.weightx")).toBe("xmodel.a.weightx");
  });

  it("cuts an x label past 40 characters in the middle, and keeps one of 40 whole", () => {
    const forty = "a".repeat(40);
    const long = `${"h".repeat(25)}${"t".repeat(25)}`;
    const chart = renderSqnrChart(reportOf([tensor(forty, [at(10)]), tensor(long, [at(20)])]));
    const labels = [...chart.matchAll(/rotate\(-60\)" text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual([forty, `${"h".repeat(20)}…${"t".repeat(19)}`]);
  });

  it("numbers the x axis every ceil(n / 20) tensors past 160 tensors, instead of naming each", () => {
    const many = reportOf(Array.from({ length: 161 }, (_, i) => tensor(`t${i}`, [at(10 + (i % 7))])));
    const chart = renderSqnrChart(many);
    expect(chart).not.toContain("rotate(-60)");
    const numbers = [...chart.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(Array.from({ length: 21 }, (_, k) => 1 + 9 * k).filter((n) => n <= 161));
    const few = renderSqnrChart(reportOf(Array.from({ length: 160 }, (_, i) => tensor(`t${i}`, [at(10)]))));
    expect([...few.matchAll(/rotate\(-60\)/g)]).toHaveLength(160);
  });

  it("data attributes hold the exact value: shortest round trip, inf and -inf in words", () => {
    expect([attrDb(0.1 + 0.2), attrDb(Infinity), attrDb(-Infinity), attrDb(0)]).toEqual(["0.30000000000000004", "inf", "-inf", "0"]);
  });
});
