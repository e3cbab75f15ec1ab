"""The JBIG2 check: does decoding paint the side stream's misreadings into the image?

A side-stream token is *wrong* where the reference does not hold it in that phrase's box: the
reference is the ground truth where a data set has one, else a second, independent OCR engine
(Tesseract) reading the original (a stricter proxy: every word that engine misses on the
original counts as a misreading, even where the side stream read it right). It is a
*substitution* where the second engine reads that wrong token in the same box on the decoded
image. The rate is substitutions per side-stream token. The plain
codec never sees the side stream, so its rate is the floor of coincidences; the fusion block
must not exceed it at equal bpp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textcodec.words import Word, normalise_token, tokens_in_box


@dataclass
class SubstitutionCount:
    tokens: int = 0          # side-stream tokens checked
    wrong: int = 0           # ... that the reference does not hold (misreadings)
    substituted: int = 0     # ... wrong, yet read on the decoded image
    examples: list[str] = field(default_factory=list)   # the substituted tokens

    @property
    def rate(self) -> float:
        return self.substituted / self.tokens if self.tokens else 0.0

    def __add__(self, other: "SubstitutionCount") -> "SubstitutionCount":
        return SubstitutionCount(self.tokens + other.tokens, self.wrong + other.wrong,
                                 self.substituted + other.substituted,
                                 self.examples + other.examples)


def count_substitutions(side: list[Word], original: list[Word],
                        decoded: list[Word]) -> SubstitutionCount:
    """Compare the side stream with the reference words of the original (ground truth, or
    the second engine's reading) and the second engine's words on the decoded image."""
    n = SubstitutionCount()
    for phrase in side:
        box = phrase.axis_aligned_box()
        on_original = tokens_in_box(box, original)
        on_decoded = tokens_in_box(box, decoded)
        for token in {normalise_token(t) for t in phrase.text.split()} - {""}:
            n.tokens += 1
            if token not in on_original:
                n.wrong += 1
                if token in on_decoded:
                    n.substituted += 1
                    n.examples.append(token)
    return n
