"""Encode and decode times of several models on the sample screenshot, interleaved in one process.

    python3 tools/speed_ab.py --rounds 8 textcodec-text-v13 textcodec-text-v16 runs/x/model.pt

On a shared or throttled CPU, separate runs of tools/bench_speed.py one model after another
can differ by more than the models do. Here each round times every model once, in turn, so a
slow minute slows them all; each model's fastest and median round are printed as JSON lines.
Models are release names or checkpoint paths (a path's file decodes with the same path).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
from PIL import Image

from bench_speed import SAMPLE


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+")
    p.add_argument("--rounds", type=int, default=8)
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    from textcodec import codec

    img = np.asarray(Image.open(SAMPLE).convert("RGB"))
    files = {m: codec.encode(img, ocr=False, model=m, device=args.device) for m in args.models}
    for m in args.models:                       # warm: model loading, first-call set-up
        codec.decode_array(files[m], device=args.device, model=m)
    dec: dict[str, list[float]] = {m: [] for m in args.models}
    enc: dict[str, list[float]] = {m: [] for m in args.models}
    for _ in range(args.rounds):
        for m in args.models:
            t = time.perf_counter()
            codec.decode_array(files[m], device=args.device, model=m)
            dec[m].append(time.perf_counter() - t)
            t = time.perf_counter()
            codec.encode(img, ocr=False, model=m, device=args.device)
            enc[m].append(time.perf_counter() - t)
    for m in args.models:
        print(json.dumps({"model": m, "device": args.device, "bytes": len(files[m]),
                          "rounds": args.rounds,
                          "decode_min_s": round(min(dec[m]), 3),
                          "decode_median_s": round(statistics.median(dec[m]), 3),
                          "encode_no_ocr_min_s": round(min(enc[m]), 3),
                          "encode_no_ocr_median_s": round(statistics.median(enc[m]), 3)}))


if __name__ == "__main__":
    main()
