"""Makes examples/weight.npy: a small, realistic linear-layer weight.

256 x 512 float32, Gaussian with std 0.02 (the usual transformer init), plus a
few large outliers in some input channels, as real LLM weights have. Seeded,
so the file is reproducible. Documentation only: the tests use the committed
file and never run Python.

    python3 examples/make-weight.py
"""
from pathlib import Path

import numpy as np

rows, cols = 256, 512
rng = np.random.default_rng(20250714)  # torchao v0.12.0 release date
w = (rng.standard_normal((rows, cols)) * 0.02).astype(np.float32)

# Outlier input channels: a handful of columns carry values 10-30x larger,
# which is what makes per-group scales matter.
outlier_cols = rng.choice(cols, size=6, replace=False)
outlier_rows = rng.choice(rows, size=48, replace=False)
for c in outlier_cols:
    w[outlier_rows, c] = (rng.choice([-1.0, 1.0], size=outlier_rows.size)
                          * rng.uniform(0.2, 0.6, size=outlier_rows.size)).astype(np.float32)

np.save(Path(__file__).with_name("weight.npy"), w)
print(f"weight.npy: shape {w.shape}, dtype {w.dtype}, std {w.std():.4f}, absmax {np.abs(w).max():.3f}")
