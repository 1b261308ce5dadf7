/** "Did you mean …?" suggestions by edit distance. */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  // Three rows of the table (the transposition looks two rows back): memory O(n), not O(m * n).
  let before = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[n];
}

/** Case, `-`/`_`/space and a `torch.` prefix do not count as differences. */
function fold(s: string): string {
  return s.toLowerCase().replace(/^torch\./, "").replace(/[-\s]/g, "_");
}

/**
 * The closest candidate, if it is close enough: equal after folding, or within
 * max(2, len/3) edits (so `symmetric` finds `is_symmetric`).
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const f = fold(input);
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(f.length / 3));
  for (const c of candidates) {
    const fc = fold(c);
    if (fc === f) return c;
    // The distance is at least the difference in length: a candidate that far off cannot be suggested, so skip the
    // O(m * n) table (a 1 MB key against every valid key took seconds).
    if (Math.abs(f.length - fc.length) > limit) continue;
    const dist = editDistance(f, fc);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return bestD <= limit ? best : undefined;
}
