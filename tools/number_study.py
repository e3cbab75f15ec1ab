"""Can the encoder tell a rightly read number from a misread one by drawing it?

    python tools/number_study.py [--images 8] [--skip 8] [--sets synthetic,funsd,web]
                                 [--both-sides] [--out docs/bench/numbers.json]

The decoder has never drawn a word holding a digit (codec.guidance_words): a misread digit
makes another number, as readable as the true one. The encoder holds the original, so it can
ask the pixels: fit the phrase's glyphs as for painting (textcodec.glyphs.fit_words), then
swap each digit for every other digit and its look-alike letters, drawn at the same place, and
see how much worse each explains the original (glyphs.number_check); and see whether the
original is clear paper either side of the number (glyphs.number_bounded: a box that cut a
number short). On held-out images with
ground truth, EasyOCR's digit-bearing phrases that the sheet cross-check confirmed (those the
decoder could draw) are labelled right where every digit-bearing token of the phrase is in the
truth in its box, and wrong otherwise. Prints, for a grid of the two thresholds (the fit's
r^2 and the margin), how many right and wrong phrases would be drawn, and how many of those
are bounded too (what the encoder draws). With --unconfirmed, the same for the phrases the
cross-check did not confirm, which the encoder never fits.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from textcodec import glyphs
from textcodec.words import has_digit, normalise_token, tokens_in_box

from study_output import confirmed_pages, write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
R2_GRID = (0.6, 0.7, 0.8)
MARGIN_GRID = (0.0, 0.05, 0.1, 0.2)


def digit_tokens(text: str) -> list[str]:
    return [n for t in text.split() if (n := normalise_token(t)) and has_digit(n)]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--skip", type=int, default=8)
    p.add_argument("--sets", default="synthetic,funsd,web")
    p.add_argument("--unconfirmed", action="store_true",
                   help="study the phrases the cross-check did NOT confirm (never drawn): "
                        "would the number check alone let their numbers be painted?")
    p.add_argument("--both-sides", action="store_true",
                   help="the bound looked for at both ends of every phrase, as the encoder "
                   "did until session 46 (docs/bench/numbers-s45.json was made so)")
    p.add_argument("--out", type=Path, default=None,
                   help="default docs/bench/numbers.json (numbers-unconfirmed.json with "
                        "--unconfirmed)")
    args = p.parse_args()
    if args.out is None:
        args.out = ROOT / "docs" / "bench" / ("numbers-unconfirmed.json" if args.unconfirmed
                                              else "numbers.json")
    rows, check_seconds = [], 0.0
    for ds, item, found in confirmed_pages(args.sets, args.skip, args.images):
        # fitted in page order, as the encoder fits its drawable words
        drawable = [w for w in found if w.draw != args.unconfirmed]
        fits = glyphs.fit_words(item.image, drawable)
        lum = glyphs.luminance(item.image)
        for w, f in zip(drawable, fits):
            toks = digit_tokens(w.text)
            if not toks:
                continue
            truth = tokens_in_box(w.axis_aligned_box(), item.truth)
            row = {"set": ds, "image": item.id, "text": w.text,
                   "wrong": any(t not in truth for t in toks), "fitted": f is not None,
                   "candidate": glyphs.number_candidate(w)}
            if f is not None:
                t0 = time.perf_counter()
                row["r2"], row["margin"] = glyphs.number_check(lum, w, f)
                ends = (True, True) if args.both_sides else glyphs.number_ends(w.text)
                row["bounded"] = glyphs.number_bounded(lum, w, f, ends)
                check_seconds += time.perf_counter() - t0
            rows.append(row)
        print(f"{ds} {item.id}: {sum(r['image'] == item.id for r in rows)} numbers",
              flush=True)
    summary = {"numbers": len(rows), "check_seconds": round(check_seconds, 1), "grid": []}
    for label, wrong in (("right", False), ("wrong", True)):
        group = [r for r in rows if r["wrong"] == wrong]
        summary[label] = {"phrases": len(group), "fitted": sum(r["fitted"] for r in group),
                          "candidates": sum(r["candidate"] for r in group)}
        print(f"{label}: {len(group)} {'un' if args.unconfirmed else ''}confirmed phrases "
              "with a number, "
              f"{summary[label]['fitted']} fitted")
    for r2 in R2_GRID:
        for margin in MARGIN_GRID:
            cell = {"r2": r2, "margin": margin}
            for label, wrong in (("right", False), ("wrong", True)):
                passed = [r for r in rows if r["wrong"] == wrong and r["fitted"]
                          and r["r2"] >= r2 and r["margin"] >= margin]
                cell[label] = len(passed)
                cell[label + "_bounded"] = sum(r["bounded"] for r in passed)
                cell[label + "_capped"] = sum(r["bounded"] and r["candidate"] for r in passed)
            summary["grid"].append(cell)
            print(f"r2 >= {r2}, margin >= {margin}: drawn {cell['right']} right, "
                  f"{cell['wrong']} wrong; also bounded {cell['right_bounded']} right, "
                  f"{cell['wrong_bounded']} wrong; also short enough to fit "
                  f"{cell['right_capped']} right, {cell['wrong_capped']} wrong")
    print(f"number_check took {check_seconds:.1f} s in all")
    for r in rows:
        if r["wrong"] and r["fitted"]:
            print(f"  wrong: {r['set']} {r['image']} {r['text']!r} r2 {r['r2']:.2f} "
                  f"margin {r['margin']:.3f} bounded {r['bounded']} "
                  f"candidate {r['candidate']}")
    write_study(args.out, args, summary=summary, rows=rows)


if __name__ == "__main__":
    main()
