#!/usr/bin/env python
"""Extraction on the built-in corpus: where the wall time goes, what the store costs in memory, and how many bytes the features take.

Runs `layernb.pipeline.extract_corpus` (decode -> model forward -> FeatureStore) with a speech model of
the released HuBERT base geometry (random weights from its config: 23 named features, 512-channel
conv layers, 768-wide transformer; no download) and reports

* wall time split into decode, model forward and store write (the time the loop spends on the
  store: with the background writer, handing shards over and waiting for them), target:
  decode + write <= 10 % of wall; measured with the background writer (default) and, for
  comparison, with shards written in the foreground;
* peak RSS of an extraction into a float16 FeatureStore (`speech.iter_features` -> background
  `ShardWriter`), each configuration in its own process, the peak counted from the end of the
  model's warm-up (VmHWM reset through /proc/self/clear_refs; loading a model has a peak of its
  own): the extraction alone; the writer before issue 14 (`layernb/store.py` at BEFORE_COMMIT, read
  from git: the model's float32 LayerSets queued, each shard concatenated into one float32 copy of
  all its layers); the writer now (queue in the store dtype, shards cut at `shard_mb`, written a
  block of chunks at a time);
* bytes on disk per hour of audio of those stores against the original per-utterance NPZ layout
  (float32, all 23 features, np.savez) of the same utterances, every name readable; the same
  distinct arrays re-encoded with other zarr v3 codecs (zstd levels, byte shuffle / bitshuffle,
  block and chunk sizes); the entropy of the low (mantissa) and high (sign, exponent) byte of the
  float16 values. The copies of the corpus after the first carry seeded noise 60 dB below the
  signal for these measurements, so that no copy repeats another's features (identical copies let
  zstd match whole utterances and flatter every codec: that is how 0.37x was measured before).

Usage: python bench/extract.py [--model hubert|demo] [--device auto] [--batch-size 4] [--repeat 2] [--copies 3] [--only-store]

Measured 2026-11-23 on the 2-core CPU dev machine (torch 2.13 CPU, 2 threads, otherwise idle), HuBERT
base geometry with random weights, 24 utterances (the built-in corpus 3 times, 46.2 s of audio),
batch 4: float16 store with the background writer 9.25 s wall (RTF 0.200): decode 0.2 %, forward
90.9 %, write 8.9 %, so decode + write = 9.1 % of wall (target <= 10 %; almost all of it is the last
shard's commit, which has nothing left to overlap with); foreground writer 10.00 s (decode + write
31.6 %).

Measured 2026-12-01 on the same machine UNDER HEAVY CPU CONTENTION (six sessions sharing its 2
cores: wall times are several times the idle ones, compare them only within a run), torch 2.13 CPU,
1 thread, same model and 46.2 s of audio, batch 4, background writer, float16:

* peak RSS (model at rest 0.94 GB): extraction alone 1.50 GB; before, 16-utterance shards 2.57 GB,
  64 (the default then) 2.70 GB; now, 16 utterances / 512 MB 1.81 GB, 64 / 64 MB 1.63 GB, defaults
  (64 / DEFAULT_SHARD_MB = 512) 1.70 GB. Over the extraction alone the store took 1.07-1.20 GB before
  and 0.13-0.31 GB now (3.5x less at 16-utterance shards, 6x at the defaults), for only 0.36 GB of float16 features in all. Before, the store's
  share grew with the shard: the float32 queue, its concatenated copy and the next shard filling
  meanwhile, about 3x a float32 shard (64 dev-clean utterances: ~7 GB each, ~20 GB). Now it is at
  most about 2 x (shard_mb + one batch in float16) whatever the corpus (~1.1 GB at the default); the
  forward pass's share grows with the audio in one batch (here ~0.56 GB for batches of ~11 s,
  ~50 MB per second), which the run's batch limit in seconds bounds.
* disk per hour of audio: NPZ 55.22 GB/h; before (zstd 1, conv_6 stored 3 times) 24.73 GB/h = 0.448x;
  now (byte shuffle + zstd 1, identical layers stored once) 21.87 GB/h = 0.396x (-11.6 %; the alias
  alone is 1.3 % of the values). Codecs on the same arrays: zstd 1/3/9 0.442/0.443/0.441x;
  shuffle + zstd 1 0.396x (256 KiB blocks 0.407x, 4 MiB chunks 0.392x), shuffle + zstd 5 0.394x at
  2.4x the write time, bitshuffle + zstd 3 0.410x. The aim of 0.25x is out of reach for lossless
  float16 on these features: the low byte of every float16 carries 7.99 of 8 bits of entropy
  (random mantissa bits), so the low bytes alone take 13.60 GB/h = 0.246x whatever the codec (the
  high bytes: 6.05 bits). Only fewer bits would go below (float16 -> a lossy 8-bit or bit-rounded
  format), which changes results and is not done silently. Random weights; pretrained features may
  compress somewhat differently, but their mantissa bits are no less random.
"""
import argparse, dataclasses, gc, json, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import numpy as np
import torch
from layernb.audio import builtin_utterances, load_audio
from layernb.pipeline import RunStats, extract_corpus
from layernb.speech import demo_model, load_speech_model, speech_extractor, speech_items, speech_loader
import zarr
from layernb.store import FeatureStore


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def one_run(utts, sm, root: Path, dtype: str, background: bool, batch_size: int, device) -> tuple[RunStats, FeatureStore]:
    store = FeatureStore.create(root, dtype=dtype, model_id=sm.name, weights_source=sm.weights_source)
    st = extract_corpus(speech_items(utts), speech_loader(sm.sample_rate), speech_extractor(sm, "all", device), store,
                        batch_size=batch_size, shard_size=8, background_write=background, progress=False)
    return st, store


