/**
 * Numbers typed on the command line, in the one spelling the README gives them: plain decimal digits, with a minus
 * sign and a fraction where the option takes them. yargs' own number type also reads 0x10, 1e3, 0b1, 08 and " 5"
 * (16, 1000, 1, 8, 5), which no one reading the line takes them for, so fqc's number options are strings to yargs
 * and to the plain parser alike, read here; anything else is refused, naming the option and the value.
 */
import { FqcError } from "../errors.js";

/** 0, or digits not starting with 0, with a minus sign unless zero. */
const WHOLE = /^(?:0|-?[1-9]\d*)$/;
/** A whole number as above (-0 too), then perhaps a point and digits. */
const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** Whether `text` is a whole number in plain decimal digits (a sign only on a number other than 0). */
export function isPlainWholeNumber(text: string): boolean {
  return WHOLE.test(text);
}

/** A whole number of at least `min`; `what` words the refusal, e.g. "a whole number of warnings (or -1: no limit)". */
export function wholeNumberArg(text: string, option: string, min: number, what: string): number {
  const n = isPlainWholeNumber(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(n) && n >= min) return n;
  throw refused(text, option, what, `${option} 10`);
}

/** A number, perhaps negative or with a fraction: `--fail-under 15`, `--fail-under -2.5`. */
export function decimalArg(text: string, option: string, what: string): number {
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (Number.isFinite(n)) return n;
  throw refused(text, option, what, `${option} 15 or ${option} -2.5`);
}

/** The refusal; a value written as no plain decimal number (rather than one out of range) is told how to write one. */
function refused(text: string, option: string, what: string, example: string): FqcError {
  const message = `${option} needs ${what}, not ${JSON.stringify(text)}`;
  if (DECIMAL.test(text)) return new FqcError("USAGE", message);
  return new FqcError("USAGE", message, { hint: `Write it in plain decimal digits, e.g. ${example} (not 1e3, 0x10 or 08).` });
}
