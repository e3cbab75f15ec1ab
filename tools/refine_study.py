"""Study: what a refinement stage (textcodec.nets.refine) buys, rate by rate (session 34).

    python tools/refine_study.py --base textcodec-base-v18 --models runs/s34/rf.pt,... \
        [--sets gimp,qt,funsd,kodak] [--images 12] [--qualities 0,2,4,6,8,10] \
        [--out docs/bench/refine-s34.jsonl]

A model trained with ``--stage refine`` or ``--stage decoder`` from --base keeps its encoder
and entropy model, so the files are the base's, byte for byte (tests/train/test_train.py):
each image is coded once per quality by the base (the real codec: entropy-coded, no side
stream) and its latent decoded by every model's synthesis. Same bits, so the PSNR
difference is the whole story. Prints, per set and quality, the mean bpp and each model's
mean PSNR (and the count of images it improves); with --out, one JSON line per set, quality
and model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 10 * np.log10(255 ** 2 / max(mse, 1e-10))


def main() -> None:
    import torch

    from textcodec import codec
    from textcodec.bench import datasets

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", default="textcodec-base-v18")
    p.add_argument("--models", required=True, help="comma list of checkpoints (paths or names)")
    p.add_argument("--sets", default="gimp,qt,funsd,kodak")
    p.add_argument("--images", type=int, default=12)
    p.add_argument("--qualities", default="0,2,4,6,8,10")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    names = [args.base] + args.models.split(",")
    nets = [codec.load_model(n).model for n in names]
    qualities = [float(q) for q in args.qualities.split(",")]
    rows = []
    for set_name in args.sets.split(","):
        items = list(datasets.load(set_name, args.images))
        for q in qualities:
            bpp, scores = [], [[] for _ in nets]
            for item in items:
                data = codec.encode(item.image, quality=q, model=args.base, ocr=False)
                f = codec.read_file(data)
                h, w = f.header.height, f.header.width
                bpp.append(len(data) * 8 / (h * w))
                with torch.no_grad():
                    y_hat = nets[0].decompress_latent(list(f.latent), (-(-h // 64), -(-w // 64)),
                                                      q, f.coder)
                    for net, s in zip(nets, scores):
                        x = net.synthesis(y_hat, q)[0, :, :h, :w].clamp(0, 1)
                        rec = x.mul(255).round().permute(1, 2, 0).numpy()
                        s.append(psnr(rec, item.image))
            line = f"{set_name} q{q:g} ({len(items)} images, {np.mean(bpp):.4f} bpp):"
            for name, s in zip(names, scores):
                better = int(sum(a > b for a, b in zip(s, scores[0])))
                line += f"  {Path(name).stem} {np.mean(s):.2f} dB"
                if s is not scores[0]:
                    line += f" ({np.mean(s) - np.mean(scores[0]):+.2f}, {better} better)"
                rows.append({"set": set_name, "quality": q, "images": len(items),
                             "bpp": round(float(np.mean(bpp)), 5), "model": Path(name).stem,
                             "psnr": round(float(np.mean(s)), 3), "better": better})
            print(line, flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