# ---------------------------------------------------------------------------------------------------------------
# Memory and disk of the store (issue 14, faults 6 and 8): the writer before and after, each in its own process
# (peak RSS is a per-process high-water mark), on the same utterances and features.

BEFORE_COMMIT = "a97597d066870fef74833183b106c869bb022a40"   # the last layernb/store.py before shards were bounded in bytes


def store_before():
    "`layernb.store` as it was at BEFORE_COMMIT (read from git), to run the old writer next to the new one."
    import importlib.util
    src = subprocess.run(["git", "show", f"{BEFORE_COMMIT}:layernb/store.py"], cwd=ROOT, capture_output=True, text=True)
    if src.returncode: raise SystemExit(f"cannot read the old store from git ({src.stderr.strip()}); run from a clone with history")
    path = Path(tempfile.mkdtemp(prefix="layernb-store-before-")) / "store_before.py"
    path.write_text(src.stdout)
    spec = importlib.util.spec_from_file_location("layernb._store_before", path)   # a module of the package: `.core` resolves
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    shutil.rmtree(path.parent, ignore_errors=True)
    return mod


def rss_gb(field: str = "VmHWM") -> float:
    "This process's peak (VmHWM) or current (VmRSS) resident set size, from /proc/self/status (Linux)."
    line = next(l for l in open("/proc/self/status") if l.startswith(field + ":"))
    return int(line.split()[1]) * 1024 / 1e9


def reset_peak_rss():
    "Start a new peak-RSS window (Linux >= 4.0: writing 5 to clear_refs resets VmHWM to the current RSS)."
    with open("/proc/self/clear_refs", "w") as f: f.write("5")


def store_child(args):
    "One extraction (speech.iter_features -> background writer -> store) in this process; print a JSON line of what it cost."
    from layernb.speech import iter_features
    sm = load_speech_model("hubert", random_init=True, seed=0) if args.model == "hubert" else demo_model()
    dev = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device))
    wavs, ids = waveforms(args.copies)
    list(iter_features(sm, wavs[:2], "all", batch_size=2, device=dev, ids=ids[:2], progress=False))   # warm-up: model and one forward
    gc.collect(); load_peak = rss_gb(); reset_peak_rss(); base = rss_gb("VmRSS")
    t, secs = time.perf_counter(), sum(len(w) for w in wavs) / 16000
    batches = iter_features(sm, wavs, "all", batch_size=args.batch_size, device=dev, ids=ids, progress=False)
    if args.child == "none":   # the extraction alone: what the model and its outputs take
        for ls in batches: pass
        return print(json.dumps(dict(peak_rss_gb=rss_gb(), base_rss_gb=base, load_peak_gb=load_peak, wall_s=time.perf_counter() - t,
                                     audio_s=secs, n_utts=len(ids), n_shards=0, nbytes=0)))
    FS = store_before().FeatureStore if args.child == "before" else FeatureStore
    store = FS.create(args.store, dtype="float16", model_id=sm.name, weights_source=sm.weights_source,
                      **({} if args.child == "before" else dict(compression=args.compression)))
    kw = dict(shard_size=args.shard_size, background=True) | ({} if args.child == "before" else dict(shard_mb=args.shard_mb))
    with store.writer(**kw) as w:
        for ls in batches: w.add(ls)
    print(json.dumps(dict(peak_rss_gb=rss_gb(), base_rss_gb=base, load_peak_gb=load_peak, wall_s=time.perf_counter() - t, audio_s=secs,
                          n_utts=len(store), n_shards=len(store.manifest["shards"]), nbytes=store.nbytes())))


