"""Held-out comparison of checkpoints on FUNSD ground truth (no OCR detection needed).

    python tools/compare_checkpoints.py --images 8 base=models/textcodec-base-v1.pt \
        logit=models/textcodec-text-v1.pt ocr=runs/ocr/textcodec-ocr.pt

For each checkpoint and quality: real entropy-coded files (bpp counts the latent streams and
a 40-byte allowance for the container), PSNR, and the corpus CER of the english_g2 recognizer
reading the annotated word boxes of held-out FUNSD forms (never used in training); --skip K
takes the next forms after the first K.

    python tools/compare_checkpoints.py --photos ../shared/data/kodak --qualities 2,4,6,8 ...

codes a folder of photos instead (every image in it, PSNR only: no text to read).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from textcodec.bench.metrics import corpus_error, psnr
from textcodec.bench.textscore import Reader
from textcodec.checkpoint import load_release
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.train.data import funsd_split, load_funsd_words

CONTAINER_BYTES = 40


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("checkpoints", nargs="+", help="NAME=PATH")
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--skip", type=int, default=0,
                   help="start after this many held-out forms (a second, disjoint sample)")
    p.add_argument("--qualities", default="1,3,5")
    p.add_argument("--funsd", type=Path, default=Path("../shared/data/funsd_train"))
    p.add_argument("--photos", type=Path, help="a folder of photos to code instead (PSNR only)")
    args = p.parse_args()
    if args.photos:
        held = sorted(f for f in args.photos.iterdir()
                      if f.suffix.lower() in (".png", ".jpg", ".jpeg"))
        reader = None
    else:
        _, held = funsd_split(args.funsd)
        held = held[args.skip:args.skip + args.images]
        reader = Reader()
    results = []
    for spec in args.checkpoints:
        name, path = spec.split("=", 1)
        model, _ = load_release(Path(path))
        for q in (float(v) for v in args.qualities.split(",")):
            bits = pixels = 0
            pairs, psnrs = [], []
            for img_path in held:
                img = np.asarray(Image.open(img_path).convert("RGB"))
                words = [] if reader is None else [w for w in load_funsd_words(img_path)
                                                   if w.height >= 6]
                x = pad_to_multiple(torch.from_numpy(img.copy()).permute(2, 0, 1)[None]
                                    .float() / 255)
                with torch.no_grad():
                    strings = model.compress_latent(model.analysis(x), q)
                    y_hat = model.decompress_latent(strings, (x.shape[-2] // 64,
                                                              x.shape[-1] // 64), q)
                    x_hat = model.synthesis(y_hat, q)[..., :img.shape[0], :img.shape[1]]
                rec = (x_hat[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round()
                rec = rec.astype(np.uint8)
                bits += 8 * (sum(map(len, strings)) + CONTAINER_BYTES)
                pixels += img.shape[0] * img.shape[1]
                psnrs.append(psnr(img, rec))
                if reader is not None:
                    boxes = [w.axis_aligned_box() for w in words]
                    pairs += list(zip([w.text for w in words], reader.read(rec, boxes)))
            r = {"model": name, "quality": q, "bpp": bits / pixels,
                 "psnr": float(np.mean(psnrs))}
            if reader is not None:
                r["cer"] = corpus_error(pairs)
            results.append(r)
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
