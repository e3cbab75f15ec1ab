"""Substitution rate of the fusion block against the plain decode of the same files.

    python tools/substitution_rate.py [--images 2] [--skip 0] [--qualities 2,5] [--model NAME_OR_PATH]
                                      [--min-confidence C] [--cross-check auto|tesseract|off]
                                      [--mode always|draw]
                                      [--out docs/bench/substitution.json]

EasyOCR makes the side stream (as `textcodec encode` does, with its default pipeline or the one
TEXTCODEC_OCR_DETECTOR names); --mode draw draws its words over the plain decode instead of
running the block (`textcodec decode --fusion draw`); Tesseract, an independent engine,
reads both decodes (textcodec.bench.substitution). A token is wrong against two references,
counted separately: the ground truth (synthetic screenshots and FUNSD forms have it) and
Tesseract's reading of the original (every set; stricter, since Tesseract's own misses on the
original count as misreadings). The encoder's cross-check (textcodec.crosscheck) runs as
`textcodec encode` runs it unless --cross-check says otherwise. Writes docs/bench/substitution.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from textcodec import crosscheck, zoo
from textcodec.bench import datasets
from textcodec.bench.substitution import SubstitutionCount, count_substitutions
from textcodec.codec import decode_array, encode_image
from textcodec.ocr.engine import MIN_CONFIDENCE, default_engine, filter_words, get_engine

ROOT = Path(__file__).resolve().parent.parent


def _side_stream_engine(engine) -> str:
    """The side stream's reader as it was built (TEXTCODEC_OCR_DETECTOR picks the detector)."""
    if getattr(engine, "detector", "craft") == "student":
        return (f"easyocr light (the detector distilled from CRAFT + english_g2 at "
                f"{engine.read_height} px)")
    return "easyocr (CRAFT + english_g2)"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--qualities", default="2,5")
    p.add_argument("--skip", type=int, default=0,
                   help="start after this many images of each set (a second, disjoint sample)")
    p.add_argument("--model", help="checkpoint name or path (default: the zoo's default)")
    p.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE,
                   help="side-stream filter: the least OCR confidence a word needs")
    p.add_argument("--cross-check", default="auto", choices=crosscheck.MODES,
                   help="the encoder's cross-check of the side stream (default: as encode)")
    p.add_argument("--mode", default="always", choices=("always", "draw"),
                   help="the decode set against the plain one: the block, or the drawn words")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "substitution.json")
    args = p.parse_args()
    check = crosscheck.resolve_mode(args.cross_check)
    easy, tess = get_engine(default_engine()), get_engine("tesseract")
    qualities = [float(q) for q in args.qualities.split(",")]
    refs = ("truth", "tesseract")
    totals = {(r, q, f): SubstitutionCount() for r in refs for q in qualities
              for f in (True, False)}
    rows = []
    for ds in ("synthetic", "funsd", "samples"):
        for item in itertools.islice(datasets.load(ds, args.skip + args.images), args.skip,
                                     None):
            if ds == "samples" and item.id != "screenshot":
                continue
            side = filter_words(easy.read(item.image), min_confidence=args.min_confidence)
            original = tess.read(item.image)
            for q in qualities:
                enc = encode_image(item.image, quality=q, words=side, model=args.model,
                                   cross_check=check)
                for fusion in (True, False):
                    decoded = tess.read(decode_array(enc.data, fusion=args.mode if fusion
                                                     else "off", model=args.model)[0])
                    for ref, words in (("truth", item.truth), ("tesseract", original)):
                        if words is None:
                            continue
                        c = count_substitutions(side, words, decoded)
                        totals[(ref, q, fusion)] += c
                        row = {"dataset": ds, "image": item.id, "reference": ref,
                               "quality": q, "bpp": enc.bpp, "fusion": fusion,
                               "tokens": c.tokens, "wrong": c.wrong,
                               "substituted": c.substituted, "examples": c.examples}
                        rows.append(row)
                        print(json.dumps(row), flush=True)
    summary = [{"reference": r, "quality": q, "fusion": f, "tokens": c.tokens,
                "wrong": c.wrong, "substituted": c.substituted, "rate": c.rate}
               for (r, q, f), c in totals.items()]
    args.out.write_text(json.dumps({"model": args.model or zoo.default_model(),
                                    "min_confidence": args.min_confidence,
                                    "token_matching": "joined", "skip": args.skip,
                                    "cross_check": check, "mode": args.mode,
                                    "engines": {"side stream": _side_stream_engine(easy),
                                               "check": "tesseract 5 (LSTM, psm 11)",
                                               "reference": "ground truth (synthetic, funsd) "
                                                            "or tesseract on the original"},
                                    "summary": summary, "rows": rows}, indent=1))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
