/** For tests that call the library as plain JavaScript can: with what the types forbid. */
import { expect } from "vitest";
import { FqcError } from "../../src/errors.js";

/** `f` callable with anything. */
export const js = <F extends (...a: never[]) => unknown>(f: F) => f as unknown as (...a: unknown[]) => ReturnType<F>;

/** What `f` throws, or undefined when it returns. */
export function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The FqcError `f` throws; the test fails when `f` throws something else or returns. */
export function thrownFqcError(f: () => unknown): FqcError {
  const e = caught(f);
  if (e === undefined) throw new Error("expected an FqcError, nothing was thrown");
  expect(e).toBeInstanceOf(FqcError);
  return e as FqcError;
}
