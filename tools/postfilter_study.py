"""Study: can full-resolution layers after the synthesis draw the edges it misses? (session 33)

    python tools/postfilter_study.py [--model textcodec-base-v18] [--quality 10 | 4,6,8,10] \
        [--channels 32] [--layers 4] [--steps 1500] [--images 120] [--seed 0] \
        [--eval gimp,qt]

The codec's transforms set its ceiling on screens (tools/latent_precision_study.py): its
synthesis works from a latent at 1/16 of the resolution, and one-pixel strokes are where the
error lies (tools/edge_error_study.py). This trains, on this CPU, a small residual network at
full resolution after the decoder: a 3x3 convolution to --channels, --layers more with ReLU,
a 3x3 convolution back to RGB (zero-initialised, so it starts as the identity) added to the
decode. Training pairs: up to --images of GIMP's UI screenshots (the folders the training
mix reads, not the bench's dialogs/), coded at --quality (the latent rounded as the codec
rounds it; with several qualities, the images take them in turn: one network for all),
random 96-px crops, batch 16, Adam 1e-3 then 2e-4 from 70 % of the steps, MSE.
Then the images of each --eval set of the bench (gimp: its 12 dialogs; qt: 12 screenshots of a
toolkit no training image shows) are coded with the real codec at each --quality and decoded
with and without the network. Prints PSNR per image and the means. A study: nothing
ships, no file is written.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import torch
    from PIL import Image

    from textcodec import codec
    from textcodec.bench import datasets
    from latent_precision_study import gained_latent
    from textcodec.train.data import ui_screenshots

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="textcodec-base-v18")
    p.add_argument("--quality", default="10", help="a quality, or a comma list of them")
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--half", action="store_true",
                   help="the codec's refinement stage instead (textcodec.nets.refine: the same "
                        "convolutions on 2x2-unshuffled pixels at half resolution)")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--images", type=int, default=120)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval", default="gimp", help="comma list of bench sets to measure on")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    net = codec.load_model(args.model).model
    files = ui_screenshots()
    random.Random(args.seed).shuffle(files)
    qualities = [float(q) for q in args.quality.split(",")]
    pairs = []
    with torch.no_grad():
        for path in files:
            q = qualities[len(pairs) % len(qualities)]
            image = np.asarray(Image.open(path).convert("RGB"))
            h, w = image.shape[:2]
            if min(h, w) < 96 or h * w > 600 * 800:
                continue
            x = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255
            y, means = gained_latent(net, x, q)
            x_hat = net.synthesis(torch.round(y - means) + means, q)
            pairs.append((x[0], x_hat[0, :, :h, :w].clamp(0, 1).mul(255).round() / 255))
            if len(pairs) == args.images:
                break
    if args.half:
        from textcodec.nets.refine import Refiner

        refiner = Refiner(args.channels, args.layers)

        def residual(x):   # the stage adds its correction itself
            return refiner(x, 0) - x
        parameters = list(refiner.parameters())
    else:
        layers = [torch.nn.Conv2d(3, args.channels, 3, padding=1), torch.nn.ReLU()]
        for _ in range(args.layers):
            layers += [torch.nn.Conv2d(args.channels, args.channels, 3, padding=1),
                       torch.nn.ReLU()]
        layers.append(torch.nn.Conv2d(args.channels, 3, 3, padding=1))
        torch.nn.init.zeros_(layers[-1].weight)
        torch.nn.init.zeros_(layers[-1].bias)
        residual = torch.nn.Sequential(*layers)
        parameters = list(residual.parameters())
    opt = torch.optim.Adam(parameters, 1e-3)
    rng, size = random.Random(args.seed), 96
    start = time.time()
    for step in range(args.steps):
        crops = []
        for _ in range(16):
            x, x_hat = rng.choice(pairs)
            i = rng.randrange(x.shape[1] - size + 1)
            j = rng.randrange(x.shape[2] - size + 1)
            crops.append((x[:, i:i + size, j:j + size], x_hat[:, i:i + size, j:j + size]))
        x = torch.stack([c[0] for c in crops])
        x_hat = torch.stack([c[1] for c in crops])
        loss = ((x_hat + residual(x_hat) - x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step == int(0.7 * args.steps):
            for group in opt.param_groups:
                group["lr"] = 2e-4
        if step % 250 == 0:
            print(f"step {step} ({time.time() - start:.0f} s): loss {loss.item():.6f}",
                  flush=True)
    weights = sum(t.numel() for t in parameters)
    print(f"{len(pairs)} training images, {weights} weights, {time.time() - start:.0f} s")
    for name, q in [(n, q) for q in qualities for n in args.eval.split(",")]:
        # one quality: lines as "SET ID: ...", several: "SET qQ ID: ..."
        label = name if len(qualities) == 1 else f"{name} q{q:g}"
        before, after = [], []
        for item in datasets.load(name, 12):
            data = codec.encode(item.image, quality=q, model=args.model, ocr=False)
            rec, _ = codec.decode_array(data, model=args.model, fusion="off")
            with torch.no_grad():
                t = torch.from_numpy(rec.copy()).permute(2, 0, 1)[None].float() / 255
                out = (t + residual(t)).clamp(0, 1)[0].permute(1, 2, 0).numpy() * 255
            x = item.image.astype(np.float64)
            before.append(10 * np.log10(255 ** 2 / ((rec - x) ** 2).mean()))
            after.append(10 * np.log10(255 ** 2 / ((out.round() - x) ** 2).mean()))
            print(f"{label} {item.id}: {before[-1]:.2f} -> {after[-1]:.2f} dB", flush=True)
        print(f"{label}: mean over {len(before)} images: {np.mean(before):.2f} -> "
              f"{np.mean(after):.2f} dB ({np.mean(after) - np.mean(before):+.2f})")

if __name__ == "__main__":
    main()
