"""Side-stream bytes against the average-character-area threshold (TextBoost's filter).

    python tools/sidestream_budget.py [--images 2]

OCR runs once per image; each threshold then keeps the words whose box area per character is
at most that many px^2. Writes docs/bench/sidestream-budget.json. The other half of the
choice, the CER gain per threshold, needs a trained fusion block (not yet).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec import sidestream
from textcodec.bench import datasets
from textcodec.container import SideCodec
from textcodec.ocr.engine import filter_words, get_engine

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = [100, 200, 300, 500, 800, 1e9]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=2)
    args = p.parse_args()
    engine = get_engine("easyocr")
    rows = []
    for ds in ("synthetic", "funsd", "samples"):
        for item in datasets.load(ds, args.images):
            words = engine.read(item.image)
            px = item.image.shape[0] * item.image.shape[1]
            for t in THRESHOLDS:
                kept = filter_words(words, max_char_area=t)
                row = {"dataset": ds, "image": item.id, "max_char_area": t,
                       "words": len(words), "kept": len(kept)}
                for codec in (SideCodec.ZSTD, SideCodec.GZIP):
                    n = len(sidestream.compress(kept, codec).payload) if kept else 0
                    row[f"{codec.name.lower()}_bytes"] = n
                    row[f"{codec.name.lower()}_bpp"] = n * 8 / px
                rows.append(row)
                print(json.dumps(row), flush=True)
    (ROOT / "docs" / "bench" / "sidestream-budget.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
