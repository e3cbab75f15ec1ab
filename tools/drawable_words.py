"""Where a set's words go on their way to being painted: found by the OCR, kept by the
side-stream filter, confirmed by the cross-check (and free of digits: drawable), fitted, painted;
and the confirmed words holding a digit, painted since session 39 where the encoder's number
check passes them (``numbers``: those of the painted words).

    python tools/drawable_words.py [--dataset gimp] [--limit 12] [--quality 0]
                                   [--out docs/bench/drawable-gimp.json]

Each image is encoded as `textcodec encode` does at that quality; the cross-check is scored two
ways on the same words: Tesseract reading a sheet of the phrases' crops (textcodec.crosscheck,
the encoder's since session 38) and Tesseract reading the page whole (psm 11, sessions 15-37).
Only the sheet's flags go into the encode; the page's count of drawable words is reported
beside them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec import codec, crosscheck
from textcodec.bench import datasets
from textcodec.ocr.engine import default_engine, filter_words, get_engine
from textcodec.words import has_digit

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="gimp")
    p.add_argument("--limit", type=int, default=12)
    p.add_argument("--quality", type=float, default=0.0)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    out = args.out or ROOT / "docs" / "bench" / f"drawable-{args.dataset}.json"
    easy, tess = get_engine(default_engine()), get_engine("tesseract")
    rows = []
    for item in datasets.load(args.dataset, args.limit):
        found = easy.read(item.image)
        kept = filter_words(found)
        sheet = crosscheck.cross_check(item.image, kept, "tesseract")
        page = crosscheck.flag_words(kept, tess.read(item.image))
        enc = codec.encode_image(item.image, quality=args.quality, words=sheet,
                                 cross_check="off")
        row = {"image": item.id, "found": len(found), "kept": len(kept),
               "drawable": len(codec.guidance_words(sheet)),
               "drawable_page": len(codec.guidance_words(page)),
               "with_digits": sum(has_digit(w.text) for w in kept),
               "confirmed_digits": sum(w.draw and has_digit(w.text) for w in sheet),
               "fitted": enc.fitted, "painted": enc.painted, "numbers": enc.numbers,
               "bytes": len(enc.data),
               "glyph_bytes": enc.glyph_bytes}
        rows.append(row)
        print(json.dumps(row), flush=True)
    total = {k: sum(r[k] for r in rows) for k in rows[0] if k != "image"} if rows else {}
    print("total", json.dumps(total))
    write_study(out, args, total=total, images=rows)


if __name__ == "__main__":
    main()
