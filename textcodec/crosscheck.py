"""The encoder's cross-check of the side stream (issue 5, "no text substitution").

EasyOCR's reading of the original goes into the side stream, and the decoder's fusion block
draws it. A misread word drawn into the image is the JBIG2 failure, so before sending, the
encoder asks a second, independent engine (Tesseract: another detector, recogniser and
training set) to read the same original. A phrase is drawn only if every one of its tokens is
among what the second engine reads in that phrase's box; the others are flagged "not drawn"
(``Word.draw``). The side stream still carries every word (``textcodec text`` lists them all);
only the drawing is withheld.

Tesseract does not read the page as it stands: it reads a *sheet* made of the phrases' boxes,
each cut from the original with a margin, turned to dark ink on light paper, stretched to the
full grey range and scaled so its box is ``SHEET_HEIGHT`` pixels high, one below the other.
Tesseract's LSTM reads text best at 30-50 px lines and finds it best as one block of lines;
screen text is 9-14 px high, and a page of UI chrome hides words from its layout analysis. Its
words are then put back in the page's coordinates, so "confirmed in the phrase's box" means
what it did when the page was read whole.

Measured on held-out synthetic screenshots and FUNSD forms (tools/crosscheck_study.py,
docs/benchmarks.md "Cross-check"; 16 held-out images): read whole, the page confirmed 79-80 %
of EasyOCR's right tokens and 4 % of its misreadings; the sheet confirms 92 % of the right
ones and 6 % of the misreadings, in a third of the time. The other check one might try,
decoding the file at the encoder and keeping words whose fused box comes closer to the
original, does not tell misreadings apart: the block moves both kinds of token alike.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import shutil

import numpy as np

from textcodec.errors import InputError
from textcodec.words import Word, normalise_token, tokens_in_box

MODES = ("auto", "tesseract", "off")


def available(engine: str = "tesseract") -> bool:
    """Whether the second engine can run here (Tesseract is a system package)."""
    return engine == "tesseract" and shutil.which("tesseract") is not None


def resolve_mode(mode: str) -> str:
    """"auto" -> "tesseract" where it is installed, else "off"; other modes are checked."""
    if mode not in MODES:
        raise InputError(f"cross-check must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "auto":
        return "tesseract" if available() else "off"
    return mode


def agrees(word: Word, second: list[Word]) -> bool:
    """Every token of the phrase is read by the second engine in the phrase's box."""
    found = tokens_in_box(word.axis_aligned_box(), second)
    tokens = [n for t in word.text.split() if (n := normalise_token(t))]
    return all(t in found for t in tokens)


def confirmed_tokens(word: Word, second: list[Word]) -> frozenset[int]:
    """Indices of the phrase's tokens (its space-separated words, as glyphs.tokens counts
    them) that the second engine reads in the phrase's box; a token of no letter or digit
    (a dash, a bullet) is not confirmed. Where a phrase is not confirmed whole, the encoder
    may still paint the runs of these (textcodec.glyphs.fit_spans)."""
    from textcodec.glyphs import tokens

    found = tokens_in_box(word.axis_aligned_box(), second)
    return frozenset(k for k, (_, t) in enumerate(tokens(word.text))
                     if (n := normalise_token(t)) and n in found)


PART_MIN_CHARS = 2   # letters and digits a confirmed part of a doubtful phrase needs: a lone
#                      "l" or "1" that the second engine reads somewhere in the box proves little


def confirmed_parts(image: np.ndarray, words: list[Word], second: list[Word]) -> list[Word]:
    """Of phrases the first engine doubts (below its confidence floor: one misread token
    sinks a whole line's confidence), the runs of tokens the second engine confirms, each a
    word of its own in a box cut from the phrase's at its word gaps (glyphs.span_box) and
    flagged drawable: what both engines read in the same place."""
    from textcodec.glyphs import luminance, runs_of, span_box

    lum = luminance(image)
    out = []
    for w in words:
        if abs(w.angle) >= 1:
            continue
        for first, count in runs_of(sorted(confirmed_tokens(w, second))):
            part = span_box(lum, w, first, count)
            if part is not None and sum(c.isalnum() for c in part.text) >= PART_MIN_CHARS:
                out.append(dataclasses.replace(part, draw=True))
    return out


def flag_words(words: list[Word], second: list[Word]) -> list[Word]:
    """The words with ``draw`` cleared where the second engine does not agree (a word already
    flagged stays flagged)."""
    return [dataclasses.replace(w, draw=w.draw and agrees(w, second)) for w in words]


def cross_check(image: np.ndarray, words: list[Word], mode: str = "auto") -> list[Word]:
    """Flag the words a second engine does not confirm on ``image`` (the original, (H, W, 3)
    uint8). ``mode`` "off" (or "auto" without Tesseract) returns the words unchanged."""
    mode = resolve_mode(mode)
    if mode == "off" or not words:
        return list(words)
    return flag_words(words, second_reading(image, words, mode))


SHEET_HEIGHT = 48     # px a phrase's box is scaled to on the sheet
SHEET_MAX_SCALE = 6.0
SHEET_MAX_WIDTH = 2400  # px: a long line is scaled less rather than make the sheet huge
SHEET_MAX_ROWS = 6000   # px of sheet per Tesseract run (a long page is read in parts)
SHEET_GAP = 24
SHEET_PAD = 16
MIN_SPREAD = 8        # grey levels: a box flatter than this holds nothing to read
# paper above and below a phrase in its row (session 44; tools/crosscheck_rows.py measures it)
BLANK_MARGIN = True


