"""The side stream's zstd dictionary (compressor 3) and the priming corpus of its
context-mixing coder (compressor 4): make them, and measure what they save.

    python tools/train_side_dict.py [--cache runs/side-dict] [--size 32768]
                                    [--write textcodec/data/sidestream-1.zdict]
                                    [--corpus textcodec/data/sidestream-prime-1.bin]
                                    [--out docs/bench/sidestream-dict.json]

Side streams are what `textcodec encode` sends: the default OCR engine's words, filtered as
the encoder filters them (`filter_words`), serialised (`sidestream.serialize`). Training reads
the 119 FUNSD forms of the training split and up to 400 GIMP help screenshots of its menus,
tool options and preferences (`apt-get install gimp-help-en`); the measurement reads sets none
of them came from: the 30 held-out forms, the bench's 12 GIMP dialogs (`datasets.load("gimp")`
picks from dialogs/ only), 6 held-out synthetic screenshots and the two bundled samples. Each
image's stream is cached under --cache (OCR is the slow part), so a rerun only retrains.

With --write the dictionary is written there (the package's is pinned by sha256 in
textcodec/sidestream.py: a new one is a new compressor number, since files name it). Without
it the package's own dictionary is measured; likewise --corpus writes the corpus (pinned the
same way) and measures it. Every figure is the sum over a set of: zstd alone (level 19), zstd
with the dictionary, the smaller of the two (`zstd_auto`: what `--side-codec auto` wrote in
sessions 30-31), the context-mixing coder, and the smallest of all three (`auto`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
GIMP_TRAIN_FOLDERS = ("menus", "tool-options", "preferences")
HELD_OUT = ("funsd-held", "gimp-held", "synthetic-held", "samples")
# compressor 4 primes on this many training streams of each kind, in name order: ~42 KB,
# which a process primes on once (75-93 ms on two cores, its first stream); all 421 streams
# (144 KB) saved another 2-3 % on held-out forms and dialogs for three times the priming
CORPUS_FORMS, CORPUS_SHOTS = 40, 80


def _images(split: str, funsd: Path):
    """(name, RGB array) of one split."""
    from textcodec.bench import datasets
    from textcodec.train.data import GIMP_IMAGES as GIMP, funsd_split

    if split in ("funsd-train", "funsd-held"):
        train, held = funsd_split(funsd)
        for p in train if split == "funsd-train" else held:
            yield p.stem, np.asarray(Image.open(p).convert("RGB"))
    elif split == "gimp-train":
        files = sorted(p for p in GIMP.rglob("*.png")
                       if p.relative_to(GIMP).parts[0] in GIMP_TRAIN_FOLDERS)
        random.Random(1).shuffle(files)
        kept = 0
        for p in files:
            im = Image.open(p)
            if 200 <= im.width <= 1400 and kept < 400:   # the bench's gimp set's widths
                kept += 1
                yield str(p.relative_to(GIMP)).replace("/", "_"), np.asarray(im.convert("RGB"))
    else:
        name, limit = {"gimp-held": ("gimp", 12), "synthetic-held": ("synthetic", 6),
                       "samples": ("samples", None)}[split]
        for item in datasets.load(name, limit):
            yield item.id.replace("/", "_"), item.image


def streams(split: str, cache: Path, funsd: Path) -> list[bytes]:
    """The raw side streams of a split, read once and cached."""
    from textcodec.ocr.engine import default_engine, filter_words, get_engine
    from textcodec.sidestream import serialize

    folder = cache / split
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        engine = get_engine(default_engine())
        for name, image in _images(split, funsd):
            (folder / f"{name}.bin").write_bytes(serialize(filter_words(engine.read(image))))
            print(split, name, flush=True)
        done.touch()
    return [p.read_bytes() for p in sorted(folder.glob("*.bin"))]


def main() -> None:
    import zstandard

    from textcodec import _sidecm, sidestream
    from textcodec.varint import write_uvarint

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache", type=Path, default=ROOT / "runs" / "side-dict")
    p.add_argument("--funsd", type=Path, default=ROOT.parent / "shared" / "data" / "funsd_train")
    p.add_argument("--size", type=int, default=32768, help="dictionary bytes")
    p.add_argument("--write", type=Path, help="train a dictionary and write it here")
    p.add_argument("--corpus", type=Path, help="write compressor 4's priming corpus here "
                   f"(the first {CORPUS_FORMS} FUNSD and {CORPUS_SHOTS} GIMP training streams)")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "sidestream-dict.json")
    args = p.parse_args()
    forms = [s for s in streams("funsd-train", args.cache, args.funsd) if s]
    shots = [s for s in streams("gimp-train", args.cache, args.funsd) if s]
    train = forms + shots
    if args.corpus:
        args.corpus.write_bytes(b"".join(write_uvarint(len(s)) + s for s in
                                         forms[:CORPUS_FORMS] + shots[:CORPUS_SHOTS]))
        # measure the corpus just written, not the one the package pins
        sidestream.corpus_bytes.cache_clear()
        sidestream.CORPUS, sidestream.CORPUS_SHA256 = args.corpus, hashlib.sha256(
            args.corpus.read_bytes()).hexdigest()
        print(args.corpus, sidestream.CORPUS_SHA256)
    if args.write:
        # threads=1: fastcover's parameter search then gives the same dictionary every run
        d = zstandard.train_dictionary(args.size, train, level=sidestream.ZSTD_LEVEL, threads=1)
        args.write.write_bytes(d.as_bytes())
        data = d.as_bytes()
    else:
        data = sidestream.dictionary_bytes()
    plain, with_dict = sidestream.zstd_compressor(), sidestream.zstd_compressor(data)
    corpus = sidestream.corpus_bytes()
    sets = {}
    for split in HELD_OUT:
        raw = [s for s in streams(split, args.cache, args.funsd) if s]
        a = [len(plain.compress(s)) for s in raw]
        b = [len(with_dict.compress(s)) for s in raw]
        c = [len(_sidecm.encode(s, corpus)) for s in raw]
        sets[split] = {"streams": len(raw), "raw": sum(map(len, raw)), "zstd": sum(a),
                       "zstd_dict": sum(b), "zstd_auto": sum(map(min, a, b)),
                       "auto_saving": 1 - sum(map(min, a, b)) / sum(a),
                       "cm": sum(c), "auto": sum(map(min, a, b, c)),
                       "cm_saving": 1 - sum(map(min, a, b, c)) / sum(map(min, a, b))}
        print(split, json.dumps(sets[split]))
    report = {"dictionary_bytes": len(data),
              "dictionary_sha256": hashlib.sha256(data).hexdigest(),
              "corpus_bytes": len(corpus), "corpus_sha256": hashlib.sha256(corpus).hexdigest(),
              "train": {"funsd-train + gimp-train streams": len(train),
                        "raw bytes": sum(map(len, train))},
              "sets": sets}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(args.out)


if __name__ == "__main__":
    main()
