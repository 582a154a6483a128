"""All pairs of layers in one run: the sample path (RBF CKA) and the Moments path (linear CKA), each against its baselines.

The sample path (defaults: 13 layers x 768 dims x 3,000 frames, all-pairs RBF CKA, sigma = 0.5 x each
layer's median distance; `--sample-*` options):
  * reference : each layer's centred n x n RBF Gram computed once (float64, all L of them in memory),
                then all pair inner products -- the cost floor of the all-pairs matrix.
  * rbf_cka_pairs with a budget that holds all rows in one block (each layer's distances computed once,
                for its median and its kernel), and with `--sample-budget` (row blocks: a pass for the
                medians, a pass for the kernels); the aim is within 1.5x of the reference.
  * the old sample path: `rbf_cka` on every pair i <= j (both kernels and both medians again for
                every pair), timed on `--sample-pairs` pairs and extrapolated to all L(L+1)/2.
  Each is checked against the reference (max |difference|).

The Moments path (defaults: 13 layers x 768 dims x 50,000 float32 frames, the size of a base
HuBERT/wav2vec 2.0 model's transformer stack over ~17 minutes of speech):
  * moments  : `Moments().update(layerset).matrix("linear_cka")` -- one pass, every layer centred
               once, the upper block triangle of the Gram of the concatenated layers (L block-row
               GEMMs; float64 by default since 2026-12-08, float32 in the runs below, which predate
               that: see bench/cca_self.py for the cost of the float64 products), float64 sums.
  * pairwise : a straightforward loop over all L x L pairs of a good single-pair feature-space
               linear CKA in torch float32 (centre both, X'Y, X'X, Y'Y), as a typical script does.
  * this machine's float32 matmul rate (a large square torch.mm), measured in the same run.
It prints the wall times, the speed-up, the achieved GFLOP/s of the Moments path (useful flops of the
block triangle: 2 N sum_i d_i (P - off_i)) and that as a fraction of the matmul rate, and checks that
both paths give the same matrix.

Then, where installed (`pip install ckatorch torch-cka`; otherwise "not installed, skipped"):
  * ckatorch `cka_base`: the Gram form of Kornblith et al. (two n x n float64 Gram matrices per pair;
    2 n^2 x 8 B = 40 GB at n = 50,000), so it runs on the first `--gram-frames` frames only; it is
    timed on `--package-pairs` of the L x L pairs and extrapolated to all of them at that n, and
    compared with layernb's Moments (and `linear_cka`) on the SAME frames: same n, same quantity.
  * ckatorch `cka_batch`: the minibatch CKA of Nguyen et al. 2021 (sum over minibatches of the
    unbiased HSIC_1, float64) over all frames in minibatches of `--minibatch`; timed on
    `--package-pairs` pairs and extrapolated. A different estimator: it is compared with layernb's
    debiased CKA over all frames (same population quantity, not the same number).
  * torch-cka `CKA.compare`: the same minibatch estimator in float32, driven through its forward
    hooks by two wrapper modules whose "layers" return the precomputed features of a minibatch
    (an index lookup: no model cost is added); all pairs, on the first `--torch-cka-frames` frames,
    its time extrapolated to all frames (linear in the number of minibatches). Compared with ckatorch's
    `cka_batch` on the same minibatches (same estimator) and with layernb's debiased CKA.
Not a test: the numbers depend on the machine and on its load (other processes sharing the cores
slow every phase differently; the load average is printed).

    python bench/all_pairs.py                                     # full size
    python bench/all_pairs.py --frames 10000 --dims 256 --layers 5   # smaller
    python bench/all_pairs.py --threads 2 --skip moments --sample-pairs 3 --sample-budget 268435456
    python bench/all_pairs.py --threads 2 --skip samples packages --frames 20000 --baseline-pairs 4

Measured 2026-11-23 11:32 on the 2-core CPU dev box (torch 2.13 CPU, 2 threads; ckatorch 1.0.3, torch-cka
0.21), full size, load average 0.3-1.8 (mostly this run's own threads; matmul rate 174 / 174 / 170
GFLOP/s at the start / after the loop / at the end):
  moments 47.4 s at 115 GFLOP/s = 66 % of the matmul rate; pairwise loop 206.3 s: speed-up 4.4x (flop
  ratio 5.6x: 169 pairs x 3 products against 91 blocks); max |moments - pairwise| 1.4e-5; pair (0, 12)
  against float64: moments 8.9e-10, the float32 loop 1.0e-5.

Measured 2026-12-01 on the same 2-core box (torch 2.13 CPU, 2 threads), SHARED with five other
engineers' jobs the whole time (load average 4-11 on 2 cores): every phase ran at a different share of
the cores, so only ratios taken close together mean something, and even those move by tens of percent.
  Sample path, 13 x 768 x 3,000, the commands above:
    run A (load ~10, one timing each): reference 48.0 s; rbf_cka_pairs one block 75.0 s = 1.56x; row
      blocks of 699 rows (256 MiB) 98.6 s = 2.06x; the old pair-by-pair path 936 s (4 of 91 pairs,
      extrapolated) = 12.5x rbf_cka_pairs. max |diff| 3.9e-13.
    run B (load 7-9, reference and rbf_cka_pairs alternated, best of 2): reference 73.2 s; rbf_cka_pairs
      one block 59.1 s = 0.81x; row blocks 91.9 s = 1.26x; the old path 1,235 s (3 pairs) = 20.9x.
    run C (load 3-4, matmul rate 110 GFLOP/s, best of 2 alternated): reference 16.0 s; rbf_cka_pairs one
      block 19.5 s = 1.22x; row blocks 25.5 s = 1.59x; the old path 233 s (3 pairs) = 12.0x rbf_cka_pairs.
  Moments path, 13 x 768 x 20,000 (load 4-5, matmul rate 158 GFLOP/s before, 97 after): moments 23.4 s
    (update 20.6 s) at 104 GFLOP/s = 66 % of the rate before, 108 % of the rate after; the pairwise
    float32 loop 84.1 s (4 of 169 pairs, extrapolated): 3.6x. A same-process comparison (13 x 768 x
    10,080 frames, matmul rate, the block products alone and `update` alternated, best of 3): update 78,
    its block products alone 81, torch.mm 102 GFLOP/s -- update at 96 % of its own products and ~76 %
    of the matmul rate. The 75 % aim is met in that comparison; under this load it is not established.
  ckatorch cka_base at n = 4,000 (4 of 169 pairs timed, extrapolated to all 169 at that n): 374 s, 85x
  layernb's Moments on the same 4,000 frames (4.4 s); agreement 3.6e-9 with Moments, 8.5e-15 with
  `linear_cka`. At N = 50,000 it cannot run here (40 GB for its two Grams; ~58,000 s by n^2 scaling).
  A large part of its time is its `torch.allclose(G, G.T)` symmetry check on each Gram.
  ckatorch cka_batch over all 50,000 frames (200 minibatches of 250; 4 pairs timed, extrapolated):
  326 s = 6.9x the Moments time; 1.5e-4 from layernb's debiased CKA (a different estimator).
  torch-cka (40 of 200 minibatches run, extrapolated): 58.9 s = 1.24x the Moments time -- per pair and
  minibatch it does ~2 B^2 d + 4 B^3 flops (the second Gram is rebuilt for every pair), about the
  feature-space cost at B = 250, d = 768, and grows with B; its float32 Grams of uncentred features
  are 2.3e-3 from cka_batch on the same minibatches, 7.5e-3 from layernb's debiased CKA.
  An earlier run under load from another job (load 2.3-3.3, matmul rate 87-89 GFLOP/s): moments 87.3 s
  (71-73 %), pairwise 324.4 s (3.7x), cka_base 169x, cka_batch 3.4x, torch-cka 0.57x the Moments time
  (torch-cka ran after the load had gone: ratios between phases are only as good as the load is even).
  Earlier runs without the packages: moments 41.6 s / 58.5 s, pairwise 268.9 s / 257.1 s (6.5x / 4.4x),
  75-77 % / 52-53 % of the 172-178 GFLOP/s matmul rate.
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import time
from typing import Callable

import numpy as np
import torch
from torch import nn

from layernb.core import Frames, LayerSet, get_device
from layernb.metrics import linear_cka, rbf_cka, rbf_cka_pairs
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


def first_frames(ls: LayerSet, n: int) -> LayerSet:
    "The first n frames of every layer, as one sequence (the frames are i.i.d., so this is a random subsample)."
    return LayerSet({k: Frames(ls[k].data[:n], np.array([0, n])) for k in ls.names})


def cka_pair(x: torch.Tensor, y: torch.Tensor) -> float:
    "Feature-space linear CKA of one pair, centring both (Kornblith et al. 2019), float32."
    x = x - x.mean(0, keepdim=True)
    y = y - y.mean(0, keepdim=True)
    xty = torch.linalg.matrix_norm(x.T @ y) ** 2
    return float(xty / (torch.linalg.matrix_norm(x.T @ x) * torch.linalg.matrix_norm(y.T @ y)))


def sync(device: torch.device):
    if device.type == "cuda": torch.cuda.synchronize()


def timed(fn: Callable, device: torch.device):
    "(fn(), wall seconds), synchronising the device before and after."
    sync(device); t = time.perf_counter()
    out = fn()
    sync(device)
    return out, time.perf_counter() - t


def matmul_rate(device: torch.device, n: int = 4096, reps: int = 3) -> float:
    "Best float32 GFLOP/s of an n x n x n torch.mm."
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    a @ b; sync(device)
    return 2 * n ** 3 / min(timed(lambda: a @ b, device)[1] for _ in range(reps)) / 1e9


def all_pairs(L: int) -> list[tuple[int, int]]:
    "All L x L ordered pairs, the farthest-apart first (so a timed prefix checks the least trivial values)."
    return sorted(itertools.product(range(L), repeat=2), key=lambda p: (-abs(p[0] - p[1]), p))


def pair_loop(pair_fn: Callable, xs: list, device: torch.device, k: int | None = None):
    "pair_fn over the first k of all L x L pairs (NaN elsewhere): (matrix, seconds for ALL pairs, note)."
    L = len(xs)
    pairs = all_pairs(L)
    run = pairs if k is None else pairs[:k]
    out = np.full((L, L), np.nan)
    def loop():
        for i, j in run: out[i, j] = float(pair_fn(xs[i], xs[j]))
    seconds = timed(loop, device)[1] * len(pairs) / len(run)
    note = "" if len(run) == len(pairs) else f" (extrapolated from {len(run)} of {len(pairs)} pairs)"
    return out, seconds, note


def max_diff(a: np.ndarray, b: np.ndarray) -> str:
    "max |a - b| over the entries both define, and how many."
    ok = ~np.isnan(a) & ~np.isnan(b)
    return f"{np.abs(a - b)[ok].max():.1e} over {ok.sum()} pairs"


def moments_cka(ls: LayerSet, device: torch.device, block_rows: int | None = None):
    "(layernb's Moments of ls, its L x L linear CKA matrix, update seconds, total seconds)."
    m, t_update = timed(lambda: Moments(device=device, block_rows=block_rows).update(ls), device)
    mat, t_matrix = timed(lambda: m.matrix("linear_cka"), device)
    return m, mat, t_update, t_update + t_matrix


def data_of(ls: LayerSet) -> list[torch.Tensor]:
    "The layers' (frames, dim) tensors, in order."
    return [ls[k].data for k in ls.names]


# --- layernb against the pairwise loop ---------------------------------------------------------------

def bench_moments(ls: LayerSet, dev: torch.device, rate: float, block_rows: int | None):
    "Time layernb's Moments path; print its GFLOP/s. Returns (Moments, matrix, seconds, useful flops, GFLOP/s)."
    L, N = len(ls.names), ls[ls.names[0]].data.shape[0]
    dims = [ls[k].dim for k in ls.names]
    offs = np.concatenate([[0], np.cumsum(dims)])
    m, mat, t_update, t_mom = moments_cka(ls, dev, block_rows)
    flops = 2 * N * sum(d * (offs[-1] - o) for d, o in zip(dims, offs))   # upper block triangle of the concatenated Gram
    gflops = flops / t_update / 1e9
    print(f"moments : {t_mom:8.2f} s  (update {t_update:.2f} s, matrix {t_mom - t_update:.2f} s); "
          f"{gflops:,.0f} GFLOP/s = {100 * gflops / rate:.0f} % of the matmul rate")
    return m, mat, t_mom, flops, gflops


def bench_pairwise(ls: LayerSet, dev: torch.device, mat: np.ndarray, t_mom: float, flops: float, k: int | None):
    "Time the feature-space pairwise loop; check it against the Moments matrix and one pair in float64."
    xs = data_of(ls)
    L, (N, d) = len(xs), xs[0].shape
    base, t_pair, note = pair_loop(cka_pair, xs, dev, k)
    print(f"pairwise: {t_pair:8.2f} s{note}")
    print(f"max |moments - pairwise|: {max_diff(mat, base)}")
    ref = cka_pair(xs[0].double(), xs[-1].double())            # one pair in float64: which one is closer?
    print(f"pair (0, {L - 1}) against float64: moments {abs(mat[0, L - 1] - ref):.1e}, "
          f"pairwise {abs(cka_pair(xs[0], xs[-1]) - ref):.1e}")
    print(f"speed-up: {t_pair / t_mom:.1f}x  (flop ratio of the two methods: {L * L * 3 * 2 * N * d * d / flops:.1f}x)")


# --- the sample path: all-pairs RBF CKA -------------------------------------------------------------

def rbf_once_per_layer(xs: list[torch.Tensor], sigma: float = 0.5) -> np.ndarray:
    "The reference: each layer's centred n x n RBF Gram once (float64, all in memory), then all pair inner products."
    grams = []
    for x in xs:
        xc = x.double() - x.double().mean(0)
        sq = xc.square().sum(1)
        D = (sq[:, None] + sq[None, :] - 2 * xc @ xc.T).clamp_(min=0)
        D.fill_diagonal_(0)
        v, N = D.view(-1), D.numel()                            # numpy's median of the n^2 values
        med = float(v.kthvalue(N // 2 + 1).values) if N % 2 else float(v.kthvalue(N // 2).values + v.kthvalue(N // 2 + 1).values) / 2
        K = D.mul_(-1 / (2 * sigma ** 2 * med)).exp_()
        K -= K.mean(0, keepdim=True); K -= K.mean(1, keepdim=True)   # H K H
        grams.append(K.view(-1))
    G = torch.stack(grams)
    G = G @ G.T
    return (G / torch.sqrt(torch.outer(G.diagonal(), G.diagonal()))).cpu().numpy()


def bench_samples(L: int, d: int, n: int, dev: torch.device, k: int | None, small_budget: int, repeats: int = 2):
    "All-pairs RBF CKA: the old pair-by-pair path, the once-per-layer reference, rbf_cka_pairs (one block, and row blocks)."
    xs = data_of(make_layers(L, d, n, dev, seed=1))
    print(f"{L} layers x {d} dims x {n:,} frames, RBF CKA (sigma = 0.5 x median distance, per layer), all pairs")
    one_block = (L + 3) * n * n * 8                             # all rows in one block: the reference's memory + 3 Grams
    t_ref = t_fast = np.inf
    for _ in range(repeats):                                    # alternated, best of `repeats`: the load of a shared machine varies
        ref, t = timed(lambda: rbf_once_per_layer(xs), dev); t_ref = min(t_ref, t)
        fast, t = timed(lambda: rbf_cka_pairs(xs, device=dev, budget=one_block), dev); t_fast = min(t_fast, t)
    print(f"  once per layer (reference: {L} centred n x n Grams in memory, {L * n * n * 8 / 2**30:.2f} GiB): {t_ref:8.2f} s")
    print(f"  rbf_cka_pairs (budget {one_block / 2**30:.2f} GiB: one block of all rows): {t_fast:8.2f} s = "
          f"{t_fast / t_ref:.2f}x the reference; max |diff| {np.abs(fast - ref).max():.1e}")
    rows = small_budget // ((L + 3) * n * 8)
    blocked, t_blk = timed(lambda: rbf_cka_pairs(xs, device=dev, budget=small_budget), dev)
    print(f"  rbf_cka_pairs (budget {small_budget / 2**20:.0f} MiB: blocks of {rows} rows, two passes for the medians): "
          f"{t_blk:8.2f} s = {t_blk / t_ref:.2f}x the reference; max |diff| {np.abs(blocked - fast).max():.1e}")
    sym = L * (L + 1) // 2                                        # the old path: the pair function on i <= j
    run = [(i, j) for i, j in all_pairs(L) if i <= j][:k or sym]
    old = np.full((L, L), np.nan)
    def loop():
        for i, j in run: old[i, j] = rbf_cka(xs[i], xs[j], device=dev)
    t_old = timed(loop, dev)[1] * sym / len(run)
    note = "" if len(run) == sym else f" (extrapolated from {len(run)} of {sym} pairs)"
    print(f"  pair by pair (the old sample path, rbf_cka on each pair i <= j): {t_old:8.2f} s{note} = "
          f"{t_old / t_fast:.1f}x rbf_cka_pairs; max |diff| {np.nanmax(np.abs(old - fast)):.1e}")
    return t_ref, t_fast, t_blk, t_old


# --- ckatorch ----------------------------------------------------------------------------------------

def free_bytes() -> int:
    "Free memory (without the page cache), in bytes."
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def bench_ckatorch_gram(ls: LayerSet, dev: torch.device, n: int, k: int, block_rows: int | None):
    "ckatorch.core.cka_base (Gram form, float64) on the first n frames against layernb on the same frames."
    from ckatorch.core import cka_base
    N = ls[ls.names[0]].data.shape[0]
    n = min(n, N)
    need, full = 4 * n * n * 8, 2 * N * N * 8                          # 2 Grams + their centred copies; 2 Grams at N
    print(f"ckatorch cka_base (Gram form, Kornblith et al., float64): at N = {N:,} its two n x n Grams alone "
          f"take {full / 1e9:,.1f} GB, so it runs on the first n = {n:,} frames (~{need / 1e9:.1f} GB peak)")
    if need > free_bytes():
        print(f"  skipped: {need / 1e9:.1f} GB > {free_bytes() / 1e9:.1f} GB free; lower --gram-frames"); return
    sub = first_frames(ls, n)
    xs = data_of(sub)
    gram, t_gram, note = pair_loop(cka_base, xs, dev, k)
    _, mat, _, t_mom = min((moments_cka(sub, dev, block_rows) for _ in range(3)), key=lambda r: r[3])
    ref, _, _ = pair_loop(lambda x, y: linear_cka(x, y, device=dev), xs, dev, k)
    print(f"  n = {n:,}: cka_base {t_gram:8.2f} s for all {len(xs) ** 2} pairs{note}; "
          f"moments {t_mom:.3f} s (best of 3) on the same frames: {t_gram / t_mom:,.0f}x the moments time")
    print(f"  max |cka_base - moments|: {max_diff(gram, mat)}; max |cka_base - linear_cka|: {max_diff(gram, ref)}")
    print(f"  (extrapolated to N = {N:,} by n^2 scaling, if the memory were there: {t_gram * (N / n) ** 2:,.0f} s)")


def minibatches(x: torch.Tensor, b: int) -> torch.Tensor:
    "(n // b, b, d) view of the whole minibatches of x, in order."
    return x[: x.shape[0] // b * b].view(-1, b, x.shape[1])


def bench_ckatorch_batch(ls: LayerSet, dev: torch.device, b: int, k: int, t_mom: float, debiased: np.ndarray):
    "ckatorch.core.cka_batch (Nguyen et al. minibatch HSIC_1, float64) over all frames, timed on k pairs."
    from ckatorch.core import cka_batch
    xs = [minibatches(x, b) for x in data_of(ls)]
    est, t, note = pair_loop(cka_batch, xs, dev, k)
    print(f"ckatorch cka_batch (minibatch CKA of Nguyen et al.: sum of unbiased HSIC_1 over {xs[0].shape[0]:,} "
          f"minibatches of {b}, float64): {t:8.2f} s for all pairs{note}; {t / t_mom:.2f}x the moments time")
    print(f"  a different estimator: max |cka_batch - moments debiased CKA (all frames)|: {max_diff(est, debiased)}")


# --- torch-cka ---------------------------------------------------------------------------------------

class Rows(nn.Module):
    "A torch-cka 'layer': returns the precomputed features of the frames whose indices it is given."
    def __init__(self, data: torch.Tensor): super().__init__(); self.data = data
    def forward(self, idx: torch.Tensor) -> torch.Tensor: return self.data[idx]


class Features(nn.Module):
    "A torch-cka 'model' over precomputed layers: the forward pass only looks up each layer's rows."
    def __init__(self, ls: LayerSet):
        super().__init__()
        self.layers = nn.ModuleDict({k: Rows(ls[k].data) for k in ls.names})
    def forward(self, idx: torch.Tensor):
        for layer in self.layers.values(): layer(idx)


def bench_torch_cka(ls: LayerSet, dev: torch.device, b: int, n: int, k: int, t_mom: float, debiased: np.ndarray):
    "torch_cka.CKA.compare (minibatch HSIC_1 in float32, via forward hooks) on the whole minibatches of the first n frames."
    from torch.utils.data import DataLoader, TensorDataset
    from torch_cka import CKA
    N = ls[ls.names[0]].data.shape[0]
    n, n_all = min(n, N) // b * b, N // b * b                        # whole minibatches, as cka_batch uses
    loader = DataLoader(TensorDataset(torch.arange(n, device=dev)), batch_size=b, shuffle=False)
    names = [f"layers.{k}" for k in ls.names]
    cka = CKA(Features(ls), Features(ls), "features_1", "features_2", names, names, device=str(dev))
    _, t = timed(lambda: cka.compare(loader, loader), dev)             # same loader twice, not shuffled: same frames
    est = cka.export()["CKA"].double().numpy()
    note = "" if n == n_all else f" (extrapolated from {n // b:,} of {n_all // b:,} minibatches)"
    print(f"torch-cka CKA.compare (minibatch CKA of Nguyen et al., float32, minibatches of {b}, all pairs): "
          f"{t * n_all / n:8.2f} s{note}; {t * n_all / n / t_mom:.2f}x the moments time")
    print(f"  a different estimator: max |torch-cka ({n:,} frames) - moments debiased CKA (all frames)|: "
          f"{max_diff(est, debiased)}")
    if importlib.util.find_spec("ckatorch") is not None:                # the same estimator on the same minibatches
        from ckatorch.core import cka_batch
        ref, _, _ = pair_loop(cka_batch, [minibatches(x[:n], b) for x in data_of(ls)], dev, k)
        print(f"  max |torch-cka - ckatorch cka_batch| on the same minibatches: {max_diff(est, ref)} "
              f"(float32 Grams of uncentred features: the error grows with the features' mean)")


def have(pkg: str) -> bool:
    "Whether pkg is importable; says it is skipped when not."
    if importlib.util.find_spec(pkg) is not None: return True
    print(f"{pkg}: not installed, skipped")
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=13)
    ap.add_argument("--dims", type=int, default=768)
    ap.add_argument("--frames", type=int, default=50_000)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    ap.add_argument("--block-rows", type=int, default=None, help="Moments block size (default: its own)")
    ap.add_argument("--baseline-pairs", type=int, default=None,
                    help="time only K of the L*L pairs of the pairwise loop and extrapolate (default: all pairs)")
    ap.add_argument("--gram-frames", type=int, default=4000,
                    help="frames for ckatorch's Gram-form cka_base (memory ~4 n^2 x 8 B)")
    ap.add_argument("--package-pairs", type=int, default=4,
                    help="pairs of L*L on which ckatorch's per-pair functions are timed, then extrapolated")
    ap.add_argument("--minibatch", type=int, default=250, help="minibatch size of the minibatch CKA estimators")
    ap.add_argument("--torch-cka-frames", type=int, default=10_000,
                    help="frames torch-cka runs over; its time is extrapolated to all frames")
    ap.add_argument("--sample-layers", type=int, default=13, help="layers of the sample-path (RBF CKA) case")
    ap.add_argument("--sample-dims", type=int, default=768, help="dims of the sample-path case")
    ap.add_argument("--sample-frames", type=int, default=3000, help="frames (n) of the sample-path case: its cost grows as n^2")
    ap.add_argument("--sample-pairs", type=int, default=None,
                    help="time only K of the L(L+1)/2 pairs of the old pair-by-pair path and extrapolate (default: all)")
    ap.add_argument("--sample-budget", type=int, default=2**27,
                    help="a budget (bytes) too small for one block, to time rbf_cka_pairs with row blocks too")
    ap.add_argument("--skip", nargs="*", default=[], choices=["moments", "pairwise", "samples", "packages"],
                    help="parts not to run")
    args = ap.parse_args()
    dev = get_device(args.device)
    if args.threads: torch.set_num_threads(args.threads)
    L, d, N = args.layers, args.dims, args.frames
    print(f"device {dev}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{L} layers x {d} dims x {N:,} frames, float32 ({L * d * N * 4 / 2**30:.2f} GiB of features)")

    rate = matmul_rate(dev)
    print(f"float32 matmul rate (4096^3 torch.mm, best of 3): {rate:,.0f} GFLOP/s")
    if "samples" not in args.skip:
        print("--- the sample path")
        bench_samples(args.sample_layers, args.sample_dims, args.sample_frames, dev, args.sample_pairs, args.sample_budget)
    if "moments" in args.skip: return
    print("--- the moment path")
    ls = make_layers(L, d, N, dev)
    m, mat, t_mom, flops, gflops = bench_moments(ls, dev, rate, args.block_rows)
    if "pairwise" not in args.skip: bench_pairwise(ls, dev, mat, t_mom, flops, args.baseline_pairs)
    rate_after = matmul_rate(dev)
    print(f"float32 matmul rate again after the moments: {rate_after:,.0f} GFLOP/s (moments at "
          f"{100 * gflops / max(rate, rate_after):.0f}-{100 * gflops / min(rate, rate_after):.0f} % of it), "
          f"load average {os.getloadavg()[0]:.1f}")
    if "packages" in args.skip: return
    print("--- CKA packages")
    debiased = m.matrix("linear_cka_debiased")
    if have("ckatorch"):
        bench_ckatorch_gram(ls, dev, args.gram_frames, args.package_pairs, args.block_rows)
        bench_ckatorch_batch(ls, dev, args.minibatch, args.package_pairs, t_mom, debiased)
    if have("torch_cka"):
        bench_torch_cka(ls, dev, args.minibatch, args.torch_cka_frames, args.package_pairs, t_mom, debiased)
    print(f"float32 matmul rate at the end: {matmul_rate(dev):,.0f} GFLOP/s, load average {os.getloadavg()[0]:.1f} "
          "(the phases ran under different loads: compare ratios with this in mind)")


if __name__ == "__main__":
    main()
