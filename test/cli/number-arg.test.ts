/**
 * The numbers of number options, read as the README's Limits section says: plain decimal digits, a minus sign and a
 * fraction only where the option takes them, within the option's range; anything else refused naming the option and
 * the value, with a hint on how to write a number only when the value is written as none.
 */
import { describe, expect, it } from "vitest";
import { decimalArg, isPlainWholeNumber, wholeNumberArg } from "../../src/cli/number-arg.js";
import { FqcError } from "../../src/errors.js";
import { thrownFqcError } from "../helpers/js-callers.js";

const WARNINGS = "a whole number of warnings (or -1: no limit)";
const maxWarnings = (text: string) => wholeNumberArg(text, "--max-warnings", -1, WARNINGS);
const worst = (text: string) => wholeNumberArg(text, "--worst", 1, "a positive whole number of tensors");
const failUnder = (text: string) => decimalArg(text, "--fail-under", "a number of dB");

describe("whole numbers", () => {
  it("are read in plain decimal digits of any length, with a minus sign where the range takes one", () => {
    expect(["-1", "0", "7", "10", "100", "1234567", "9007199254740991"].map(maxWarnings)).toEqual([-1, 0, 7, 10, 100, 1234567, 9007199254740991]);
    expect(["1", "20", "300"].map(worst)).toEqual([1, 20, 300]);
    expect(["0", "5", "-12", "100"].map(isPlainWholeNumber)).toEqual([true, true, true, true]);
    expect(["-0", "08", "+5", "1.0", "1e3", " 5", "5 ", "0x10", ""].map(isPlainWholeNumber)).toEqual(Array(9).fill(false));
  });

  it("below the option's least value, or past 2^53 (where a count no longer reads back as typed), are refused without the spelling hint", () => {
    for (const [text, read] of [["-2", maxWarnings], ["0", worst], ["-1", worst], ["9007199254740993", maxWarnings], ["99999999999999999999", worst]] as const) {
      const e = thrownFqcError(() => read(text));
      expect(e.code).toBe("USAGE");
      expect(e.message, text).toMatch(new RegExp(`^--(max-warnings|worst) needs .*, not "${text}"$`));
      expect(e.hint, text).toBeUndefined();
    }
  });

  it("in another spelling are refused with a hint giving the option's own example", () => {
    const e = thrownFqcError(() => maxWarnings("1e3"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`--max-warnings needs ${WARNINGS}, not "1e3"`);
    expect(e.hint).toBe("Write it in plain decimal digits, e.g. --max-warnings 10 (not 1e3, 0x10 or 08).");
    // A fraction is a plain decimal number, out of a whole number's range.
    expect(thrownFqcError(() => worst("2.5")).hint).toBeUndefined();
  });
});

describe("decimal numbers", () => {
  it("are read with a sign and a fraction of any length", () => {
    expect(["15", "-2.5", "0", "14.996", "1000.25", "-0.125", "120"].map(failUnder)).toEqual([15, -2.5, 0, 14.996, 1000.25, -0.125, 120]);
    expect(Object.is(failUnder("-0"), -0)).toBe(true);
  });

  it("too large for a double (read as infinity) are refused without the spelling hint", () => {
    const huge = `1${"0".repeat(400)}`;
    const e = thrownFqcError(() => failUnder(huge));
    expect(e).toBeInstanceOf(FqcError);
    expect(e.message).toBe(`--fail-under needs a number of dB, not "${huge}"`);
    expect(e.hint).toBeUndefined();
  });

  it("in another spelling are refused with a hint giving a whole and a negative fraction", () => {
    for (const text of [".5", "5.", "1e3", "Infinity", "inf", "NaN", "+1", "01.5", "1,5", "- 2", ""]) {
      const e = thrownFqcError(() => failUnder(text));
      expect(e.message, text).toBe(`--fail-under needs a number of dB, not ${JSON.stringify(text)}`);
      expect(e.hint, text).toBe("Write it in plain decimal digits, e.g. --fail-under 15 or --fail-under -2.5 (not 1e3, 0x10 or 08).");
    }
  });
});
