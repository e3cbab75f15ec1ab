"""What the study tools share: the one way they write their results (the command's arguments
and the payload, as JSON, to ``out``, its folder made, and a line saying where), and the
held-out pages they read as the encoder does."""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path


def write_study(out: Path, args: argparse.Namespace, **payload) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, **payload},
                              indent=1))
    print(f"wrote {out}")


def confirmed_pages(sets: str, skip: int, images: int):
    """(set, item, words) for ``images`` held-out images of each comma-separated set after
    ``skip``: EasyOCR's reading, filtered as the side stream is and cross-checked by
    Tesseract (each word's ``draw`` flag), as the encoder reads a page."""
    from textcodec.bench import datasets
    from textcodec.crosscheck import cross_check
    from textcodec.ocr.engine import filter_words, get_engine

    easy = get_engine("easyocr")
    for ds in sets.split(","):
        for item in itertools.islice(datasets.load(ds, skip + images), skip, None):
            yield ds, item, cross_check(item.image, filter_words(easy.read(item.image)),
                                        "tesseract")
