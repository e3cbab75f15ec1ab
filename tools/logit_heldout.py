"""The text losses' own terms on held-out forms: does a checkpoint trained on a loss lower it?

For each checkpoint, codes the held-out FUNSD forms (those compare_checkpoints.py reads) at one
quality and, over every ground-truth word box, computes with the frozen english_g2 recognizer
through the training crop pipeline (``crop_words``): the text logit loss's mean squared logit
difference (the paper's) and its KL form (each box's term as ``text_logit_loss`` computes
it, the crops of a group of 16 sharing the widest one's width as in training), and the CER of
a greedy reading of the decoded crops (and of the originals', for scale).

    python tools/logit_heldout.py NAME=CHECKPOINT... [--images 8] [--quality 4] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GROUP = 16     # crops per recognizer call (they share the widest crop's width, as in training)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("checkpoints", nargs="+", help="NAME=PATH")
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--quality", type=float, default=4.0)
    p.add_argument("--funsd", type=Path, default=ROOT.parent / "shared" / "data" / "funsd_train")
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    from textcodec.bench.metrics import corpus_error
    from textcodec.checkpoint import load_release
    from textcodec.losses import logit_distances
    from textcodec.nets.hyperprior import pad_to_multiple
    from textcodec.ocr.recognizer import TextRecognizer, crop_words, greedy_decode
    from textcodec.train.data import funsd_split, load_funsd_words

    torch.set_grad_enabled(False)
    recognizer = TextRecognizer()
    _, held = funsd_split(args.funsd)
    held = held[:args.images]
    results = []
    for spec in args.checkpoints:
        name, path = spec.split("=", 1)
        model, _ = load_release(Path(path))
        q = args.quality
        mse, kl, decoded, original = [], [], [], []
        for img_path in held:
            img = np.asarray(Image.open(img_path).convert("RGB"))
            words = [w for w in load_funsd_words(img_path) if w.height >= 6]
            x = pad_to_multiple(torch.from_numpy(img.copy()).permute(2, 0, 1)[None].float() / 255)
            strings = model.compress_latent(model.analysis(x), q)
            y_hat = model.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
            x_hat = (model.synthesis(y_hat, q).clamp(0, 1) * 255).round() / 255
            boxes = torch.tensor([[0, *w.axis_aligned_box()] for w in words], dtype=torch.float32)
            texts = [w.text for w in words]
            for s in range(0, len(words), GROUP):
                b, t = boxes[s:s + GROUP], texts[s:s + GROUP]
                v, v_hat = recognizer(crop_words(x, b)), recognizer(crop_words(x_hat, b))
                mse += logit_distances(v, v_hat, "mse").tolist()
                kl += logit_distances(v, v_hat, "kl").tolist()
                decoded += list(zip(t, greedy_decode(v_hat)))
                original += list(zip(t, greedy_decode(v)))
        r = {"model": name, "quality": q, "words": len(mse),
             "logit_mse": float(np.mean(mse)), "logit_mse_median": float(np.median(mse)),
             "logit_kl": float(np.mean(kl)), "cer_crops": corpus_error(decoded),
             "cer_crops_original": corpus_error(original)}
        results.append(r)
        print(json.dumps(r), flush=True)
        if args.out:   # after each checkpoint, so a long run keeps what it has measured
            args.out.write_text(json.dumps(results, indent=1))
    if args.out:
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