@dataclasses.dataclass(frozen=True)
class _Row:
    """One phrase on the sheet: its crop, scaled, and where it came from in the page."""
    pixels: np.ndarray   # (h, w) uint8, dark ink on light paper
    left: int            # the crop's top-left corner in the page
    top: int
    scale: float


def _row(lum: np.ndarray, word: Word) -> _Row | None:
    """The phrase's box (and a margin) cut from the page's luminance, ready for the sheet."""
    from PIL import Image

    x0, y0, x1, y1 = word.axis_aligned_box()
    margin = max(2.0, 0.15 * (y1 - y0))
    h, w = lum.shape
    c0, c1 = max(0, int(x0 - margin)), min(w, int(np.ceil(x1 + margin)))
    r0, r1 = max(0, int(y0 - margin)), min(h, int(np.ceil(y1 + margin)))
    crop = lum[r0:r1, c0:c1]
    if crop.size == 0:
        return None
    lo, hi = np.percentile(crop, 2), np.percentile(crop, 98)
    if hi - lo < MIN_SPREAD:
        return None
    grey = np.clip((crop - lo) / (hi - lo), 0, 1)
    if np.median(grey) < 0.5:      # the paper is what most of a box is: light text on dark
        grey = 1 - grey
    # the margin above and below the box holds slivers of the lines around it: on a sheet
    # Tesseract can take a row so framed for no text at all (a whole line of 24 words, read
    # alone, was missed on its page's sheet), so the margin keeps only paper there: EasyOCR's
    # right tokens confirmed 94.6 -> 98.8 %, its misread ones 13 -> 12 of 62
    if BLANK_MARGIN:
        grey[:max(0, int(np.floor(y0)) - r0)] = 1.0
        grey[max(0, int(np.ceil(y1)) - r0):] = 1.0
    scale = min(SHEET_MAX_SCALE, SHEET_MAX_WIDTH / crop.shape[1],
                max(1.0, SHEET_HEIGHT / max(1.0, y1 - y0)))
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    pixels = np.asarray(Image.fromarray((grey * 255).astype(np.uint8)).resize(size,
                                                                            Image.LANCZOS))
    return _Row(pixels, c0, r0, size[0] / crop.shape[1])


def _read_sheet(rows: list[_Row], engine) -> list[Word]:
    """Stack the rows into one sheet, read it, and put each word found back in the page."""
    width = max(r.pixels.shape[1] for r in rows) + 2 * SHEET_PAD
    tops, y = [], SHEET_PAD
    for r in rows:
        tops.append(y)
        y += r.pixels.shape[0] + SHEET_GAP
    sheet = np.full((y - SHEET_GAP + SHEET_PAD, width), 255, np.uint8)
    for r, top in zip(rows, tops):
        sheet[top:top + r.pixels.shape[0], SHEET_PAD:SHEET_PAD + r.pixels.shape[1]] = r.pixels
    found = []
    for seen in engine.read(np.repeat(sheet[..., None], 3, axis=2)):
        for r, top in zip(rows, tops):
            if top <= seen.cy < top + r.pixels.shape[0]:
                found.append(dataclasses.replace(
                    seen, cx=r.left + (seen.cx - SHEET_PAD) / r.scale,
                    cy=r.top + (seen.cy - top) / r.scale,
                    width=seen.width / r.scale, height=seen.height / r.scale))
                break
    return found


def read_sheet(image: np.ndarray, words: list[Word], engine) -> list[Word]:
    """What ``engine`` reads in the words' boxes, read off a sheet of their crops (module
    docstring), in the page's coordinates. Boxes with nothing to read are left off."""
    from textcodec.glyphs import LUMA

    lum = image[..., :3].astype(np.float32) @ LUMA     # 0-255: the crop is stretched anyway
    rows = [r for w in words if (r := _row(lum, w)) is not None]
    sheets, part, height = [], [], 0
    for r in rows:
        if part and height + r.pixels.shape[0] > SHEET_MAX_ROWS:
            sheets.append(part)
            part, height = [], 0
        part.append(r)
        height += r.pixels.shape[0] + SHEET_GAP
    if part:
        sheets.append(part)
    # the sheets side by side, a Tesseract run a core on one thread each (a run reads its
    # sheet the same on one thread as on several: tools/tesseract_threads.py)
    from textcodec.ocr.engine import usable_cores

    workers = max(1, min(len(sheets), usable_cores()))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return [w for found in pool.map(lambda part: _read_sheet(part, engine), sheets)
                for w in found]


_READINGS: dict[tuple, list[Word]] = {}
_KEEP = 4   # a benchmark encodes each image at every rate: read it once


def second_reading(image: np.ndarray, words: list[Word],
                   engine: str = "tesseract") -> list[Word]:
    """The second engine's words in the boxes of ``words`` on the image (read_sheet),
    remembered for the last few images and word lists."""
    import hashlib

    image = np.ascontiguousarray(image)
    boxes = tuple(w.axis_aligned_box() for w in words)
    key = (engine, image.shape, hashlib.sha1(image.data).hexdigest(), boxes)
    if key not in _READINGS:
        if len(_READINGS) >= _KEEP:
            _READINGS.pop(next(iter(_READINGS)))
        _READINGS[key] = read_sheet(image, words, sheet_engine(engine))
    return _READINGS[key]


SHEET_PSM = 6   # Tesseract's "one uniform block of text": the sheet is that, a line a row


def sheet_engine(name: str = "tesseract"):
    """The second engine, set up to read a sheet."""
    from textcodec.ocr.engine import TesseractEngine

    if name != "tesseract":
        raise InputError(f"no second engine called {name!r} (tesseract)")
    return TesseractEngine(psm=SHEET_PSM, threads=1)
