"""Glyphs fitted to the original's ink: the encoder's half of an aligned guidance (issue 5).

TextBoost (Wang et al. 2026) renders the side stream's words into the decoder's guidance with
"fonts fitted to boxes". Stretched over an OCR box in one font, a word's strokes cover a sixth
to a quarter of the original's ink (docs/benchmarks.md, "How well the guidance lines up"), so
painting them loses to even the lowest rate's decode. The encoder alone sees the original: for
each upright word it finds the bundled font, the size and the place (quarter pixels) at which
the word, rendered at the font's own advances, best explains the original's luminance in its
box (least squares: ``lum ~ paper + contrast * coverage``); in a box holding several words
(EasyOCR reads lines) each word may then move alone by up to ``TOKEN_SLACK`` pixels. What
painting them gives: docs/benchmarks.md, "Fitted glyphs".

The fit travels in the file's GLYPHS section (``pack`` / ``unpack``, a few bytes a word) with
a paint flag per word that the encoder sets where painting brings the decode nearer the
original (``gate``); the decoder renders the very same glyphs (``glyph_map``: bundled fonts,
integer face sizes, numpy arithmetic) and paints them in colours it takes from its own decode
(``paint``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textcodec.errors import ContainerError, SideStreamError
from textcodec.varint import read_uvarint, unzigzag, write_uvarint, zigzag
from textcodec.words import Word, has_digit

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"
# (file, sha256): a fit names its font by index here, so the table is part of the format:
# entries are only ever appended
FONTS: tuple[tuple[str, str], ...] = (
    ("DejaVuSans.ttf", "69efa4c5786bcab909b2836456cf03c2a1744a2adeca2075933458a23004df46"),
    ("DejaVuSans-Bold.ttf", "23d460c28a713ba7ba3cef4c48803e58185176e46b9828bd995df2fcc6b181c4"),
    ("DejaVuSansMono.ttf", "1658131ac23ca43454ef7a4d9bd7930d193f886741aac8e26409ffb36a745667"),
    ("DejaVuSerif.ttf", "58b2f886d465711cd727d85051b811173ecb46a2409e33f8d06567806819f6ed"),
    ("Arimo-Regular.ttf", "62ac6c46bcfbf8f05cdf552bf90284dc46bfc7a017cf89a123b45ec0c9dde93e"),
    ("Arimo-Bold.ttf", "d12b59f7374e6543b6cdd652544d277bea9d143a3d6c1ef839b85911faf1999c"),
    ("Tinos-Regular.ttf", "b55ff26a6a12a53decbd749223d48210d36af06e2a84b9c8e4ec18e09bea6311"),
    ("Tinos-Bold.ttf", "c2c9209ab80b32083eff67a831e2ebb864b1cd79b6ace9d1a4959dd7ac91ecbf"),
    ("Cousine-Regular.ttf", "259a9bd834d8afc2238eb94a6c995ad996c580d96bad917075d7ef3f49d1c261"),
    ("Cousine-Bold.ttf", "b2b0da757b4c4cd268a9123f1cefdd46b3e183a300d7e987937d199a8ed8265d"),
    ("NotoSans-Regular.ttf", "a2c3a4d435e8cd365bab864e276b3cd5d533f7bb93b36e9b5949ce44e0f1afd1"),
    ("NotoSans-Bold.ttf", "48beaca3084848128c388a9c2f0d497e28032f7e8278472a5edd30f5e5d82544"),
)
SUPER = 4            # glyphs are drawn this many times larger and averaged down: fractional
#                      advances and sizes, as browsers place glyphs, and no hinting snaps stems
QUARTER = 4          # positions in quarter pixels
MARGIN = 2           # pixels of the original around a box that the fit looks at (more takes
#                      in the neighbouring lines, which no fit of this word explains)
INK_LEVEL = 0.3      # a rendered pixel counts as ink above this coverage
SLACK = 1.0          # pixels the fitted place may lie from the box's ink centre, each way
TOKEN_SLACK = 2.0    # pixels a word of a line may move from its place at the font's advances
MAX_SIZES = 4        # sizes tried per font, a quarter pixel apart
COARSE = 2           # quarter pixels between the places every font and size is tried at
REFINE = 4           # the best fonts and sizes whose place is then refined to the quarter
PROBE_SIZE = 128     # the size (quarter pixels) that measures a word's shape before sizing it
MIN_R2 = 0.6         # the least share of the box's luminance variance a kept fit explains
RECENT = 3           # fonts that fitted the words before, tried first
SURE = 0.7           # ... and enough where one explains this share of a box's variance
MAX_WORD_SIDE = 2048
SECTION_VERSION = 1


@dataclass(frozen=True)
class Fit:
    """Where and how one word's glyphs are drawn. ``x``, ``y``: the pen's origin (the left
    of the text, the top of the font's ascent) in quarter pixels from the top-left corner of
    the word's box as the file stores it; ``moves``: for a box of several words, each one's
    shift along the line from its place at the font's advances, in quarter pixels (empty for
    one word); ``strength``: how far the decoder paints the word over its decode, in
    eighths (0: not at all, ``FULL``: painted over), the most that the encoder found to
    help."""

    font: int
    size: int            # quarter pixels
    x: int
    y: int
    moves: tuple[int, ...] = ()
    strength: int = 0    # eighths

    @property
    def paint(self) -> bool:
        return self.strength > 0


def tokens(text: str) -> list[tuple[int, str]]:
    """(offset, token) of the space-separated words of a box's text."""
    out, at = [], 0
    for part in text.split(" "):
        if part:
            out.append((at, part))
        at += len(part) + 1
    return out


def font_path(index: int) -> Path:
    if not 0 <= index < len(FONTS):
        raise SideStreamError(f"glyph fit names font {index}, but there are {len(FONTS)}")
    return FONT_DIR / FONTS[index][0]


