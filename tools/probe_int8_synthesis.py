"""Would an int8 synthesis make the wide codec fast enough for a CPU? A probe, not a feature.

    python tools/probe_int8_synthesis.py [--model textcodec-base-v13] [--images 4] [--repeat 3]

The synthesis transform is most of a CPU decode, and the wide codec (base-v13) doubles it
(docs/training.md, sessions 25-27). This runs g_s two ways on the same latents:

- fp32, channels-last, as the decoder does (``synthesis``);
- int8: each sub-pixel convolution through PyTorch's quantized conv (the ``x86`` engine:
  weights per output channel, activations per tensor, ranges calibrated on the 1280x720
  sample screenshot at the measured qualities), de-quantized for PixelShuffle and inverse GDN,
  which stay fp32.

It prints (and writes to --out) the 720p sample's g_s seconds both ways and, on held-out FUNSD
forms (not the calibration image), the PSNR of each way against the original. PyTorch marks
its quantized tensors deprecated (2.14): a shipped int8 path would need another kernel
library, which is why this stays a probe.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from bench_speed import SAMPLE, timed


class Int8Synthesis:
    """g_s with its convolutions in int8, built from a fp32 model and calibration inputs."""

    def __init__(self, g_s: torch.nn.Sequential, calibration: list[torch.Tensor]):
        import torch.ao.nn.quantized as nnq

        torch.backends.quantized.engine = "x86"
        self.layers = []
        ranges = _ranges(g_s, calibration)
        for i, layer in enumerate(g_s):
            if not isinstance(layer, torch.nn.Sequential):   # inverse GDN: stays fp32
                self.layers.append(("fp32", layer))
                continue
            conv, shuffle = layer
            (in_lo, in_hi), (out_lo, out_hi) = ranges[i]
            q = nnq.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                           padding=conv.padding)
            w = conv.weight.detach()
            w_scale = (w.abs().amax(dim=(1, 2, 3)) / 127).clamp_min(1e-12)
            q.set_weight_bias(torch.quantize_per_channel(
                w, w_scale.double(), torch.zeros(len(w_scale), dtype=torch.long), 0,
                torch.qint8), conv.bias.detach())
            q.scale, q.zero_point = _affine(out_lo, out_hi)
            self.layers.append(("int8", (q, _affine(in_lo, in_hi), shuffle)))

    @torch.no_grad()
    def __call__(self, y: torch.Tensor) -> torch.Tensor:
        x = y.contiguous(memory_format=torch.channels_last)
        for kind, layer in self.layers:
            if kind == "fp32":
                x = layer(x)
                continue
            q, (scale, zero), shuffle = layer
            x = shuffle(q(torch.quantize_per_tensor(x, scale, zero, torch.quint8)).dequantize())
        return x.contiguous()


def _affine(lo: float, hi: float) -> tuple[float, int]:
    """quint8 scale and zero point covering [lo, hi] (and 0)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-8) / 255
    return scale, int(round(-lo / scale))


def _ranges(g_s, calibration) -> dict[int, tuple[tuple[float, float], tuple[float, float]]]:
    """Each sub-pixel conv's input and output min / max over the calibration latents."""
    seen: dict[int, list[float]] = {}
    with torch.no_grad():
        for y in calibration:
            x = y
            for i, layer in enumerate(g_s):
                if isinstance(layer, torch.nn.Sequential):
                    out = layer[0](x)
                    r = seen.setdefault(i, [np.inf, -np.inf, np.inf, -np.inf])
                    r[:] = [min(r[0], x.min().item()), max(r[1], x.max().item()),
                            min(r[2], out.min().item()), max(r[3], out.max().item())]
                    x = layer[1](out)
                else:
                    x = layer(x)
    return {i: ((r[0], r[1]), (r[2], r[3])) for i, r in seen.items()}


def _latent(model, img: np.ndarray, q: float):
    from textcodec.nets.hyperprior import pad_to_multiple

    x = pad_to_multiple(torch.from_numpy(img.copy()).permute(2, 0, 1)[None].float() / 255)
    with torch.no_grad():
        strings = model.compress_latent(model.analysis(x), q)
        y_hat = model.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
        _, inv_gain = model._gain_maps(q, None)
    return y_hat * inv_gain


def _psnr(img: np.ndarray, x_hat: torch.Tensor) -> float:
    from textcodec.bench.metrics import psnr

    rec = x_hat[0, :, :img.shape[0], :img.shape[1]].clamp(0, 1).permute(1, 2, 0).numpy()
    return psnr(img, (rec * 255).round())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="textcodec-base-v13")
    p.add_argument("--qualities", default="2,6,10")
    p.add_argument("--images", type=int, default=4, help="held-out FUNSD forms for PSNR")
    p.add_argument("--funsd", type=Path, default=Path("../shared/data/funsd_train"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    from textcodec.codec import load_model
    from textcodec.train.data import funsd_split

    model = load_model(args.model).model
    qualities = [float(v) for v in args.qualities.split(",")]
    sample = np.asarray(Image.open(SAMPLE).convert("RGB"))
    calib = [_latent(model, sample, q) for q in qualities]
    int8 = Int8Synthesis(model.g_s, calib)
    fp32 = lambda y: model.g_s(y.contiguous(memory_format=torch.channels_last))  # noqa: E731
    mid = calib[len(calib) // 2]
    with torch.no_grad():
        speed = {"fp32_s": timed(lambda: fp32(mid), args.repeat, lambda: None),
                 "int8_s": timed(lambda: int8(mid), args.repeat, lambda: None)}
    _, held = funsd_split(args.funsd)
    rows = []
    for q in qualities:
        a = b = 0.0
        for path in held[:args.images]:
            img = np.asarray(Image.open(path).convert("RGB"))
            y = _latent(model, img, q)
            with torch.no_grad():
                a += _psnr(img, fp32(y)) / args.images
                b += _psnr(img, int8(y)) / args.images
        rows.append({"quality": q, "psnr_fp32": round(a, 3), "psnr_int8": round(b, 3)})
    out = {"model": args.model, "threads": torch.get_num_threads(),
           "image": f"{sample.shape[1]}x{sample.shape[0]}", **speed, "forms": args.images,
           "rows": rows}
    print(json.dumps(out))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
