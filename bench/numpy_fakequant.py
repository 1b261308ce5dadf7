"""NumPy baseline for `npm run bench`: the same formulas as fqc/torchao,
vectorised, float32 throughout, end to end (load, compute, save)."""
import sys
import numpy as np

mode, src, dst = sys.argv[1:4]
x = np.load(src)
f32 = np.float32

if mode == "group_sym":  # int4, group 32, symmetric, eps = finfo(f32).eps
    g = x.reshape(x.shape[0], -1, 32)
    amax = np.maximum(-np.minimum(g.min(axis=2), 0), np.maximum(g.max(axis=2), 0))
    s = np.maximum(amax / f32(7.5), np.finfo(f32).eps).astype(f32)[..., None]
    r = (f32(1) / s).astype(f32)
    q = np.clip(np.rint(g * r), -8, 7)
    y = (q * s).astype(f32).reshape(x.shape)
elif mode == "token_asym":  # int8 per token, asymmetric
    lo = np.minimum(x.min(axis=-1), 0)
    hi = np.maximum(x.max(axis=-1), 0)
    s = np.maximum((hi - lo) / f32(255), np.finfo(f32).eps).astype(f32)
    z = np.clip(f32(-128) - np.rint(lo / s), -128, 127)
    r = (f32(1) / s).astype(f32)[..., None]
    q = np.clip(np.rint(x * r) + z[..., None], -128, 127)
    y = ((q - z[..., None]) * s[..., None]).astype(f32)
else:
    raise SystemExit(f"unknown mode {mode}")
np.save(dst, y)
