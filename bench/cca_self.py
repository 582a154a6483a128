"""The CCA family's diagonal (a layer with itself) and the price of float64 products in `Moments.update`.

1. Diagonal. `Moments(...).matrix("cca")` of one wide layer is its diagonal only: the layer with itself.
   The kernels now answer it from the layer's eigenvalues (`torch.linalg.eigvalsh`; eigenvectors only for
   PWCCA with a ridge), after the same checks. The baseline, measured in the same run on the same sums, is
   the two-sided route the diagonal took before: the same kernel given copies of the block, so that it
   whitens both sides (two `eigh` with vectors) and takes the SVD of the whitened cross-covariance.
   Both give the same value (printed). Best of two runs each; the chance level's Monte Carlo (cached per
   shape, the same for both) is computed before the timings.
2. Products. `Moments().update` with the default float64 block products against `gemm_dtype=torch.float32`
   on the same float32 layers, and torch's float64 / float32 matmul rates on this machine.

Not a test: the numbers depend on the machine and its load (printed).

    python bench/cca_self.py                        # 1 layer x 2048 dims, 13 x 768 x 20,000 frames for the products
    python bench/cca_self.py --dims 4096 --threads 2

Measured 2026-12-08 01:20-01:45 UTC on the shared 2-core CPU box (torch 2.13 CPU, 1 thread; load average 9-12
from other jobs the whole time, so absolute times are slow and only the same-run ratios mean something),
`python bench/cca_self.py --dims 1024 2048 --update-frames 6000 --threads 1`:
  one layer of 1024 dims, 2048 frames (diagonal / two-sided, best of 2):
    cca 1.41 / 8.64 s (6.1x); svcca 0.60 / 4.22 s (7.0x); pwcca 0.70 / 5.57 s (7.9x);
    cca ridge=0.1 0.51 / 6.20 s (12.1x); pwcca ridge=0.1 1.17 / 6.12 s (5.2x); the same values (to 1e-12).
  one layer of 2048 dims, 4096 frames:
    cca 3.42 / 60.08 s (17.6x); svcca 2.70 / 42.99 s (15.9x); pwcca 2.57 / 59.60 s (23.2x);
    cca ridge=0.1 3.03 / 39.80 s (13.1x); pwcca ridge=0.1 7.29 / 42.78 s (5.9x, it needs the eigenvectors).
  The two-sided route costs ~2 eigh with vectors + an SVD of d x d (~8 d^3 flops each) against one eigvalsh
  (~4/3 d^3); the ratio grows with d (a 4096-wide layer, reported at 630 s, was not rerun here).
  update over 13 x 768 x 6000 float32 frames: float64 products 100.6 s (6.4 GFLOP/s, matmul rate 6.8),
    float32 products 59.4 s (10.8 GFLOP/s, matmul rate 9.6): the float64 default costs 1.7x here.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time
import warnings

import numpy as np
import torch

from layernb.metrics import ChanceWarning, get_metric
from layernb.moments import Moments


def timed(fn, repeat: int = 1):
    "(fn(), best wall seconds of `repeat` runs)."
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def one_layer(dim: int, n: int, seed: int = 0) -> dict:
    "One float32 layer of `dim` correlated features over `n` frames."
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=g) @ (torch.eye(dim) + 0.1 * torch.randn(dim, dim, generator=g))
    return {"x": x}


def diagonal(dim: int, frames: int):
    "Time the diagonal of each CCA-family metric against the two-sided route on the same sums."
    m = Moments("cpu").update(one_layer(dim, frames))
    c = m.centred()
    p = c._pair_of_centred(0, 0)
    two_sided = dataclasses.replace(p, cyy=p.cxx.copy(), cxy=p.cxx.copy())
    print(f"one layer of {dim} dims, {frames} frames (load average {os.getloadavg()[0]:.1f})")
    for metric, kw in (("cca", {}), ("svcca", {}), ("pwcca", {}), ("cca", dict(ridge=0.1)), ("pwcca", dict(ridge=0.1))):
        rec = get_metric(metric)
        rec.moments(p, **kw)                  # the chance level's Monte Carlo (cached per shape) before any timing
        new, t_new = timed(lambda: m.matrix(metric, **kw)[0, 0], 2)
        old, t_old = timed(lambda: rec.moments(two_sided, **kw), 2)
        print(f"  {metric:5s} {str(kw):14s} diagonal {t_new:7.2f} s  two-sided {t_old:7.2f} s  "
              f"{t_old / t_new:5.1f}x   values {new:.12f} / {old:.12f}")


def products(layers: int, dim: int, frames: int):
    "Time `update` with float64 and float32 products, and the matmul rates of both dtypes."
    g = torch.Generator().manual_seed(1)
    data = {f"l{i}": torch.randn(frames, dim, generator=g) for i in range(layers)}
    P = layers * dim
    flops = frames * P * (P + dim)            # the upper block triangle, 2 N sum_i d_i (P - off_i)
    print(f"update over {layers} x {dim} x {frames} float32 frames (load average {os.getloadavg()[0]:.1f})")
    rates = {}
    for dt in (torch.float64, torch.float32):
        a = torch.randn(2048, 2048, dtype=dt)
        _, t = timed(lambda: [a @ a for _ in range(3)])
        rates[dt] = 3 * 2 * 2048**3 / t / 1e9
    for dt in (torch.float64, torch.float32):
        best = min(timed(lambda: Moments("cpu", gemm_dtype=dt).update(data))[1] for _ in range(2))
        print(f"  products in {str(dt):13s}: update {best:6.2f} s, {flops / best / 1e9:6.1f} GFLOP/s "
              f"(matmul rate {rates[dt]:6.1f} GFLOP/s)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dims", type=int, nargs="+", default=[2048], help="widths of the one-layer diagonal runs")
    ap.add_argument("--frames", type=int, default=None, help="frames of the diagonal runs (default 2 x dims)")
    ap.add_argument("--layers", type=int, default=13, help="layers of the products run")
    ap.add_argument("--dim", type=int, default=768, help="width of each layer of the products run")
    ap.add_argument("--update-frames", type=int, default=20_000, help="frames of the products run (0: skip it)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads")
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore", ChanceWarning)     # the chance levels of these shapes are not what is measured
    for d in args.dims: diagonal(d, args.frames or 2 * d)
    if args.update_frames: products(args.layers, args.dim, args.update_frames)
