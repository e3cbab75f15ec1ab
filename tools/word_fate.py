"""Where a data set's reading errors lie: each ground-truth word, decoded at one quality as
users get it, sorted by what the file did for it, with its share of the characters and of
the character errors (english_g2 reading the true box against the true text, as the bench's
GT CER).

    python tools/word_fate.py [--dataset web] [--limit 3] [--quality 0] [--model M]
                              [--by-height] [--light-floor PX]
                              [--out docs/bench/word-fate-web.json]

The classes, first that applies to the word's centre: painted (inside the extent of the glyphs
of a fit the file paints at full strength), graded (painted at less), fitted unpainted (strength 0), then
by the side stream's word whose box holds it: unfitted (drawable, no fit), number (holding a
digit, not painted), not confirmed (the cross-check flagged it), and missed (no side-stream
word holds it: the OCR did not find it or the filter dropped it). It also counts the painted
phrases (whole words and spans) holding a token the ground truth does not hold in the phrase's
box: the misreadings painted in. ``--by-height`` splits each class by the words' heights
(HEIGHTS, px) and adds the original's errors (english_g2 on the undecoded image).
"""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from textcodec import codec
from textcodec.bench import datasets
from textcodec.bench.metrics import levenshtein
from textcodec.bench.textscore import Reader
from textcodec.words import has_digit, normalise_token, tokens_in_box

CLASSES = ("painted", "graded", "fitted unpainted", "unfitted", "number", "not confirmed",
           "missed")
# the height bands of --by-height: under 8 px, 8-10 (under the light pipeline's floor), ...
HEIGHTS = (8, 10, 12, 16, 24)


def height_band(height: float) -> str:
    """The band of HEIGHTS a word's height falls in, e.g. "8-10"."""
    lo = 0
    for hi in HEIGHTS:
        if height < hi:
            return f"{lo}-{hi}"
        lo = hi
    return f"{lo}+"


def _holds(box, x: float, y: float) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= x <= x1 and y0 <= y <= y1


@lru_cache(maxsize=4096)   # every true word of a page asks of every painted phrase
def inked_box(word, fit) -> tuple[float, float, float, float]:
    """The box of what a fit draws (its glyphs' extent, ``glyphs.glyph_map``): a span's word
    carries its whole line's box, of which the span paints a part (session 44: counting the
    line's box as painted called every word of a line with a painted span painted)."""
    drawn = codec.glyphs_module().glyph_map(word, fit, 1 << 20, 1 << 20)
    if drawn is None:
        return word.axis_aligned_box()
    rows, cols = drawn[0]
    return cols.start, rows.start, cols.stop, rows.stop


def word_class(truth, sent, paints) -> str:
    """The class of one ground-truth word (see the module's docstring)."""
    x, y = truth.cx, truth.cy
    best = -1
    for word, fit in zip(*paints):
        if fit is not None and word is not None and _holds(inked_box(word, fit), x, y):
            best = max(best, fit.strength)
    if best == codec.glyphs_module().FULL:
        return "painted"
    if best > 0:
        return "graded"
    if best == 0:
        return "fitted unpainted"
    for word in sent:
        if _holds(word.axis_aligned_box(), x, y):
            if not word.draw:
                return "not confirmed"
            return "number" if has_digit(word.text) else "unfitted"
    return "missed"


def wrong_paints(truth, paints) -> tuple[int, int]:
    """(painted phrases, those holding a token the ground truth does not hold where the phrase
    is drawn): the misreadings painted in."""
    painted = wrong = 0
    for word, fit in zip(*paints):
        if word is None or fit is None or not fit.paint:
            continue
        painted += 1
        found = tokens_in_box(inked_box(word, fit), truth)
        wrong += any((n := normalise_token(t)) and n not in found for t in word.text.split())
    return painted, wrong


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="web")
    p.add_argument("--limit", type=int, default=3)
    p.add_argument("--quality", type=float, default=0.0)
    p.add_argument("--model")
    p.add_argument("--out", type=Path)
    p.add_argument("--by-height", action="store_true",
                   help="split the classes by the words' heights, with the original's errors")
    p.add_argument("--without-parts", action="store_true",
                   help="encode as session 41 did: no confirmed parts of doubtful phrases, no "
                   "spans of the confirmed words of phrases not confirmed whole")
    p.add_argument("--light-floor", type=float,
                   help="the light pipeline reads boxes down to this height in px (shipped: "
                   "engine.LIGHT_MIN_BOX_HEIGHT)")
    args = p.parse_args()
    if args.light_floor is not None:
        from textcodec.ocr import engine

        engine.LIGHT_MIN_BOX_HEIGHT = args.light_floor
    if args.without_parts:
        from textcodec import crosscheck

        crosscheck.confirmed_parts = lambda image, words, second: []
        crosscheck.confirmed_tokens = lambda word, second: frozenset()
    reader = Reader()
    tally = {c: {"words": 0, "chars": 0, "errors": 0} for c in CLASSES}
    bands: dict[str, dict[str, dict[str, int]]] = {}
    painted = wrong = 0
    for item in datasets.load(args.dataset, limit=args.limit):
        truth = [w for w in item.truth or [] if w.height >= 6]
        data = codec.encode(item.image, quality=args.quality, model=args.model, device="cpu")
        decoded, f = codec.decode_array(data, model=args.model, device="cpu")
        sent = codec.text_layer(data)
        paints = codec.file_paints(f, sent) if (f.glyphs or f.spans) else ([], [])
        read = reader.read(decoded, [t.axis_aligned_box() for t in truth])
        original = reader.read(item.image, [t.axis_aligned_box() for t in truth]) \
            if args.by_height else [None] * len(truth)
        p, w = wrong_paints(truth, paints)
        painted, wrong = painted + p, wrong + w
        for t, r, o in zip(truth, read, original):
            name = word_class(t, sent, paints)
            c = tally[name]
            c["words"] += 1
            c["chars"] += len(t.text)
            c["errors"] += levenshtein(t.text, r)
            if o is not None:
                b = bands.setdefault(name, {}).setdefault(
                    height_band(t.height), {"words": 0, "chars": 0, "errors": 0,
                                            "original_errors": 0})
                b["words"] += 1
                b["chars"] += len(t.text)
                b["errors"] += levenshtein(t.text, r)
                b["original_errors"] += levenshtein(t.text, o)
        print(item.id, flush=True)
    chars = sum(c["chars"] for c in tally.values()) or 1
    errors = sum(c["errors"] for c in tally.values()) or 1
    print(f"{'class':18s} {'words':>6s} {'chars':>6s} {'share':>6s} {'CER':>6s} {'of errors':>9s}")
    for name, c in tally.items():
        print(f"{name:18s} {c['words']:6d} {c['chars']:6d} {c['chars'] / chars:6.1%} "
              f"{c['errors'] / max(1, c['chars']):6.3f} {c['errors'] / errors:9.1%}")
    print(f"painted phrases {painted}, holding a token the ground truth does not: {wrong}")
    for name, by_band in bands.items():
        print(name + ": " + "; ".join(
            f"{band} px {b['words']} words, CER {b['errors'] / max(1, b['chars']):.2f} "
            f"(original {b['original_errors'] / max(1, b['chars']):.2f})"
            for band, b in sorted(by_band.items(), key=lambda kv: float(kv[0].split("-")[0]
                                                                         .rstrip("+")))))
    if args.out:
        out = {"args": {k: str(v) for k, v in vars(args).items()}, "classes": tally,
               "painted": painted, "painted_wrong": wrong}
        if bands:
            out["by_height"] = bands
        args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
