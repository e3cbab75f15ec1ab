"""The substitution check and the second OCR engine's output parser, on tiny examples."""

from textcodec.bench.substitution import count_substitutions
from textcodec.ocr.engine import parse_tesseract_tsv
from textcodec.words import Word


def test_a_misread_that_appears_after_decoding_is_a_substitution():
    side = [Word("Total 68", 100, 50, 80, 12)]            # the encoder's OCR misread 86 as 68
    original = [Word("Total", 80, 50, 40, 12), Word("86", 125, 50, 20, 12)]
    painted = [Word("Total", 80, 50, 40, 12), Word("68", 125, 50, 20, 12)]
    kept = [Word("Total", 80, 50, 40, 12), Word("86", 125, 50, 20, 12)]
    bad = count_substitutions(side, original, painted)
    good = count_substitutions(side, original, kept)
    assert (bad.tokens, bad.wrong, bad.substituted) == (2, 1, 1) and bad.rate == 0.5
    assert (good.tokens, good.wrong, good.substituted) == (2, 1, 0) and good.rate == 0.0
    assert bad.examples == ["68"] and good.examples == []


def test_counts_add_up_over_images_with_their_examples():
    side = [Word("Total 68", 100, 50, 80, 12)]
    original = [Word("Total", 80, 50, 40, 12), Word("86", 125, 50, 20, 12)]
    painted = [Word("Total", 80, 50, 40, 12), Word("68", 125, 50, 20, 12)]
    one = count_substitutions(side, original, painted)
    both = one + count_substitutions(side, original, original)
    assert (both.tokens, both.wrong, both.substituted, both.examples) == (4, 2, 1, ["68"])


def test_a_token_split_differently_by_the_reference_is_not_wrong():
    side = [Word("10/5/92", 100, 50, 60, 12)]
    annotated = [Word("10", 78, 50, 14, 12), Word("/5", 96, 50, 14, 12),
                 Word("/92", 114, 50, 20, 12)]
    n = count_substitutions(side, annotated, [])
    assert (n.tokens, n.wrong) == (1, 0)
    far_apart = count_substitutions(side, [Word("10", 78, 50, 14, 12)], [])
    assert far_apart.wrong == 1
    # words of one line but of different heights still join left to right: "M:A" is "M." "A."
    initials = [Word("PETERSON", 192, 812, 60, 14), Word("A.", 149, 812, 12, 13),
                Word("M.", 132, 810, 12, 12)]
    read = count_substitutions([Word("M:A PETERSON", 176, 812, 102, 14)], initials, [])
    assert (read.tokens, read.wrong) == (2, 0)


def test_words_outside_the_phrase_box_do_not_count():
    side = [Word("cat", 50, 50, 30, 10)]
    far = [Word("cat", 300, 300, 30, 10)]
    n = count_substitutions(side, [], far)
    assert (n.tokens, n.wrong, n.substituted) == (1, 1, 0)


def test_tesseract_tsv_words_become_words_with_boxes():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
           "\tconf\ttext\n"
           "1\t1\t0\t0\t0\t0\t0\t0\t640\t480\t-1\t\n"
           "5\t1\t1\t1\t1\t1\t10\t20\t40\t12\t91.5\tHello\n"
           "5\t1\t1\t1\t1\t2\t60\t20\t30\t12\t-1\t \n"
           "5\t1\t1\t1\t1\t3\t100\t20\t50\t12\t45\tworld\n")
    words = parse_tesseract_tsv(tsv)
    assert [w.text for w in words] == ["Hello", "world"]
    assert (words[0].cx, words[0].cy, words[0].width, words[0].height) == (30, 26, 40, 12)
    assert abs(words[0].confidence - 0.915) < 1e-9 and parse_tesseract_tsv("") == []


def test_missing_tesseract_binary_is_a_clear_error():
    import pytest

    from textcodec.errors import ModelError
    from textcodec.ocr.engine import TesseractEngine

    with pytest.raises(ModelError, match="apt-get install tesseract-ocr"):
        TesseractEngine(binary="no-such-tesseract-binary")


def test_tesseract_runs_at_most_a_thread_a_core_unless_told_otherwise(monkeypatch):
    """Tesseract's OpenMP threads, unlimited, outnumber a small machine's cores and spin
    (limited to the cores they read the cross-check's sheets 4.5x faster, word for word the
    same): the engine runs
    it with OMP_THREAD_LIMIT at the usable cores, and a limit the user set is kept."""
    import subprocess

    import numpy as np

    from textcodec.ocr.engine import TesseractEngine, usable_cores

    seen = []

    def run(cmd, **kw):
        seen.append(kw.get("env"))
        return subprocess.CompletedProcess(cmd, 0, b"level\tleft\ttop\twidth\theight\tconf\ttext\n"
                                           b"5\t10\t20\t40\t12\t91.5\tTotal\n", b"")

    monkeypatch.setattr(subprocess, "run", run)
    engine = TesseractEngine(binary="true")         # any binary on PATH: run is faked
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert [w.text for w in engine.read(np.zeros((8, 8, 3), np.uint8))] == ["Total"]
    monkeypatch.setenv("OMP_THREAD_LIMIT", "3")
    engine.read(np.zeros((8, 8, 3), np.uint8))
    assert [e["OMP_THREAD_LIMIT"] for e in seen] == [str(usable_cores()), "3"]
    assert seen[0]["PATH"]                          # the rest of the environment passes on
