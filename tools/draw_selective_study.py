"""Study: `--fusion draw` drawing only the words the plain decode does not already read.

    python tools/draw_selective_study.py --dataset funsd --skip 4 --images 4 \
        --qualities 0,2,4,6 --tesseract sel=models/textcodec-text-v20.pt:draw \
        --out docs/bench/drawn-selective-funsd.jsonl

tools/compare_fusion.py with `textcodec.render.draw` replaced, for this run only, by a
selective one: english_g2 reads each guidance word's box on the plain decode, and a word is
drawn only where that reading differs from the side stream's (compared in lower case, letters
and digits only). Every ":draw" decoder of the run draws so; compare with a run of
compare_fusion.py itself (plain=...:off draw=...:draw) on the same images. The selection
reads with the same recognizer that scores the english_g2 columns, so those columns favour
it; the Tesseract columns are the fair judge. Prints how many guidance words were drawn.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import compare_fusion
    import textcodec.render as render
    from textcodec.bench.textscore import Reader

    draw_all = render.draw
    reader = Reader()
    counts = {"guidance": 0, "drawn": 0}

    def key(text: str) -> str:
        return re.sub(r"[^0-9a-z]", "", text.lower())

    def draw_unread(image, words, fill=None):
        if words:
            u8 = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
            reads = reader.read(u8, [w.axis_aligned_box() for w in words])
            kept = [w for w, r in zip(words, reads) if key(r) != key(w.text)]
            counts["guidance"] += len(words)
            counts["drawn"] += len(kept)
            words = kept
        return draw_all(image, words, fill)

    render.draw = draw_unread   # codec._decode_array imports it at call time
    compare_fusion.main()
    print(f"guidance words {counts['guidance']}, drawn {counts['drawn']}")


if __name__ == "__main__":
    main()
