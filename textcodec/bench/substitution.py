"""The JBIG2 check: does decoding paint the side stream's misreadings into the image?

A second, independent OCR engine (Tesseract) reads the original and the decoded image. A
side-stream token is *wrong* where the second engine does not read it in that phrase's box on
the original; it is a *substitution* where the second engine does read that wrong token in the
same box on the decoded image. The rate is substitutions per side-stream token. The plain
codec never sees the side stream, so its rate is the floor of coincidences; the fusion block
must not exceed it at equal bpp.
"""

from __future__ import annotations

from dataclasses import dataclass

from textcodec.words import Word, words_in_box


def _norm(token: str) -> str:
    return "".join(c for c in token.lower() if c.isalnum())


def _tokens_in(box: tuple[float, float, float, float], words: list[Word]) -> set[str]:
    return {_norm(t) for w in words_in_box(box, words) for t in w.text.split() if _norm(t)}


@dataclass
class SubstitutionCount:
    tokens: int = 0          # side-stream tokens checked
    wrong: int = 0           # ... that the second engine does not read on the original
    substituted: int = 0     # ... wrong, yet read on the decoded image

    @property
    def rate(self) -> float:
        return self.substituted / self.tokens if self.tokens else 0.0

    def __add__(self, other: "SubstitutionCount") -> "SubstitutionCount":
        return SubstitutionCount(self.tokens + other.tokens, self.wrong + other.wrong,
                                 self.substituted + other.substituted)


def count_substitutions(side: list[Word], original: list[Word],
                        decoded: list[Word]) -> SubstitutionCount:
    """Compare the side stream with the second engine's words on original and decoded image."""
    n = SubstitutionCount()
    for phrase in side:
        box = phrase.axis_aligned_box()
        on_original = _tokens_in(box, original)
        on_decoded = _tokens_in(box, decoded)
        for token in {_norm(t) for t in phrase.text.split()} - {""}:
            n.tokens += 1
            if token not in on_original:
                n.wrong += 1
                if token in on_decoded:
                    n.substituted += 1
    return n
