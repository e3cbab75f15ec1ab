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


def placements(words: list[Word], width: int, height: int, fill: float = 1.0):
    """For each word that lands in the frame: (word, region, glyphs, box), where ``region``
    is the (rows, cols) slice of the frame it covers and ``glyphs`` / ``box`` its rendered
    glyph map and box mask cut to that region (float32 in [0, 1]). ``fill`` < 1 leaves a
    margin of (1 - fill) / 2 of the box height around the glyphs, on every side."""
    for w in words:
        bw, bh = int(round(w.width)), int(round(w.height))
        if bw < 2 or bh < 2 or bw > MAX_WORD_SIDE or bh > MAX_WORD_SIDE:
            continue
        pad = int(round((1 - fill) * bh / 2))
        glyphs = np.zeros((bh, bw), np.float32)
        if bw - 2 * pad >= 2 and bh - 2 * pad >= 2:
            glyphs[pad:bh - pad, pad:bw - pad] = render_word(w.text, bw - 2 * pad, bh - 2 * pad)
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
        src = (slice(sy0, sy0 + dy1 - dy0), slice(sx0, sx0 + dx1 - dx0))
        yield w, (slice(dy0, dy1), slice(dx0, dx1)), glyphs[src], box[src]


def render(words: list[Word], width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(guide, mask): glyph map and box mask, each (height, width) float32 in [0, 1]."""
    guide = np.zeros((height, width), np.float32)
    mask = np.zeros((height, width), np.float32)
    for _, region, glyphs, box in placements(words, width, height):
        np.maximum(guide[region], glyphs, out=guide[region])
        np.maximum(mask[region], box, out=mask[region])
    return guide, mask


# Drawing (``draw``): the least luminance step between a drawn word's ink and its paper. At the
# lowest rates the decoded strokes are a faint smear of the ink; the drawn ink keeps their hue
# but steps at least this far from the paper (or is black / white where no smear is left).
# DRAW_FILL: the glyphs' share of the box height (OCR boxes hold a margin around the ink; the
# guidance map fills them, which drew words too large to read). Both chosen on four FUNSD forms
# (tools/compare_fusion.py, docs/benchmarks.md "Drawn words"): fill 1.0 / 0.8 / 0.7 / 0.65 and
# contrast 0.5 / 0.8 / 1.0; 0.7 and 0.8 read best to both engines at q0 and q4.
MIN_INK_CONTRAST = 0.8
DRAW_FILL = 0.7
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def word_colours(pixels: np.ndarray, glyphs: np.ndarray, box: np.ndarray):
    """(ink, paper) RGB in [0, 1] for a word from the decoded ``pixels`` of its region: paper
    is the median colour between the rendered strokes, ink the mean colour under them,
    pushed away from the paper to MIN_INK_CONTRAST in luminance."""
    inside = box > 0.5
    between = inside & (glyphs < 0.05)
    under = inside & (glyphs > 0.5)
    if not between.any() or not under.any():
        return None
    paper = np.median(pixels[between], axis=0)
    ink = pixels[under].mean(axis=0)
    light = float(paper @ _LUMA)
    step = float(ink @ _LUMA) - light
    pole = 0.0 if step < 0 else 1.0          # black ink on light paper, white on dark
    if abs(step) < 0.02:   # nothing left of the strokes: the colour the paper contrasts with
        ink = np.full(3, 0.0 if light >= 0.5 else 1.0, np.float32)
    else:
        want = min(MIN_INK_CONTRAST, abs(pole - light))
        if abs(step) < want:
            ink = np.clip(paper + (ink - paper) * (want / abs(step)), 0, 1)
        # where clipping kept the step short: toward the pole until it holds
        target, lum = light + np.sign(step) * want, float(ink @ _LUMA)
        if np.sign(step) * (lum - light) < want and abs(pole - lum) > 1e-6:
            ink = ink + (pole - ink) * ((target - lum) / (pole - lum))
    return np.clip(ink, 0, 1).astype(np.float32), paper.astype(np.float32)


def draw(image: np.ndarray, words: list[Word], fill: float | None = None) -> np.ndarray:
    """The words drawn over ``image`` ((H, W, 3) float in [0, 1]): each word's box is
    repainted with its paper colour and the word rendered in its ink colour (``word_colours``
    from the image itself), in the guidance map's font and placement. Pixels outside the
    boxes are untouched. Returns a new array."""
    out = np.array(image, np.float32, copy=True)
    height, width = out.shape[:2]
    for _, region, glyphs, box in placements(words, width, height,
                                             DRAW_FILL if fill is None else fill):
        colours = word_colours(out[region], glyphs, box)
        if colours is None:
            continue
        ink, paper = colours
        g, b = glyphs[..., None], box[..., None]
        painted = paper * (1 - g) + ink * g
        out[region] = out[region] * (1 - b) + painted * b
    return out
