"""Measures the activation ranges for textcodec's int8 OCR and stores them in the package.

    python tools/calibrate_ocr_int8.py        (writes textcodec/data/ocr-int8.pt)

Calibration images are training images only: the first FUNSD forms (the benchmarks hold out
the last 30) and synthetic screenshots from seeds the benchmarks do not use. CRAFT sees each
whole page as EasyOCR feeds it; the recognizer's feature extractor sees every crop the fast
path reads on those pages. The file holds the observers' state (histograms), not weights.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from textcodec.ocr import int8
from textcodec.ocr.engine import EasyOcrEngine, recognize_batched
from textcodec.train.synth import ScreenSynth

ROOT = Path(__file__).resolve().parent.parent


def pages(funsd: Path, n_forms: int, n_screens: int) -> list[np.ndarray]:
    forms = sorted((funsd / "images").glob("*.png"))[:n_forms]
    out = [np.array(Image.open(p).convert("RGB")) for p in forms]
    synth = ScreenSynth()
    out += [synth.tile(random.Random(70_000 + i), 1280, 720).image for i in range(n_screens)]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--funsd", type=Path, default=ROOT.parent / "shared" / "data" / "funsd_train")
    p.add_argument("--forms", type=int, default=4)
    p.add_argument("--screens", type=int, default=3)
    p.add_argument("--out", type=Path, default=int8.STATS)
    args = p.parse_args()
    from easyocr.utils import reformat_input

    engine = EasyOcrEngine(gpu=False, fast=True, int8=False)
    reader = engine._reader
    craft, recognizer = reader.detector.net, reader.recognizer.net
    craft_in, rec_in = [], []
    hooks = [craft.register_forward_pre_hook(lambda m, a: craft_in.append(a[0].float().clone())),
             recognizer.FeatureExtraction.register_forward_pre_hook(
                 lambda m, a: rec_in.append(a[0].float().clone()))]
    for image in pages(args.funsd, args.forms, args.screens):
        colour, grey = reformat_input(image)
        horizontal, free = reader.detect(colour, reformat=False)
        recognize_batched(reader, grey, horizontal[0], free[0])
    for h in hooks:
        h.remove()
    craft_in = [x.contiguous() for x in craft_in]
    rec_in = [x.contiguous() for x in rec_in]
    print(f"calibrating on {len(craft_in)} pages, {sum(len(x) for x in rec_in)} crops")
    stats = {"craft": int8.calibrate(craft, craft_in, torch.zeros(int8.CRAFT_EXAMPLE)),
             "recognizer": int8.calibrate(recognizer.FeatureExtraction, rec_in,
                                          torch.zeros(int8.RECOGNIZER_EXAMPLE))}
    torch.save(stats, args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
