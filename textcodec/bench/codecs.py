"""Codecs under test behind one interface: textcodec checkpoints and the peers people use.

Each codec has a sweep of settings reaching down to the ultra-low range; ``points`` picks an
evenly spread subset. Every byte of the produced file counts towards bpp.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

from textcodec.words import Word


@dataclass
class Codec:
    name: str
    settings: list[float]
    encode: Callable[..., bytes]     # (image, setting, words=None) -> file bytes; words: the
    #                                  page's OCR reading, unfiltered (the encoder filters it)
    decode: Callable[[bytes], np.ndarray]
    setting_name: str = "quality"
    notes: str = ""
    wants_words: bool = False   # takes the page's OCR words (computed once per image)

    def sweep(self, points: int | None) -> list[float]:
        if not points or points >= len(self.settings):
            return list(self.settings)
        idx = np.linspace(0, len(self.settings) - 1, points).round().astype(int)
        return [self.settings[i] for i in sorted(set(idx))]


def _pil(fmt: str, **extra):
    def enc(img: np.ndarray, q: float, words=None) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format=fmt, quality=int(q), **extra)
        return buf.getvalue()

    def dec(data: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    return enc, dec


def _jpeg():
    e, d = _pil("JPEG", optimize=True)
    return Codec("jpeg", [1, 3, 5, 8, 12, 20, 35, 60], e, d, notes="Pillow libjpeg, optimized")


def _webp():
    e, d = _pil("WEBP", method=6)
    return Codec("webp", [0, 3, 8, 15, 25, 40, 60, 80], e, d, notes="Pillow libwebp, method 6")


def _avif():
    import imagecodecs

    return Codec("avif", [0, 2, 5, 10, 18, 30, 45, 60],
                 lambda img, q, words=None: imagecodecs.avif_encode(img, level=int(q), speed=6),
                 lambda b: imagecodecs.avif_decode(b)[..., :3],
                 notes="imagecodecs libavif, speed 6")


def _jxl():
    import imagecodecs

    return Codec("jxl", [25, 18, 13, 9, 6, 4, 2.5, 1.5],
                 lambda img, d, words=None: imagecodecs.jpegxl_encode(img, distance=float(d), effort=7),
                 lambda b: imagecodecs.jpegxl_decode(b)[..., :3], setting_name="distance",
                 notes="imagecodecs libjxl, effort 7")


# textcodec's variants that decode one and the same file differently (textcodec and
# textcodec-nofusion, textcodec-draw) share its encode: the last few files, by what made them
_ENCODED: dict[tuple, bytes] = {}
_ENCODED_KEEP = 8


def _textcodec(model: str | None, ocr: bool, fusion: bool | str, name: str):
    def enc(img: np.ndarray, q: float, words: list[Word] | None = None) -> bytes:
        import hashlib

        from textcodec.codec import encode_image

        key = (model, ocr, float(q), hashlib.sha256(img.tobytes()).hexdigest(), img.shape,
               None if words is None else tuple(words))
        if key not in _ENCODED:
            if len(_ENCODED) >= _ENCODED_KEEP:
                del _ENCODED[next(iter(_ENCODED))]
            # the reading as the engine gave it: the encoder filters it as `textcodec encode`
            # does (and sends the confirmed parts of the phrases it doubts)
            _ENCODED[key] = encode_image(img, model=model, quality=q, ocr=ocr,
                                         reading=words).data
        return _ENCODED[key]

    def dec(data: bytes) -> np.ndarray:
        from textcodec.codec import decode_array

        # the model it encoded with: a checkpoint path is not in the zoo the header names
        return decode_array(data, fusion=fusion, model=model)[0]
    return Codec(name, [float(q) for q in range(_num_rates(model))], enc, dec,
                 notes=f"model {model or 'default'}, side stream {'on' if ocr else 'off'}",
                 wants_words=ocr)


def _num_rates(model: str | None) -> int:
    """How many trained rates a zoo model or checkpoint file has (its sweep's length)."""
    from textcodec import zoo

    name = model or zoo.default_model()
    if name in zoo.entries():
        return len(zoo.get_entry(name).config["lambdas"])
    from textcodec.codec import load_model

    return load_model(name).model.num_rates


def _default_models() -> tuple[str, str]:
    from textcodec import zoo

    return zoo.default_model(), zoo.baseline_model()


CODECS: dict[str, Callable[[], Codec]] = {
    "textcodec": lambda: _textcodec(_default_models()[0], True, True, "textcodec"),
    "textcodec-noside": lambda: _textcodec(_default_models()[0], False, True, "textcodec-noside"),
    # the same files as "textcodec", decoded without the fusion block: its effect at equal bpp
    "textcodec-nofusion": lambda: _textcodec(_default_models()[0], True, False,
                                             "textcodec-nofusion"),
    "textcodec-baseline": lambda: _textcodec(_default_models()[1], False, True,
                                             "textcodec-baseline"),
    # the same files again, the side stream's words drawn over the plain decode (`textcodec
    # decode --fusion draw`); scored against the original's EasyOCR reading it reads back the
    # side stream, so judge it by the ground truth (CER vs GT) or another engine
    "textcodec-draw": lambda: _textcodec(_default_models()[0], True, "draw", "textcodec-draw"),
    "jpeg": _jpeg, "webp": _webp, "avif": _avif, "jxl": _jxl,
}


def get_codec(name: str) -> Codec:
    from textcodec.errors import InputError

    if name in CODECS:
        return CODECS[name]()
    if name.startswith("textcodec:"):   # any zoo model or checkpoint path, side stream off
        model = name.split(":", 1)[1]
        return _textcodec(model, False, True, name)
    raise InputError(f"unknown codec {name!r}; known: {', '.join(CODECS)} or textcodec:MODEL")
