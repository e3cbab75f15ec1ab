"""Word boxes shrunk to the ink they hold: would the guidance line up better? (issue 5's study)

OCR boxes hold a margin around the glyphs, and the guidance map stretches each rendered word
over its whole box (TextBoost's fonts fitted to boxes), so its strokes land beside the
original's. Only the encoder sees the original: it could shrink every box to the ink inside it
before the side stream is written, at no cost in bytes. Measured by
tools/guidance_alignment_study.py and tools/compare_fusion.py's ":tightdraw" (docs/benchmarks.md,
"How well the guidance lines up"): the ink IoU rises from 0.16-0.17 to 0.24-0.25, too little
for a pixel loss to pay for painting, and drawn words read worse to Tesseract; so textcodec does
not do it, and this stays a study's helper. (Session 37's fitted glyphs, textcodec/glyphs.py,
fit font, size and place instead, with the same ink rule.)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from PIL import Image

from textcodec.glyphs import MIN_INK_PIXELS
from textcodec.glyphs import ink_mask as ink_map   # the encoder's own rule (session 37)
from textcodec.words import Word

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
MARGIN = 0.5   # pixels added on each side of the ink's extent


def _window(lum: np.ndarray, x0: int, y0: int, w: int, h: int) -> np.ndarray:
    """lum[y0:y0+h, x0:x0+w], NaN where that reaches past the frame."""
    out = np.full((h, w), np.nan, np.float32)
    H, W = lum.shape
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = lum[sy0:sy1, sx0:sx1]
    return out


def _upright(lum: np.ndarray, word: Word) -> tuple[np.ndarray, float, float]:
    """The box's pixels in the text's own frame (reading direction along +x), and the
    frame's origin offset: (window, left, top) with the box centre at (width/2, height/2)."""
    bw, bh = max(1, int(round(word.width))), max(1, int(round(word.height)))
    if abs(word.angle) < 1:
        x0, y0 = int(round(word.cx - bw / 2)), int(round(word.cy - bh / 2))
        return _window(lum, x0, y0, bw, bh), x0 - (word.cx - bw / 2), y0 - (word.cy - bh / 2)
    side = int(math.ceil(math.hypot(bw, bh))) + 2
    x0, y0 = int(round(word.cx - side / 2)), int(round(word.cy - side / 2))
    crop = _window(lum, x0, y0, side, side)
    # rotating by -angle turns the reading direction to +x (PIL turns counter-clockwise)
    turned = np.asarray(Image.fromarray(crop, "F").rotate(-word.angle, Image.NEAREST,
                                                          fillcolor=float("nan")))
    # the crop's centre is the box centre up to the rounding of x0, y0
    ccx, ccy = word.cx - x0, word.cy - y0
    left, top = int(round(ccx - bw / 2)), int(round(ccy - bh / 2))
    window = turned[max(0, top):top + bh, max(0, left):left + bw]
    return window, left - (ccx - bw / 2), top - (ccy - bh / 2)


def tighten(word: Word, lum: np.ndarray) -> Word:
    """The word with its box shrunk to the ink inside it (never grown), in the text's frame;
    unchanged where the box holds no clear ink."""
    window, dx, dy = _upright(lum, word)
    known = ~np.isnan(window)
    if known.sum() < MIN_INK_PIXELS:
        return word
    filled = np.where(known, window, np.nanmedian(window))
    ink = ink_map(filled) & known
    if ink.sum() < MIN_INK_PIXELS:
        return word
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    # extents in the box's frame, measured from its top-left corner
    left, right = cols[0] + dx - MARGIN, cols[-1] + 1 + dx + MARGIN
    top, bottom = rows[0] + dy - MARGIN, rows[-1] + 1 + dy + MARGIN
    left, top = max(0.0, left), max(0.0, top)
    right, bottom = min(word.width, right), min(word.height, bottom)
    if right - left < 2 or bottom - top < 2:
        return word
    du = (left + right) / 2 - word.width / 2     # centre shift along the text
    dv = (top + bottom) / 2 - word.height / 2    # and down it
    a = math.radians(word.angle)
    ux, uy, vx, vy = math.cos(a), -math.sin(a), math.sin(a), math.cos(a)
    return dataclasses.replace(word, cx=word.cx + du * ux + dv * vx,
                               cy=word.cy + du * uy + dv * vy,
                               width=right - left, height=bottom - top)


def tighten_words(image: np.ndarray, words: list[Word]) -> list[Word]:
    """Every word's box fitted to its ink in ``image`` ((H, W, 3) uint8 RGB)."""
    lum = image.astype(np.float32) @ LUMA / 255
    return [tighten(w, lum) for w in words]
