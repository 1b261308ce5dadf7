/**
 * The SVG chart of the HTML report: SQNR per tensor in checkpoint order, one
 * series per column (colour and marker shape both differ, so series stay
 * apart in grey print and for colour-blind readers), axes with labels, a
 * legend, and a <title> on every point naming tensor, column and value (the
 * browser shows it on hover; no script needed). Pure: report → SVG text.
 */
import { displayWidth } from "../diagnostics/display-width.js";
import { ends, shownName } from "../diagnostics/one-line.js";
import { formatDb } from "./rows.js";
import type { Report } from "./types.js";

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/** Marker outlines around (0, 0), radius ~4. */
const MARKERS = [
  "M-4,0a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z", // circle
  "M-3.5,-3.5h7v7h-7Z", // square
  "M0,-4.6L4.2,3.3H-4.2Z", // triangle
  "M0,-4.8L4.8,0L0,4.8L-4.8,0Z", // diamond
];

/**
 * Text for XML and HTML: markup characters as entities, and the characters XML forbids (C0 controls but tab,
 * line feed and carriage return) or that would reorder or hide text (DEL, C1, bidi controls) as visible escapes.
 */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A name from a file (tensor, recipe key, column, path) as the HTML shows it: as the text table shows it (shownName:
 * line breaks, tabs and controls as visible escapes, a name past 200 characters cut in the middle), XML-escaped. Whitespace
 * collapses in HTML, so a raw line break would show `a\nb` as `a b`. Data attributes keep names exact instead.
 */
export function shownText(s: string): string {
  return xmlEscape(shownName(s));
}

/** An x-axis label: shown as shownText shows it, and cut in the middle past 40 characters (the axis leaves room for about 30). */
function axisLabel(name: string): string {
  const s = shownName(shortName(name));
  if (s.length <= 40) return xmlEscape(s);
  const [head, tail] = ends(s, 20, 19);
  return xmlEscape(`${head}…${tail}`);
}

/** A short label for the x axis: the name without a leading "model." and a trailing ".weight". */
export function shortName(name: string): string {
  return name.replace(/^model\./, "").replace(/\.weight$/, "");
}

/**
 * The axis covers at most ±AXIS_DB: no SQNR comes near it (float64 sums span at most ~6,300 dB), so only a
 * --fail-under threshold can lie beyond; it is drawn at the plot's edge, its label giving its value. A range
 * reaching 1e308 overflowed the ticks to inf, and one of 5e15 ± 1 could not be cut into steps (v + 0.2 = v).
 */
export const AXIS_DB = 1e4;

/** Round tick values covering [lo, hi], about `target` of them, at 1/2/5 × 10^k steps (lo and hi are clamped to ±AXIS_DB). */
export function niceTicks(lo: number, hi: number, target = 6): { lo: number; hi: number; step: number; ticks: number[] } {
  const clamp = (v: number) => Math.max(-AXIS_DB, Math.min(AXIS_DB, v));
  lo = clamp(lo);
  hi = clamp(hi);
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const a = Math.floor(lo / step) * step;
  const b = Math.ceil(hi / step) * step;
  // By index, so the count is fixed before the loop.
  const n = Math.round((b - a) / step);
  const ticks = Array.from({ length: n + 1 }, (_, k) => Number((a + k * step).toPrecision(12)));
  return { lo: a, hi: b, step, ticks };
}

/** The value a data attribute holds: shortest round-trip number, or inf / -inf. */
export function attrDb(v: number): string {
  return v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
}

export interface ChartOptions {
  /** Draw a dashed line at this SQNR (the --fail-under threshold). */
  threshold?: number;
}

/** Legend text: 13 px, estimated at 7.5 px a terminal column (a CJK character or emoji two), as wide as system fonts draw it or wider. */
const LEGEND_CHAR_PX = 7.5;
/** Marker sample and the gap before the text; gap to the next item; one legend row. */
const LEGEND_SAMPLE_PX = 30;
const LEGEND_GAP_PX = 24;
const LEGEND_ROW_PX = 22;

