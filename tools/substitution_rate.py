"""Substitution rate of the fusion block against the plain decode of the same files.

    python tools/substitution_rate.py [--images 2] [--qualities 2,5]

EasyOCR makes the side stream (as `textcodec encode` does); Tesseract, an independent engine,
reads the original and both decodes (textcodec.bench.substitution). Writes
docs/bench/substitution.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec.bench import datasets
from textcodec.bench.substitution import SubstitutionCount, count_substitutions
from textcodec.codec import decode_array, encode_image
from textcodec.ocr.engine import filter_words, get_engine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--qualities", default="2,5")
    args = p.parse_args()
    easy, tess = get_engine("easyocr"), get_engine("tesseract")
    qualities = [float(q) for q in args.qualities.split(",")]
    totals = {(q, f): SubstitutionCount() for q in qualities for f in (True, False)}
    rows = []
    for ds in ("synthetic", "funsd", "samples"):
        for item in datasets.load(ds, args.images):
            if ds == "samples" and item.id != "screenshot":
                continue
            side = filter_words(easy.read(item.image))
            original = tess.read(item.image)
            for q in qualities:
                enc = encode_image(item.image, quality=q, words=side)
                for fusion in (True, False):
                    decoded = tess.read(decode_array(enc.data, fusion=fusion)[0])
                    c = count_substitutions(side, original, decoded)
                    totals[(q, fusion)] += c
                    row = {"dataset": ds, "image": item.id, "quality": q, "bpp": enc.bpp,
                           "fusion": fusion, "tokens": c.tokens, "wrong": c.wrong,
                           "substituted": c.substituted}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    summary = [{"quality": q, "fusion": f, "tokens": c.tokens, "wrong": c.wrong,
                "substituted": c.substituted, "rate": c.rate} for (q, f), c in totals.items()]
    out = ROOT / "docs" / "bench" / "substitution.json"
    out.write_text(json.dumps({"engines": {"side stream": "easyocr (CRAFT + english_g2)",
                                           "check": "tesseract 5 (LSTM, psm 11)"},
                               "summary": summary, "rows": rows}, indent=1))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
