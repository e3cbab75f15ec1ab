"""Tesseract's OpenMP threads: the cross-check's sheet readings on the bench's images with
no thread limit (OpenMP's default, as the engine ran it before session 43), with one thread a
core and with one thread, the sheets read one after another; and as the encoder reads them
since session 43 (the sheets side by side, a Tesseract run a core, one thread each;
``crosscheck.read_sheet``): seconds and whether the readings are the same, word for word.

    TEXTCODEC_DATA=../shared/data python tools/tesseract_threads.py \\
        --out docs/bench/tesseract-threads-s43.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from textcodec import crosscheck
from textcodec.bench import datasets
from textcodec.ocr import engine as ocr_engine
from textcodec.ocr.engine import filter_words, get_engine

SETS = (("synthetic", 3), ("funsd", 3), ("gimp", 3), ("web", 2))


ENGINE_ENV = ocr_engine.tesseract_env


def read(image, words, limit: str | None, sheets_at_once: bool = False) -> tuple[list, float]:
    """The second reading with every Tesseract run under OMP_THREAD_LIMIT=limit (None: no
    limit at all), its sheets one after another; or, with ``sheets_at_once``, as the encoder
    reads it now (a run a core, one thread each); and its seconds (nothing remembered)."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    if limit is not None:
        env["OMP_THREAD_LIMIT"] = limit
    ocr_engine.tesseract_env = ENGINE_ENV if sheets_at_once else (lambda threads=None: env)
    cores = ocr_engine.usable_cores
    if not sheets_at_once:
        ocr_engine.usable_cores = lambda: 1      # one sheet at a time
    crosscheck._READINGS.clear()
    try:
        t = time.perf_counter()
        got = crosscheck.second_reading(image, words)
    finally:
        ocr_engine.usable_cores = cores
    return [(w.text, w.cx, w.cy, w.width, w.height, w.confidence) for w in got], \
        time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    cores = str(os.cpu_count())
    engine = get_engine("easyocr-float")
    rows = []
    for name, n in SETS:
        for item in datasets.load(name, limit=n):
            words = filter_words(engine.read(item.image))
            free, t_free = read(item.image, words, None)
            per_core, t_core = read(item.image, words, cores)
            single, t_single = read(item.image, words, "1")
            now, t_now = read(item.image, words, None, sheets_at_once=True)
            rows.append({"set": name, "image": item.id, "phrases": len(words),
                         "seconds_no_limit": round(t_free, 2),
                         "seconds_thread_a_core": round(t_core, 2),
                         "seconds_one_thread": round(t_single, 2),
                         "seconds_sheets_at_once": round(t_now, 2),
                         "same": free == per_core == single == now})
            print(json.dumps(rows[-1]), flush=True)
    out = {"command": "python tools/tesseract_threads.py", "cpu": platform.processor()
           or platform.machine(), "cores": int(cores), "rows": rows,
           "seconds_no_limit": round(sum(r["seconds_no_limit"] for r in rows), 1),
           "seconds_thread_a_core": round(sum(r["seconds_thread_a_core"] for r in rows), 1),
           "seconds_one_thread": round(sum(r["seconds_one_thread"] for r in rows), 1),
           "seconds_sheets_at_once": round(sum(r["seconds_sheets_at_once"] for r in rows), 1),
           "all_same": all(r["same"] for r in rows)}
    print(json.dumps({k: v for k, v in out.items() if k != "rows"}))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
