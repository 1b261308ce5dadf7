/** "Did you mean …?" suggestions by edit distance. */

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 1; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
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
  for (const c of candidates) {
    const fc = fold(c);
    if (fc === f) return c;
    const dist = editDistance(f, fc);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(f.length / 3)) ? best : undefined;
}
