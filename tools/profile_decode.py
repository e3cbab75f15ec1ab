"""Where decode time goes: each stage of decoding the 1280x720 sample, timed on its own.

    python tools/profile_decode.py --device cuda [--repeat 5]

Stages: container parse, z rANS decode; for a checkerboard model (every bundled one) the
integer hyper-synthesis, the anchors' y rANS decode, the context network's second pass, the
other half's y rANS decode and the latent values; for the older single-pass models the entropy
parameters on the CPU and on the device and y rANS decode (the file's coder; the same symbols
as one lane, and through CompressAI's coder, for comparison); then synthesis, fusion (300-word
side stream), copy back as uint8. --model picks the model (default: the zoo's)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np
from PIL import Image

from bench_speed import SAMPLE


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--model", help="a zoo name or checkpoint (default: the zoo's default)")
    args = p.parse_args()
    import torch
    from textcodec import codec
    from textcodec.codec import read_file
    from textcodec.container import EntropyCoder
    from textcodec.nets.checkerboard import anchor_mask
    from textcodec.nets.intmath import ACT_FRAC_BITS
    from textcodec.words import Word

    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    img = np.asarray(Image.open(SAMPLE).convert("RGB"))
    page = [Word(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}", 20 + (i % 15) * 80,
                 12 + (i // 15) * 34, 60, 14)
            for i in range(300)]
    data = codec.encode(img, words=page, side_codec="gzip", device=args.device,
                        model=args.model)
    f = read_file(data)
    net = codec._model_for_header(f.header, dev, None).model
    q = f.header.quality
    shape = (1, net.config["N"], -(-f.header.height // 64), -(-f.header.width // 64))
    state: dict = {}

    coders = net._coders

    def z_decode():
        state["z"] = coders["z"].decode(f.latent[0], net._z_indexes(shape),
                                        f.coder).reshape(shape)

    def params_cpu():
        state["p"] = net.entropy_parameters(state["z"])

    def params_dev():
        _, idx, means = net.entropy_parameters(state["z"].to(dev))
        state["p_dev"] = (idx.cpu(), means.cpu())

    def y_decode():
        state["y_sym"] = coders["y"].decode(f.latent[1], state["p"][1], f.coder)

    def y_values():
        _, idx, means = state["p"]
        state["y"] = (state["y_sym"].reshape(idx.shape).double() + means).float()

    def y_decode_one_lane():
        if "y_one" not in state:
            state["y_one"] = coders["y"].encode(state["y_sym"], state["p"][1],
                                                EntropyCoder.RANS16)
        y = coders["y"].decode(state["y_one"], state["p"][1], EntropyCoder.RANS16)
        assert torch.equal(y, state["y_sym"])

    def y_decode_compressai():
        if "y_ca" not in state:
            state["y_ca"] = coders["y"].encode(state["y_sym"], state["p"][1],
                                               EntropyCoder.COMPRESSAI)
        _, idx, means = state["p"]
        y = coders["y"].decode(state["y_ca"], idx, EntropyCoder.COMPRESSAI)
        assert torch.equal(y, state["y_sym"])

    def upload():
        state["y_dev"] = state["y"].to(dev)

    def synthesis():
        state["x"] = net.synthesis(state["y_dev"], q)

    def fusion():
        state["xf"] = codec.apply_fusion(net.fusion, state["x"], page, q,
                                         tile=codec.FUSION_TILE if dev.type == "cpu" else 1 << 16)

    def download():
        x = state["xf"][0].clamp(0, 1).mul(255).round().to(torch.uint8)
        state["out"] = x.permute(1, 2, 0).cpu().numpy()

    # a checkerboard model (vr-checkerboard, every bundled model since session 22) decodes y
    # in two passes: the anchors from the hyperprior, then the rest from their context
    def cb_hyper():
        _, state["hyper"] = net._hyper_fixed(state["z"].to(net.log_gain.device))
        state["idx_h"], state["means_h"] = net._index_and_means(state["hyper"])
        state["anchors"] = anchor_mask(*state["idx_h"].shape[-2:],
                                       device=state["idx_h"].device).expand_as(state["idx_h"])

    def cb_anchors():
        a = state["anchors"]
        sym = torch.zeros(state["idx_h"].shape, dtype=torch.float64, device=a.device)
        sym[a] = coders["y"].decode(f.latent[1], state["idx_h"][a].cpu(),
                                    f.coder).to(a.device).double()
        state["sym"] = sym

    def cb_context():
        state["y_anchor"], state["idx"], state["means"] = net._second_pass(
            state["hyper"], state["sym"], state["anchors"])

    def cb_rest():
        a = state["anchors"]
        state["sym"][~a] = coders["y"].decode(f.latent[2], state["idx"][~a].cpu(),
                                              f.coder).to(a.device).double()
        state["y_sym"] = state["sym"]

    def cb_values():
        a = state["anchors"]
        y = torch.where(a, state["y_anchor"] / 2 ** ACT_FRAC_BITS, state["sym"] + state["means"])
        state["y"] = y.reshape(1, net.config["M"], *state["idx"].shape[-2:]).float()

    if hasattr(net, "_second_pass"):
        y_stages = [("hyper", cb_hyper), ("y_anchor_rans", cb_anchors),
                    ("context", cb_context), ("y_rest_rans", cb_rest), ("y_values", cb_values)]
    else:
        y_stages = [("params_cpu", params_cpu), ("params_device", params_dev),
                    ("y_rans", y_decode), ("y_rans_one_lane", y_decode_one_lane),
                    ("y_rans_compressai", y_decode_compressai), ("y_values", y_values)]
    stages = [("parse", lambda: read_file(data)), ("z_rans", z_decode), *y_stages,
              ("upload", upload), ("synthesis", synthesis),
              ("fusion", fusion), ("download", download)]
    res = {"device": args.device, "coder": f.coder.name, "quality": q, "bytes": len(data)}
    with torch.no_grad():
        for _ in range(2):                       # warm-up: kernels, caches
            for _, fn in stages:
                fn()
            sync()
        for name, fn in stages:
            times = []
            for _ in range(args.repeat):
                sync()
                t = time.perf_counter()
                fn()
                sync()
                times.append(time.perf_counter() - t)
            res[name + "_ms"] = round(1000 * statistics.median(times), 2)
    res["y_symbols"] = state["y_sym"].numel()
    res["y_lanes"] = int(f.latent[1][0]) if f.coder == EntropyCoder.RANS16_LANES else 1
    res["cpu_cores"] = os.cpu_count()
    print(json.dumps(res))


if __name__ == "__main__":
    main()
