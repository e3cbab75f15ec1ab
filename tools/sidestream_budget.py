"""Side-stream bytes against the average-character-area threshold (TextBoost's filter).

    python tools/sidestream_budget.py [--images 2] [--quality 5]

OCR runs once per image; each threshold then keeps the words whose box area per character is
at most that many px^2. For each threshold the image is also encoded at --quality with those
words and decoded with the default model's fusion block; the CER of that decode (every word
EasyOCR found on the original, read by the english_g2 recognizer, against its reading of the
original) is set against the same file decoded without fusion: the CER gain per side-stream
byte. Writes docs/bench/sidestream-budget.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec import sidestream
from textcodec.bench import datasets
from textcodec.bench.textscore import Reader, score
from textcodec.codec import decode_array, encode_image
from textcodec.container import SideCodec
from textcodec.ocr.engine import filter_words, get_engine

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = [100, 200, 300, 500, 800, 1e9]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=2)
    p.add_argument("--quality", type=float, default=5.0)
    args = p.parse_args()
    engine = get_engine("easyocr")
    reader = Reader()
    rows = []
    for ds in ("synthetic", "funsd", "samples"):
        for item in datasets.load(ds, args.images):
            words = engine.read(item.image)
            px = item.image.shape[0] * item.image.shape[1]
            boxes = [w.axis_aligned_box() for w in words]
            reference = reader.read(item.image, boxes)
            cer_plain = None   # the latent, hence the plain decode, is the same at every threshold
            for t in THRESHOLDS:
                kept = filter_words(words, max_char_area=t)
                row = {"dataset": ds, "image": item.id, "max_char_area": t,
                       "words": len(words), "kept": len(kept)}
                if words:
                    enc = encode_image(item.image, quality=args.quality, words=kept)
                    row["quality"], row["file_bpp"] = args.quality, enc.bpp
                    if cer_plain is None:
                        rec = decode_array(enc.data, fusion=False)[0]
                        cer_plain = score(reference, reader.read(rec, boxes)).cer
                    rec = decode_array(enc.data, fusion="always")[0]
                    row["cer_fused"] = score(reference, reader.read(rec, boxes)).cer
                    row["cer_plain"] = cer_plain
                for codec in (SideCodec.ZSTD, SideCodec.GZIP):
                    n = len(sidestream.compress(kept, codec).payload) if kept else 0
                    row[f"{codec.name.lower()}_bytes"] = n
                    row[f"{codec.name.lower()}_bpp"] = n * 8 / px
                rows.append(row)
                print(json.dumps(row), flush=True)
    (ROOT / "docs" / "bench" / "sidestream-budget.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
