#!/usr/bin/env python
"""FLAC vs WAV decoding time on a LibriSpeech-layout corpus (default: layernb's built-in corpus).

Converts the corpus to WAV in a temporary folder (same samples, bit for bit), then times
`layernb.audio.load_audio` (decode + mono + float32, no resampling) over every utterance, best of
--repeats passes each, and prints the times, the real-time factors and the FLAC/WAV ratio.
Usage: python bench/audio_load.py [--root CORPUS_ROOT] [--split dev-clean] [--repeats 5]

Measured 2026-11-23 on the 2-core CPU dev machine, built-in corpus (8 utterances, 15.4 s): FLAC 4.55 ms
per pass (3,379x real time), WAV 1.69 ms (9,112x): FLAC decodes 2.7x slower and takes 0.64x the bytes.
Either way decoding is a negligible share of extraction (0.2 % of wall in bench/extract.py).
"""
import argparse, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np
from layernb.audio import builtin_corpus, corpus_to_wav, librispeech_corpus, load_audio


def best_pass(utts, repeats: int) -> float:
    "Seconds of the fastest of `repeats` passes that decode every utterance once."
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for u in utts: load_audio(u, sample_rate=None)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=None, help="corpus root (default: the built-in corpus)")
    ap.add_argument("--split", default=None)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    root = Path(args.root) if args.root else builtin_corpus()
    flac = librispeech_corpus(root, args.split)
    with tempfile.TemporaryDirectory() as tmp:
        wav = librispeech_corpus(corpus_to_wav(root, tmp), args.split)
        assert [u.id for u in wav] == [u.id for u in flac]
        assert all(np.array_equal(load_audio(a, None)[0], load_audio(b, None)[0]) for a, b in zip(flac[:3], wav[:3]))
        audio_s = sum(u.duration for u in flac)
        bytes_flac = sum(u.path.stat().st_size for u in flac)
        bytes_wav = sum(u.path.stat().st_size for u in wav)
        best_pass(flac, 1); best_pass(wav, 1)          # warm the page cache for both
        t_flac, t_wav = best_pass(flac, args.repeats), best_pass(wav, args.repeats)
    print(f"corpus: {root} ({len(flac)} utterances, {audio_s:.1f} s of audio)")
    print(f"FLAC: {t_flac*1e3:8.2f} ms per pass  ({audio_s/t_flac:8.0f}x real time)  {bytes_flac/1e3:8.1f} kB")
    print(f"WAV : {t_wav*1e3:8.2f} ms per pass  ({audio_s/t_wav:8.0f}x real time)  {bytes_wav/1e3:8.1f} kB")
    print(f"ratio FLAC/WAV decode time: {t_flac/t_wav:.2f}   size ratio FLAC/WAV: {bytes_flac/bytes_wav:.2f}")


if __name__ == "__main__":
    main()
