/**
 * Which rows a human-readable report lists and in which order (--sort, --worst), and the number formats every text
 * renderer shares, on reports built by hand so each figure sits where a boundary is.
 */
import { describe, expect, it } from "vitest";
import {
  cellNote, formatBytes, formatDb, formatDbBelow, formatShare, formatSmall, formatWorstDb, leftOutText, lowestSqnr, selectRows, shapeText, unmeasured,
} from "../../src/report/rows.js";
import { quantized, REFUSED, reportOf, SKIPPED, tensor } from "../helpers/synthetic-report.js";

/** A cell of exactly `db` dB (Σe² = 1, Σx² = 10^(db/10) for whole tens). */
const at = (db: number) => quantized({ sumX2: 10 ** (db / 10), sumE2: 1, counted: 4, maxAbsError: 0.5 });
const minusInf = quantized({ sumX2: 0, sumE2: 1, counted: 4, maxAbsError: 0.5 });
const plusInf = quantized({ sumX2: 4, sumE2: 0, counted: 4 });
/** Fake-quantized, but every value was NaN: nothing measured. */
const none = quantized({ nanInputs: 4 });

const names = (rows: Array<{ name: string }>) => rows.map((t) => t.name);

describe("row selection", () => {
  // Checkpoint order: d, b, e, a, c, f; two columns.
  const report = reportOf([
    tensor("d", [at(30), at(20)], [8, 8]),
    tensor("b", [SKIPPED, SKIPPED], [100]), // no column fake-quantized it: no figure
    tensor("e", [at(10), at(40)], [2]),
    tensor("a", [REFUSED, at(20)], [8, 8]), // ties d's lowest (20) and its size
    tensor("c", [plusInf, plusInf], [3]),
    tensor("f", [at(50), none], [1]), // unmeasured: ranks below every figure
  ]);

  it("lists every tensor in checkpoint order by default", () => {
    expect(names(selectRows(report))).toEqual(["d", "b", "e", "a", "c", "f"]);
    expect(names(selectRows(report, { sort: "order" }))).toEqual(["d", "b", "e", "a", "c", "f"]);
  });

  it("--sort sqnr: lowest figure of any column first, unmeasured before it, inf after the finite ones, no figure last, ties in checkpoint order", () => {
    expect(names(selectRows(report, { sort: "sqnr" }))).toEqual(["f", "e", "d", "a", "c", "b"]);
  });

  it("--sort name: by code unit, --sort size: most elements first, ties in checkpoint order", () => {
    const mixed = reportOf([tensor("b.x", [at(10)]), tensor("B.y", [at(10)]), tensor("a", [at(10)]), tensor("b", [at(10)])]);
    expect(names(selectRows(mixed, { sort: "name" }))).toEqual(["B.y", "a", "b", "b.x"]);
    expect(names(selectRows(report, { sort: "size" }))).toEqual(["b", "d", "a", "c", "e", "f"]);
  });

  it("--worst N keeps the N lowest of the tensors a column fake-quantized, back in checkpoint order unless sorted", () => {
    expect(names(selectRows(report, { worst: 3 }))).toEqual(["d", "e", "f"]);
    expect(names(selectRows(report, { worst: 3, sort: "sqnr" }))).toEqual(["f", "e", "d"]);
    expect(names(selectRows(report, { worst: 3, sort: "name" }))).toEqual(["d", "e", "f"]);
    expect(names(selectRows(report, { worst: 1 }))).toEqual(["f"]);
    // Every quantized tensor, never the one no column fake-quantized; a refused cell does not count as quantized.
    expect(names(selectRows(report, { worst: 100 }))).toEqual(["d", "e", "a", "c", "f"]);
    const refusedOnly = reportOf([tensor("r", [REFUSED]), tensor("q", [at(10)])]);
    expect(names(selectRows(refusedOnly, { worst: 5 }))).toEqual(["q"]);
  });

  it("leaves the report's own tensor list as it was", () => {
    selectRows(report, { sort: "sqnr", worst: 2 });
    expect(names(report.tensors)).toEqual(["d", "b", "e", "a", "c", "f"]);
  });

  it("lowestSqnr takes the lowest figure of any column, -inf included; null with none", () => {
    expect(lowestSqnr(tensor("t", [at(30), SKIPPED, at(20), plusInf]))).toBe(20);
    expect(lowestSqnr(tensor("t", [at(30), minusInf]))).toBe(-Infinity);
    expect(lowestSqnr(tensor("t", [SKIPPED, REFUSED, none]))).toBeNull();
    // A column with nothing measured (null) after one with a figure: the figure stays the lowest.
    expect(lowestSqnr(tensor("t", [at(30), none]))).toBe(30);
  });

  it("unmeasured: fake-quantized with no figure and some elements; not an empty tensor, nor a skipped or measured cell", () => {
    expect(unmeasured(tensor("t", [none]), none)).toBe(true);
    expect(unmeasured(tensor("t", [none], [0, 3]), none)).toBe(false);
    expect(unmeasured(tensor("t", [SKIPPED]), SKIPPED)).toBe(false);
    expect(unmeasured(tensor("t", [minusInf]), minusInf)).toBe(false);
  });
});

