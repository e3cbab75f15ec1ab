"""The encoder's cross-check of the side stream (issue 5, "no text substitution").

EasyOCR's reading of the original goes into the side stream, and the decoder's fusion block
draws it. A misread word drawn into the image is the JBIG2 failure, so before sending, the
encoder asks a second, independent engine (Tesseract: another detector, recogniser and
training set) to read the same original. A phrase is drawn only if every one of its tokens is
among what the second engine reads in that phrase's box; the others are flagged "not drawn"
(``Word.draw``). The side stream still carries every word (``textcodec text`` lists them all);
only the drawing is withheld.

Measured on held-out synthetic screenshots and FUNSD forms (tools/crosscheck_study.py,
docs/benchmarks.md "Cross-check"): Tesseract agreed with 79 % of EasyOCR's correct tokens and
with 4 % of its misreadings (16 held-out images). The other check one might try, decoding
the file at the encoder and keeping words whose fused box comes closer to the original, does
not tell misreadings apart: the block moves both kinds of token alike (the same study).
"""

from __future__ import annotations

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
    return flag_words(words, second_reading(image, mode))


_READINGS: dict[tuple, list[Word]] = {}
_KEEP = 4   # a benchmark encodes each image at every rate: read it once


def second_reading(image: np.ndarray, engine: str = "tesseract") -> list[Word]:
    """The second engine's words on the image, remembered for the last few images."""
    import hashlib

    from textcodec.ocr.engine import get_engine

    image = np.ascontiguousarray(image)
    key = (engine, image.shape, hashlib.sha1(image.data).hexdigest())
    if key not in _READINGS:
        if len(_READINGS) >= _KEEP:
            _READINGS.pop(next(iter(_READINGS)))
        _READINGS[key] = get_engine(engine).read(image)
    return _READINGS[key]
