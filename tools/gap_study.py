"""What the light pipeline's second look along its lines adds (textcodec/ocr/gaps.py).

    python tools/gap_study.py [--sets web:3,gimp:12,qt:12,funsd:2,synthetic:3,samples:5]
                              [--out docs/bench/gap-words-s45.json]

Each image of the main bench's sets read by the default engine with ``engine.FILL_GAPS`` off
and on: the readings of the boxes ``fill_gaps`` added, those ``engine.gap_word`` keeps and
those it drops (near-certain readings with letters are kept: the ink in a UI's gaps is as
often an icon or a border as a word), and where the set has ground truth, whether a kept one
is a true word in its box.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from textcodec.bench import datasets
from textcodec.ocr import engine as E
from textcodec.words import normalise_token, tokens_in_box

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent


def _key(w) -> tuple:
    return round(w.cx), round(w.cy), w.text


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default="web:3,gimp:12,qt:12,funsd:2,synthetic:3,samples:5")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "gap-words-s45.json")
    args = p.parse_args()
    eng = E.get_engine(E.default_engine())
    summary, rows = {}, []
    for spec in args.sets.split(","):
        ds, n = spec.split(":")
        counts = {"images": 0, "readings": 0, "added": 0, "kept": 0, "kept_true": 0}
        for item in itertools.islice(datasets.load(ds, int(n)), int(n)):
            saved = E.FILL_GAPS, E.GAP_MIN_CONFIDENCE, E.GAP_MIN_LETTERS
            try:
                E.FILL_GAPS = False
                before = {_key(w) for w in eng.read(item.image)}
                # every gap reading, judged below
                E.FILL_GAPS, E.GAP_MIN_CONFIDENCE, E.GAP_MIN_LETTERS = True, -1.0, 0
                every = [w for w in eng.read(item.image) if _key(w) not in before]
            finally:
                E.FILL_GAPS, E.GAP_MIN_CONFIDENCE, E.GAP_MIN_LETTERS = saved
            counts["images"] += 1
            counts["readings"] += len(before)
            for w in every:
                keep = E.gap_word(w.text, w.confidence)
                truth = None
                if item.truth and keep:
                    found = tokens_in_box(w.axis_aligned_box(), item.truth)
                    truth = all(normalise_token(t) in found for t in w.text.split()
                                if normalise_token(t))
                counts["added"] += 1
                counts["kept"] += keep
                counts["kept_true"] += bool(truth)
                rows.append({"set": ds, "image": item.id, "text": w.text,
                             "confidence": round(w.confidence, 3), "kept": keep,
                             "true": truth})
        summary[ds] = counts
        print(ds, counts, flush=True)
    write_study(args.out, args, summary=summary, rows=rows)


if __name__ == "__main__":
    main()
