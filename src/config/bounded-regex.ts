/**
 * Matching a recipe's `re:` keys with a time budget. JavaScript regexes
 * backtrack, so a pattern such as `(a|a)*b`, or `.*.*x` on a long name, takes
 * time exponential or polynomial in the name's length, and a checkpoint
 * chooses its names: no static check catches every such pattern. Matching
 * therefore runs inside a vm context with a timeout, which interrupts a
 * regex mid-match. Names go in batches, one call each (a call costs tens of
 * µs, a test about 1 µs), and results are kept per name. Past the budget it
 * is an error naming the key; matching never hangs the run.
 */
import { createContext, Script } from "node:vm";
import { FqcError } from "../errors.js";

/** Time one key may spend matching names, over all its batches: ~1 µs per name for the patterns recipes use. */
export const REGEX_BUDGET_MS = 3000;

const MATCH = new Script("out = new Uint8Array(names.length); for (let i = 0; i < names.length; i++) out[i] = re.test(names[i]) ? 1 : 0;");

/** One vm context shared by the keys of a recipe: the names and the regex are set before each call. */
export interface MatchContext {
  re: RegExp | null;
  names: readonly string[];
  out: Uint8Array | null;
}

export function newMatchContext(): MatchContext {
  return createContext({ re: null, names: [], out: null }) as MatchContext;
}

export class BoundedRegex {
  readonly key: string;
  readonly #regex: RegExp;
  readonly #context: () => MatchContext;
  readonly #seen = new Map<string, boolean>();
  readonly #budgetMs: number;
  #spentMs = 0;

  /** `context` is asked for only when a name is matched (a context costs ~1 ms to make). */
  constructor(key: string, regex: RegExp, context: () => MatchContext, budgetMs = REGEX_BUDGET_MS) {
    this.key = key;
    this.#regex = regex;
    this.#context = context;
    this.#budgetMs = budgetMs;
  }

  /** Match every name not matched yet, in one call. Throws FqcError("CONFIG") once the key's budget is spent. */
  prime(names: Iterable<string>): void {
    const fresh: string[] = [];
    for (const n of names) {
      if (!this.#seen.has(n)) {
        this.#seen.set(n, false);
        fresh.push(n);
      }
    }
    if (fresh.length === 0) return;
    const ctx = this.#context();
    ctx.re = this.#regex;
    ctx.names = fresh;
    const started = performance.now();
    try {
      MATCH.runInContext(ctx, { timeout: Math.max(1, Math.ceil(this.#budgetMs - this.#spentMs)) });
    } catch (e) {
      for (const n of fresh) this.#seen.delete(n);
      if ((e as { code?: string }).code !== "ERR_SCRIPT_EXECUTION_TIMEOUT") throw e;
      throw new FqcError("CONFIG", `recipe key ${JSON.stringify(this.key)}: matching it against the tensor names took more than ${this.#budgetMs / 1000} s`, {
        hint: "The pattern backtracks: a repeated group that itself repeats or whose alternatives overlap ((a+)+, (a|a)*), or several .* in a row on a long name. Simplify it, e.g. (a+)+ → a+, (a|ab)* → (ab?)*.",
      });
    } finally {
      this.#spentMs += performance.now() - started;
      ctx.names = [];
      ctx.re = null;
    }
    const out = ctx.out!;
    ctx.out = null;
    for (let i = 0; i < fresh.length; i++) this.#seen.set(fresh[i], out[i] === 1);
  }

  /** Whether the pattern matches `name` in full (the regex is anchored); matched in a call of its own unless primed. */
  test(name: string): boolean {
    if (!this.#seen.has(name)) this.prime([name]);
    return this.#seen.get(name)!;
  }
}
