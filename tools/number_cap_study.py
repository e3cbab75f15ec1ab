"""What a cap on the phrases fitted for their numbers would save (session 39, a study).

    python tools/number_cap_study.py [--web 2] [--caps 0,6,4] [--out docs/bench/number-cap.json]

Since session 39 the encoder fits every confirmed phrase holding a digit (codec._fit_glyphs),
whole lines of many words too, and keeps those glyphs.numbers_checked passes. On the sample
screenshot and the first --web pages of the web set, the words as `textcodec encode` sends them
(the default OCR, filtered, cross-checked), this times the fit and the check over the encoder's
candidates with the phrases holding a digit limited to at most CAP words (0: no cap, what the
encoder does), each run with the glyph caches empty, and counts the numbers kept.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from textcodec import crosscheck, glyphs
from textcodec.bench import datasets
from textcodec.ocr.engine import default_engine, filter_words, get_engine
from textcodec.words import has_digit

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--web", type=int, default=2)
    p.add_argument("--caps", default="0,6,4")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "number-cap.json")
    args = p.parse_args()
    engine = get_engine(default_engine())
    sample = ROOT / "textcodec" / "samples" / "screenshot.png"
    images = [("sample", np.asarray(Image.open(sample).convert("RGB")))]
    images += [(i.id, i.image) for i in itertools.islice(datasets.load("web", args.web), None)]
    rows = []
    for name, image in images:
        words = crosscheck.cross_check(image, filter_words(engine.read(image)), "tesseract")
        for cap in (int(c) for c in args.caps.split(",")):
            chosen = [w for w in words if w.draw and (
                cap == 0 or not has_digit(w.text) or len(w.text.split()) <= cap)]
            glyphs._token.cache_clear()
            glyphs._face.cache_clear()
            t0 = time.perf_counter()
            fits = glyphs.numbers_checked(image, chosen, glyphs.fit_words(image, chosen))
            seconds = time.perf_counter() - t0
            numbers = sum(f is not None and has_digit(w.text) for w, f in zip(chosen, fits))
            row = {"image": name, "cap": cap, "candidates": len(chosen),
                   "seconds": round(seconds, 2), "numbers_kept": numbers}
            rows.append(row)
            print(json.dumps(row), flush=True)
    write_study(args.out, args, rows=rows)


if __name__ == "__main__":
    main()
