"""The recognizer's greedy decoding on a real page: EasyOCR's crop-by-crop ``decode_greedy``
against ``decode_best_paths`` (one batch at once), on the best paths of the encoder's own OCR.

    python tools/time_decode_paths.py [--image PNG] [--repeat 15] [--out docs/bench/decode-paths-cpu.json]

Reads the page once with the default engine, keeps every recognizer call's best paths, then
times both decodings over all of them (medians) and checks that they give the same texts and
confidences. Runs wherever the engine runs (CPU, or the device machine's GPU).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import SAMPLE, timed  # noqa: E402  (medians after a warm-up)


def crop_by_crop(converter, top, best, frames) -> list[tuple[str, float]]:
    """What read_greedy did before session 17: EasyOCR's decode_greedy, one crop at a time."""
    out = []
    for crop_top, crop_best, n in zip(top, best, frames):
        path = crop_best[:n]
        text = converter.decode_greedy(path, [len(path)])[0]
        kept = crop_top[:n][path != 0]
        if len(kept) == 0:
            kept = np.zeros(1)
        out.append((text, float(kept.prod() ** (2.0 / np.sqrt(len(kept))))))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--image", type=Path, default=SAMPLE)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    import torch

    import textcodec.ocr.engine as engine

    calls = []
    batched = engine.decode_best_paths

    def keep(converter, top, best, frames):
        calls.append((converter, top.copy(), best.copy(), list(frames)))
        return batched(converter, top, best, frames)

    engine.decode_best_paths = keep
    try:
        engine.EasyOcrEngine().read(np.asarray(Image.open(args.image).convert("RGB")))
    finally:
        engine.decode_best_paths = batched
    same = all(crop_by_crop(*c) == batched(*c) for c in calls)
    res = {"device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
           "image": args.image.name, "calls": len(calls),
           "crops": sum(len(c[3]) for c in calls), "same_texts_and_confidences": same}
    for name, fn in (("crop_by_crop_s", crop_by_crop), ("batched_s", batched)):
        res[name] = timed(lambda fn=fn: [fn(*c) for c in calls], args.repeat, lambda: None)
    print(json.dumps(res, indent=1))
    if args.out:
        args.out.write_text(json.dumps(res, indent=1) + "\n")
    if not same:
        raise SystemExit("the batched decoding differs from EasyOCR's")


if __name__ == "__main__":
    main()
