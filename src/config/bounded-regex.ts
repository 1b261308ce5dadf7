/**
 * Matching a recipe's `re:` keys with a time budget. JavaScript regexes
 * backtrack, so a pattern such as `(a|a)*b`, or `.*.*x` on a long name, takes
 * time exponential or polynomial in the name's length, and a checkpoint
 * chooses its names: no static check catches every such pattern. Matching
 * therefore runs inside a vm context with a timeout, which interrupts a regex
 * mid-match: past the budget it is an error naming the key, never a hang.
 * Names go in batches, one call each (a call costs tens of µs, a test
 * ~0.1-1 µs), small enough that ordinary patterns never come near the budget.
 * The batches are steps (steps.ts): a caller that runs them yielding stays
 * open to signals through the millions of tests of a large recipe.
 *
 * Resolving a tensor needs the first key (in file order) that matches its
 * name: that is kept per name, so memory grows with the names, not with
 * names × keys (3,000 keys × 60,000 names would be 180 million answers).
 */
import { createContext, Script } from "node:vm";
import { FqcError } from "../errors.js";
import { runSteps, type Steps } from "../steps.js";

/** Time one call (≤ TESTS_PER_CALL tests) may take: ordinary patterns need tens of milliseconds for it. */
export const REGEX_BUDGET_MS = 3000;

/** Tests per vm call: small enough that a call of ordinary patterns takes well under the budget. */
const TESTS_PER_CALL = 100_000;

/** For each name, the index of the first pattern that matches it (-1: none), as an Int32Array in `result`. */
const FIRST_PATTERN = new Script(`{
  // Locals: every read of a context global goes through the sandbox's interceptor (microseconds each).
  const R = res, N = names, C = current;
  const out = new Int32Array(N.length);
  for (let i = 0; i < N.length; i++) {
    let found = -1;
    for (let j = 0; j < R.length; j++) {
      C[0] = j;
      if (R[j].test(N[i])) { found = j; break; }
    }
    out[i] = found;
  }
  result = out;
}`);

/** The index of the first of names[from..to) pattern current[0] matches (-1: none), in \`result\`. */
const FIRST_NAME = new Script(`{
  const N = names, re = res[current[0]], end = to;
  let found = -1;
  for (let i = from; i < end; i++) if (re.test(N[i])) { found = i; break; }
  result = found;
}`);

interface MatchContext {
  res: readonly RegExp[];
  names: readonly string[];
  /** The key being tested: read after a timeout to name it (a typed array: written per test without the interceptor). */
  current: Int32Array;
  result: Int32Array | number | null;
  from: number;
  to: number;
}

/** The `re:` keys of one recipe, in file order, with their compiled full-match regexes. */
export class PatternSet {
  readonly keys: readonly string[];
  readonly #regexes: readonly RegExp[];
  readonly #budgetMs: number;
  /** Made on the first match (~1 ms): a recipe without `re:` keys never pays for it. */
  #context: MatchContext | undefined;
  readonly #first = new Map<string, number>();

  constructor(keys: readonly string[], regexes: readonly RegExp[], budgetMs = REGEX_BUDGET_MS) {
    this.keys = keys;
    this.#regexes = regexes;
    this.#budgetMs = budgetMs;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Finds the first matching pattern of every name not seen yet, in as few calls as the budget allows. */
  prime(names: Iterable<string>): void {
    runSteps(this.primeSteps(names));
  }

  /** prime, a step per call: a name is recorded once its batch is tested, so a run stopped between steps leaves no guess. */
  *primeSteps(names: Iterable<string>): Steps<void> {
    if (this.keys.length === 0) return;
    const fresh = new Set<string>();
    for (const n of names) if (!this.#first.has(n)) fresh.add(n);
    const list = [...fresh];
    const perCall = Math.max(1, Math.floor(TESTS_PER_CALL / this.keys.length));
    for (let at = 0; at < list.length; at += perCall) {
      yield;
      const batch = list.slice(at, at + perCall);
      const ctx = this.#run(FIRST_PATTERN, batch, 0);
      const out = ctx.result as Int32Array;
      ctx.result = null;
      for (let i = 0; i < batch.length; i++) this.#first.set(batch[i], out[i]);
    }
  }

  /** The index of the first pattern that matches `name` in full, -1 when none does. */
  firstMatch(name: string): number {
    if (!this.#first.has(name)) this.prime([name]);
    return this.#first.get(name)!;
  }

  /** Whether pattern `j` matches `name`, known without a test when its first match is `j` or later. */
  matches(j: number, name: string): boolean {
    const first = this.firstMatch(name);
    if (first === j) return true;
    if (first < 0 || first > j) return false;
    return this.firstName(j, [name]) === 0;
  }

  /** The index of the first of `names` that pattern `j` matches, -1 when none does. */
  firstName(j: number, names: readonly string[]): number {
    return runSteps(this.firstNameSteps(j, names));
  }

  /** firstName, a step before each call (so that a scan of many keys over few names has steps too). */
  *firstNameSteps(j: number, names: readonly string[]): Steps<number> {
    for (let at = 0; at < names.length; at += TESTS_PER_CALL) {
      yield;
      const found = this.#run(FIRST_NAME, names, j, at, Math.min(names.length, at + TESTS_PER_CALL)).result as number;
      if (found >= 0) return found;
    }
    return -1;
  }

  /** One call of `script` over `names`. */
  #run(script: Script, names: readonly string[], current: number, from = 0, to = names.length): MatchContext {
    const ctx = (this.#context ??= createContext({
      res: this.#regexes, names: [], current: new Int32Array(1), result: null, from: 0, to: 0,
    }) as MatchContext);
    ctx.names = names;
    ctx.current[0] = current;
    ctx.from = from;
    ctx.to = to;
    try {
      // A call holds ~TESTS_PER_CALL tests, which ordinary patterns run in tens of ms: past the budget, the key being tested
      // is the one that runs away (one test for ever, or every test slowly); it is named.
      script.runInContext(ctx, { timeout: this.#budgetMs });
    } catch (e) {
      if ((e as { code?: string }).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw e;
      throw this.#overBudget(ctx.current[0]);
    } finally {
      ctx.names = [];
    }
    return ctx;
  }

  #overBudget(j: number): FqcError {
    return new FqcError("CONFIG", `recipe key ${JSON.stringify(this.keys[j])}: matching it against the tensor names took more than ${this.#budgetMs / 1000} s`, {
      hint: "The pattern backtracks: a repeated group that itself repeats or whose alternatives overlap ((a+)+, (a|a)*), or several .* in a row on a long name. Simplify it, e.g. (a+)+ → a+, (a|ab)* → (ab?)*.",
    });
  }
}
