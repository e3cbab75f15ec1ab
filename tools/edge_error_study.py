"""Where a decode's squared error lies: flat areas or near edges (session 33).

    python tools/edge_error_study.py --dataset gimp --images 4 \
        base18=textcodec:models/textcodec-base-v18.pt:10 \
        top1=textcodec:runs/s33/textcodec-top1.pt:11 avif=avif:45

Each NAME=CODEC:SETTING codes the set's first images with a codec of `textcodec bench`
(`textcodec:MODEL` codes without a side stream, as the bench does) and decodes them;
a pixel is "flat" when the original's Sobel gradient magnitude (|gx| + |gy| on the grey
image) stays under 1 within 2 px of it, else "edge". Prints per image and codec: bpp, PSNR,
the flat pixels' share, the mean squared error over flat and over edge pixels, and the flat
pixels' share of the total squared error.
"""

from __future__ import annotations

import argparse

import numpy as np


def main() -> None:
    from scipy import ndimage

    from textcodec.bench import datasets
    from textcodec.bench.codecs import get_codec

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("codecs", nargs="+", help="NAME=CODEC:SETTING")
    p.add_argument("--dataset", default="gimp")
    p.add_argument("--images", type=int, default=4)
    args = p.parse_args()
    specs = []
    for spec in args.codecs:
        name, rest = spec.split("=", 1)
        codec, _, setting = rest.rpartition(":")
        specs.append((name, get_codec(codec), float(setting)))
    print("image codec setting bpp psnr flat_px mse_flat mse_edge flat_share_of_error")
    for item in datasets.load(args.dataset, args.images):
        x = item.image.astype(np.float32)
        grey = x.mean(-1)
        grad = np.abs(ndimage.sobel(grey, 0)) + np.abs(ndimage.sobel(grey, 1))
        flat = ndimage.maximum_filter(grad, 5) < 1
        for name, codec, q in specs:
            data = codec.encode(item.image, q)
            rec = codec.decode(data)
            err = ((x - rec.astype(np.float32)) ** 2).mean(-1)
            print(f"{item.id} {name} {q:g} {len(data) * 8 / err.size:.3f} "
                  f"{10 * np.log10(255 ** 2 / err.mean()):.2f} {flat.mean():.2f} "
                  f"{err[flat].mean():.2f} {err[~flat].mean():.2f} "
                  f"{err[flat].sum() / err.sum():.3f}", flush=True)


if __name__ == "__main__":
    main()