export interface LegendItem {
  /** The label as drawn (escaped later), cut in the middle when too long. */
  label: string;
  /** The whole label, when `label` is cut. */
  full?: string;
  x: number;
  y: number;
}

/**
 * The legend's items laid out in rows from `left` to `right`: an item that would run past `right` starts a new row, and
 * a label wider than a whole row is cut in the middle (its overall figure kept), so many columns or long column
 * names stay inside the chart. Pure, for the chart and its tests.
 */
export function layOutLegend(labels: ReadonlyArray<{ name: string; suffix: string }>, left: number, right: number, firstRowY: number): LegendItem[] {
  const room = Math.floor((right - left - LEGEND_SAMPLE_PX) / LEGEND_CHAR_PX);
  const items: LegendItem[] = [];
  let x = left;
  let y = firstRowY;
  for (const { name, suffix } of labels) {
    const whole = `${name}${suffix}`;
    let label = whole;
    if (displayWidth(whole) > room) {
      // Cut the name (by code points, keeping room for "…"), not the figure after it.
      const keep = Math.max(2, room - displayWidth(suffix) - 1);
      const points = [...name];
      let head = "";
      let tail = "";
      for (let i = 0, j = points.length - 1; i <= j;) {
        if (displayWidth(head + points[i]) + displayWidth(tail) <= Math.ceil(keep / 2)) head += points[i++];
        else if (displayWidth(head) + displayWidth(points[j] + tail) <= keep) tail = points[j--] + tail;
        else break;
      }
      label = `${head}…${tail}${suffix}`;
    }
    const width = LEGEND_SAMPLE_PX + LEGEND_CHAR_PX * displayWidth(label);
    if (x > left && x + width > right) {
      x = left;
      y += LEGEND_ROW_PX;
    }
    items.push(label === whole ? { label, x, y } : { label, full: whole, x, y });
    x += width + LEGEND_GAP_PX;
  }
  return items;
}

