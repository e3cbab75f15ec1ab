"""How strongly should the decoder paint a fitted word? Four rules, on the same files.

    python tools/strength_study.py [--dataset funsd] [--skip 4] [--images 4]
                                   [--qualities 2,4,5,6,8] [--out docs/bench/strengths-funsd.json]

Each image's side stream is made as `textcodec encode` makes it (cross-checked), the file is
encoded without glyphs and decoded (the block on: what the encoder's gate sees), and every
drawable word is fitted (textcodec.glyphs). Over the fitted words, four ways to paint them:

- none: the decode as it is;
- all-or-nothing: full strength where that lowers the word's squared error, else none (the
  rule of session 37);
- least error: the eighth of the way from the decode to the brush that minimises the error;
- greatest that helps: the greatest eighth that still lowers the error (the rule since
  session 38, ``textcodec.glyphs.gate``).

Each is scored by the squared error over the painted regions and by english_g2 reading each
fitted word's box on the result: words read exactly as the side stream has them, and their
mean CER (capped at 1 a word).
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from textcodec import codec, container, crosscheck, glyphs, sidestream
from textcodec.bench import datasets
from textcodec.bench.metrics import cer
from textcodec.bench.textscore import Reader
from textcodec.ocr.engine import default_engine, filter_words, get_engine
from textcodec.words import normalise_token

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
RULES = ("none", "all-or-nothing", "least error", "greatest that helps")


def _strength(under, painted, target, rule: str) -> int:
    before = float(((under - target) ** 2).sum())
    errors = {k: float(((glyphs._blend(under, painted, k) - target) ** 2).sum())
              for k in range(1, glyphs.FULL + 1)}
    if rule == "all-or-nothing":
        return glyphs.FULL if errors[glyphs.FULL] < before else 0
    if rule == "least error":
        k = min(errors, key=errors.get)
        return k if errors[k] < before else 0
    if rule == "greatest that helps":
        return max((k for k, e in errors.items() if e < before), default=0)
    return 0


def main() -> None:
    import torch

    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="funsd")
    p.add_argument("--skip", type=int, default=4)
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--qualities", default="2,4,5,6,8")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    out = args.out or ROOT / "docs" / "bench" / f"strengths-{args.dataset}.json"
    engine, reader = get_engine(default_engine()), Reader()
    items = list(itertools.islice(datasets.load(args.dataset, args.skip + args.images),
                                  args.skip, None))
    sides = [crosscheck.cross_check(it.image, filter_words(engine.read(it.image)))
             for it in items]
    rows = []
    for q in (float(v) for v in args.qualities.split(",")):
        score = {r: {"error": 0.0, "read_right": 0, "cer": 0.0, "painted": 0} for r in RULES}
        words = 0
        for item, side in zip(items, sides):
            data = codec.encode_image(item.image, quality=q, words=side, cross_check="off",
                                      glyphs=False).data
            f = container.read(data)
            with torch.no_grad():
                pre = codec._synthesize(f, "cpu", "auto", None)[0]
            sent = sidestream.decompress(f.text)
            fits = codec._fit_glyphs(item.image, sent)
            target = item.image.astype(np.float32) / 255
            H, W = pre.shape[:2]
            results = {r: pre.copy() for r in RULES}
            boxes, texts = [], []
            for w, fit in zip(sent, fits):
                placed = None if fit is None else glyphs.glyph_map(w, fit, W, H)
                painted = None if placed is None else glyphs._brush(pre, *placed)
                if painted is None:
                    continue
                region = placed[0]
                for r in RULES:
                    under = results[r][region]
                    k = _strength(under, painted, target[region], r)
                    if k:
                        results[r][region] = glyphs._blend(under, painted, k)
                        score[r]["painted"] += 1
                    score[r]["error"] += float(((results[r][region] - target[region]) ** 2).sum())
                boxes.append(w.axis_aligned_box())
                texts.append(w.text)
            words += len(boxes)
            for r in RULES:
                image = (np.clip(results[r], 0, 1) * 255 + 0.5).astype(np.uint8)
                for truth, read in zip(texts, reader.read(image, boxes)):
                    score[r]["read_right"] += normalise_token(truth) == normalise_token(read)
                    score[r]["cer"] += min(1.0, cer(truth.lower(), read.lower()))
        for r in RULES:
            s = score[r]
            row = {"quality": q, "rule": r, "words": words, "painted": s["painted"],
                   "error": round(s["error"], 1), "read_right": s["read_right"],
                   "cer": round(s["cer"] / max(1, words), 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    write_study(out, args, images=[it.id for it in items], rows=rows)


if __name__ == "__main__":
    main()
