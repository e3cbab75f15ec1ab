"""Study: the side stream cut to the words the decoder draws, at equal bpp (session 33).

    python tools/lean_side_study.py [--bench docs/bench] [--out docs/bench/lean-side-s33.json]

The fusion block (and `--fusion draw`) use only the side stream's guidance words
(`codec.guidance_words`: confirmed by the cross-check, no digit); the others ride along for
`textcodec text`. A file that sent only the guidance words would decode to the very same
image, so its points are the main bench's `textcodec` points with the bytes of the words it
leaves out taken off. For each image of the main bench's text sets the default OCR reads the
original as `textcodec encode` does (filtered, cross-checked), both side streams are
compressed as `--side-codec auto` would, and a `textcodec-lean` row is made from each
`textcodec` row of docs/bench/SET/results.jsonl: the baseline's bytes plus the bench file's
side-stream bytes (its bytes minus the baseline's: the stream and its section header) scaled
by the guidance words' share of the stream measured here (no guidance word at all: the
baseline's bytes, the file then has no side stream). Scaled, because this reading may differ
from the bench run's by a few words: `section_overhead_bytes` gives the range of the bench
file's side-stream bytes minus the all-words stream measured here. Prints and writes BD-rate
(PSNR), BD-PSNR and BD-CER of `textcodec` and `textcodec-lean` against `textcodec-baseline`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ("synthetic", "funsd", "funsd-tesseract", "gimp", "web", "qt")
LIMITS = {"synthetic": 3, "funsd": 2, "gimp": 12, "web": 3, "qt": 12}


def main() -> None:
    from textcodec import crosscheck, sidestream
    from textcodec.bench import datasets
    from textcodec.bench.report import aggregate, bjontegaard, load
    from textcodec.codec import guidance_words
    from textcodec.ocr.engine import default_engine, filter_words, get_engine

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench", type=Path, default=ROOT / "docs" / "bench")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "lean-side-s33.json")
    args = p.parse_args()
    engine = get_engine(default_engine())
    sizes: dict[str, tuple[int, int]] = {}     # image id -> (all words, guidance words) bytes
    for name, limit in LIMITS.items():
        for item in datasets.load(name, limit):
            words = crosscheck.cross_check(item.image, filter_words(engine.read(item.image)))
            guide = guidance_words(words)
            sizes[item.id] = (len(sidestream.compress(words).payload) if words else 0,
                              len(sidestream.compress(guide).payload) if guide else 0)
            print(name, item.id, len(words), len(guide), sizes[item.id], flush=True)
    report = {}
    for name in SETS:
        rows = load(args.bench / name / "results.jsonl")
        base = {(r["image"], r["setting"]): r["bytes"] for r in rows
                if r["codec"] == "textcodec-baseline"}
        lean, overhead = [], []
        for r in rows:
            if r["codec"] != "textcodec" or (r["image"], r["setting"]) not in base:
                continue
            full, kept = sizes[r["image"]]
            side = r["bytes"] - base[r["image"], r["setting"]]
            overhead.append(side - full)
            nbytes = base[r["image"], r["setting"]] + (round(side * kept / full) if kept else 0)
            lean.append({**r, "codec": "textcodec-lean", "bytes": nbytes,
                         "bpp": r["bpp"] * nbytes / r["bytes"]})
        bd = bjontegaard(aggregate(rows + lean), "textcodec-baseline")
        report[name] = {
            "images": len({r["image"] for r in lean}),
            "section_overhead_bytes": [min(overhead), max(overhead)],
            **{c: {k: round(bd[c][k], 4) for k in ("bd_rate_psnr", "bd_psnr", "bd_cer")}
               for c in ("textcodec", "textcodec-lean")}}
        print(name, json.dumps(report[name]), flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(args.out)


if __name__ == "__main__":
    main()
