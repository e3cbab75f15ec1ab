"""Would a hinted rendering fit screen text better? (a study: nothing in the codec changes)

    python tools/hinted_fit_study.py [--sets gimp,qt,web,synthetic] [--skip 3] [--images 3]
                                     [--out docs/bench/hinted-fits-s45.json]

The encoder fits a word's glyphs drawn unhinted at 4x and averaged down (glyphs._token), so a
fit places each glyph to the quarter pixel. Screens draw small text hinted: FreeType snaps the
stems and heights to whole pixels at the text's own size, and GTK and Qt round the advances.
Here each drawable word of the held-out pages (as the encoder reads them, cross-checked) is
fitted twice over every bundled font: as the encoder fits it, and with the glyphs drawn hinted
at 1x in whole-pixel sizes (Pillow's basic layout: hinted advances), the search otherwise the
same. Reported per set: the mean share of the box's variance explained (r^2) either way and
by the better of the two, the words whose fit reaches MIN_R2 (the encoder keeps those), and
the fitting time. A drawing of the Pillow-rendered text of the synthetic pages in the right
font is checked too ("clean"): the unhinted fit's ceiling on hinted text.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textcodec import glyphs as G
from textcodec.codec import glyph_candidates
from textcodec.words import Word

from study_output import confirmed_pages, write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
CLEAN_WORDS = ("13/1/2027", "Incognito", "80 Incognito", "34560", "Hansenosis uninterred")


@lru_cache(maxsize=512)
def _face_1x(font: int, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(G.font_path(font)), px, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=16384)
def _token_1x(font: int, size: int, text: str):
    """As glyphs._token, drawn hinted at the whole-pixel size ``size`` / QUARTER."""
    face = _face_1x(font, size // G.QUARTER)
    left, top, right, bottom = face.getbbox(text)
    pad = max(0, -left, -top) + 1
    img = Image.new("L", (pad + right + 1, pad + bottom + 1), 0)
    ImageDraw.Draw(img).text((pad, pad), text, font=face, fill=255)
    g = np.asarray(img, np.float32) / 255
    rows = np.flatnonzero((g > G.INK_LEVEL).any(1))
    cols = np.flatnonzero((g > G.INK_LEVEL).any(0))
    if not len(rows):
        return np.zeros((0, 0), np.float32), 0, 0
    return (g[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], int(cols[0] - pad),
            int(rows[0] - pad))


def _fit_font_1x(win, text: str, font: int):
    """As glyphs._fit_font, over the whole-pixel sizes nearest the ink's."""
    probe = G._whole(text, font, G.PROBE_SIZE)
    if not probe:
        return []
    ix0, iy0, ix1, iy1 = win.ink
    px0, _, px1, _ = G._extent(probe)
    sw = G.PROBE_SIZE * (ix1 - ix0) / max(1.0, px1 - px0)
    sizes = sorted({G.QUARTER * max(4, round(sw / G.QUARTER + d)) for d in (-1, 0, 1)})
    out = []
    span = int(math.ceil(G.SLACK)) * G.QUARTER
    for size in sizes:
        parts = G._whole(text, font, size)
        if not parts:
            continue
        ex0, ey0, ex1, ey1 = G._extent(parts)
        qx = round(G.QUARTER * ((ix0 + ix1) / 2 - (ex0 + ex1) / 2 - win.corner_x))
        qy = round(G.QUARTER * ((iy0 + iy1) / 2 - (ey0 + ey1) / 2 - win.corner_y))
        res, i, j = G._search(win.target, parts, win.corner_x + qx / G.QUARTER,
                              win.corner_y + qy / G.QUARTER, span, span, G.COARSE)
        out.append((res, size, qx + i, qy + j))
    return out


@contextlib.contextmanager
def hinted():
    """glyphs' drawing and sizing swapped for the hinted 1x ones while inside."""
    saved = G._token, G._advance, G._fit_font
    G._token = _token_1x
    G._advance = lambda font, size, text: _face_1x(font, size // G.QUARTER).getlength(text)
    G._fit_font = _fit_font_1x
    try:
        yield
    finally:
        G._token, G._advance, G._fit_font = saved


def _fit_both(lum: np.ndarray, word: Word) -> tuple[float, float, float, float]:
    """(r^2 unhinted, r^2 hinted, seconds unhinted, seconds hinted); r^2 0 where none."""
    t0 = time.perf_counter()
    a = G.fit_word(lum, word)
    t1 = time.perf_counter()
    with hinted():
        b = G.fit_word(lum, word)
    t2 = time.perf_counter()
    return (0.0 if a is None else a[0]), (0.0 if b is None else b[0]), t1 - t0, t2 - t1


def _clean() -> list[dict]:
    """The synthetic pages' renderer's text (Pillow, hinted, the default layout) in the first
    bundled font, fitted both ways."""
    rows = []
    for px in (11, 12, 13, 14):
        face = ImageFont.truetype(str(G.font_path(0)), px)
        for text in CLEAN_WORDS:
            img = Image.new("RGB", (300, 40), "white")
            ImageDraw.Draw(img).text((20, 10), text, font=face, fill="black")
            left, top, right, bottom = face.getbbox(text)
            word = Word(text, 20 + (left + right) / 2, 10 + (top + bottom) / 2,
                        right - left + 4, bottom - top + 4)
            a, b, _, _ = _fit_both(G.luminance(np.asarray(img)), word)
            rows.append({"px": px, "text": text, "unhinted": round(a, 3), "hinted": round(b, 3)})
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default="gimp,qt,web,synthetic")
    p.add_argument("--skip", type=int, default=3)
    p.add_argument("--images", type=int, default=3)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "hinted-fits-s45.json")
    args = p.parse_args()
    words: dict[str, list] = {}
    for ds, item, found in confirmed_pages(args.sets, args.skip, args.images):
        lum = G.luminance(item.image)
        for w in glyph_candidates(found):
            words.setdefault(ds, []).append((item.id, w.text, *_fit_both(lum, w)))
        print(f"{ds} {item.id}: {len(words.get(ds, []))} words so far", flush=True)
    summary = {}
    for ds, rows in words.items():
        a = np.array([r[2:] for r in rows])
        best = a[:, :2].max(1)
        summary[ds] = {"words": len(rows), "mean_r2_unhinted": round(float(a[:, 0].mean()), 3),
                       "mean_r2_hinted": round(float(a[:, 1].mean()), 3),
                       "mean_r2_best": round(float(best.mean()), 3),
                       "kept_unhinted": int((a[:, 0] >= G.MIN_R2).sum()),
                       "kept_hinted": int((a[:, 1] >= G.MIN_R2).sum()),
                       "kept_best": int((best >= G.MIN_R2).sum()),
                       "better_hinted": int((a[:, 1] > a[:, 0] + 0.02).sum()),
                       "seconds_unhinted": round(float(a[:, 2].sum()), 1),
                       "seconds_hinted": round(float(a[:, 3].sum()), 1)}
        print(ds, summary[ds])
    clean = _clean()
    for r in clean:
        print("clean", r)
    write_study(args.out, args, summary=summary, clean=clean,
                words={ds: [{"image": r[0], "text": r[1], "unhinted": round(r[2], 3),
                             "hinted": round(r[3], 3)} for r in rows]
                       for ds, rows in words.items()})


if __name__ == "__main__":
    main()
