"""Encode and decode times of several models on the sample screenshot, interleaved in one process.

    python3 tools/speed_ab.py --rounds 8 textcodec-text-v13 textcodec-text-v17 runs/x/model.pt

On a shared or throttled CPU, separate runs of tools/bench_speed.py one model after another
can differ by more than the models do. Here each round times every model once, in turn, so a
slow minute slows them all; each model's fastest and median round are printed as JSON lines.
Models are release names or checkpoint paths (a path's file decodes with the same path).

With --ocr each round also times the whole encode as a user's process runs it (the default OCR
engine, built once; the cross-check off, as bench_speed.py times it) and the decode of the
sample's own side stream at quality 3, where the fusion block runs by default.
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
    p.add_argument("--ocr", action="store_true", help="also the encode with OCR and the fused "
                   "decode of the sample's side stream")
    args = p.parse_args(argv)
    from textcodec import codec

    img = np.asarray(Image.open(SAMPLE).convert("RGB"))
    files = {m: codec.encode(img, ocr=False, model=m, device=args.device) for m in args.models}
    for m in args.models:                       # warm: model loading, first-call set-up
        codec.decode_array(files[m], device=args.device, model=m)
    jobs = {"decode": lambda m: codec.decode_array(files[m], device=args.device, model=m),
            "encode_no_ocr": lambda m: codec.encode(img, ocr=False, model=m, device=args.device)}
    if args.ocr:
        from textcodec.ocr.engine import default_engine, filter_words, get_engine

        words = filter_words(get_engine(default_engine()).read(img))
        own = {m: codec.encode(img, quality=3.0, words=words, model=m, device=args.device)
               for m in args.models}
        jobs["encode_with_ocr"] = lambda m: codec.encode(img, model=m, device=args.device,
                                                         cross_check="off")
        jobs["decode_fused_sample"] = lambda m: codec.decode_array(own[m], device=args.device,
                                                                   model=m)
        for m in args.models:                   # warm: the OCR engine, the fusion block
            jobs["encode_with_ocr"](m)
            jobs["decode_fused_sample"](m)
    times = {m: {job: [] for job in jobs} for m in args.models}
    for _ in range(args.rounds):
        for m in args.models:
            for job, run in jobs.items():
                t = time.perf_counter()
                run(m)
                times[m][job].append(time.perf_counter() - t)
    for m in args.models:
        row = {"model": m, "device": args.device, "bytes": len(files[m]), "rounds": args.rounds}
        for job, ts in times[m].items():
            row[f"{job}_min_s"] = round(min(ts), 3)
            row[f"{job}_median_s"] = round(statistics.median(ts), 3)
        print(json.dumps(row))


if __name__ == "__main__":
    main()
