"""The cross-check's sheet rows with and without paper above and below each phrase
(``crosscheck.BLANK_MARGIN``, session 44): on held-out pages with ground truth, each side-stream
token (the default OCR engine's reading, filtered as ``textcodec encode`` filters it) is
labelled right or wrong by the truth in its phrase's box, and counted confirmed where the
second engine reads it there (``crosscheck.confirmed_tokens``). A better sheet confirms more
right tokens and no more wrong ones.

    TEXTCODEC_DATA=../shared/data python tools/crosscheck_rows.py \\
        --out docs/bench/crosscheck-rows-s44.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec import crosscheck
from textcodec.bench import datasets
from textcodec.glyphs import tokens
from textcodec.ocr.engine import default_engine, filter_words, get_engine
from textcodec.words import normalise_token, tokens_in_box

SETS = (("synthetic", 4), ("funsd", 4), ("web", 3))


def tally(pages, blank: bool) -> dict[str, list[int]]:
    """{"right": [tokens, confirmed], "wrong": [...]} over ``pages`` (image, truth, words)."""
    crosscheck.BLANK_MARGIN = blank
    counts = {"right": [0, 0], "wrong": [0, 0]}
    for image, truth, words in pages:
        crosscheck._READINGS.clear()
        second = crosscheck.second_reading(image, words)
        for w in words:
            held = tokens_in_box(w.axis_aligned_box(), truth)
            confirmed = crosscheck.confirmed_tokens(w, second)
            for k, (_, token) in enumerate(tokens(w.text)):
                if n := normalise_token(token):
                    c = counts["right" if n in held else "wrong"]
                    c[0] += 1
                    c[1] += k in confirmed
    return counts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    engine = get_engine(default_engine())
    result = {"engine": default_engine(), "sets": {}}
    try:
        for name, n in SETS:
            pages = [(item.image, [w for w in item.truth or [] if w.height >= 6],
                      filter_words(engine.read(item.image)))
                     for item in datasets.load(name, limit=n)]
            row = {"images": n, "before": tally(pages, False), "after": tally(pages, True)}
            result["sets"][name] = row
            print(name, {k: f"{v['right'][1]}/{v['right'][0]} right, "
                            f"{v['wrong'][1]}/{v['wrong'][0]} wrong"
                         for k, v in row.items() if k != "images"}, flush=True)
    finally:
        crosscheck.BLANK_MARGIN = True
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
