#!/usr/bin/env python
"""Regenerate layernb's built-in corpus (layernb/data/librispeech_tiny) with the espeak-ng speech synthesiser.

8 short English sentences, 3 synthetic speakers (espeak-ng voice variants), 16 kHz mono 16-bit FLAC,
in the LibriSpeech layout: dev-clean/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac plus one
<speaker>-<chapter>.trans.txt per chapter (upper case, no punctuation, as in LibriSpeech).

Needs the `espeak-ng` program (Debian/Ubuntu: `apt-get install espeak-ng`; macOS: `brew install espeak-ng`).
Usage: python tools/make_builtin_corpus.py [--out DIR]
The output of one espeak-ng version is deterministic; other versions give slightly different audio.
"""
import argparse, shutil, subprocess, sys, tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from layernb.audio import resample  # noqa: E402  (the package's own exact rational resampler)

RATE = 16000
# speaker id -> (chapter id, espeak-ng voice, words per minute, sentences)
SPEAKERS = {
    "101": ("1010", "en-us+m3", 165, ["THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
                                      "SPEECH IS A SEQUENCE OF SOUNDS",
                                      "LAYERS LEARN WHAT THE DATA ALLOWS"]),
    "202": ("2020", "en-gb+f3", 170, ["EVERY FRAME HAS ITS OWN TIME",
                                      "A SMALL CORPUS FOR QUICK TESTS",
                                      "THE MODEL HEARS A SHORT SENTENCE"]),
    "303": ("3030", "en-gb-scotland+m7", 160, ["SIMILAR LAYERS SHARE INFORMATION",
                                               "GOOD MORNING AND GOOD NIGHT"]),
}


def synthesise(text: str, voice: str, wpm: int, tmp: Path) -> np.ndarray:
    "16 kHz float waveform of `text` spoken by espeak-ng `voice`, leading/trailing silence trimmed to 0.1 s."
    wav = tmp / "tts.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(wav), text.lower()], check=True)
    x, sr = sf.read(str(wav), dtype="float64")
    x = resample(x, sr, RATE)
    loud = np.flatnonzero(np.abs(x) > 0.01)
    pad = int(0.1 * RATE)
    x = x[max(loud[0] - pad, 0): loud[-1] + pad]
    return np.clip(x / np.abs(x).max() * 0.8, -1, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "layernb" / "data" / "librispeech_tiny"), help="corpus root to (re)write")
    args = ap.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("make_builtin_corpus.py needs the espeak-ng speech synthesiser, which is not on PATH: "
                 "install espeak-ng (apt-get install espeak-ng / brew install espeak-ng) and run again.")
    out = Path(args.out)
    split = out / "dev-clean"
    if split.exists(): shutil.rmtree(split)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spk, (chapter, voice, wpm, sentences) in SPEAKERS.items():
            d = split / spk / chapter
            d.mkdir(parents=True)
            lines = []
            for i, text in enumerate(sentences):
                uid = f"{spk}-{chapter}-{i:04d}"
                x = synthesise(text, voice, wpm, Path(tmp))
                dur = len(x) / RATE
                if not 1.0 <= dur <= 3.0: sys.exit(f"{uid}: {dur:.2f} s is outside 1-3 s; shorten or lengthen {text!r}")
                sf.write(str(d / f"{uid}.flac"), x, RATE, subtype="PCM_16", format="FLAC")
                lines.append(f"{uid} {text}")
                size = (d / f"{uid}.flac").stat().st_size
                total += size
                print(f"{uid}  {voice:20} {dur:.2f} s  {size:6d} B  {text}")
            (d / f"{spk}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {sum(len(s[3]) for s in SPEAKERS.values())} utterances, {total} bytes of FLAC, under {split}")


if __name__ == "__main__":
    main()
