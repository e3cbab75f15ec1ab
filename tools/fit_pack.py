"""Glyph fits for a training pack's pages, for the fusion stage on fitted guidance:

    python tools/fit_pack.py [--pack .pack-lean] [--jobs 2]

For every FUNSD form and rendered web page of the pack, the words the decoder's block may
draw (no digit: ``codec.guidance_words``) are fitted to the page as the encoder fits a side
stream's words (``glyphs.fit_words``: font, size and place, None under MIN_R2), and the fits
are stored beside the pack's pages (``data.page_fits_path``), one per word of the page's
loader. The words are the pages' ground truth (FUNSD's annotations, the browser's client
rectangles), as the training crops carry them. Pages already fitted are skipped, so a run
resumes. About 0.1 s a word on this CPU: run it here, then carry the pack.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from textcodec.codec import guidance_words
from textcodec.train import webpage
from textcodec.train.data import (PACK_FILES, load_funsd_words, page_fits_path,
                                  save_page_fits)


def page_words(kind: str, page: Path):
    if kind == "funsd":
        return np.asarray(Image.open(page).convert("RGB")), load_funsd_words(page)
    return webpage.load(page)


def fit_page(job: tuple[str, Path, Path]) -> tuple[str, int, int, float]:
    """Fit one page and store its fits: (page name, words, fitted, seconds)."""
    from textcodec import glyphs

    kind, page, out = job
    t0 = time.time()
    image, words = page_words(kind, page)
    chosen = guidance_words(words)
    fitted = dict(zip(map(id, chosen), glyphs.fit_words(image, chosen)))
    fits = [fitted.get(id(w)) for w in words]
    save_page_fits(out, fits)
    return page.name, len(chosen), sum(f is not None for f in fits), time.time() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pack", type=Path, default=Path(".pack-lean"))
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="at most this many pages of each kind")
    args = p.parse_args()
    jobs = []
    for kind in ("funsd", "web"):
        pages = sorted(args.pack.glob(PACK_FILES[kind]))
        for page in pages[:args.limit or None]:
            out = page_fits_path(args.pack, kind, page)
            if not out.exists():
                jobs.append((kind, page, out))
    print(f"{len(jobs)} pages to fit")
    words = fitted = 0
    t0 = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        for k, (name, n, f, secs) in enumerate(pool.map(fit_page, jobs), 1):
            words, fitted = words + n, fitted + f
            print(f"[{k}/{len(jobs)}] {name}: {f} of {n} words fitted in {secs:.1f} s "
                  f"({time.time() - t0:.0f} s in all)", flush=True)
    print(f"{fitted} of {words} words fitted")


if __name__ == "__main__":
    main()
