"""How well each text loss stands for reading, with no codec in the way.

Blurs training crops (a 5x5 box filter), then moves the blurred pixels by Adam to minimise
one loss at a time on the small-glyph word boxes, and reads the crops with the same frozen
english_g2 recognizer at each checkpoint of the descent:

- ``mse``: the text logit loss as Lai et al. 2024 define it, mean squared difference of all
  97 logits of every frame, against the original's;
- ``kl``:  KL divergence of the original's per-frame class distribution to the blurred one's
  (``--logit-distance kl``);
- ``ctc``: the OCR loss (TFIC), CTC against the ground-truth text.

A loss that is a good stand-in for reading brings CER down as it falls. (The recognizer being
optimised against is the one that reads, so the CERs flatter every loss alike: compare them
with each other, not with a codec's.)

    python tools/logit_proxy_study.py [--crops 32] [--steps 40] [--out docs/bench/logit-proxy.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pack", type=Path, default=ROOT / ".pack-lean",
                   help="training pack (docs/training.md); its fonts and FUNSD pages")
    p.add_argument("--samples", type=int, default=24, help="256x256 training crops drawn")
    p.add_argument("--crops", type=int, default=32, help="small-glyph word boxes used")
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--every", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "logit-proxy.json")
    args = p.parse_args()

    from textcodec.bench.metrics import corpus_error
    from textcodec.losses import ocr_ctc_loss, text_logit_loss
    from textcodec.ocr.recognizer import TextRecognizer, crop_words, greedy_decode
    from textcodec.train.data import MixedDataset, collate
    from textcodec.train.loop import small_glyph_boxes

    torch.manual_seed(0)
    data = MixedDataset(args.pack if args.pack.is_dir() else None, seed=args.seed)
    x, boxes, texts = collate(list(itertools.islice(iter(data), args.samples)))
    recognizer = TextRecognizer()
    pool = small_glyph_boxes(boxes, texts, 150)[:args.crops]
    b, t = boxes[pool], [texts[i] for i in pool.tolist()]
    blurred = F.conv2d(F.pad(x, (2, 2, 2, 2), mode="replicate"),
                       torch.full((3, 1, 5, 5), 1 / 25), groups=3)

    losses = {"mse": lambda img: text_logit_loss(recognizer, x, img, b),
              "kl": lambda img: text_logit_loss(recognizer, x, img, b, distance="kl"),
              "ctc": lambda img: ocr_ctc_loss(recognizer, img, b, t)}

    def measure(img: torch.Tensor) -> dict:
        with torch.no_grad():
            read = greedy_decode(recognizer(crop_words(img, b)))
            return {"cer": corpus_error(list(zip(t, read))),
                    "logit_mse": float(text_logit_loss(recognizer, x, img, b)),
                    "logit_kl": float(text_logit_loss(recognizer, x, img, b, distance="kl")),
                    "pixel_mse": float(((img - x) ** 2).mean())}

    with torch.no_grad():
        original = corpus_error(list(zip(t, greedy_decode(recognizer(crop_words(x, b))))))
    result = {"args": {k: str(v) for k, v in vars(args).items()}, "crops": len(t),
              "cer_original": original, "runs": {}}
    print(f"{len(t)} small-glyph crops; CER of the originals {original:.3f}", flush=True)
    for name, loss_fn in losses.items():
        pixels = blurred.clone().requires_grad_(True)
        opt = torch.optim.Adam([pixels], lr=args.lr)
        trace = []
        for step in range(args.steps + 1):
            if step % args.every == 0:
                row = {"step": step, **measure(pixels.detach().clamp(0, 1))}
                trace.append(row)
                print(name, json.dumps(row), flush=True)
            if step == args.steps:
                break
            loss = loss_fn(pixels.clamp(0, 1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        result["runs"][name] = trace
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