export function renderSqnrChart(report: Report, opts: ChartOptions = {}): string {
  // Tensors some column fake-quantized, in checkpoint order: one x position each.
  const tensors = report.tensors.filter((t) => t.cells.some((c) => c.figures && c.figures.sqnrDb !== null));
  const W = 1100;
  const labelled = tensors.length <= 160;
  const left = 70;
  const right = 24;
  const legend = layOutLegend(report.columns.map((col, c) => {
    const overall = report.summaries[c]?.overallSqnrDb;
    return { name: shownName(col.name), suffix: overall === null || overall === undefined ? "" : ` (overall ${formatDb(overall)} dB)` };
  }), left, W - right, 24);
  // The plot starts below the legend's last row (one row: at 56, as before the legend could wrap).
  const top = 56 + (legend.length ? legend[legend.length - 1].y - 24 : 0);
  // Room for the labels, rotated by 60°: about 5 px per character at 10 px.
  const bottom = labelled ? 44 + Math.min(150, 5 * tensors.reduce((w, t) => Math.max(w, Math.min(41, shownName(shortName(t.name)).length)), 4)) : 60;
  const H = top + 330 + bottom;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const finite: number[] = [];
  for (const t of tensors) for (const c of t.cells) if (c.figures?.sqnrDb !== null && c.figures?.sqnrDb !== undefined && Number.isFinite(c.figures.sqnrDb)) finite.push(c.figures.sqnrDb);
  if (opts.threshold !== undefined) finite.push(opts.threshold);
  // reduce, not Math.min(...finite): one argument per figure overflows the call stack on large models.
  const lo0 = finite.length ? finite.reduce((a, b) => Math.min(a, b)) : 0;
  const hi0 = finite.length ? finite.reduce((a, b) => Math.max(a, b)) : 1;
  const pad = Math.max((hi0 - lo0) * 0.05, 0.5);
  const { lo, hi, ticks } = niceTicks(lo0 - pad, hi0 + pad);
  const y = (v: number) => top + plotH - ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * plotH;
  const step = tensors.length > 1 ? plotW / tensors.length : plotW;
  const x = (i: number) => left + step * (i + 0.5);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="chart-title" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`);
  out.push(`<title id="chart-title">SQNR per tensor in checkpoint order, one series per column</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  // Grid and y axis.
  out.push(`<g class="y-axis" font-size="12" fill="#333">`);
  for (const v of ticks) {
    const yy = f(y(v));
    out.push(`<line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${xmlEscape(String(v))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#555"/>`);
  out.push(`<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#555"/>`);
  out.push(`<text class="axis-label" transform="translate(18 ${f(top + plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">SQNR (dB), higher is better</text>`);
  // x labels.
  out.push(`<g class="x-axis" font-size="10" fill="#444">`);
  tensors.forEach((t, i) => {
    if (!labelled) return;
    out.push(`<text transform="translate(${f(x(i) + 3)} ${top + plotH + 8}) rotate(-60)" text-anchor="end">${axisLabel(t.name)}</text>`);
  });
  if (!labelled) {
    const every = Math.ceil(tensors.length / 20);
    tensors.forEach((_, i) => {
      if (i % every === 0) out.push(`<text x="${f(x(i))}" y="${top + plotH + 16}" text-anchor="middle">${i + 1}</text>`);
    });
  }
  out.push(`</g>`);
  out.push(`<text class="axis-label" x="${f(left + plotW / 2)}" y="${H - 8}" text-anchor="middle" font-size="13" fill="#222">tensor, in checkpoint order (hover a point for its name and value)</text>`);
  if (opts.threshold !== undefined) {
    const yy = f(y(opts.threshold));
    out.push(`<g class="threshold"><line x1="${left}" x2="${W - right}" y1="${yy}" y2="${yy}" stroke="#c00" stroke-dasharray="6 4" stroke-width="1.5"/>` +
      `<text x="${W - right - 4}" y="${f(y(opts.threshold) - 5)}" text-anchor="end" font-size="11" fill="#c00">--fail-under ${xmlEscape(String(opts.threshold))} dB</text></g>`);
  }
  // Series.
  report.columns.forEach((col, c) => {
    const colour = SERIES_COLOURS[c % SERIES_COLOURS.length];
    const marker = MARKERS[c % MARKERS.length];
    const pts: string[] = [];
    const marks: string[] = [];
    tensors.forEach((t, i) => {
      const v = t.cells[c].figures?.sqnrDb;
      if (v === null || v === undefined) return;
      const px = x(i);
      const py = y(v);
      pts.push(`${f(px)},${f(py)}`);
      marks.push(`<path class="point" data-series="${c}" data-tensor="${xmlEscape(t.name)}" data-sqnr="${attrDb(v)}" transform="translate(${f(px)} ${f(py)})" d="${marker}">` +
        `<title>${shownText(t.name)} (${t.shape.join("×")} ${t.dtype})\n${shownText(col.name)}: ${formatDb(v)} dB</title></path>`);
    });
    out.push(`<g class="series" data-series="${c}" data-column="${xmlEscape(col.name)}" fill="${colour}" stroke="${colour}">`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke-width="1.5" stroke-opacity="0.55"/>`);
    for (const m of marks) out.push(m);
    out.push(`</g>`);
  });
  // Legend, above the plot, in as many rows as it takes.
  out.push(`<g class="legend" font-size="13" fill="#222">`);
  legend.forEach(({ label, full, x: lx, y: ly }, c) => {
    const colour = SERIES_COLOURS[c % SERIES_COLOURS.length];
    const lxs = f(lx);
    out.push(`<g class="legend-item" data-series="${c}">${full === undefined ? "" : `<title>${xmlEscape(full)}</title>`}` +
      `<line x1="${lxs}" x2="${f(lx + 22)}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>` +
      `<path transform="translate(${f(lx + 11)} ${ly})" d="${MARKERS[c % MARKERS.length]}" fill="${colour}"/>` +
      `<text x="${f(lx + LEGEND_SAMPLE_PX)}" y="${ly}" dominant-baseline="middle">${xmlEscape(label)}</text></g>`);
  });
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join("\n");
}
