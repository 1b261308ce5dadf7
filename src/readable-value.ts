/**
 * A config given as a JavaScript value is read by many rules, key by key. A getter or Proxy trap in it that
 * throws (or a revoked Proxy) would surface from whichever rule read it first, as the caller's own error or a
 * TypeError; read the whole value once up front instead, and name where it failed.
 */
import { FqcError } from "./errors.js";

/** Deeper than any config fqc accepts (nesting beyond 100 levels is refused): below this nothing is read. */
const MAX_DEPTH = 128;

/** `what` names the value in the message: "normalize: the config", "applyFile: options.config". */
export function checkReadableValue(value: unknown, what: string): void {
  const seen = new Set<object>();
  const walk = (v: unknown, pointer: string, depth: number): void => {
    if (v === null || (typeof v !== "object" && typeof v !== "function") || depth > MAX_DEPTH || seen.has(v)) return;
    seen.add(v);
    const keys = attempt(what, pointer, () => (ArrayBuffer.isView(v) ? [] : Object.keys(v)));
    for (const k of keys) walk(attempt(what, `${pointer}/${escape(k)}`, () => (v as Record<string, unknown>)[k]), `${pointer}/${escape(k)}`, depth + 1);
  };
  walk(value, "", 0);
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function attempt<V>(what: string, pointer: string, read: () => V): V {
  try {
    return read();
  } catch (e) {
    const why = e instanceof Error ? e.message : typeof e === "string" ? e : typeof e;
    throw new FqcError("USAGE", `${what}${pointer === "" ? "" : ` at ${pointer}`} could not be read: ${why}`, {
      hint: "Pass plain data (e.g. JSON.parse(JSON.stringify(value))): a getter or Proxy trap that throws, or a revoked Proxy, cannot be read.",
      cause: e,
    });
  }
}
