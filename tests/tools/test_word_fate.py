"""tools/word_fate.py: each ground-truth word's class, and the misreadings painted in."""

import importlib.util
from pathlib import Path

from textcodec.glyphs import FULL, Fit
from textcodec.words import Word

_spec = importlib.util.spec_from_file_location(
    "word_fate", Path(__file__).resolve().parents[2] / "tools" / "word_fate.py")
_fate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fate)


def test_a_true_word_takes_the_class_of_what_holds_its_centre():
    sent = [Word("Total due", 60, 20, 100, 14), Word("Invoce", 60, 60, 60, 14, draw=False),
            Word("12.50", 160, 60, 40, 14)]
    painted, graded = Fit(0, 72, 0, 0, strength=FULL), Fit(0, 72, 0, 0, strength=3)
    paints = ([sent[0], Word("Invoce", 60, 60, 60, 14)], [painted, None])
    classes = [_fate.word_class(Word(t, x, y, 30, 12), sent, paints)
               for t, x, y in (("Total", 35, 20), ("Invoice", 60, 60), ("12.50", 160, 60),
                               ("Page", 300, 300))]
    assert classes == ["painted", "not confirmed", "number", "missed"]
    paints = ([sent[0]], [graded])
    assert _fate.word_class(Word("due", 90, 20, 20, 12), sent, paints) == "graded"
    paints = ([sent[0]], [Fit(0, 72, 0, 0)])
    assert _fate.word_class(Word("due", 90, 20, 20, 12), sent, paints) == "fitted unpainted"
    assert _fate.word_class(Word("due", 90, 20, 20, 12), sent, ([], [])) == "unfitted"


def test_a_painted_phrase_with_a_token_the_truth_lacks_counts_as_wrong():
    truth = [Word("Total", 35, 20, 40, 12), Word("due", 85, 20, 30, 12),
             Word("Invoice", 60, 60, 60, 12)]
    right, wrong = Word("Total due", 60, 20, 100, 14), Word("Invoce", 60, 60, 60, 14)
    full, none = Fit(0, 72, 0, 0, strength=FULL), Fit(0, 72, 0, 0)
    assert _fate.wrong_paints(truth, ([right, wrong], [full, full])) == (2, 1)
    assert _fate.wrong_paints(truth, ([right, wrong], [full, none])) == (1, 0)


def test_heights_fall_into_their_bands_at_each_edge():
    assert [_fate.height_band(h) for h in (6, 7.9, 8, 9.99, 10, 12, 15.5, 16, 24, 40)] == \
        ["0-8", "0-8", "8-10", "8-10", "10-12", "12-16", "12-16", "16-24", "24+", "24+"]


def test_a_span_counts_as_painted_where_its_glyphs_are_not_over_its_whole_line():
    """A span's word carries its line's box; only the tokens it draws are painted."""
    from dataclasses import replace

    line = Word("Total due now", 100, 20, 180, 14)
    span, fit = replace(line, text="Total"), Fit(0, 48, 0, 0, strength=FULL)
    x0, y0, x1, y1 = _fate.inked_box(span, fit)
    assert 10 <= x0 < x1 < 60 and y0 < 20 < y1
    paints = ([span], [fit])
    assert _fate.word_class(Word("Total", (x0 + x1) / 2, 20, 30, 12), [line], paints) == \
        "painted"
    assert _fate.word_class(Word("now", 170, 20, 30, 12), [line], paints) == "unfitted"
    truth = [Word("Total", (x0 + x1) / 2, 20, 30, 12), Word("now", 170, 20, 30, 12)]
    assert _fate.wrong_paints(truth, ([replace(line, text="now")], [fit])) == (1, 1)
