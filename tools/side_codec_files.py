"""Whole .tlc files with each side-stream compressor: what the choice saves in the file.

    python tools/side_codec_files.py [--qualities 0,2,4] [--out docs/bench/side-codec-files.json]

For each image of the main bench's sets (as tools/run_benchmarks.sh limits them) the default
OCR reads the original once (words filtered and cross-checked as `textcodec encode` does),
then the default model encodes it once at each quality, and the file is written again with
the side stream compressed by zstd with the bundled dictionary or without it (the smaller:
what `--side-codec auto` wrote from session 30 to 31) and by the context-mixing coder (`cm`,
session 32). The latent is the same in every file, so the difference is the side stream's;
figures are bytes summed over a set.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {"synthetic": 3, "funsd": 2, "gimp": 12, "web": 3, "qt": 12}


def main() -> None:
    import textcodec
    from textcodec import container, crosscheck, sidestream, zoo
    from textcodec.container import SideCodec
    from textcodec.bench import datasets
    from textcodec.errors import InputError
    from textcodec.ocr.engine import default_engine, filter_words, get_engine

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--qualities", default="0,2,4")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "side-codec-files.json")
    args = p.parse_args()
    qualities = [float(q) for q in args.qualities.split(",")]
    engine = get_engine(default_engine())
    report: dict = {"model": zoo.default_model(), "qualities": qualities, "sets": {}}
    for name, limit in SETS.items():
        try:
            items = list(datasets.load(name, limit))
        except InputError as e:    # a set whose Debian package is not installed
            print(name, "skipped:", e)
            continue
        sums = {q: {"images": 0, "zstd_auto": 0, "cm": 0} for q in qualities}
        words_total = 0
        for item in items:
            words = crosscheck.cross_check(item.image, filter_words(engine.read(item.image)))
            words_total += len(words)
            # no words: no TEXT section, as `textcodec encode` writes it
            sections = {c: sidestream.compress(words, c) if words else None for c in
                        (SideCodec.ZSTD_DICT, SideCodec.ZSTD, SideCodec.CM)}
            for q in qualities:
                # one encode; the same latent rewritten with each side stream
                f = container.read(textcodec.encode(item.image, quality=q, words=words,
                                                    side_codec="cm", cross_check="off"))
                sizes = {c.name: len(container.write(replace(f, text=t)))
                         for c, t in sections.items()}
                s = sums[q]
                s["images"] += 1
                s["zstd_auto"] += min(sizes["ZSTD_DICT"], sizes["ZSTD"])
                s["cm"] += sizes["CM"]
            print(name, item.id, len(words), flush=True)
        report["sets"][name] = {"images": len(items), "words": words_total,
                                "by_quality": {f"{q:g}": sums[q] for q in qualities}}
        for q in qualities:
            s = sums[q]
            print(f"{name} q{q:g}: {s['zstd_auto']} -> {s['cm']} bytes "
                  f"({100 * (s['cm'] / s['zstd_auto'] - 1):+.1f} %)", flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(args.out)


if __name__ == "__main__":
    main()
