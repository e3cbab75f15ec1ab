"""Words with oriented boxes: the typed value that OCR produces, the side stream carries and
the renderer draws. No torch, no OCR engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Word:
    """One recognised word and its box as a rotated rectangle.

    ``cx, cy`` is the centre, ``width`` runs along the reading direction, ``angle`` is the
    reading direction in degrees, counter-clockwise from the +x axis in image coordinates
    (y down), so horizontal text has angle 0. ``draw`` is False where the encoder's cross-check
    (textcodec.crosscheck) found a second engine disagreeing: the side stream still carries the
    word, but the decoder's fusion block does not draw it.
    """

    text: str
    cx: float
    cy: float
    width: float
    height: float
    angle: float = 0.0
    confidence: float = 1.0
    draw: bool = True

    @classmethod
    def from_quad(cls, text: str, quad: tuple[Point, Point, Point, Point],
                  confidence: float = 1.0) -> "Word":
        """Fit a rotated rectangle to a quadrilateral given clockwise from the top left."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
        cx = (x0 + x1 + x2 + x3) / 4
        cy = (y0 + y1 + y2 + y3) / 4
        # reading direction from the mean of the top and bottom edges
        dx = (x1 - x0) + (x2 - x3)
        dy = (y1 - y0) + (y2 - y3)
        angle = math.degrees(math.atan2(-dy, dx))
        width = (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2
        height = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
        return cls(text, cx, cy, width, height, angle, confidence)

    def quad(self) -> tuple[Point, Point, Point, Point]:
        """Corners clockwise from the top left of the text."""
        a = math.radians(self.angle)
        ux, uy = math.cos(a), -math.sin(a)      # along the text
        vx, vy = math.sin(a), math.cos(a)       # down the text
        hw, hh = self.width / 2, self.height / 2
        c = (self.cx, self.cy)
        return tuple((c[0] + sx * hw * ux + sy * hh * vx, c[1] + sx * hw * uy + sy * hh * vy)
                     for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)))  # type: ignore[return-value]

    @property
    def char_area(self) -> float:
        """Average area per character in px^2: TextBoost's small-glyph criterion."""
        return self.width * self.height / max(1, len(self.text))

    def axis_aligned_box(self) -> tuple[float, float, float, float]:
        xs, ys = zip(*self.quad())
        return min(xs), min(ys), max(xs), max(ys)


def words_in_box(box: tuple[float, float, float, float], words: list[Word]) -> list[Word]:
    """The words whose centres lie in an axis-aligned box (x0, y0, x1, y1), in reading order."""
    x0, y0, x1, y1 = box
    inside = [w for w in words if x0 <= w.cx <= x1 and y0 <= w.cy <= y1]
    return sorted(inside, key=lambda w: (round(w.cy / max(4.0, w.height)), w.cx))


def has_digit(text: str) -> bool:
    """Whether ``text`` holds a digit: such words are read and drawn with more care (a
    misread digit is another number; textcodec.codec.guidance_words, glyphs.numbers_checked)."""
    return any(c.isdigit() for c in text)


def normalise_token(token: str) -> str:
    """A token as engines are compared on it: lower case, letters and digits only."""
    return "".join(c for c in token.lower() if c.isalnum())


MAX_JOIN = 4   # a token may match up to this many consecutive reference tokens run together


def tokens_in_box(box: tuple[float, float, float, float], words: list[Word]) -> set[str]:
    """The normalised tokens whose words lie in the box, and runs of up to MAX_JOIN consecutive
    ones joined: one engine reads "10/5/92" where another has "10", "/5", "/92"; both are 10592.
    A side-stream phrase box holds one line, so its words run left to right."""
    inside = sorted(words_in_box(box, words), key=lambda w: w.cx)
    tokens = [n for w in inside for t in w.text.split() if (n := normalise_token(t))]
    return {"".join(tokens[i:i + k]) for k in range(1, MAX_JOIN + 1)
            for i in range(len(tokens) - k + 1)}
