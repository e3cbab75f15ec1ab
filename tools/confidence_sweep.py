"""The side stream's confidence filter: misread tokens and bytes against the threshold.

    python tools/confidence_sweep.py [--images 8]

EasyOCR reads each held-out image once (as `textcodec encode` does, glyph-size filter
applied); each threshold then keeps the words read with at least that confidence. A kept token
is misread where the ground truth does not hold it in the phrase's box (the substitution
check's matching, textcodec.bench.substitution). Misread tokens are what the fusion block
could paint into the image, so the threshold trades them against the words it guides.
Writes docs/bench/confidence-sweep.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec import sidestream
from textcodec.bench import datasets
from textcodec.bench.substitution import count_substitutions
from textcodec.container import SideCodec
from textcodec.ocr.engine import MIN_CONFIDENCE, filter_words, get_engine

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = [0.0, 0.3, 0.5, 0.7, 0.8, 0.9]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "confidence-sweep.json")
    args = p.parse_args()
    engine = get_engine("easyocr")
    rows = []
    for ds in ("synthetic", "funsd"):   # the sets with ground truth
        totals = {t: {"tokens": 0, "wrong": 0, "bytes": 0, "pixels": 0} for t in THRESHOLDS}
        for item in datasets.load(ds, args.images):
            read = filter_words(engine.read(item.image), min_confidence=0.0)
            h, w = item.image.shape[:2]
            for t in THRESHOLDS:
                kept = filter_words(read, min_confidence=t)
                n = count_substitutions(kept, item.truth or [], [])
                a = totals[t]
                a["tokens"] += n.tokens
                a["wrong"] += n.wrong
                a["bytes"] += len(sidestream.compress(kept, SideCodec.ZSTD).payload) if kept else 0
                a["pixels"] += h * w
            print(f"{ds}/{item.id}: {len(read)} phrases", flush=True)
        for t, a in totals.items():
            rows.append({"dataset": ds, "min_confidence": t, "tokens": a["tokens"],
                         "wrong": a["wrong"],
                         "wrong_share": round(a["wrong"] / max(1, a["tokens"]), 4),
                         "side_bpp": round(8 * a["bytes"] / max(1, a["pixels"]), 5)})
            print(json.dumps(rows[-1]), flush=True)
    args.out.write_text(json.dumps({"images": args.images, "default": MIN_CONFIDENCE,
                                    "engine": "easyocr (CRAFT + english_g2)", "rows": rows},
                                   indent=1))


if __name__ == "__main__":
    main()
