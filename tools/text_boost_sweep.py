"""Text regions at a higher quality: rate vs CER and PSNR on held-out FUNSD forms.

    python tools/text_boost_sweep.py --images 8 --qualities 3,4,5,6,7 --boosts 0,1,2 \
        --model models/textcodec-text-v6.pt > runs/boost.jsonl

Each form is read by the encoder's OCR (EasyOCR, the side-stream filter); the latent cells
under the kept words are coded at quality q + boost, the rest at q (textcodec.region). bpp
counts the latent streams, the side stream and a 40-byte container allowance, so every row
pays for the same side stream; CER is the english_g2 recognizer on the ground-truth word
boxes (as tools/compare_checkpoints.py), decoded without the fusion block. Rows carry
"model": "boostB" for tools/bd_summary.py; psnr_text / psnr_rest split the error by the
boosted cells.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from textcodec import sidestream
from textcodec.bench.metrics import corpus_error, psnr
from textcodec.bench.textscore import Reader
from textcodec.checkpoint import load_release
from textcodec.container import SideCodec
from textcodec.nets.hyperprior import Region, pad_to_multiple
from textcodec.ocr.engine import filter_words, get_engine
from textcodec.train.data import funsd_split, load_funsd_words
from textcodec.words import Word

CONTAINER_BYTES = 40
CELL = 16          # pixels per latent cell (g_a downsamples by 16)


def text_cells(words: list[Word], height: int, width: int, grow: int = 0) -> np.ndarray:
    """Bool (rows, cols) on the latent grid of the padded image: the cells that a word's
    axis-aligned box touches, grown by ``grow`` cells on each side."""
    rows, cols = (math.ceil(height / 64) * 4, math.ceil(width / 64) * 4)
    cells = np.zeros((rows, cols), dtype=bool)
    for w in words:
        x0, y0, x1, y1 = w.axis_aligned_box()
        c0, r0 = max(0, math.floor(x0 / CELL) - grow), max(0, math.floor(y0 / CELL) - grow)
        c1 = min(cols - 1, math.floor(max(x0, x1 - 1e-6) / CELL) + grow)
        r1 = min(rows - 1, math.floor(max(y0, y1 - 1e-6) / CELL) + grow)
        if c0 <= c1 and r0 <= r1:
            cells[r0:r1 + 1, c0:c1 + 1] = True
    return cells


def masked_psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    if not mask.any():
        return float("nan")
    err = (a.astype(np.float64) - b.astype(np.float64))[mask]
    mse = float(np.mean(err ** 2))
    return 10 * np.log10(255 ** 2 / max(mse, 1e-10))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--skip", type=int, default=0)
    p.add_argument("--qualities", default="3,4,5,6,7")
    p.add_argument("--boosts", default="0,1,2")
    p.add_argument("--grow", type=int, default=0, help="grow the text cells by this many")
    p.add_argument("--model", default="models/textcodec-text-v6.pt")
    p.add_argument("--funsd", type=Path, default=Path("../shared/data/funsd_train"))
    args = p.parse_args()
    _, held = funsd_split(args.funsd)
    held = held[args.skip:args.skip + args.images]
    model, _ = load_release(Path(args.model))
    top = model.num_rates - 1
    engine, reader = get_engine("easyocr"), Reader()
    pages = []
    for img_path in held:
        img = np.asarray(Image.open(img_path).convert("RGB"))
        side = sidestream.compress(filter_words(engine.read(img)), SideCodec.ZSTD)
        sent = sidestream.decompress(side)          # the words as the decoder sees them
        cells = text_cells(sent, *img.shape[:2], grow=args.grow)
        gt = [w for w in load_funsd_words(img_path) if w.height >= 6]
        x = pad_to_multiple(torch.from_numpy(img.copy()).permute(2, 0, 1)[None].float() / 255)
        with torch.no_grad():
            y = model.analysis(x)
        pixel_mask = np.kron(cells, np.ones((CELL, CELL), bool))[:img.shape[0], :img.shape[1]]
        # the section as written: a codec byte and a varint size come with the payload
        pages.append((img, len(side.payload) + 4, cells, gt, x, y, pixel_mask))
    for b in (float(v) for v in args.boosts.split(",")):
        for q in (float(v) for v in args.qualities.split(",")):
            bits = pixels = 0
            pairs, psnrs, pt, pr, share = [], [], [], [], []
            for img, side_len, cells, gt, x, y, pixel_mask in pages:
                region = (Region(torch.from_numpy(cells), min(q + b, top))
                          if b > 0 and cells.any() else None)
                with torch.no_grad():
                    strings = model.compress_latent(y, q, region=region)
                    y_hat = model.decompress_latent(strings, (x.shape[-2] // 64,
                                                              x.shape[-1] // 64), q)
                    x_hat = model.synthesis(y_hat, q, region)[..., :img.shape[0], :img.shape[1]]
                rec = (x_hat[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round()
                rec = rec.astype(np.uint8)
                bits += 8 * (sum(map(len, strings)) + side_len + CONTAINER_BYTES)
                pixels += img.shape[0] * img.shape[1]
                psnrs.append(psnr(img, rec))
                pt.append(masked_psnr(img, rec, pixel_mask))
                pr.append(masked_psnr(img, rec, ~pixel_mask))
                share.append(float(pixel_mask.mean()))
                boxes = [w.axis_aligned_box() for w in gt]
                pairs += list(zip([w.text for w in gt], reader.read(rec, boxes)))
            r = {"model": f"boost{b:g}", "quality": q, "bpp": bits / pixels,
                 "psnr": float(np.mean(psnrs)), "cer": corpus_error(pairs),
                 "psnr_text": float(np.nanmean(pt)), "psnr_rest": float(np.nanmean(pr)),
                 "text_share": float(np.mean(share)), "grow": args.grow}
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
