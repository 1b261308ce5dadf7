/**
 * Unknown keys of one object (a config, a QAT pair, a recipe file, a
 * granularity object), and the budget that keeps a hostile file cheap: when
 * the caller lists at most N problems per file, only the first N unknown keys
 * of an object (in file order) become findings. Every later one would be
 * listed after those N, so it could never be shown; it is only counted.
 */

/** What the checks of one document share: the budget, what it left out, and which objects had unknown keys. */
export interface KeyBudget {
  /** Unknown keys per object that become findings (Infinity: all). */
  readonly perObject: number;
  /** Unknown keys left out, by the rule that would have reported them. */
  readonly skipped: Map<string, number>;
  /** Objects with unknown keys and the keys they may hold (the schema check runs without the others). */
  readonly unknownIn: Array<{ pointer: string; known: (key: string) => boolean }>;
  /** The keys of the object at a pointer in file order, when the source knows it. */
  readonly keysInOrder?: (pointer: string) => string[] | undefined;
}

export function keyBudget(perObject = Infinity, keysInOrder?: (pointer: string) => string[] | undefined): KeyBudget {
  // At least one finding per object: whether a config constructs depends on it having none.
  return { perObject: Math.max(1, perObject), skipped: new Map(), unknownIn: [], keysInOrder };
}

/** An integer-like key, which JavaScript enumerates first (in numeric order) whatever its place in the file. */
function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * The unknown keys of `value` (at `pointer`) to report under `ruleId`: all of them, in enumeration order, or
 * the first `budget.perObject` in file order with the rest counted in `budget.skipped`.
 */
export function unknownKeys(
  value: Record<string, unknown>,
  pointer: string,
  known: (key: string) => boolean,
  ruleId: string,
  budget: KeyBudget | undefined,
): string[] {
  const unknown = Object.keys(value).filter((k) => !known(k));
  if (unknown.length === 0 || !budget) return unknown;
  budget.unknownIn.push({ pointer, known });
  if (unknown.length <= budget.perObject) return unknown;
  // Enumeration order is file order unless some key looks like an array index: then ask the source. The
  // first key in enumeration order stays first either way (it is the one torchao's TypeError names).
  let ordered = unknown;
  if (unknown.some(isArrayIndex)) {
    const inFile = budget.keysInOrder?.(pointer);
    if (inFile && inFile.length === Object.keys(value).length) ordered = [unknown[0], ...inFile.filter((k) => k !== unknown[0] && !known(k))];
  }
  budget.skipped.set(ruleId, (budget.skipped.get(ruleId) ?? 0) + ordered.length - budget.perObject);
  return ordered.slice(0, budget.perObject);
}
