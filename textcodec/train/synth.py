"""Synthetic screen and document tiles with exact word boxes and text.

Real font rasterisation through FreeType (Pillow): anti-aliased, hinted glyphs as screens
show them, sizes down to 8 px, light and dark themes, coloured chrome, buttons, tables, code,
bar charts and photo insets. Every drawn word is recorded with its box, so the text losses
have exact ground truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textcodec.words import Word

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FONT = DATA_DIR / "DejaVuSans.ttf"

THEMES = [  # background, panel, text, muted text, accent
    ((255, 255, 255), (243, 244, 246), (17, 24, 39), (107, 114, 128), (37, 99, 235)),
    ((250, 250, 250), (255, 255, 255), (33, 33, 33), (117, 117, 117), (0, 150, 136)),
    ((30, 30, 30), (37, 37, 38), (212, 212, 212), (150, 150, 150), (0, 122, 204)),
    ((13, 17, 23), (22, 27, 34), (201, 209, 217), (139, 148, 158), (88, 166, 255)),
    ((255, 253, 245), (245, 240, 225), (60, 50, 40), (120, 110, 100), (200, 80, 40)),
    ((236, 239, 244), (229, 233, 240), (46, 52, 64), (76, 86, 106), (191, 97, 106)),
]
CODE_COLOURS = [(86, 156, 214), (206, 145, 120), (181, 206, 168), (197, 134, 192), (220, 220, 170)]


@dataclass
class Tile:
    image: np.ndarray                      # (H, W, 3) uint8
    words: list[Word] = field(default_factory=list)


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=1)
def default_vocab() -> tuple[str, ...]:
    return tuple((DATA_DIR / "words.txt").read_text().split())


class ScreenSynth:
    """Draws random tiles; ``fonts`` are TTF/OTF paths, ``photos`` optional RGB arrays."""

    def __init__(self, fonts: list[Path] | None = None, mono_fonts: list[Path] | None = None,
                 vocab: tuple[str, ...] | None = None, photos: list[np.ndarray] | None = None):
        self.fonts = [str(f) for f in (fonts or [DEFAULT_FONT])]
        self.mono = [str(f) for f in (mono_fonts or fonts or [DEFAULT_FONT])]
        self.vocab = vocab or default_vocab()
        self.photos = photos or []

    # -- words ---------------------------------------------------------------------------
    def _word(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.08:
            return str(rng.choice([rng.randint(0, 99), rng.randint(100, 99999)]))
        if r < 0.12:
            return f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2000, 2030)}"
        if r < 0.15:
            return f"${rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
        w = rng.choice(self.vocab)
        r = rng.random()
        if r < 0.25:
            w = w.capitalize()
        elif r < 0.30:
            w = w.upper()
        if rng.random() < 0.1:
            w += rng.choice(".,:;!?)")
        return w

    def _text_run(self, draw: ImageDraw.ImageDraw, rng: random.Random, words: list[Word],
                  x: int, y: int, x_end: int, font: ImageFont.FreeTypeFont, colour,
                  n_words: int) -> int:
        """Draws words left to right from (x, y) (y = top of line); returns the x reached."""
        space = max(2, int(font.size * 0.3))
        for _ in range(n_words):
            text = self._word(rng)
            left, top, right, bottom = font.getbbox(text)
            if x + right > x_end:
                break
            draw.text((x, y), text, font=font, fill=colour)
            words.append(Word(text, x + (left + right) / 2, y + (top + bottom) / 2,
                              right - left, bottom - top))
            x += right + space
        return x

    # -- blocks --------------------------------------------------------------------------
    def _paragraph(self, d, rng, words, box, theme, mono=False):
        x0, y0, x1, y1 = box
        size = rng.choice([8, 9, 10, 11, 12, 12, 13, 14, 14, 16, 18, 20, 24])
        font = _font(rng.choice(self.mono if mono else self.fonts), size)
        line_h = int(size * rng.uniform(1.2, 1.6)) + 1
        y = y0
        while y + line_h <= y1:
            colour = theme[2] if rng.random() < 0.8 else theme[3]
            if mono:
                x = x0 + rng.choice([0, 0, 2, 4]) * size // 2
                while x < x1 - size:
                    x = self._text_run(d, rng, words, x, y, x1, font, rng.choice(CODE_COLOURS),
                                       rng.randint(1, 2))
                    if rng.random() < 0.35:
                        break
            else:
                self._text_run(d, rng, words, x0, y, x1, font, colour, 40)
            y += line_h
        return y

    def _buttons(self, d, rng, words, box, theme):
        x0, y0, x1, y1 = box
        size = rng.choice([9, 10, 11, 12, 13, 14])
        font = _font(rng.choice(self.fonts), size)
        x = x0
        h = size + 10
        while x < x1 - 30:
            text = self._word(rng)
            l, t, r, b = font.getbbox(text)
            w = r - l + 16
            if x + w > x1:
                break
            filled = rng.random() < 0.5
            d.rounded_rectangle((x, y0, x + w, y0 + h), radius=rng.choice([0, 3, 6]),
                                fill=theme[4] if filled else theme[1], outline=theme[4])
            colour = (255, 255, 255) if filled else theme[4]
            tx, ty = x + 8 - l, y0 + (h - (b - t)) // 2 - t
            d.text((tx, ty), text, font=font, fill=colour)
            words.append(Word(text, tx + (l + r) / 2, ty + (t + b) / 2, r - l, b - t))
            x += w + rng.randint(4, 12)
        return y0 + h

    def _table(self, d, rng, words, box, theme):
        x0, y0, x1, y1 = box
        size = rng.choice([8, 9, 10, 11, 12])
        font = _font(rng.choice(self.fonts), size)
        cols = rng.randint(2, 5)
        cw = (x1 - x0) // cols
        rh = size + rng.randint(6, 10)
        y = y0
        row = 0
        while y + rh <= y1:
            if row == 0 or rng.random() < 0.3:
                d.rectangle((x0, y, x1, y + rh), fill=theme[1])
            for c in range(cols):
                self._text_run(d, rng, words, x0 + c * cw + 4, y + (rh - size) // 2 - 1,
                               x0 + (c + 1) * cw - 2, font, theme[2] if row else theme[4],
                               rng.randint(1, 2))
            d.line((x0, y + rh, x1, y + rh), fill=theme[3])
            y += rh
            row += 1
        return y

    def _chart(self, d, rng, words, box, theme):
        x0, y0, x1, y1 = box
        n = rng.randint(3, 10)
        bw = max(3, (x1 - x0) // (2 * n))
        for i in range(n):
            h = rng.randint(5, max(6, y1 - y0 - 4))
            colour = CODE_COLOURS[i % len(CODE_COLOURS)] if rng.random() < 0.5 else theme[4]
            d.rectangle((x0 + 2 * i * bw, y1 - h, x0 + 2 * i * bw + bw, y1), fill=colour)
        d.line((x0, y1, x1, y1), fill=theme[3])
        return y1

    def _photo(self, img: Image.Image, rng, box):
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        if w < 4 or h < 4:
            return y1
        if self.photos:
            p = rng.choice(self.photos)
            py, px = rng.randint(0, max(0, p.shape[0] - h)), rng.randint(0, max(0, p.shape[1] - w))
            patch = Image.fromarray(np.ascontiguousarray(p[py:py + h, px:px + w]))
        else:
            g = np.random.default_rng(rng.randint(0, 2**31))
            base = g.uniform(0, 255, (max(2, h // 16), max(2, w // 16), 3)).astype(np.uint8)
            patch = Image.fromarray(base).resize((w, h), Image.BICUBIC)
        img.paste(patch, (x0, y0))
        return y1

    # -- tiles ---------------------------------------------------------------------------
    def tile(self, rng: random.Random, width: int = 256, height: int = 256) -> Tile:
        theme = rng.choice(THEMES)
        img = Image.new("RGB", (width, height), theme[0])
        d = ImageDraw.Draw(img)
        words: list[Word] = []
        y = 0
        x0 = 0
        if rng.random() < 0.3:  # title bar
            h = rng.randint(18, 30)
            d.rectangle((0, 0, width, h), fill=theme[4] if rng.random() < 0.5 else theme[1])
            font = _font(rng.choice(self.fonts), rng.choice([10, 11, 12, 13, 14]))
            self._text_run(d, rng, words, 8, (h - font.size) // 2 - 1, width - 8, font,
                           (255, 255, 255) if rng.random() < 0.5 else theme[2], 4)
            y = h + 4
        if rng.random() < 0.25:  # sidebar
            sw = rng.randint(50, 90)
            d.rectangle((0, y, sw, height), fill=theme[1])
            self._paragraph(d, rng, words, (6, y + 6, sw - 4, height), theme)
            x0 = sw + 8
        margin = rng.randint(2, 12)
        while y < height - 8:
            box = (x0 + margin, y + rng.randint(2, 10), width - margin,
                   min(height, y + rng.randint(30, 140)))
            if box[3] - box[1] < 10:
                break
            kind = rng.choices(["para", "code", "buttons", "table", "chart", "photo"],
                               [5, 1.5, 1, 1.5, 0.6, 1])[0]
            if kind == "para":
                y = self._paragraph(d, rng, words, box, theme)
            elif kind == "code":
                d.rectangle(box, fill=(30, 30, 30) if theme[0][0] < 128 else (246, 248, 250))
                y = self._paragraph(d, rng, words, (box[0] + 4, box[1] + 4, box[2] - 4, box[3]),
                                    theme, mono=True)
            elif kind == "buttons":
                y = self._buttons(d, rng, words, box, theme)
            elif kind == "table":
                y = self._table(d, rng, words, box, theme)
            elif kind == "chart":
                y = self._chart(d, rng, words, box, theme)
            else:
                y = self._photo(img, rng, box)
        return Tile(np.asarray(img), words)


def document_tile(rng: random.Random, synth: ScreenSynth, width=256, height=256) -> Tile:
    """A scanned-paper look: serif text on off-white with noise, for document variety."""
    t = synth.tile(rng, width, height)
    g = np.random.default_rng(rng.randint(0, 2**31))
    noisy = t.image.astype(np.float32) + g.normal(0, rng.uniform(0, 6), t.image.shape)
    return Tile(np.clip(noisy, 0, 255).astype(np.uint8), t.words)
