/**
 * Where a range of C-order rows lives in a Fortran-order file.
 *
 * Shape (d0, ..., d_{n-2}, C): a "row" fixes (i0, ..., i_{n-2}); its C-order
 * index is r = i0 * M + c, where M = d1 * ... * d_{n-2} and c is the C-linear
 * index of (i1, ..., i_{n-2}). In Fortran order column j is a contiguous
 * slab of P = rows elements, and within it element (i0, rest) sits at
 * i0 + d0 * k, with k the F-linear index of (i1, ..., i_{n-2}). So for each
 * touched c, the rows of the range with that c form one contiguous run of
 * i0 values in the file. Rank 2 is the special case M = 1: one run per column.
 */

/** Whether a tensor's bytes are in Fortran order and not also in C order (more than one dimension longer than 1). */
export function laidOutInFortranOrder(t: { readonly fortranOrder: boolean; readonly shape: readonly number[] }): boolean {
  return t.fortranOrder && t.shape.filter((d) => d !== 1).length > 1;
}

export interface Run {
  /** Element offset of the run inside a column's slab. */
  slabElem: number;
  length: number;
  /** Row (relative to the range start) of the run's first element. */
  firstRow: number;
}

export interface FortranPlan {
  runs: Run[];
  /** Rows between consecutive elements of a run (M). */
  rowStride: number;
  /** Elements per column slab (P = rows). */
  slabSize: number;
}

/** Runs (sorted by file position) covering rows [r0, r0 + count) of a Fortran-order array of rank >= 2. */
export function planFortranRows(shape: readonly number[], r0: number, count: number): FortranPlan {
  const n = shape.length;
  const d0 = shape[0];
  const mid = shape.slice(1, n - 1);
  const M = mid.reduce((a, b) => a * b, 1);
  const r1 = r0 + count;
  const runs: Run[] = [];
  // Each c passed here has at least one row in the range (lo <= hi): all residues when count >= M, else a row's own.
  const addRun = (c: number): void => {
    const lo = Math.max(0, Math.ceil((r0 - c) / M));
    const hi = Math.floor((r1 - 1 - c) / M);
    runs.push({ slabElem: lo + d0 * fLinearOfC(mid, c), length: hi - lo + 1, firstRow: lo * M + c - r0 });
  };
  if (count >= M) {
    for (let c = 0; c < M; c++) addRun(c);
  } else {
    // Fewer rows than M: each touched c appears once, so enumerate the rows.
    for (let r = r0; r < r1; r++) addRun(r % M);
  }
  if (M > 1) runs.sort((a, b) => a.slabElem - b.slabElem);
  return { runs, rowStride: M, slabSize: d0 * M };
}

/** C-linear index c over dims `mid` -> F-linear index of the same multi-index. */
function fLinearOfC(mid: readonly number[], c: number): number {
  let k = 0;
  let stride = 1;
  // Peel C-order digits (last dim fastest) and weight them with F-order strides (first dim fastest).
  const fStrides: number[] = [];
  for (const d of mid) { fStrides.push(stride); stride *= d; }
  for (let i = mid.length - 1; i >= 0; i--) {
    const d = mid[i];
    k += (c % d) * fStrides[i];
    c = Math.floor(c / d);
  }
  return k;
}
