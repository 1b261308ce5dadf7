/**
 * `o[k] = v` as an own data property, also for k "__proto__": assignment would
 * take that key as the prototype, and the entry would vanish from keys, JSON
 * and YAML output without a word. Keys come from files (recipe keys are tensor
 * names), so every object built from a file's keys is built with this.
 */
export function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}
