"""Would the light pipeline's side streams read better at the lowest rate with its crops read
taller or its smallest boxes read too? (a study)

    python tools/light_reading_study.py [--sets gimp:12,qt:12,web:3,funsd:2,synthetic:3]
                                        [--variants default,read64,floor0,craft,both,union]
                                        [--out docs/bench/light-reading-s46.json]

The light pipeline (the encoder's default OCR) reads its crops scaled to
``engine.LIGHT_READ_HEIGHT`` px tall (48; CRAFT's pipeline 64) and leaves boxes under
``engine.LIGHT_MIN_BOX_HEIGHT`` px (10) unread, both for speed. Each variant reads the main
bench's images (its first N of each set) and the bench scores `textcodec` at quality 0 with
that side stream, as its rows are made (`textcodec bench`, the original's reading in CRAFT's
boxes as the reference): default (as shipped), read64 (crops read at 64 px), floor0 (no
floor), craft (EasyOCR's pipeline with CRAFT, the main bench's side streams until session
45), both (each box read at 48 and at 64 px, the more confident reading kept; not run by
default: docs/bench/light-reading-s46-both.json was made with --variants both), union (the
light pipeline's and CRAFT's readings together: of two boxes that overlap, the more confident
reading; not run by default either: docs/bench/light-reading-s46-union.json). Each variant's
run is kept under --work.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from textcodec.bench import runner
from textcodec.ocr import engine

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("default", "read64", "floor0", "craft", "both", "union")
SHIPPED_RECOGNIZE = engine.recognize_batched
SHIPPED_HEIGHT, SHIPPED_FLOOR = engine.LIGHT_READ_HEIGHT, engine.LIGHT_MIN_BOX_HEIGHT
TALL = 64    # the read64 and both variants' crop height: CRAFT's pipeline's (EasyOCR's)


def _both_heights(reader, grey, horizontal, free, **kw):
    """recognize_batched at the light pipeline's height and at TALL, the more confident
    reading of each box kept (the same boxes in the same order either way)."""
    kw.pop("height", None)
    low = SHIPPED_RECOGNIZE(reader, grey, horizontal, free, height=SHIPPED_HEIGHT, **kw)
    high = SHIPPED_RECOGNIZE(reader, grey, horizontal, free, height=TALL, **kw)
    return [a if a[2] >= b[2] else b for a, b in zip(low, high)]


def _overlap(a, b) -> float:
    """Intersection over the smaller of two words' axis-aligned boxes."""
    ax0, ay0, ax1, ay1 = a.axis_aligned_box()
    bx0, by0, bx1, by1 = b.axis_aligned_box()
    w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1e-6, min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0)))


class UnionEngine:
    """Both pipelines' readings: every word of each whose box overlaps (half of the smaller)
    no more confident word of the other."""

    def read(self, image):
        light = engine.get_engine("easyocr-light").read(image)
        craft = engine.get_engine("easyocr-float").read(image)
        kept = [w for w in light
                if not any(_overlap(w, c) > 0.5 and c.confidence > w.confidence for c in craft)]
        kept += [c for c in craft
                 if not any(_overlap(c, w) > 0.5 and w.confidence >= c.confidence
                            for w in light)]
        return kept


def configure(variant: str) -> str:
    """Set the light pipeline's knobs for ``variant``; the side engine's name."""
    if variant not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
    engine.get_engine.cache_clear()    # the engines read their knobs when they are built
    engine.LIGHT_READ_HEIGHT = TALL if variant == "read64" else SHIPPED_HEIGHT
    engine.LIGHT_MIN_BOX_HEIGHT = 0.0 if variant == "floor0" else SHIPPED_FLOOR
    engine.recognize_batched = _both_heights if variant == "both" else SHIPPED_RECOGNIZE
    if variant == "union":
        engine.ENGINES["study-union"] = UnionEngine
        return "study-union"
    return "easyocr-float" if variant == "craft" else "easyocr-light"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default="gimp:12,qt:12,web:3,funsd:2,synthetic:3")
    p.add_argument("--variants", default=",".join(VARIANTS[:-2]))
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "light-reading")
    p.add_argument("--out", type=Path,
                   default=ROOT / "docs" / "bench" / "light-reading-s46.json")
    args = p.parse_args()
    summary: dict[str, dict] = {}
    for spec in args.sets.split(","):
        name, _, n = spec.partition(":")
        for variant in args.variants.split(","):
            side = configure(variant)
            work = args.work / f"{name}-{variant}"
            shutil.rmtree(work, ignore_errors=True)
            results = runner.run(name, ["textcodec"], work, points=1, limit=int(n or 3),
                                 progress=False, side_ocr=side)
            rows = [json.loads(line) for line in results.open()]
            chars = sum(r["chars"] for r in rows)
            gt_chars = sum(r.get("gt_chars") or 0 for r in rows)
            cell = {"images": len(rows),
                    "bpp": sum(r["bpp"] for r in rows) / len(rows),
                    "cer": sum(r["char_edits"] for r in rows) / max(1, chars),
                    "gt_cer": (sum(r["gt_char_edits"] for r in rows) / gt_chars
                               if gt_chars else None),
                    "encode_s": sum(r["encode_s"] for r in rows)}
            summary.setdefault(name, {})[variant] = cell
            gt = f", by the ground truth {cell['gt_cer']:.4f}" if gt_chars else ""
            print(f"{name} {variant}: {cell['bpp']:.4f} bpp, CER {cell['cer']:.4f}{gt}",
                  flush=True)
    engine.LIGHT_READ_HEIGHT, engine.LIGHT_MIN_BOX_HEIGHT = SHIPPED_HEIGHT, SHIPPED_FLOOR
    engine.recognize_batched = SHIPPED_RECOGNIZE
    engine.get_engine.cache_clear()
    write_study(args.out, args, summary=summary)


if __name__ == "__main__":
    main()
