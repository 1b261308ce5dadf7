/**
 * A config given as a JavaScript value is read by many rules, key by key. A getter or Proxy trap in it that
 * throws (or a revoked Proxy) would surface from whichever rule read it first, as the caller's own error or a
 * TypeError; read the whole value once up front instead, and name where it failed.
 */
import { readArg } from "./library-args.js";

/** Deeper than any config fqc accepts (nesting beyond 100 levels is refused): below this nothing is read. */
const MAX_DEPTH = 128;

const HINT = "Pass plain data (e.g. JSON.parse(JSON.stringify(value))): a getter or Proxy trap that throws, or a revoked Proxy, cannot be read.";

/** `what` names the value in the message: "normalize: the config", "applyFile: options.config". */
export function checkReadableValue(value: unknown, what: string): void {
  const seen = new Set<object>();
  const at = (pointer: string) => `${what}${pointer === "" ? "" : ` at ${pointer}`}`;
  const walk = (v: unknown, pointer: string, depth: number): void => {
    if (v === null || (typeof v !== "object" && typeof v !== "function") || depth > MAX_DEPTH || seen.has(v)) return;
    seen.add(v);
    const keys = readArg(at(pointer), () => (ArrayBuffer.isView(v) ? [] : Object.keys(v)), HINT);
    for (const k of keys) {
      const child = `${pointer}/${escape(k)}`;
      walk(readArg(at(child), () => (v as Record<string, unknown>)[k], HINT), child, depth + 1);
    }
  };
  walk(value, "", 0);
}

function escape(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
