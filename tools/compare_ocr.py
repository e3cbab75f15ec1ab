"""EasyOCR's own pipeline against textcodec's fast path, on held-out FUNSD forms.

    python tools/compare_ocr.py --images 8        (writes docs/bench/ocr-fastpath.json)

Engines: EasyOCR's readtext, the fast path as the encoder runs it (bfloat16 where native) and
the fast path with int8 convolutions (TEXTCODEC_OCR_INT8=1), and that with the crops read in
width buckets (``buckets=True``); on request (``--engines``) the float path with its width
buckets merged as a GPU may merge them (``fast-merged``, ``merge_widths``). For each: the
corpus CER of its readings against the ground-truth words whose centres fall in each of its boxes, the share
of ground-truth words some box covers (recall), and the seconds it took. Same images, same
weights; only the way they run differs.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from textcodec.bench.metrics import levenshtein
from textcodec.ocr.engine import GPU_CALL_COST, EasyOcrEngine, filter_words

ROOT = Path(__file__).resolve().parent.parent


def _inside(truth: list[dict], box) -> list[dict]:
    x0, y0, x1, y1 = box
    return [g for g in truth if x0 <= (g["box"][0] + g["box"][2]) / 2 <= x1
            and y0 <= (g["box"][1] + g["box"][3]) / 2 <= y1]


def _funsd_pages(folder: Path, n: int):
    """The last n FUNSD training forms (held out of training), with their annotated words."""
    for path in sorted((folder / "images").glob("*.png"))[-n:]:
        notes = json.loads((folder / "annotations" / f"{path.stem}.json").read_text())
        truth = [w for f in notes["form"] for w in f["words"] if w["text"].strip()]
        yield path.stem, np.array(Image.open(path).convert("RGB")), truth


def _synthetic_pages(n: int):
    """n held-out synthetic screenshots, their generator's words in FUNSD's form."""
    from textcodec.bench.datasets import synthetic

    for item in synthetic(limit=n):
        truth = [{"text": w.text, "box": list(w.axis_aligned_box())} for w in item.truth]
        yield item.id, item.image, truth


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--funsd", type=Path, default=ROOT.parent / "shared" / "data" / "funsd_train")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "ocr-fastpath.json")
    p.add_argument("--synthetic", type=int, default=0, metavar="N",
                   help="read N held-out synthetic screenshots (textcodec.bench.datasets, "
                        "ground truth from the generator) instead of the FUNSD forms")
    p.add_argument("--engines", help="comma list of the engines to compare (default: "
                   "easyocr,fast,fast-int8,fast-int8-buckets)")
    args = p.parse_args()
    pages = (_synthetic_pages(args.synthetic) if args.synthetic
             else _funsd_pages(args.funsd, args.images))
    known = {"easyocr": lambda: EasyOcrEngine(gpu=False, fast=False),
             "fast": lambda: EasyOcrEngine(gpu=False, fast=True, int8=False),
             "fast-int8": lambda: EasyOcrEngine(gpu=False, fast=True, int8=True),
             "fast-int8-buckets": lambda: EasyOcrEngine(gpu=False, fast=True, int8=True,
                                                        buckets=True),
             # "fast" (float weights, width buckets) with the buckets merged as on a GPU
             "fast-merged": lambda: EasyOcrEngine(gpu=False, fast=True, int8=False,
                                                  merge=GPU_CALL_COST),
             # the int8 recognizer on the boxes of the detector distilled from CRAFT
             "student-int8": lambda: EasyOcrEngine(gpu=False, fast=True, int8=True,
                                                   detector="student")}
    names = (args.engines or "easyocr,fast,fast-int8,fast-int8-buckets").split(",")
    unknown = [n for n in names if n not in known]
    if unknown:
        p.error(f"unknown engine(s) {unknown}: choose from {sorted(known)}")
    engines = {n: known[n]() for n in names}
    totals = {k: {"edits": 0, "chars": 0, "covered": 0, "words": 0, "seconds": 0.0,
                  "readings": 0, "kept_edits": 0, "kept_chars": 0, "kept": 0, "tokens": 0,
                  "tokens_right": 0} for k in engines}
    names = []
    for name, img, truth in pages:
        names.append(name)
        for name, engine in engines.items():
            t = time.perf_counter()
            words = engine.read(img)
            s = totals[name]
            s["seconds"] += time.perf_counter() - t
            s["readings"] += len(words)
            covered = set()
            for w in words:
                hits = sorted(_inside(truth, w.axis_aligned_box()), key=lambda g: g["box"][0])
                covered |= {id(g) for g in hits}
                ref = " ".join(g["text"] for g in hits)
                s["edits"] += levenshtein(ref, w.text)
                s["chars"] += len(ref)
            # the words the side stream would carry (filter_words), read the same way
            for w in filter_words(words):
                refs = _inside(truth, w.axis_aligned_box())
                ref = " ".join(g["text"] for g in refs)
                s["kept_edits"] += levenshtein(ref, w.text)
                s["kept_chars"] += len(ref)
                s["kept"] += 1
                # a token is right where one of the true words in its box is that token
                tokens, true = w.text.split(), {g["text"] for g in refs}
                s["tokens"] += len(tokens)
                s["tokens_right"] += sum(t in true for t in tokens)
            s["covered"] += len(covered)
            s["words"] += len(truth)
        print(name, {k: round(v["edits"] / max(v["chars"], 1), 4) for k, v in totals.items()},
              flush=True)
    result = {"images": names,
              **{k: {"cer": v["edits"] / max(v["chars"], 1), "recall": v["covered"] / v["words"],
                     "seconds": v["seconds"], "readings": v["readings"],
                     "side_stream_words": v["kept"],
                     "side_stream_cer": v["kept_edits"] / max(v["kept_chars"], 1),
                     "side_stream_tokens": v["tokens"],
                     "side_stream_token_precision": v["tokens_right"] / max(v["tokens"], 1)}
                 for k, v in totals.items()}}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
