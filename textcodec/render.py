"""Side-stream words -> guidance map aligned with the decoded image (TextBoost, Wang et al.).

For each word: render the string horizontally, white on black, with the bundled font at the
size that fills the box height, stretch it to the box width, rotate it by the box angle and
place it at the box centre. The same function serves training and decoding, and it is
deterministic: one bundled font file, no system font lookup. No words -> zero maps.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textcodec.words import Word

FONT_PATH = Path(__file__).resolve().parent / "data" / "DejaVuSans.ttf"
MAX_WORD_SIDE = 4096


@lru_cache(maxsize=128)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # basic layout: the same glyph placement whether or not Pillow was built with libraqm
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


def render_word(text: str, width: int, height: int) -> np.ndarray:
    """The word as an (height, width) float32 glyph map in [0, 1], filling the box."""
    size = max(4, int(height * 0.95))
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    tw, th = max(1, right - left), max(1, bottom - top)
    img = Image.new("L", (tw, th), 0)
    ImageDraw.Draw(img).text((-left, -top), text, font=font, fill=255)
    img = img.resize((width, height), Image.BILINEAR)
    return np.asarray(img, np.float32) / 255


def render(words: list[Word], width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(guide, mask): glyph map and box mask, each (height, width) float32 in [0, 1]."""
    guide = np.zeros((height, width), np.float32)
    mask = np.zeros((height, width), np.float32)
    for w in words:
        bw, bh = int(round(w.width)), int(round(w.height))
        if bw < 2 or bh < 2 or bw > MAX_WORD_SIDE or bh > MAX_WORD_SIDE:
            continue
        glyphs = render_word(w.text, bw, bh)
        box = np.ones_like(glyphs)
        if abs(w.angle) >= 1:
            glyphs = np.asarray(Image.fromarray(glyphs, "F").rotate(w.angle, Image.BILINEAR,
                                                                     expand=True))
            box = np.asarray(Image.fromarray(box, "F").rotate(w.angle, Image.BILINEAR,
                                                               expand=True))
        gh, gw = glyphs.shape
        x0, y0 = int(round(w.cx - gw / 2)), int(round(w.cy - gh / 2))
        sx0, sy0 = max(0, -x0), max(0, -y0)
        dx0, dy0 = max(0, x0), max(0, y0)
        dx1, dy1 = min(width, x0 + gw), min(height, y0 + gh)
        if dx1 <= dx0 or dy1 <= dy0:
            continue
        region = (slice(dy0, dy1), slice(dx0, dx1))
        src = (slice(sy0, sy0 + dy1 - dy0), slice(sx0, sx0 + dx1 - dx0))
        np.maximum(guide[region], glyphs[src], out=guide[region])
        np.maximum(mask[region], box[src], out=mask[region])
    return guide, mask
