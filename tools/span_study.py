"""How many numbers of long lines can be painted on their own (glyphs.fit_spans)?

    python tools/span_study.py [--images 8] [--skip 8] [--sets web,synthetic,funsd]
                               [--out docs/bench/spans.json]

A phrase holding a digit is fitted whole only up to glyphs.NUMBER_MAX_WORDS words (the cap:
a long line costs seconds and few of its numbers pass). Here the runs of digit-bearing words
of the longer lines that the sheet cross-check confirmed are fitted alone, with --reach words
either side, each in a box cut from the line's at its word gaps (glyphs.span_box), and checked
as numbers are (glyphs.number_check, glyphs.number_bounded). On held-out images with ground
truth a run is right where each of its tokens (the neighbours included) is in the truth in the
line's box. Prints how many right and wrong runs would be painted, and the time the fits took.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from textcodec import glyphs
from textcodec.words import has_digit, normalise_token, tokens_in_box

from study_output import confirmed_pages, write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--skip", type=int, default=8)
    p.add_argument("--sets", default="web,synthetic,funsd")
    p.add_argument("--reach", type=int, default=glyphs.SPAN_REACH,
                   help="words either side of a number fitted with it")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "spans.json")
    args = p.parse_args()
    rows, seconds = [], 0.0
    for ds, item, found in confirmed_pages(args.sets, args.skip, args.images):
        lines = [i for i, w in enumerate(found) if w.draw and has_digit(w.text)
                 and not glyphs.number_candidate(w)]
        t0 = time.perf_counter()
        spans = glyphs.fit_spans(item.image, found, lines, args.reach, letters=False)
        seconds += time.perf_counter() - t0
        kept = {(s.word, s.first) for s in spans}
        for i in lines:
            w = found[i]
            truth = tokens_in_box(w.axis_aligned_box(), item.truth)
            for first, count in glyphs.digit_runs(w.text, args.reach):
                text = glyphs.span_text(w.text, first, count)
                toks = [n for t in text.split() if (n := normalise_token(t))]
                rows.append({"set": ds, "image": item.id, "line": w.text, "text": text,
                             "wrong": any(t not in truth for t in toks),
                             "painted": (i, first) in kept})
        print(f"{ds} {item.id}: {len(lines)} long lines, {len(spans)} spans kept", flush=True)
    summary = {"runs": len(rows), "fit_seconds": round(seconds, 1)}
    for label, wrong in (("right", False), ("wrong", True)):
        group = [r for r in rows if r["wrong"] == wrong]
        summary[label] = {"runs": len(group), "painted": sum(r["painted"] for r in group)}
        print(f"{label}: {len(group)} runs, {summary[label]['painted']} would be painted")
    for r in rows:
        if r["wrong"] and r["painted"]:
            print(f"  wrong painted: {r['set']} {r['image']} {r['text']!r} in {r['line']!r}")
    print(f"the spans' fits took {seconds:.1f} s in all")
    write_study(args.out, args, summary=summary, rows=rows)


if __name__ == "__main__":
    main()
