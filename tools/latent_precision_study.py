"""Study: is the codec's ceiling on screens its rate or its transforms? (session 33)

    python tools/latent_precision_study.py --dataset gimp --images 4 --quality 10 \
        [--model textcodec-base-v18] [--steps 1,0.5,0.25,0.125,0]

For each image: y = g_a(x), gained at --quality as the encoder gains it, then quantized with
a step of STEP (rounded around the entropy model's means, as the codec rounds: step 1 is the
codec at that quality; 0 keeps y continuous, no quantization at all) and synthesized. The
continuous row is the best any rate could do with these transforms: if it stays near the
quantized rows, the transforms (g_a, g_s) and not the rate set the ceiling. Prints PSNR per
image and step, and the mean. No file is written (no entropy coding; bits are not counted).
"""

from __future__ import annotations

import argparse

import numpy as np


def gained_latent(net, x, quality: float):
    """(y, means): the padded image's latent gained at ``quality`` as the encoder gains it,
    and the entropy model's means for it (from the float h_s; no entropy coding). Rounding
    ``y - means`` and adding the means back is the codec's quantization."""
    from textcodec.nets.hyperprior import pad_to_multiple

    gain, _ = net._gains(quality)
    y = net.g_a(pad_to_multiple(x)) * gain
    z_hat, _ = net.entropy_bottleneck(net.h_a(y), training=False)
    return y, net.h_s(z_hat).chunk(2, 1)[1]


def main() -> None:
    import torch

    from textcodec.bench import datasets
    from textcodec.codec import load_model

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="gimp")
    p.add_argument("--images", type=int, default=4)
    p.add_argument("--quality", type=float, default=10.0)
    p.add_argument("--model", default="textcodec-base-v18")
    p.add_argument("--steps", default="1,0.5,0.25,0.125,0")
    args = p.parse_args()
    steps = [float(s) for s in args.steps.split(",")]
    net = load_model(args.model).model
    psnrs: dict[float, list[float]] = {s: [] for s in steps}
    with torch.no_grad():
        for item in datasets.load(args.dataset, args.images):
            x = torch.from_numpy(item.image.copy()).permute(2, 0, 1)[None].float() / 255
            h, w = x.shape[-2:]
            y, means = gained_latent(net, x, args.quality)
            cells = []
            for step in steps:
                y_hat = y if step == 0 else torch.round((y - means) / step) * step + means
                x_hat = net.synthesis(y_hat, args.quality)[..., :h, :w].clamp(0, 1)
                rec = (x_hat * 255).round()
                mse = float(((rec - x * 255) ** 2).mean())
                psnrs[step].append(10 * np.log10(255 ** 2 / mse))
                cells.append(f"step {step:g}: {psnrs[step][-1]:.2f} dB")
            print(item.id, "; ".join(cells), flush=True)
    print("mean", "; ".join(f"step {s:g}: {np.mean(v):.2f} dB" for s, v in psnrs.items()))


if __name__ == "__main__":
    main()