def verify_fonts() -> None:
    """Raise unless every bundled font file is the one the format names (sha256)."""
    for name, digest in FONTS:
        data = (FONT_DIR / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise SideStreamError(f"{FONT_DIR / name} is not the font textcodec was built with")


@lru_cache(maxsize=512)
def _face(font: int, size: int) -> ImageFont.FreeTypeFont:
    # basic layout: the same advances whether or not Pillow was built with libraqm
    return ImageFont.truetype(str(font_path(font)), max(1, round(size * SUPER / QUARTER)),
                              layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=16384)
def _token(font: int, size: int, text: str) -> tuple[np.ndarray, int, int]:
    """A token's coverage (float32, cropped to its ink) and where its first pixel lies from
    the pen origin, in whole pixels (x, y)."""
    face = _face(font, size)
    left, top, right, bottom = face.getbbox(text)
    pad = -(-max(0, -left, -top) // SUPER) + 1        # whole pixels left/above the pen
    w = pad + -(-right // SUPER) + 1
    h = pad + -(-bottom // SUPER) + 1
    img = Image.new("L", (w * SUPER, h * SUPER), 0)
    ImageDraw.Draw(img).text((pad * SUPER, pad * SUPER), text, font=face, fill=255)
    g = np.asarray(img, np.float32).reshape(h, SUPER, w, SUPER).mean((1, 3)) / 255
    rows = np.flatnonzero((g > INK_LEVEL).any(1))
    cols = np.flatnonzero((g > INK_LEVEL).any(0))
    if not len(rows):
        return np.zeros((0, 0), np.float32), 0, 0
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return g[r0:r1, c0:c1], int(c0 - pad), int(r0 - pad)


def _advance(font: int, size: int, text: str) -> float:
    """The pen's advance over ``text`` in pixels (fractional)."""
    return _face(font, size).getlength(text) / SUPER


def _layout(text: str, font: int, size: int, moves: tuple[int, ...] = ()):
    """For each token: (coverage, x, y) with (x, y) its first pixel from the pen, in pixels."""
    out = []
    parts = tokens(text)
    for i, (at, token) in enumerate(parts):
        g, ox, oy = _token(font, size, token)
        if g.size == 0:
            continue
        move = moves[i] / QUARTER if i < len(moves) else 0.0
        out.append((g, _advance(font, size, text[:at]) + ox + move, float(oy)))
    return out


def _place(canvas: np.ndarray, g: np.ndarray, x: float, y: float) -> None:
    """Draw coverage ``g`` into ``canvas`` with its first pixel at (x, y), bilinear in the
    fractions, keeping the larger coverage where glyphs meet; clipped to the canvas."""
    ix, iy = math.floor(x), math.floor(y)
    fx, fy = x - ix, y - iy
    gh, gw = g.shape
    s = np.zeros((gh + 1, gw + 1), np.float32)
    s[:gh, :gw] += (1 - fy) * (1 - fx) * g
    s[:gh, 1:] += (1 - fy) * fx * g
    s[1:, :gw] += fy * (1 - fx) * g
    s[1:, 1:] += fy * fx * g
    H, W = canvas.shape
    r0, c0 = max(0, iy), max(0, ix)
    r1, c1 = min(H, iy + gh + 1), min(W, ix + gw + 1)
    if r1 <= r0 or c1 <= c0:
        return
    np.maximum(canvas[r0:r1, c0:c1], s[r0 - iy:r1 - iy, c0 - ix:c1 - ix],
               out=canvas[r0:r1, c0:c1])


def _box_corner(word: Word) -> tuple[float, float]:
    """The top-left corner of an upright box, as the file stores the box."""
    return word.cx - word.width / 2, word.cy - word.height / 2


def glyph_map(word: Word, fit: Fit, width: int,
              height: int) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """(region of the frame, coverage over it) of a fitted word; None off the frame."""
    parts = _layout(word.text, fit.font, fit.size, fit.moves)
    if not parts:
        return None
    bx, by = _box_corner(word)
    px, py = bx + fit.x / QUARTER, by + fit.y / QUARTER
    x0 = math.floor(min(px + x for _, x, _ in parts))
    y0 = math.floor(min(py + y for _, _, y in parts))
    x1 = math.ceil(max(px + x + g.shape[1] for g, x, _ in parts)) + 1
    y1 = math.ceil(max(py + y + g.shape[0] for g, _, y in parts)) + 1
    if x1 - x0 > MAX_WORD_SIDE or y1 - y0 > MAX_WORD_SIDE:
        return None
    canvas = np.zeros((y1 - y0, x1 - x0), np.float32)
    for g, x, y in parts:
        _place(canvas, g, px + x - x0, py + y - y0)
    r0, c0 = max(0, y0), max(0, x0)
    r1, c1 = min(height, y1), min(width, x1)
    if r1 <= r0 or c1 <= c0:
        return None
    return (slice(r0, r1), slice(c0, c1)), canvas[r0 - y0:r1 - y0, c0 - x0:c1 - x0]


def guidance(words: list[Word], fits: list[Fit | None], width: int,
             height: int) -> tuple[np.ndarray, np.ndarray]:
    """(guide, mask) as ``render.render`` draws them for a fusion block trained on fitted
    guidance: each word with a fit drawn by its fit (its glyphs in the original's font, size
    and place: ``glyph_map``), the others in the guidance font stretched over their boxes.
    The mask is every word's box either way: the block works where the words are."""
    from textcodec.render import placements

    if len(words) != len(fits):
        raise ValueError("one fit (or None) per word")
    guide = np.zeros((height, width), np.float32)
    mask = np.zeros((height, width), np.float32)
    fitted = {id(w) for w, f in zip(words, fits) if f is not None}
    for w, region, glyphs, box in placements(words, width, height):
        np.maximum(mask[region], box, out=mask[region])
        if id(w) not in fitted:
            np.maximum(guide[region], glyphs, out=guide[region])
    for w, f in zip(words, fits):
        placed = None if f is None else glyph_map(w, f, width, height)
        if placed is not None:
            region, g = placed
            np.maximum(guide[region], g, out=guide[region])
    return guide, mask


# ---- the encoder's fit ------------------------------------------------------------------
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luminance(image: np.ndarray) -> np.ndarray:
    """(H, W) float64 luminance in [0, 1] of an (H, W, 3) uint8 image."""
    return image.astype(np.float64) @ LUMA.astype(np.float64) / 255


# a pixel is ink where it stands from the paper (the box's median) by more than INK_SHARE of
# the box's contrast (its 99th percentile distance from the paper); a box whose contrast is
# under MIN_CONTRAST, or with fewer than MIN_INK_PIXELS such pixels, holds no clear ink
INK_SHARE = 0.5
MIN_CONTRAST = 0.08
MIN_INK_PIXELS = 4


def ink_mask(lum: np.ndarray) -> np.ndarray:
    """Boolean ink pixels of a box region's luminance (float in [0, 1])."""
    if lum.size == 0:
        return np.zeros(lum.shape, bool)
    dev = np.abs(lum - np.median(lum))
    contrast = float(np.percentile(dev, 99))
    if contrast < MIN_CONTRAST:
        return np.zeros(lum.shape, bool)
    return dev > INK_SHARE * contrast


def _ink_extent(lum: np.ndarray) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of the ink in a box's luminance, or None where it holds no clear ink."""
    ink = ink_mask(lum)
    if ink.sum() < MIN_INK_PIXELS:
        return None
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    return float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1)


def _extent(parts) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of laid-out coverage, from the pen, in pixels."""
    return (min(x for _, x, _ in parts), min(y for _, _, y in parts),
            max(x + g.shape[1] for g, x, _ in parts), max(y + g.shape[0] for g, _, y in parts))


class _Target:
    """A window of the original's luminance and the sums every least-squares fit in it needs:
    ``lum ~ a + b * m`` over the window, ``m`` zero outside a glyph patch."""

    def __init__(self, lum: np.ndarray):
        self.lum = lum
        self.n = lum.size
        self.mean = float(lum.mean())
        self.tss = float(((lum - self.mean) ** 2).sum())

    def residuals(self, patch: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Residual sums of squares with ``patch``'s first pixel at each (row, col) of the
        window (integers; the patch must fit inside at every one), as a (rows, cols) array."""
        ph, pw = patch.shape
        r0, c0 = int(rows.min()), int(cols.min())
        sub = self.lum[r0:int(rows.max()) + ph, c0:int(cols.max()) + pw]
        windows = np.lib.stride_tricks.sliding_window_view(sub, patch.shape)
        smt = np.einsum("ijkl,kl->ij", windows, patch.astype(np.float64))
        sm = float(patch.sum())
        var = float((patch.astype(np.float64) ** 2).sum()) - sm * sm / self.n
        if var <= 1e-12:
            return np.full(smt.shape, self.tss)
        cov = smt - sm * self.mean
        return self.tss - cov * cov / var


def _grid(v: float, span: int, step: int, lead: float):
    """The offsets k (quarter pixels, multiples of ``step`` up to ``span`` each way) of a pen
    at ``v``, grouped by the fraction of a pixel they leave it at: (fraction, ks, the first
    pixel of coverage that starts ``lead`` pixels from the pen, at each)."""
    for k0 in range(-span, -span + QUARTER):
        ks = np.arange(k0, span + 1, QUARTER)
        ks = ks[ks % step == 0]
        if len(ks):
            frac = (v + k0 / QUARTER) - math.floor(v + k0 / QUARTER)
            yield frac, ks, np.floor(v + ks / QUARTER + 1e-9).astype(int) + math.floor(lead)


def _search(target: _Target, parts, x: float, y: float, span_x: int, span_y: int,
            step: int = 1) -> tuple[float, int, int]:
    """The best place for laid-out coverage ``parts`` ([(coverage, x, y)] from a pen) with
    its pen at (x + i / QUARTER, y + j / QUARTER) in the window, for i, j multiples of
    ``step`` up to ``span`` each way: (residual, i, j). The coverage is drawn afresh at each
    fraction of a pixel (as glyph_map draws it), and slid over the window in whole pixels."""
    best = (math.inf, 0, 0)
    H, W = target.lum.shape
    ex0, ey0, ex1, ey1 = _extent(parts)
    for fy, js, rows in _grid(y, span_y, step, ey0):
        for fx, i_s, cols in _grid(x, span_x, step, ex0):
            patch = np.zeros((math.ceil(ey1) - math.floor(ey0) + 1,
                              math.ceil(ex1) - math.floor(ex0) + 1), np.float32)
            for g, gx, gy in parts:
                _place(patch, g, gx - math.floor(ex0) + fx, gy - math.floor(ey0) + fy)
            ph, pw = patch.shape
            rk = (rows >= 0) & (rows + ph <= H)
            ck = (cols >= 0) & (cols + pw <= W)
            if not rk.any() or not ck.any():
                continue
            res = target.residuals(patch, rows[rk], cols[ck])
            r, c = np.unravel_index(int(np.argmin(res)), res.shape)
            if res[r, c] < best[0]:
                best = (float(res[r, c]), int(i_s[ck][c]), int(js[rk][r]))
    return best


@dataclass(frozen=True)
class _Window:
    """The original's luminance around a word's box: the target, and where the box's corner
    lies in it (pixels)."""

    target: _Target
    corner_x: float
    corner_y: float
    ink: tuple[float, float, float, float]   # the ink's extent, window coordinates


def _window(lum: np.ndarray, word: Word) -> _Window | None:
    if abs(word.angle) >= 1 or word.width < 3 or word.height < 3 or \
            word.width > MAX_WORD_SIDE or word.height > MAX_WORD_SIDE:
        return None
    bx, by = _box_corner(word)
    pad = MARGIN
    x0, y0 = math.floor(bx) - pad, math.floor(by) - pad
    x1, y1 = math.ceil(bx + word.width) + pad, math.ceil(by + word.height) + pad
    H, W = lum.shape
    if x1 <= 0 or y1 <= 0 or x0 >= W or y0 >= H:
        return None
    win = np.pad(lum[max(0, y0):min(H, y1), max(0, x0):min(W, x1)],
                 ((max(0, -y0), max(0, y1 - H)), (max(0, -x0), max(0, x1 - W))), mode="edge")
    bl, bt = int(round(bx - x0)), int(round(by - y0))
    box = win[bt:bt + int(round(word.height)), bl:bl + int(round(word.width))]
    ink = _ink_extent(box) if box.size else None
    if ink is None:
        return None
    ink = (ink[0] + bl, ink[1] + bt, ink[2] + bl, ink[3] + bt)
    return _Window(_Target(win), bx - x0, by - y0, ink)


def _whole(text: str, font: int, size: int):
    """The text drawn as one piece, laid out as _layout lays out parts: [(coverage, x, y)]."""
    g, ox, oy = _token(font, size, text.strip())
    lead = _advance(font, size, text[:len(text) - len(text.lstrip())])
    return [(g, lead + ox, float(oy))] if g.size else []


def _fit_font(win: _Window, text: str, font: int) -> list[tuple[float, int, int, int]]:
    """One font's sizes around the ink's, each at its best place (COARSE quarters apart)
    around the ink's centre: [(residual, size, x, y)], x, y as Fit has them."""
    # the coarse stage draws the whole box's text in one go (the same advances as _layout's
    # parts, to rounding): one rendering per size rather than one per word of a line
    probe = _whole(text, font, PROBE_SIZE)
    if not probe:
        return []
    ix0, iy0, ix1, iy1 = win.ink
    px0, py0, px1, py1 = _extent(probe)
    sw = PROBE_SIZE * (ix1 - ix0) / max(1.0, px1 - px0)
    sh = PROBE_SIZE * (iy1 - iy0) / max(1.0, py1 - py0)
    lo, hi = max(16, math.floor(min(sw, sh)) - 2), math.ceil(max(sw, sh)) + 2
    sizes = sorted(range(lo, hi + 1), key=lambda s: abs(s - sw))[:MAX_SIZES]
    out = []
    span = int(math.ceil(SLACK)) * QUARTER
    for size in sizes:
        parts = _whole(text, font, size)
        if not parts:
            continue
        ex0, ey0, ex1, ey1 = _extent(parts)
        # the pen that puts the coverage's centre on the ink's, on the file's quarter grid
        qx = round(QUARTER * ((ix0 + ix1) / 2 - (ex0 + ex1) / 2 - win.corner_x))
        qy = round(QUARTER * ((iy0 + iy1) / 2 - (ey0 + ey1) / 2 - win.corner_y))
        res, i, j = _search(win.target, parts, win.corner_x + qx / QUARTER,
                            win.corner_y + qy / QUARTER, span, span, COARSE)
        out.append((res, size, qx + i, qy + j))
    return out


def _refine(win: _Window, text: str, font: int, size: int, qx: int, qy: int) -> Fit:
    """A coarse place refined to the quarter pixel."""
    parts = _layout(text, font, size)
    _, i, j = _search(win.target, parts, win.corner_x + qx / QUARTER,
                      win.corner_y + qy / QUARTER, COARSE, COARSE)
    return Fit(font, size, qx + i, qy + j)


def _fit_moves(win: _Window, word_text: str, fit: Fit) -> Fit:
    """A line's words moved one by one along it, each to its best place within TOKEN_SLACK
    of where the word before it went (advances that differ a little add up along a line)."""
    parts = tokens(word_text)
    if len(parts) < 2:
        return fit
    moves = []
    span = int(TOKEN_SLACK * QUARTER)
    pen_x = win.corner_x + fit.x / QUARTER
    pen_y = win.corner_y + fit.y / QUARTER
    W = win.target.lum.shape[1]
    drift = 0   # quarter pixels: where the previous word went, the next one starts looking
    for at, token in parts:
        g, ox, oy = _token(fit.font, fit.size, token)
        if g.size == 0:
            moves.append(drift)
            continue
        x = pen_x + _advance(fit.font, fit.size, word_text[:at]) + drift / QUARTER
        c0 = max(0, math.floor(x + ox) - math.ceil(TOKEN_SLACK) - 1)
        c1 = min(W, math.ceil(x + ox) + g.shape[1] + math.ceil(TOKEN_SLACK) + 2)
        if c1 - c0 <= g.shape[1]:   # the word lies (mostly) past the window's edge
            moves.append(drift)
            continue
        local = _Target(win.target.lum[:, c0:c1])
        res, i, _ = _search(local, [(g, float(ox), float(oy))], x - c0, pen_y, span, 0)
        if not math.isinf(res):
            drift += i
        moves.append(drift)
    return Fit(fit.font, fit.size, fit.x, fit.y, tuple(moves))


def _coverage(win: _Window, word: Word, fit: Fit, text: str | None = None) -> np.ndarray | None:
    """The fit's coverage over the window as the decoder renders it (glyph_map); ``text`` in
    place of the word's own, drawn at the same place. None off the window."""
    H, W = win.target.lum.shape
    shifted = Word(word.text if text is None else text, win.corner_x + word.width / 2,
                   win.corner_y + word.height / 2, word.width, word.height)
    placed = glyph_map(shifted, fit, W, H)
    if placed is None:
        return None
    m = np.zeros((H, W), np.float64)
    m[placed[0]] = placed[1]
    return m


def _moments(m: np.ndarray, t: _Target) -> tuple[float, float] | None:
    """(covariance with the window's luminance, variance) of a coverage map over the window:
    the least-squares fit ``lum ~ paper + ink * m`` has ink = cov / var. None where the map is
    flat."""
    mc = m - m.mean()
    var = float((mc * mc).sum())
    if var <= 1e-12:
        return None
    return float((mc * (t.lum - t.mean)).sum()), var


def _residual(win: _Window, word: Word, fit: Fit) -> float:
    """The residual of the fit as the decoder renders it (glyph_map), over the window."""
    m = _coverage(win, word, fit)
    moments = None if m is None else _moments(m, win.target)
    if moments is None:
        return math.inf
    cov, var = moments
    return win.target.tss - cov * cov / var


def _coarse(win: _Window, text: str, fonts) -> list[tuple[float, int, int, int, int]]:
    """Every font's sizes at their coarse places: [(residual, font, size, x, y)]."""
    return sorted((res, font, size, qx, qy) for font in fonts
                  for res, size, qx, qy in _fit_font(win, text, font))


def _finish(win: _Window, word: Word, coarse) -> tuple[float, Fit] | None:
    """The REFINE best coarse fits placed to the quarter pixel and, in a line, its words
    moved one by one; the best as glyph_map draws it: (share of the window's luminance
    variance explained, fit)."""
    best = None
    for c in coarse[:REFINE]:
        fit = _refine(win, word.text, *c[1:])
        res = _residual(win, word, fit)
        if len(tokens(word.text)) > 1:
            moved = _fit_moves(win, word.text, fit)
            moved_res = _residual(win, word, moved)
            if moved_res < res:
                fit, res = moved, moved_res
        if best is None or res < best[0]:
            best = (res, fit)
    if best is None:
        return None
    return 1 - best[0] / max(win.target.tss, 1e-12), best[1]


def fit_word(lum: np.ndarray, word: Word, fonts=None) -> tuple[float, Fit] | None:
    """(share of the box's luminance variance explained, fit) of one word in the original's
    luminance ``lum``, over ``fonts`` (indices; None: all); None where no fit is possible.
    Every font and size is placed to the half pixel; the REFINE best to the quarter."""
    win = _window(lum, word)
    if win is None or not word.text.strip():
        return None
    return _finish(win, word, _coarse(win, word.text,
                                      range(len(FONTS)) if fonts is None else fonts))


def fit_words(image: np.ndarray, words: list[Word]) -> list[Fit | None]:
    """A fit for every word of a page (None where none explains the original's ink well,
    MIN_R2). Neighbouring words mostly share a face: each word tries first the RECENT fonts
    that fitted the words before it, and every bundled font only where those fit it worse than
    SURE."""
    lum = luminance(image)
    recent: list[int] = []
    out: list[Fit | None] = []
    for w in words:
        r = _fit_after(lum, w, recent)
        out.append(r[1] if r is not None and r[0] >= MIN_R2 else None)
    return out


def _fit_after(lum: np.ndarray, word: Word, recent: list[int]) -> tuple[float, Fit] | None:
    """fit_word trying first the RECENT fonts of ``recent`` (most recent first), and every
    bundled font only where those fit the word worse than SURE; a fit kept (MIN_R2) puts its
    font first in ``recent``."""
    r = fit_word(lum, word, recent[:RECENT]) if recent else None
    if r is None or r[0] < SURE:
        rest = [f for f in range(len(FONTS)) if f not in recent[:RECENT]]
        alt = fit_word(lum, word, rest) if rest else None
        if alt is not None and (r is None or alt[0] > r[0]):
            r = alt
    if r is not None and r[0] >= MIN_R2:
        _remember(recent, r[1].font)
    return r


def _remember(recent: list[int], font: int) -> None:
    """Put ``font`` first in the list of fonts that fitted before."""
    recent[:] = [font] + [f for f in recent if f != font]


# ---- numbers: drawn only where the pixels say which digits they are ---------------------
# a misread digit makes another number, which reads as right as the true one: a number is
# drawn only where its fit explains the original well (NUMBER_MIN_R2) and each digit, swapped
# for any other digit or a letter it is often mistaken for and drawn at the same place,
# explains the pixels where the two drawings differ worse by NUMBER_MARGIN of their variance
# (docs/benchmarks.md, "Numbers")
LOOKALIKES = {"0": "OD", "1": "lI", "2": "Z", "5": "S", "6": "b", "8": "B", "9": "g"}
NUMBER_MIN_R2 = 0.7
NUMBER_MARGIN = 0.1


def swaps(text: str, i: int) -> str:
    """What digit ``text[i]`` is swapped for in ``number_check``: every other digit, and the
    letters it is often mistaken for (LOOKALIKES) unless its token (the space-separated word
    holding it) has no letter and at least two digits: a "1" in "20/6/2011" is no "I", and
    a font whose "1" is a plain stroke explains "201I" better than any bundled font's "1"
    (session 45: 6 right numbers of held-out pages refused so, no wrong one let in;
    docs/bench/numbers-s45.json). Both OCR engines reading a letter as a digit in a word of
    digits is what this trusts."""
    c = text[i]
    start = text.rfind(" ", 0, i) + 1
    end = text.find(" ", i)
    token = text[start:len(text) if end < 0 else end]
    digits = "".join(d for d in "0123456789" if d != c)
    if not any(ch.isalpha() for ch in token) and sum(ch.isdigit() for ch in token) >= 2:
        return digits
    return digits + LOOKALIKES.get(c, "")


def number_check(lum: np.ndarray, word: Word, fit: Fit) -> tuple[float, float]:
    """(share of the window's luminance variance the fit explains, margin) of a fitted word
    in the original's luminance ``lum``. The margin: over every digit of the word and every
    swap of it (``swaps``: another digit or a look-alike letter), drawn at the same place in
    the same colours (the fit's least-squares paper and ink), the least rise in squared error
    over the pixels where the two drawings differ, as a share of the original's variance
    there (0 where a swap draws the same; inf where the word holds no digit). (-inf, -inf)
    where the word has no window."""
    win = _window(lum, word)
    m = None if win is None else _coverage(win, word, fit)
    moments = None if m is None else _moments(m, win.target)
    if moments is None:
        return -math.inf, -math.inf
    t = win.target
    ink = moments[0] / moments[1]
    paper = t.mean - ink * float(m.mean())
    err = (paper + ink * m - t.lum) ** 2
    r2 = 1 - float(err.sum()) / max(t.tss, 1e-12)
    margin = math.inf
    for i, c in enumerate(word.text):
        if not c.isdigit():
            continue
        for alt in swaps(word.text, i):
            m2 = _coverage(win, word, fit, word.text[:i] + alt + word.text[i + 1:])
            differ = np.ones_like(m, bool) if m2 is None else np.abs(m2 - m) > 1e-3
            if m2 is None or not differ.any():
                return r2, 0.0
            local = t.lum[differ]
            spread = float(((local - local.mean()) ** 2).sum())
            rise = float(((paper + ink * m2[differ] - local) ** 2).sum() - err[differ].sum())
            margin = min(margin, rise / max(spread, 1e-12))
    return r2, margin


NUMBER_GAP = 0.4       # of the glyphs' height: the clear paper a number needs either side
NUMBER_MAX_WORDS = 6   # phrases holding a digit are fitted only up to this many words: longer
                       # lines cost seconds each and few pass (tools/number_cap_study.py)


def number_candidate(word: Word) -> bool:
    """Whether the encoder fits a phrase holding a digit at all: only short ones
    (NUMBER_MAX_WORDS). A whole line of 17-21 words fitted word by word for a date in it
    made the sample's encode at quality 0 take 12.9 s instead of 3.4 s, and a long line's
    letters are where a misread word hides ("cattycomer", docs/benchmarks.md)."""
    return len(word.text.split()) <= NUMBER_MAX_WORDS


def number_bounded(lum: np.ndarray, word: Word, fit: Fit,
                   sides: tuple[bool, bool] = (True, True)) -> bool:
    """Whether the original is clear paper for NUMBER_GAP of the fitted glyphs' height left
    and right of their ink (``sides``: which of the two to look at), along their rows: where
    it is not, the box may have cut a number short ("723" read in "1723"), which the swaps
    cannot see."""
    H, W = lum.shape
    placed = glyph_map(word, fit, W, H)
    if placed is None:
        return False
    (rs, cs), g = placed
    rows, cols = np.flatnonzero(g.max(1) > INK_LEVEL), np.flatnonzero(g.max(0) > INK_LEVEL)
    if not len(rows):
        return False
    r0, r1 = rs.start + rows[0], rs.start + rows[-1] + 1
    c0, c1 = cs.start + cols[0], cs.start + cols[-1] + 1
    gap = max(2, math.ceil(NUMBER_GAP * (r1 - r0)))
    inside = lum[r0:r1, c0:c1]
    ink = g[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] > INK_LEVEL
    if ink.all():       # no paper inside to compare with (rows holds ink, so some is)
        return False
    paper, dark = float(np.median(inside[~ink])), float(np.median(inside[ink]))
    level = abs(dark - paper) / 2
    looked = (lum[r0:r1, max(0, c0 - gap):c0], lum[r0:r1, c1:min(W, c1 + gap)])
    return all(int((np.abs(side - paper) > level).sum()) < 2
               for side, look in zip(looked, sides) if look)


def number_ends(text: str) -> tuple[bool, bool]:
    """Which ends of a phrase a number could have been cut at: its first and last tokens,
    where they hold a digit (``number_bounded``'s ``sides``). A number inside the phrase is
    bounded by the phrase's own words."""
    ends = tokens(text)
    if not ends:
        return False, False
    return has_digit(ends[0][1]), has_digit(ends[-1][1])


def numbers_checked(image: np.ndarray, words: list[Word],
                    fits: list[Fit | None]) -> list[Fit | None]:
    """The fits with those of the words holding a digit kept only where ``number_check``
    finds the digits beyond doubt (NUMBER_MIN_R2, NUMBER_MARGIN) and ``number_bounded`` the
    number whole at the phrase's ends that hold one (``number_ends``; until session 46 at
    both ends whatever they held, which refused right numbers in phrases set against a
    border or another column)."""
    lum = luminance(image)
    out = []
    for w, f in zip(words, fits):
        if f is not None and has_digit(w.text):
            r2, margin = number_check(lum, w, f)
            if r2 < NUMBER_MIN_R2 or margin < NUMBER_MARGIN or \
                    not number_bounded(lum, w, f, number_ends(w.text)):
                f = None
        out.append(f)
    return out


# ---- spans: parts of phrases -------------------------------------------------------------
# a line of more than NUMBER_MAX_WORDS words is not fitted whole; its runs of words holding a
# digit are fitted alone, each in a box cut from the line's at the blank columns between its
# words, and so are the runs of words without a digit left over of any phrase holding a digit
# not painted whole. They travel in the SPANS section: which words of which phrase, and their
# fit placed from the phrase's own box corner, so the decoder needs no box of its own for them
SPAN_GAP = 0.15   # of a line's box height: the least blank run that parts two of its words
SPAN_REACH = 1    # words either side of a run of numbers fitted with it: the font and place
#                   of a lone number of a few digits are in doubt, a few words' ink settles them


@dataclass(frozen=True)
class Span:
    """A fit of tokens ``first .. first + count - 1`` of side-stream word ``word`` (a line),
    its ``x``, ``y`` from the corner of the line's box, its ``moves`` one per token of the
    span."""

    word: int
    first: int
    count: int
    fit: Fit


def span_text(text: str, first: int, count: int) -> str | None:
    """The span's tokens joined by single spaces; None where the line has no such tokens."""
    parts = tokens(text)
    if first < 0 or count < 1 or first + count > len(parts):
        return None
    return " ".join(t for _, t in parts[first:first + count])


def span_word(word: Word, first: int, count: int) -> Word | None:
    """What a span paints: its tokens' text over the line's box (a span's fit is placed from
    the line's box corner, so the two draw alike)."""
    text = span_text(word.text, first, count)
    return None if text is None else replace(word, text=text)


def digit_runs(text: str, reach: int = 0) -> list[tuple[int, int]]:
    """(first, count) of each run of consecutive tokens holding a digit, taken ``reach``
    tokens further each way (within the text); runs that then meet are one."""
    parts = tokens(text)
    digits = [i for i, (_, t) in enumerate(parts) if has_digit(t)]
    return runs_of([k for k in range(len(parts)) if any(abs(k - i) <= reach for i in digits)])


def _blank_runs(inked: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of False between the first and last True of a 1-D mask."""
    on = np.flatnonzero(inked)
    out, start = [], None
    for c in range(int(on[0]), int(on[-1]) + 1):
        if not inked[c] and start is None:
            start = c
        elif inked[c] and start is not None:
            out.append((start, c))
            start = None
    return out


def span_box(lum: np.ndarray, word: Word, first: int, count: int) -> Word | None:
    """A box for tokens ``first .. first + count - 1`` of an upright line in the original's
    luminance: the line's box cut at the blank columns between words. Where the line shows
    as many wide blank runs as it has gaps between tokens, the widest are its word gaps and
    the span runs between two of them; otherwise the cuts nearest where the tokens would lie
    at a bundled font's advances. Its left edge lies on the line's quarter-pixel grid, so a
    fit in it moves to the line's box exactly. None where the line holds no clear ink."""
    parts = tokens(word.text)
    text = span_text(word.text, first, count)
    if abs(word.angle) >= 1 or text is None:
        return None
    bx, by = _box_corner(word)
    H, W = lum.shape
    x0, y0 = max(0, math.floor(bx)), max(0, math.floor(by))
    x1, y1 = min(W, math.ceil(bx + word.width)), min(H, math.ceil(by + word.height))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    inked = ink_mask(lum[y0:y1, x0:x1]).any(0)
    if inked.sum() < 2:
        return None
    on = np.flatnonzero(inked)
    runs = _blank_runs(inked)
    least = max(2.0, SPAN_GAP * word.height)
    wide = sorted(sorted(runs, key=lambda r: r[0] - r[1])[:len(parts) - 1])
    if len(wide) == len(parts) - 1 and all(e - s >= least for s, e in wide):
        cuts = [float(on[0])] + [(s + e) / 2 for s, e in wide] + [float(on[-1] + 1)]
        a, b = cuts[first], cuts[first + count]
    else:
        cuts = [float(on[0])] + [(s + e) / 2 for s, e in runs if e - s >= least] + \
            [float(on[-1] + 1)]
        total = _advance(0, PROBE_SIZE, word.text)
        if total <= 0:
            return None
        at, last = parts[first][0], parts[first + count - 1]
        span = float(on[-1] + 1 - on[0])
        want_a = on[0] + span * _advance(0, PROBE_SIZE, word.text[:at]) / total
        want_b = on[0] + span * _advance(0, PROBE_SIZE,
                                         word.text[:last[0] + len(last[1])]) / total
        a = min(cuts, key=lambda c: abs(c - want_a))
        b = min(cuts, key=lambda c: abs(c - want_b))
    if b - a < 2:
        return None
    left = bx + round(QUARTER * (x0 + a - bx)) / QUARTER
    width = x0 + b - left
    return Word(text, left + width / 2, word.cy, width, word.height, 0.0, word.confidence,
                word.draw)


def fit_spans(image: np.ndarray, words: list[Word], lines: list[int],
              reach: int | None = None, letters: bool = True,
              allowed: dict[int, frozenset[int]] | None = None) -> list[Span]:
    """Spans for ``lines`` (indices into ``words``: phrases holding a digit that are not
    painted whole), in the order of line and first token. Of a line longer than the cap
    (``number_candidate``), each run of digit-bearing tokens with ``reach`` tokens either
    side (None: SPAN_REACH), fitted in its own box (``span_box``) and kept only where, as for
    a number fitted whole, its fit explains the box (MIN_R2) and ``number_check`` finds
    every digit borne out, and ``number_bounded`` the number whole where it ends the span
    (elsewhere a word of the line's own follows it, fitted with it). With ``letters``, of
    every line the runs of tokens without a digit that no kept span covers, kept as a word
    without a digit is (MIN_R2), the fonts that fitted before tried first as ``fit_words``
    does. Each fit moved to the line's box. ``allowed`` (line index -> token indices): of
    those lines (phrases the cross-check did not confirm whole) only the runs of the tokens
    it confirmed without a digit are fitted, as words without a digit."""
    lum = luminance(image)
    recent: list[int] = []
    out = []
    allowed = allowed or {}
    for i in lines:
        line = words[i]
        parts = tokens(line.text)
        kept: list[Span] = []
        runs = [] if number_candidate(line) or i in allowed else \
            digit_runs(line.text, SPAN_REACH if reach is None else reach)
        for first, count in runs:
            span = _fit_span(lum, line, i, first, count, recent, number=True)
            if span is not None:
                kept.append(span)
        if letters:
            covered = {k for s in kept for k in range(s.first, s.first + s.count)}
            free = [k for k, (_, t) in enumerate(parts) if k not in covered
                    and not has_digit(t) and (i not in allowed or k in allowed[i])]
            for first, count in runs_of(free):
                span = _fit_span(lum, line, i, first, count, recent, number=False)
                if span is not None:
                    kept.append(span)
        out += sorted(kept, key=lambda s: s.first)
    return out


def runs_of(indices: list[int]) -> list[tuple[int, int]]:
    """(first, count) of each run of consecutive integers of a sorted list."""
    runs: list[tuple[int, int]] = []
    for k in indices:
        if runs and sum(runs[-1]) == k:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((k, 1))
    return runs


def _fit_span(lum: np.ndarray, line: Word, index: int, first: int, count: int,
              recent: list[int], number: bool) -> Span | None:
    """One span of ``fit_spans``, or None where its box or fit fails its checks."""
    sub = span_box(lum, line, first, count)
    if sub is None:
        return None
    # a number's check needs its best fit: every font is tried (numbers are few)
    r = fit_word(lum, sub) if number else _fit_after(lum, sub, recent)
    if r is None or r[0] < MIN_R2:
        return None
    fit = r[1]
    if number:
        _remember(recent, fit.font)
        r2, margin = number_check(lum, sub, fit)
        if r2 < NUMBER_MIN_R2 or margin < NUMBER_MARGIN or not number_bounded(
                lum, sub, fit, number_ends(sub.text)):
            return None
    shift = round(QUARTER * (_box_corner(sub)[0] - _box_corner(line)[0]))
    return Span(index, first, count, replace(fit, x=fit.x + shift))


# ---- painting: the encoder's gate and the decoder's brush --------------------------------
def _brush(pre: np.ndarray, region, g: np.ndarray) -> np.ndarray | None:
    """The region painted: the word's paper and ink colours taken from the decode ``pre``
    (textcodec.render.word_colours), the fitted coverage between them."""
    from textcodec.render import word_colours

    colours = word_colours(pre[region], g, np.ones_like(g))
    if colours is None:
        return None
    ink, paper = colours
    return paper * (1 - g[..., None]) + ink * g[..., None]


FULL = 8   # strengths are eighths of the way from the decode to the brush


def _blend(under: np.ndarray, painted: np.ndarray, strength: int) -> np.ndarray:
    return painted if strength == FULL else under + (strength / FULL) * (painted - under)


def paint(decoded: np.ndarray, words: list[Word], fits: list[Fit | None]) -> np.ndarray:
    """``decoded`` ((H, W, 3) float in [0, 1]) with every fitted word of nonzero strength
    painted over it, in order: strength / FULL of the way from what is there to the brush.
    Returns a new array."""
    out = np.array(decoded, np.float32, copy=True)
    H, W = out.shape[:2]
    for word, fit in zip(words, fits):
        if fit is None or not fit.paint:
            continue
        placed = glyph_map(word, fit, W, H)
        if placed is None:
            continue
        region, g = placed
        painted = _brush(decoded, region, g)
        if painted is not None:
            out[region] = _blend(out[region], painted, fit.strength)
    return out


def gate(original: np.ndarray, decoded: np.ndarray, words: list[Word],
         fits: list[Fit | None]) -> list[Fit | None]:
    """The fits with their strengths set (``paint`` paints in order): for each word the
    greatest that brings the decode nearer the original (``original`` uint8, ``decoded``
    float in [0, 1], both (H, W, 3)), 0 where none does: the encoder's promise that no painted
    word makes its pixels worse. Where the decode is poor (low rates) that is mostly full
    strength; where it is fair, a light touch still sharpens the strokes (docs/benchmarks.md,
    "Fitted glyphs")."""
    img = original.astype(np.float32) / 255
    out = np.array(decoded, np.float32, copy=True)
    H, W = out.shape[:2]
    flagged: list[Fit | None] = []
    for word, fit in zip(words, fits):
        if fit is None:
            flagged.append(None)
            continue
        placed = glyph_map(word, fit, W, H)
        painted = None if placed is None else _brush(decoded, *placed)
        strength = 0
        if painted is not None:
            region = placed[0]
            under, target = out[region], img[region]
            before = float(((under - target) ** 2).sum())
            for k in range(FULL, 0, -1):
                blended = _blend(under, painted, k)
                if float(((blended - target) ** 2).sum()) < before:
                    strength, out[region] = k, blended
                    break
        flagged.append(Fit(fit.font, fit.size, fit.x, fit.y, fit.moves, strength))
    return flagged


# ---- the GLYPHS section ------------------------------------------------------------------
# payload: one byte, 0 = the raw stream follows, 1 = zstd of it; the raw stream, ULEB128
# integers, signed ones zigzagged: version, n (the side stream's word count), n codes
# (0 = no fit, else 1 + 2 * font + paint, paint = 1 where the word is painted at FULL
# strength; the STRENGTHS section grades the others), then for the fitted words in order:
# their sizes, their x, their y, and each fitted word's moves (as many as its text has words,
# where it has more than one)
MAX_POSITION = QUARTER * MAX_WORD_SIDE


def pack(words: list[Word], fits: list[Fit | None]) -> bytes:
    """The GLYPHS section's payload for a side stream's words and their fits."""
    if len(words) != len(fits):
        raise ValueError("one fit (or None) per word")
    out = bytearray(write_uvarint(SECTION_VERSION) + write_uvarint(len(fits)))
    done = [f for f in fits if f is not None]
    for f in fits:
        out += write_uvarint(0 if f is None else 1 + 2 * f.font + int(f.strength == FULL))
    for column in ([f.size for f in done], [zigzag(f.x) for f in done],
                   [zigzag(f.y) for f in done]):
        for v in column:
            out += write_uvarint(v)
    for w, f in zip(words, fits):
        count = len(tokens(w.text))
        if f is not None and count > 1:
            if len(f.moves) not in (0, count):
                raise ValueError(f"{w.text!r} holds {count} words, its fit {len(f.moves)} moves")
            for v in f.moves or (0,) * count:
                out += write_uvarint(zigzag(v))
    raw = bytes(out)
    import zstandard

    packed = zstandard.ZstdCompressor(level=19).compress(raw)
    return b"\x01" + packed if len(packed) < len(raw) else b"\x00" + raw


# the STRENGTHS section's payload: version (ULEB128), then for each fitted word that GLYPHS does
# not mark (those marked are at FULL strength) its strength 0..FULL-1 in a nibble, two to a
# byte, high nibble first, the last byte's low nibble 0 where their count is odd
STRENGTHS_VERSION = 1


def pack_strengths(fits: list[Fit | None]) -> bytes | None:
    """The STRENGTHS section's payload, or None where every fitted word is at 0 or FULL (the
    GLYPHS section's flags then say it all, and a 1.5 reader paints the file exactly)."""
    rest = [f.strength for f in fits if f is not None and f.strength != FULL]
    if not any(rest):
        return None
    rest += [0] * (len(rest) % 2)
    return write_uvarint(STRENGTHS_VERSION) + bytes(
        rest[i] << 4 | rest[i + 1] for i in range(0, len(rest), 2))


def apply_strengths(payload: bytes, fits: list[Fit | None]) -> list[Fit | None]:
    """The fits (as ``unpack`` read them from GLYPHS) with the STRENGTHS payload's strengths
    given to the words GLYPHS left unmarked; SideStreamError on anything malformed."""
    view = memoryview(payload)
    try:
        version, pos = read_uvarint(view, 0, "strengths version")
    except ContainerError as e:
        raise SideStreamError(f"malformed strengths section: {e}") from None
    if version != STRENGTHS_VERSION:
        raise SideStreamError(f"unsupported strengths section version {version}")
    rest = [i for i, f in enumerate(fits) if f is not None and f.strength != FULL]
    if len(view) - pos != (len(rest) + 1) // 2:
        raise SideStreamError(f"strengths section holds {len(view) - pos} bytes for "
                              f"{len(rest)} words")
    nibbles = [n for b in view[pos:] for n in (b >> 4, b & 15)]
    if any(n >= FULL for n in nibbles) or nibbles[len(rest):] not in ([], [0]):
        raise SideStreamError("strengths section: a strength out of range")
    out = list(fits)
    for i, k in zip(rest, nibbles):
        out[i] = replace(fits[i], strength=k)
    return out


def unpack(payload: bytes, words: list[Word]) -> list[Fit | None]:
    """The fits of a GLYPHS payload for the side stream's ``words``; SideStreamError on
    anything malformed."""
    if not payload or payload[0] not in (0, 1):
        raise SideStreamError("glyph section: unknown compression")
    raw = payload[1:]
    if payload[0] == 1:
        import zstandard

        limit = 64 + 16 * (len(words) + sum(len(tokens(w.text)) for w in words))
        try:
            raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=limit)
        except zstandard.ZstdError as e:
            raise SideStreamError(f"glyph section does not decompress: {e}") from None
    view = memoryview(raw)
    try:
        version, pos = read_uvarint(view, 0, "glyph section version")
        if version != SECTION_VERSION:
            raise SideStreamError(f"unsupported glyph section version {version}")
        n, pos = read_uvarint(view, pos, "glyph count")
        if n != len(words):
            raise SideStreamError(f"glyph section holds {n} words, the side stream {len(words)}")

        def column(count: int, what: str) -> list[int]:
            nonlocal pos
            col = []
            for _ in range(count):
                v, pos = read_uvarint(view, pos, what)
                col.append(v)
            return col

        codes = column(n, "glyph codes")
        fitted = [i for i, c in enumerate(codes) if c]
        sizes = column(len(fitted), "glyph sizes")
        xs = [unzigzag(v) for v in column(len(fitted), "glyph x")]
        ys = [unzigzag(v) for v in column(len(fitted), "glyph y")]
        fits: list[Fit | None] = [None] * n
        for k, i in enumerate(fitted):
            font, paint_flag = divmod(codes[i] - 1, 2)
            if font >= len(FONTS):
                raise SideStreamError(f"glyph fit {i} names font {font} of {len(FONTS)}")
            if not 1 <= sizes[k] <= MAX_POSITION or abs(xs[k]) > MAX_POSITION \
                    or abs(ys[k]) > MAX_POSITION:
                raise SideStreamError(f"glyph fit {i} lies outside the frame's bounds")
            count = len(tokens(words[i].text))
            moves = tuple(unzigzag(v) for v in column(count, "glyph moves")) \
                if count > 1 else ()
            if any(abs(m) > MAX_POSITION for m in moves):
                raise SideStreamError(f"glyph fit {i} moves a word outside the frame's bounds")
            fits[i] = Fit(font, sizes[k], xs[k], ys[k], moves, FULL * paint_flag)
        if pos != len(view):
            raise SideStreamError(f"{len(view) - pos} stray bytes at the end of the glyph section")
        return fits
    except SideStreamError:
        raise
    except Exception as e:   # ContainerError from varints carries the in-stream offset
        raise SideStreamError(f"malformed glyph section: {e}") from None


# the SPANS section's payload (ULEB128 integers, signed ones zigzagged): version, k, then for
# each span in the order of its line and first token: the line's index less the previous
# span's (the first's from 0), its first token, its token count, font, strength (1..FULL),
# size, x, y, and where it has more than one token a move for each
SPANS_VERSION = 1


def pack_spans(words: list[Word], spans: list[Span]) -> bytes | None:
    """The SPANS section's payload for the spans of nonzero strength; None where there are
    none."""
    kept = sorted((s for s in spans if s.fit.paint), key=lambda s: (s.word, s.first))
    if not kept:
        return None
    out = bytearray(write_uvarint(SPANS_VERSION) + write_uvarint(len(kept)))
    at = 0
    for s in kept:
        if span_text(words[s.word].text, s.first, s.count) is None:
            raise ValueError(f"span {s.first}+{s.count} outside {words[s.word].text!r}")
        f = s.fit
        if len(f.moves) not in (0, s.count) or s.count == 1 and f.moves:
            raise ValueError(f"a span of {s.count} words with {len(f.moves)} moves")
        for v in (s.word - at, s.first, s.count, f.font, f.strength, f.size):
            out += write_uvarint(v)
        for v in (f.x, f.y) + ((f.moves or (0,) * s.count) if s.count > 1 else ()):
            out += write_uvarint(zigzag(v))
        at = s.word
    return bytes(out)


def unpack_spans(payload: bytes, words: list[Word],
                 fits: list[Fit | None] | None = None) -> list[Span]:
    """The spans of a SPANS payload for the side stream's ``words`` (``fits``: GLYPHS' fits of
    them, where the file has the section: a line fitted whole holds no span);
    SideStreamError on anything malformed."""
    view = memoryview(payload)
    pos = 0

    def value(what: str) -> int:
        nonlocal pos
        v, pos = read_uvarint(view, pos, what)
        return v

    try:
        if value("spans version") != SPANS_VERSION:
            raise SideStreamError("unsupported spans section version")
        k = value("span count")
        if k > sum(len(tokens(w.text)) for w in words):
            raise SideStreamError(f"spans section holds {k} spans for {len(words)} words")
        out: list[Span] = []
        at, end = 0, 0   # the previous span's line, and the token after it
        for n in range(k):
            delta, first, count, font, strength, size = (
                value(w) for w in ("span line", "span token", "span length", "span font",
                                   "span strength", "span size"))
            x, y = unzigzag(value("span x")), unzigzag(value("span y"))
            line = at + delta
            if n and delta == 0 and first < end:
                raise SideStreamError(f"span {n} overlaps or precedes the one before it")
            if line >= len(words) or span_text(words[line].text, first, count) is None:
                raise SideStreamError(f"span {n} names words its line does not hold")
            if fits is not None and fits[line] is not None:
                raise SideStreamError(f"span {n} lies in a line fitted whole")
            if font >= len(FONTS):
                raise SideStreamError(f"span {n} names font {font} of {len(FONTS)}")
            if not 1 <= strength <= FULL:
                raise SideStreamError(f"span {n}: strength {strength} out of range")
            moves = tuple(unzigzag(value("span moves")) for _ in range(count)) \
                if count > 1 else ()
            if not 1 <= size <= MAX_POSITION or \
                    any(abs(v) > MAX_POSITION for v in (x, y) + moves):
                raise SideStreamError(f"span {n} lies outside the frame's bounds")
            out.append(Span(line, first, count, Fit(font, size, x, y, moves, strength)))
            at, end = line, first + count
        if pos != len(view):
            raise SideStreamError(f"{len(view) - pos} stray bytes at the end of the spans "
                                  f"section")
        return out
    except SideStreamError:
        raise
    except Exception as e:   # ContainerError from varints carries the in-stream offset
        raise SideStreamError(f"malformed spans section: {e}") from None