def run_child(mode: str, path: Path, args, **kw) -> dict:
    "Run `store_child` in a fresh process; its JSON report."
    opts = dict(model=args.model, device=args.device, batch_size=args.batch_size, copies=args.copies, shard_size=16,
                shard_mb=None, compression="shuffle-zstd") | kw
    cmd = [sys.executable, __file__, "--child", mode, "--store", str(path)]
    for k, v in opts.items():
        if v is not None: cmd += [f"--{k.replace('_', '-')}", str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode: raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def codec_sweep(store: FeatureStore, root: Path, hours: float, npz_bytes: int):
    "Bytes per hour of the store's distinct arrays re-encoded with other zarr v3 codecs and chunk sizes."
    from zarr.codecs import BloscCodec, ZstdCodec
    arrays = [k for k in store.layers if k not in store.aliases]
    b = lambda lvl, sh, bs=1 << 20: [BloscCodec(cname="zstd", clevel=lvl, shuffle=sh, typesize=2, blocksize=bs)]
    settings = [("zstd 1 (the store before)", [ZstdCodec(level=1)], 1), ("zstd 3", [ZstdCodec(level=3)], 1),
                ("zstd 9", [ZstdCodec(level=9)], 1), ("shuffle + zstd 1 (the store now)", b(1, "shuffle"), 1),
                ("shuffle + zstd 1, 256 KiB blocks", b(1, "shuffle", 1 << 18), 1), ("shuffle + zstd 5", b(5, "shuffle"), 1),
                ("bitshuffle + zstd 3", b(3, "bitshuffle"), 1), ("shuffle + zstd 1, 4 MiB chunks", b(1, "shuffle", 1 << 22), 4)]
    print(f"\ncodecs on the same {len(arrays)} distinct float16 arrays (1 MiB chunks unless said):")
    for label, codecs, mb in settings:
        shutil.rmtree(root, ignore_errors=True)
        t = time.perf_counter()
        for k in arrays:
            x = store.frames(k).data
            arr = zarr.create_array(store=str(root / k), shape=x.shape, dtype=x.dtype, zarr_format=3, compressors=codecs,
                                    chunks=(max(1, min(len(x), (mb << 20) // (2 * x.shape[1]))), x.shape[1]))
            arr[:] = x
        w, n = time.perf_counter() - t, folder_bytes(root)
        print(f"  {label:36s} {n / hours / 1e9:7.2f} GB/h  {n / npz_bytes:.3f}x NPZ   write {w:5.2f} s")
    lo = hi = count = 0.0
    for k in arrays:   # order-0 entropy of the low byte (mantissa) and high byte (sign, exponent) of every float16
        u = store.frames(k).data.view(np.uint8).reshape(-1, 2)
        for col, acc in ((0, "lo"), (1, "hi")):
            p = np.bincount(u[:, col], minlength=256) / len(u); p = p[p > 0]
            if acc == "lo": lo += -(p * np.log2(p)).sum() * len(u)
            else: hi += -(p * np.log2(p)).sum() * len(u)
        count += len(u)
    print(f"  entropy per float16: low byte {lo / count:.2f} bits, high byte {hi / count:.2f} bits of 8: the low bytes alone take "
          f"{lo / 8 / hours / 1e9:.2f} GB/h ({lo / 8 / npz_bytes:.3f}x NPZ), a floor for lossless float16")


def memory_and_disk(args, tmp: Path):
    "Peak RSS of the writer before and after (own processes), then bytes per hour of audio and codecs."
    runs = [("no store: the extraction alone", "none", dict()),
            ("before: float32 queue, whole-shard copies, zstd", "before", dict()),
            ("before: defaults (64 utts)", "before", dict(shard_size=64)),
            ("after: float16 queue, 16 utts / 512 MB shards", "after", dict()),
            ("after: 64 utts / 64 MB shards", "after", dict(shard_size=64, shard_mb=64)),
            ("after: defaults (64 utts / 512 MB shards)", "after", dict(shard_size=64))]
    rows = {}
    print(f"\npeak RSS while extracting into a store (background writer; each run in its own process, the peak counted from the "
          f"end of the model's warm-up: loading a model has a peak of its own):")
    for label, mode, kw in runs:
        rows[label] = r = run_child(mode, tmp / f"mem-{len(rows)}", args, **kw)
        print(f"  {label:48s} {r['peak_rss_gb']:5.2f} GB = model at rest {r['base_rss_gb']:.2f} + extraction and store "
              f"{r['peak_rss_gb'] - r['base_rss_gb']:.2f} GB   ({r['n_shards']} shards, wall {r['wall_s']:.1f} s)")
    before, after = FeatureStore(tmp / "mem-1"), FeatureStore(tmp / "mem-3")
    same = before.fingerprint() == after.fingerprint()
    print(f"  every one of the {len(after.layers)} names reads the same bytes before and after: {same}")
    hours = rows[runs[0][0]]["audio_s"] / 3600
    del rows[runs[0][0]]
    npz_bytes = sum(f.stat().st_size for f in after.export_npz(tmp / "npz-after", progress=False))
    print(f"\nbytes on disk per hour of audio ({len(after.ids)} utterances, {hours * 3600:.1f} s, all {len(after.layers)} names readable):")
    print(f"  original NPZ (float32, np.savez, all names)      {npz_bytes / hours / 1e9:7.2f} GB/h  1.000x")
    for label, r in rows.items():
        print(f"  {label:48s} {r['nbytes'] / hours / 1e9:7.2f} GB/h  {r['nbytes'] / npz_bytes:.3f}x")
    print(f"  aliases (stored once): {after.aliases}")
    codec_sweep(after, tmp / "codecs", hours, npz_bytes)
    if not same: raise SystemExit("the stores before and after differ")


def waveforms(copies: int) -> tuple[list, list[str]]:
    "The built-in corpus `copies` times as waveforms and ids; copy c > 0 has seeded noise 60 dB below the signal, so no copy repeats another's features."
    wavs, ids = [], []
    for c in range(copies):
        rng = np.random.default_rng(c)
        for u in builtin_utterances():
            x = load_audio(u, 16000)[0].astype(np.float32)
            if c: x = x + np.float32(1e-3 * x.std()) * rng.standard_normal(len(x), dtype=np.float32)
            wavs.append(x); ids.append(f"{u.id}-c{c}")
    return wavs, ids


def corpus(copies: int) -> list:
    "The built-in corpus `copies` times, as distinct ids."
    return [dataclasses.replace(u, id=f"{u.id}-c{c}") for c in range(copies) for u in builtin_utterances()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="hubert", help="'hubert' (base geometry, random weights) or 'demo' (the small demo model)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--batch-size", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2, help="runs per setting (the fastest is reported)")
    ap.add_argument("--copies", type=int, default=3, help="pass over the corpus this many times (as distinct ids) so the run is not all start-up and tail")
    ap.add_argument("--only-store", action="store_true", help="only the store's peak RSS, disk per hour and codecs (no timing)")
    ap.add_argument("--child", choices=["none", "before", "after"], help=argparse.SUPPRESS)   # one run of store_child
    ap.add_argument("--store", help=argparse.SUPPRESS)
    ap.add_argument("--shard-size", type=int, default=16, help=argparse.SUPPRESS)
    ap.add_argument("--shard-mb", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--compression", default="shuffle-zstd", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child: return store_child(args)
    sm = load_speech_model("hubert", random_init=True, seed=0) if args.model == "hubert" else demo_model()
    utts = corpus(args.copies)
    dev = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device))
    print(f"model {sm!r}\ndevice {dev}, torch threads {torch.get_num_threads()}, {len(utts)} utterances, "
          f"{sum(u.duration for u in utts):.1f} s of audio")
    tmp = Path(tempfile.mkdtemp(prefix="layernb-bench-"))
    try:
        if args.only_store: return memory_and_disk(args, tmp)
        extract_corpus(speech_items(utts[:2]), speech_loader(sm.sample_rate), speech_extractor(sm, "all", dev), None,
                       error_log=tmp / "warmup.jsonl", progress=False)  # warm-up
        rows = {}
        for label, dtype, bg in [("float16, background writer", "float16", True), ("float16, foreground writer", "float16", False),
                                 ("float32, background writer", "float32", True)]:
            best = None
            for r in range(args.repeat):
                st, store = one_run(utts, sm, tmp / f"{dtype}-{bg}-{r}", dtype, bg, args.batch_size, dev)
                if best is None or st.wall_s < best[0].wall_s: best = (st, store)
            rows[label] = best
            st = best[0]
            w = st.wall_s
            print(f"\n[{label}] {st.summary()}")
            print(f"  wall {w:.2f} s = decode {st.load_s:.2f} + forward {st.forward_s:.2f} + write {st.write_s:.2f} "
                  f"+ other {w - st.load_s - st.forward_s - st.write_s - st.moments_s:.2f}; writer thread busy {st.write_background_s:.2f} s")
            print(f"  decode + write = {100 * (st.load_s + st.write_s) / w:.1f} % of wall (target <= 10 %); without the "
                  f"final shard's commit after the last batch ({st.write_tail_s:.2f} s, nothing left to overlap): "
                  f"{100 * (st.load_s + st.write_s - st.write_tail_s) / (w - st.write_tail_s):.1f} %")
        bg, fg = rows["float16, background writer"][0], rows["float16, foreground writer"][0]
        print(f"\nbackground vs foreground writer (float16): wall {bg.wall_s:.2f} s vs {fg.wall_s:.2f} s "
              f"({fg.wall_s / bg.wall_s:.2f}x). The writer thread needs CPU: where the model runs on the same few cores "
              "(CPU extraction) it slows the forward pass by about what it takes off the loop; with the model on a GPU "
              "it uses otherwise idle cores.")
        memory_and_disk(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
