"""Text fidelity, the seed protocol of the text-logit-loss paper (Lai et al. 2024):
boxes are detected once on the original (CRAFT), the same boxes are cropped from each
reconstruction and read by the english_g2 recognizer, and the readings are compared with
the original's reading (or with ground truth where a dataset has it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from textcodec.bench.metrics import levenshtein, word_f1

Box = tuple[float, float, float, float]


class EngineReader:
    """Reads boxes with a whole-page OCR engine (e.g. Tesseract): the engine reads the image
    once, and each box gets the words whose centres fall inside it, left to right. Detection
    and recognition are then both the other engine's, independent of english_g2."""

    def __init__(self, engine):
        self.engine = engine
        self._last: tuple[bytes, list] | None = None   # the page read last (read once per image)

    def words(self, image: np.ndarray) -> list:
        """The engine's words on a page, read once however often the page is asked for."""
        import hashlib

        key = hashlib.sha1(np.ascontiguousarray(image).tobytes()).digest() + \
            str(image.shape).encode()
        if self._last is None or self._last[0] != key:
            self._last = (key, self.engine.read(image))
        return self._last[1]

    def read(self, image: np.ndarray, boxes: list[Box]) -> list[str]:
        from textcodec.words import words_in_box

        if not boxes:
            return []
        words = self.words(image)
        return [" ".join(w.text for w in words_in_box(box, words)) for box in boxes]


class Reader:
    """Batched recognition of given boxes with the frozen english_g2 recognizer."""

    def __init__(self, device: str = "cpu"):
        from textcodec.ocr.recognizer import TextRecognizer

        self.device = device
        self.net = TextRecognizer().to(device).eval()

    def read(self, image: np.ndarray, boxes: list[Box], batch: int = 24) -> list[str]:
        import torch

        if not boxes:
            return []
        with torch.no_grad():
            return self._read(image, boxes, batch)

    def _read(self, image: np.ndarray, boxes: list[Box], batch: int) -> list[str]:
        import torch

        from textcodec.ocr.recognizer import crop_words, greedy_decode

        x = torch.from_numpy(np.array(image, copy=True)).to(self.device)
        x = x.permute(2, 0, 1)[None].float() / 255
        # batches of similar aspect ratio: each pads only to its own widest crop
        order = sorted(range(len(boxes)), key=lambda i: (boxes[i][2] - boxes[i][0])
                       / max(1.0, boxes[i][3] - boxes[i][1]))
        out: list[str] = [""] * len(boxes)
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            b = torch.tensor([[0, *boxes[j]] for j in idx], dtype=torch.float32)
            for j, text in zip(idx, greedy_decode(self.net(crop_words(x, b.to(self.device))))):
                out[j] = text
        return out


@dataclass
class TextScore:
    char_edits: int
    chars: int
    word_edits: int
    words: int
    f1: float

    @property
    def cer(self) -> float:
        return self.char_edits / self.chars if self.chars else 0.0

    @property
    def wer(self) -> float:
        return self.word_edits / self.words if self.words else 0.0


def score(reference: list[str], hypothesis: list[str]) -> TextScore:
    """Per-box comparison, summed over boxes, plus bag-of-words F1 over the page."""
    ce = cn = we = wn = 0
    for r, h in zip(reference, hypothesis):
        ce += levenshtein(r, h)
        cn += len(r)
        we += levenshtein(r.split(), h.split())
        wn += len(r.split())
    ref_words = [w for r in reference for w in r.split()]
    hyp_words = [w for h in hypothesis for w in h.split()]
    return TextScore(ce, cn, we, wn, word_f1(ref_words, hyp_words))
