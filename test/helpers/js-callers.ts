/** For tests that call the library as plain JavaScript can: with what the types forbid. */

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
