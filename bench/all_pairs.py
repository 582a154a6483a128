"""All-pairs linear CKA: layernb's Moments path against a pairwise loop, in one run.

What it measures (defaults: 13 layers x 768 dims x 50,000 float32 frames, the size of a base
HuBERT/wav2vec 2.0 model's transformer stack over ~17 minutes of speech):
  * moments  : `Moments().update(layerset).matrix("linear_cka")` -- one pass, every layer centred
               once, the upper block triangle of the Gram of the concatenated layers (L block-row
               GEMMs in float32), float64 sums.
  * pairwise : a straightforward loop over all L x L pairs of a good single-pair feature-space
               linear CKA in torch float32 (centre both, X'Y, X'X, Y'Y), as a typical script does.
  * torch-cka / ckatorch, when importable (otherwise reported as skipped).
  * this machine's float32 matmul rate (a large square torch.mm), measured in the same run.
It prints the wall times, the speed-up, the achieved GFLOP/s of the Moments path (useful flops of the
block triangle: 2 N sum_i d_i (P - off_i)) and that as a fraction of the matmul rate, and checks that
both paths give the same matrix. Not a test: the numbers depend on the machine and on its load
(other processes sharing the cores slow every phase differently; the load average is printed).

    python bench/all_pairs.py                       # full size
    python bench/all_pairs.py --frames 10000 --dims 256   # smaller

Measured 2026-11-23 on the 2-core CPU dev machine (torch 2.13 CPU, 2 threads, shared with other jobs),
full size, two full runs: Moments 41.6 s / 58.5 s, pairwise 268.9 s / 257.1 s, speed-up 6.5x / 4.4x
(the flop ratio of the two methods is 5.6x: 169 pairs x 3 products against 91 blocks); Moments at
132 / 93 GFLOP/s = 75-77 % / 52-53 % of the 172-178 GFLOP/s float32 matmul rate (the spread is the
load). Against float64 on one pair: Moments 9e-10, the float32 pairwise loop 1e-5.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import time

import numpy as np
import torch

from layernb.core import Frames, LayerSet, get_device
from layernb.moments import Moments


def make_layers(n_layers: int, dim: int, n_frames: int, device: torch.device, seed: int = 0) -> LayerSet:
    "Layers that drift from one another (x_{l+1} = x_l + noise) so the CKA matrix has structure."
    g = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randn(n_frames, dim, generator=g) + 3.0
    offsets = np.arange(0, n_frames + 1, 500) if n_frames % 500 == 0 else np.array([0, n_frames])
    layers = {}
    for l in range(n_layers):
        layers[f"layer_{l}"] = Frames(x.to(device), offsets)
        x = x + 0.5 * torch.randn(n_frames, dim, generator=g)
    return LayerSet(layers)


def cka_pair(x: torch.Tensor, y: torch.Tensor) -> float:
    "Feature-space linear CKA of one pair, centring both (Kornblith et al. 2019), float32."
    x = x - x.mean(0, keepdim=True)
    y = y - y.mean(0, keepdim=True)
    xty = torch.linalg.matrix_norm(x.T @ y) ** 2
    return float(xty / (torch.linalg.matrix_norm(x.T @ x) * torch.linalg.matrix_norm(y.T @ y)))


def sync(device: torch.device):
    if device.type == "cuda": torch.cuda.synchronize()


def matmul_rate(device: torch.device, n: int = 4096, reps: int = 3) -> float:
    "Best float32 GFLOP/s of an n x n x n torch.mm."
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b; sync(device)
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter(); a @ b; sync(device); best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=13)
    ap.add_argument("--dims", type=int, default=768)
    ap.add_argument("--frames", type=int, default=50_000)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    ap.add_argument("--block-rows", type=int, default=None, help="Moments block size (default: its own)")
    ap.add_argument("--baseline-pairs", type=int, default=None,
                    help="time only the first K of the L*L pairs and extrapolate (default: all pairs)")
    args = ap.parse_args()
    dev = get_device(args.device)
    if args.threads: torch.set_num_threads(args.threads)
    L, d, N = args.layers, args.dims, args.frames
    P = L * d
    print(f"device {dev}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{L} layers x {d} dims x {N:,} frames, float32 ({L * d * N * 4 / 2**30:.2f} GiB of features)")

    rate = matmul_rate(dev)
    print(f"float32 matmul rate (4096^3 torch.mm, best of 3): {rate:,.0f} GFLOP/s")

    ls = make_layers(L, d, N, dev)
    names = ls.names

    # --- Moments path
    sync(dev); t = time.perf_counter()
    m = Moments(device=dev, block_rows=args.block_rows).update(ls)
    sync(dev); t_update = time.perf_counter() - t
    mat = m.matrix("linear_cka")
    sync(dev); t_mom = time.perf_counter() - t
    flops = 2 * N * sum(d * (P - i * d) for i in range(L))        # upper block triangle of the concatenated Gram
    gflops = flops / t_update / 1e9
    print(f"moments : {t_mom:8.2f} s  (update {t_update:.2f} s, matrix {t_mom - t_update:.2f} s); "
          f"{gflops:,.0f} GFLOP/s = {100 * gflops / rate:.0f} % of the matmul rate")

    # --- pairwise loop
    pairs = [(i, j) for i in range(L) for j in range(L)]
    timed = pairs if args.baseline_pairs is None else pairs[:args.baseline_pairs]
    base = np.full((L, L), np.nan)
    sync(dev); t = time.perf_counter()
    for i, j in timed: base[i, j] = cka_pair(ls[names[i]].data, ls[names[j]].data)
    sync(dev); t_pair = (time.perf_counter() - t) * len(pairs) / len(timed)
    note = "" if len(timed) == len(pairs) else f" (extrapolated from {len(timed)} of {len(pairs)} pairs)"
    print(f"pairwise: {t_pair:8.2f} s{note}")
    ok = ~np.isnan(base)
    print(f"max |moments - pairwise| over {ok.sum()} pairs: {np.abs(mat - base)[ok].max():.2e}")
    x, y = (ls[names[k]].data.double() for k in (0, L - 1))
    ref = cka_pair(x, y)                                          # one pair in float64: which one is closer?
    print(f"pair (0, {L - 1}) against float64: moments {abs(mat[0, L - 1] - ref):.1e}, "
          f"pairwise {abs(cka_pair(ls[names[0]].data, ls[names[L - 1]].data) - ref):.1e}")
    del x, y
    print(f"speed-up: {t_pair / t_mom:.1f}x  (flop ratio of the two methods: "
          f"{len(pairs) * 3 * 2 * N * d * d / flops:.1f}x)")

    rate_after = matmul_rate(dev)
    print(f"float32 matmul rate again at the end: {rate_after:,.0f} GFLOP/s "
          f"(moments at {100 * gflops / max(rate, rate_after):.0f}-{100 * gflops / min(rate, rate_after):.0f} % of it)")

    # --- third-party packages, if installed
    for pkg in ("torch_cka", "ckatorch"):
        if importlib.util.find_spec(pkg) is None: print(f"{pkg}: not installed, skipped")
        else: print(f"{pkg}: installed, but not wired into this benchmark (no timing)")


if __name__ == "__main__":
    main()
