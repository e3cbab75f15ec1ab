"""Which true words does the light pipeline's detector miss that CRAFT finds? (a study)

    python tools/detector_recall.py [--sets web,synthetic,funsd] [--images 3] [--no-gaps]
                                    [--out docs/bench/detector-recall-s45-gaps.json]

The encoder reads a page with the light pipeline (textcodec's detector distilled from CRAFT,
then english_g2); a word no reading box holds is never sent, whatever follows (on the web
pages at quality 0 such words held 42 % of the reading errors, docs/benchmarks.md "Where the
reading errors lie now"). For each ground-truth word of a set's first images (the main
bench's), whether a box of each engine's raw reading (before any confidence filter) holds its
centre: the light pipeline's and EasyOCR's own with CRAFT. Counted by the words' heights
(tools/word_fate.py's bands), with the words only CRAFT's boxes hold listed. ``--no-gaps``:
the light pipeline without its second look along its lines (``engine.FILL_GAPS``, session 45;
docs/bench/detector-recall-s45.json was made so).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from textcodec.bench import datasets
from textcodec.ocr import engine
from textcodec.ocr.engine import default_engine, get_engine

from study_output import write_study   # beside this script (on sys.path)
from word_fate import height_band

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("light", "craft")


def _holds(words, truth) -> bool:
    for w in words:
        x0, y0, x1, y1 = w.axis_aligned_box()
        if x0 <= truth.cx <= x1 and y0 <= truth.cy <= y1:
            return True
    return False


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default="web,synthetic,funsd")
    p.add_argument("--images", type=int, default=3)
    p.add_argument("--no-gaps", action="store_true",
                   help="the light pipeline without its second look along its lines")
    p.add_argument("--out", type=Path,
                   default=ROOT / "docs" / "bench" / "detector-recall-s45-gaps.json")
    args = p.parse_args()
    engine.FILL_GAPS = not args.no_gaps
    engines = {"light": get_engine(default_engine()), "craft": get_engine("easyocr")}
    summary: dict[str, dict] = {}
    only_craft: list[dict] = []
    for ds in args.sets.split(","):
        bands: dict[str, dict[str, int]] = {}
        for item in itertools.islice(datasets.load(ds, args.images), args.images):
            reads = {name: e.read(item.image) for name, e in engines.items()}
            for t in item.truth or []:
                x0, y0, x1, y1 = t.axis_aligned_box()
                band = bands.setdefault(height_band(y1 - y0),
                                        {"words": 0, **{n: 0 for n in ENGINES}})
                band["words"] += 1
                held = {n: _holds(reads[n], t) for n in ENGINES}
                for n in ENGINES:
                    band[n] += held[n]
                if held["craft"] and not held["light"]:
                    only_craft.append({"set": ds, "image": item.id, "text": t.text,
                                       "height": round(y1 - y0, 1)})
            print(f"{ds} {item.id}", flush=True)
        summary[ds] = dict(sorted(bands.items(), key=lambda kv: float(kv[0].split("-")[0]
                                                                       .rstrip("+"))))
        for band, v in summary[ds].items():
            print(f"{ds} {band} px: {v['words']} words, held by light {v['light']}, "
                  f"by CRAFT {v['craft']}")
    write_study(args.out, args, summary=summary, only_craft=only_craft)


if __name__ == "__main__":
    main()