describe("number formats", () => {
  it("formatDb: two decimals (or as asked), inf and -inf in words, empty for no figure", () => {
    expect([formatDb(19.845001), formatDb(7), formatDb(-2.5), formatDb(1.23456, 3)]).toEqual(["19.85", "7.00", "-2.50", "1.235"]);
    expect([formatDb(Infinity), formatDb(-Infinity), formatDb(null), formatDb(undefined)]).toEqual(["inf", "-inf", "", ""]);
  });

  it("formatDbBelow: more digits only where two would round up to the threshold, never showing a failing figure as passing", () => {
    expect(formatDbBelow(14.996, 15)).toBe("14.996");
    expect(formatDbBelow(14.99, 15)).toBe("14.99");
    expect(formatDbBelow(15 - 1e-13, 15)).toBe("14.9999999999999");
    // The fewest digits that stay below, not the value's every digit; 15 decimals where it takes 15.
    expect(formatDbBelow(14.9951234, 15)).toBe("14.995");
    expect(formatDbBelow(1 - 2 ** -50, 1)).toBe("0.999999999999999");
    // Closer than 15 decimals can show: the shortest round-trip form.
    expect(formatDbBelow(1 - 2 ** -53, 1)).toBe("0.9999999999999999");
    // Not below (equal, or above): as formatDb shows it.
    expect([formatDbBelow(15, 15), formatDbBelow(15.004, 15), formatDbBelow(-Infinity, 15), formatDbBelow(Infinity, 15)]).toEqual(["15.00", "15.00", "-inf", "inf"]);
  });

  it("formatWorstDb: the figure with its unit, or why there is none", () => {
    expect(formatWorstDb(12.5, " dB")).toBe("12.50 dB");
    expect(formatWorstDb(12.5)).toBe("12.50");
    expect(formatWorstDb(null, " dB")).toBe("(no finite values)");
  });

  it("formatSmall: three significant digits with a plain exponent, 0 as 0", () => {
    expect([formatSmall(0.00123), formatSmall(12345), formatSmall(-0.5), formatSmall(1), formatSmall(0)]).toEqual(["1.23e-3", "1.23e4", "-5.00e-1", "1.00e0", "0"]);
    expect([formatSmall(null), formatSmall(undefined)]).toEqual(["", ""]);
  });

  it("formatShare: a percentage with two decimals", () => {
    expect([formatShare(0.25), formatShare(0), formatShare(1), formatShare(0.000049), formatShare(null), formatShare(undefined)]).toEqual(["25.00%", "0.00%", "100.00%", "0.00%", "", ""]);
  });

  it("formatBytes: bytes below 1 KiB, then binary units with two decimals up to TiB", () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536), formatBytes(1024 ** 2 - 1)]).toEqual(["0 B", "1023 B", "1.00 KiB", "1.50 KiB", "1024.00 KiB"]);
    expect([formatBytes(3 * 1024 ** 2), formatBytes(1024 ** 3), formatBytes(5 * 1024 ** 4), formatBytes(2048 * 1024 ** 4)]).toEqual(["3.00 MiB", "1.00 GiB", "5.00 TiB", "2048.00 TiB"]);
  });

  it("leftOutText: one input or output in the singular, more in the plural", () => {
    expect(leftOutText({ nanInputs: 1, infInputs: 0, nonFiniteOutputs: 0 })).toBe("1 NaN and 0 inf input left out");
    expect(leftOutText({ nanInputs: 0, infInputs: 1, nonFiniteOutputs: 2 })).toBe("0 NaN and 1 inf input, 2 non-finite outputs left out");
    expect(leftOutText({ nanInputs: 2, infInputs: 0, nonFiniteOutputs: 0 })).toBe("2 NaN and 0 inf inputs left out");
  });

  it("cellNote and shapeText", () => {
    expect([cellNote(REFUSED), cellNote(SKIPPED), cellNote(at(10))]).toEqual(["refused", "—", ""]);
    expect([shapeText([]), shapeText([5]), shapeText([2, 3, 4])]).toEqual(["()", "5", "2×3×4"]);
  });
});
