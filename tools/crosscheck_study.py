"""Which encoder-side check tells EasyOCR's misreadings apart from its right readings?

    python tools/crosscheck_study.py [--images 4] [--skip 8] [--quality 4] [--model NAME_OR_PATH]
                                     [--digits] [--out docs/bench/crosscheck.json]

On held-out synthetic screenshots and FUNSD forms (both have ground truth), each side-stream
token (EasyOCR, filtered as `textcodec encode` filters) is labelled right or wrong by the truth
in its box. Two candidate checks are scored on both groups:

- agreement: does Tesseract, reading the original, hold the token in the phrase's box; two
  ways: reading the page whole (psm 11, what the encoder did up to session 37) and reading a
  sheet of the phrases' crops, each scaled to a 48-px line (textcodec.crosscheck, what the
  encoder does since session 38);
- pixels: decode the file plainly and with the fusion block (every guidance word drawn), and
  take the token's squared error fused / plain against the original, over its box and over its
  worst character column (the check designed in session 14: draw a word only where drawing it
  brings its pixels closer to the original).

A check is worth having where it passes right tokens and stops wrong ones. --digits scores the
phrases the decoder never draws because they hold a digit (their digit-bearing tokens): would
the cross-check keep misread numbers out if they were drawn?
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from pathlib import Path

import numpy as np

from textcodec.bench import datasets
from textcodec.codec import decode_array, encode_image, guidance_words
from textcodec.crosscheck import second_reading
from textcodec.ocr.engine import filter_words, get_engine
from textcodec.words import Word, has_digit, normalise_token, tokens_in_box

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
FLOOR = 3 * (2 / 255) ** 2   # per-pixel error floor of a character column (flat paper)


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """(normalised token, first char, end char) of each token of a phrase."""
    spans, i = [], 0
    for t in text.split(" "):
        if normalise_token(t):
            spans.append((normalise_token(t), i, i + len(t)))
        i += len(t) + 1
    return spans


def column_errors(word: Word, original, decoded) -> tuple[np.ndarray, np.ndarray]:
    """Per character column of the word's rotated box: summed squared error, pixel count."""
    h, w = original.shape[:2]
    x0, y0, x1, y1 = word.axis_aligned_box()
    r0, r1 = max(0, int(y0)), min(h, int(np.ceil(y1)))
    c0, c1 = max(0, int(x0)), min(w, int(np.ceil(x1)))
    yy, xx = np.mgrid[r0:max(r0, r1), c0:max(c0, c1)]
    a = np.radians(word.angle)
    dx, dy = xx + 0.5 - word.cx, yy + 0.5 - word.cy
    u = dx * np.cos(a) - dy * np.sin(a)
    v = dx * np.sin(a) + dy * np.cos(a)
    inside = (np.abs(u) <= word.width / 2) & (np.abs(v) <= word.height / 2)
    n = max(1, len(word.text))
    col = np.clip(((u / max(word.width, 1e-6) + 0.5) * n).astype(int), 0, n - 1)[inside]
    o = original[r0:r1, c0:c1][inside].astype(float) / 255
    e = ((decoded[r0:r1, c0:c1][inside].astype(float) / 255 - o) ** 2).sum(1)
    return np.bincount(col, e, minlength=n), np.bincount(col, minlength=n)


def quantiles(values: list[float]) -> list[float]:
    return [round(q, 3) for q in statistics.quantiles(values, n=10)] if len(values) > 1 else []


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--skip", type=int, default=8)
    p.add_argument("--quality", type=float, default=4.0)
    p.add_argument("--model")
    p.add_argument("--digits", action="store_true",
                   help="score the phrases holding digits instead (never drawn): their tokens "
                        "that hold a digit")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "crosscheck.json")
    args = p.parse_args()
    easy = get_engine("easyocr")
    tokens, sheet_seconds = [], 0.0
    for ds in ("synthetic", "funsd"):
        for item in itertools.islice(datasets.load(ds, args.skip + args.images), args.skip, None):
            found = filter_words(easy.read(item.image))
            side = [w for w in found if has_digit(w.text)] if args.digits \
                else guidance_words(found)
            if not side:
                continue
            page = get_engine("tesseract").read(item.image)
            t0 = time.perf_counter()
            second = second_reading(item.image, side, "tesseract")
            sheet_seconds += time.perf_counter() - t0
            enc = encode_image(item.image, quality=args.quality, words=side, model=args.model,
                               cross_check="off")
            plain = decode_array(enc.data, fusion="off", model=args.model)[0]
            fused = decode_array(enc.data, fusion="always", model=args.model)[0]
            for w in side:
                truth = tokens_in_box(w.axis_aligned_box(), item.truth)
                seen = tokens_in_box(w.axis_aligned_box(), second)
                whole = tokens_in_box(w.axis_aligned_box(), page)
                ep, count = column_errors(w, item.image, plain)
                ef, _ = column_errors(w, item.image, fused)
                for tok, a, b in token_spans(w.text):
                    if args.digits and not has_digit(tok):
                        continue
                    floor = FLOOR * count[a:b]
                    cols = (ef[a:b] + floor) / np.maximum(ep[a:b] + floor, 1e-12)
                    tokens.append({"set": ds, "image": item.id, "token": tok,
                                   "wrong": tok not in truth, "tesseract_agrees": tok in seen,
                                   "page_agrees": tok in whole,
                                   "box_ratio": float((ef[a:b].sum() + floor.sum())
                                                      / max(ep[a:b].sum() + floor.sum(), 1e-12)),
                                   "worst_column": float(cols.max()) if len(cols) else 1.0})
            print(f"{ds} {item.id}: {len(side)} phrases", flush=True)
    summary = {}
    for label, wrong in (("right", False), ("wrong", True)):
        group = [t for t in tokens if t["wrong"] == wrong]
        summary[label] = {
            "tokens": len(group),
            "tesseract_agrees": sum(t["tesseract_agrees"] for t in group),
            "page_agrees": sum(t["page_agrees"] for t in group),
            "box_ratio_deciles": quantiles([t["box_ratio"] for t in group]),
            "worst_column_deciles": quantiles([t["worst_column"] for t in group])}
    for label, s in summary.items():
        n = max(1, s['tokens'])
        print(f"{label}: {s['tokens']} tokens, Tesseract agrees on {s['tesseract_agrees']} "
              f"({s['tesseract_agrees'] / n:.0%}) reading the sheet, {s['page_agrees']} "
              f"({s['page_agrees'] / n:.0%}) reading the page; fused/plain error, box "
              f"deciles {s['box_ratio_deciles']}, worst column {s['worst_column_deciles']}")
    summary["sheet_seconds"] = round(sheet_seconds, 1)
    print(f"the sheets took {sheet_seconds:.1f} s in all")
    write_study(args.out, args, summary=summary, tokens=tokens)


if __name__ == "__main__":
    main()
