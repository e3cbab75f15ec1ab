import time

import numpy as np

from textcodec.render import render
from textcodec.words import Word


def test_no_words_gives_zero_maps():
    g, m = render([], 64, 32)
    assert g.shape == (32, 64) and not g.any() and not m.any()


def test_word_is_drawn_inside_its_box():
    g, m = render([Word("Hello", 50, 20, 40, 12)], 100, 40)
    ys, xs = np.nonzero(m > 0.5)
    assert xs.min() >= 29 and xs.max() <= 71 and ys.min() >= 13 and ys.max() <= 27
    assert g.sum() > 10 and (g <= m + 1e-6).all()


def test_rotated_word_covers_a_rotated_box():
    _, flat = render([Word("Hello", 50, 50, 60, 12)], 100, 100)
    _, tilted = render([Word("Hello", 50, 50, 60, 12, angle=90)], 100, 100)
    ys, xs = np.nonzero(tilted > 0.5)
    assert (ys.max() - ys.min()) > (xs.max() - xs.min())   # now tall, not wide
    assert abs(flat.sum() - tilted.sum()) / flat.sum() < 0.1


def test_rendering_is_deterministic_and_clips_at_borders():
    words = [Word("edge", 2, 2, 30, 10), Word("x", 500, 500, 10, 10)]
    a, b = render(words, 64, 64), render(words, 64, 64)
    assert np.array_equal(a[0], b[0]) and a[1][0, 0] > 0


def test_a_page_of_300_words_renders_quickly():
    """Timing is reported in docs/benchmarks.md; here only a generous sanity bound."""
    words = [Word(f"word{i}", 20 + (i % 15) * 80, 12 + (i // 15) * 34, 60, 14)
             for i in range(300)]
    t = time.perf_counter()
    g, _ = render(words, 1280, 720)
    assert g.any() and time.perf_counter() - t < 5


def test_drawn_words_take_their_colours_from_the_decode_and_touch_nothing_else():
    from textcodec.render import MIN_INK_CONTRAST, _LUMA, draw, word_colours

    word = Word("Hello", 60, 30, 60, 16)
    glyphs, box = render([word], 120, 60)
    for paper, smear in ((0.9, 0.8), (0.1, 0.25)):   # a light page, a dark theme
        page = np.full((60, 120, 3), paper, np.float32)
        page[..., 2] = paper * 0.5                     # a tinted paper
        page[glyphs > 0.5] = smear                     # the decode's faint strokes
        out = draw(page, [word], fill=1.0)   # glyphs where render() puts them
        assert np.array_equal(out[box == 0], page[box == 0])
        ink, between = word_colours(page, glyphs, box)
        assert np.allclose(between, page[0, 0])        # the paper, strokes left out
        step = float((ink - between) @ _LUMA)
        assert abs(step) >= MIN_INK_CONTRAST - 1e-4 and np.sign(step) == np.sign(smear - paper)
        inside = box > 0.99
        painted = between * (1 - glyphs[..., None]) + ink * glyphs[..., None]
        assert np.allclose(out[inside], painted[inside], atol=1e-5)


def test_a_word_with_no_strokes_left_is_drawn_in_the_paper_contrast_colour():
    from textcodec.render import word_colours

    glyphs, box = render([Word("Hello", 30, 10, 56, 16)], 60, 20)
    ink, paper = word_colours(np.full((20, 60, 3), 0.8, np.float32), glyphs, box)
    assert np.allclose(paper, 0.8) and np.allclose(ink, 0.0)
    ink, paper = word_colours(np.full((20, 60, 3), 0.2, np.float32), glyphs, box)
    assert np.allclose(ink, 1.0)


def test_a_drawn_word_reads_where_the_blurred_one_does_not(screenshot):
    """The sample's words blurred past reading, then drawn from their side-stream text: the
    recognizer reads the drawn words."""
    import pytest
    from PIL import Image, ImageFilter

    pytest.importorskip("easyocr")
    from textcodec.bench.textscore import Reader
    from textcodec.bench.metrics import corpus_error
    from textcodec.render import draw

    words = [Word("Settings", 120, 40, 96, 22), Word("Preferences", 320, 40, 140, 22),
             Word("Account", 520, 40, 96, 22)]
    page = np.full((80, 640, 3), 235, np.uint8)
    page[..., 2] = 220
    clean = np.where(render(words, 640, 80)[0][..., None] > 0.3, 30, page).astype(np.uint8)
    blurred = np.asarray(Image.fromarray(clean).filter(ImageFilter.GaussianBlur(6)))
    drawn = (draw(blurred / 255, words) * 255).round().astype(np.uint8)
    boxes = [w.axis_aligned_box() for w in words]
    reader = Reader()
    truth = [w.text for w in words]
    assert corpus_error(list(zip(truth, reader.read(blurred, boxes)))) > 0.5
    assert corpus_error(list(zip(truth, reader.read(drawn, boxes)))) < 0.1


def test_drawn_glyphs_keep_a_margin_inside_the_box():
    from textcodec.render import placements

    word = Word("Hello", 60, 30, 60, 20)
    (_, _, full, box), = placements([word], 120, 60)
    (_, _, kept, _), = placements([word], 120, 60, fill=0.7)
    rows, cols = np.nonzero(kept > 0.05)
    assert full[0].any() and full[-1].any()            # the guidance map fills the box
    assert rows.min() >= 3 and rows.max() <= 16 and cols.min() >= 3 and cols.max() <= 56
    assert box.shape == kept.shape and kept.sum() > 0.3 * full.sum()


def test_on_a_mid_grey_paper_the_ink_goes_as_far_as_it_can():
    """Paper of luminance 0.6 leaves less room than MIN_INK_CONTRAST toward black: the ink
    takes all of it."""
    from textcodec.render import _LUMA, word_colours

    glyphs, box = render([Word("Hello", 30, 10, 56, 16)], 60, 20)
    page = np.full((20, 60, 3), 0.6, np.float32)
    page[glyphs > 0.5] = (0.5, 0.45, 0.55)   # a faint, tinted smear
    ink, paper = word_colours(page, glyphs, box)
    assert np.allclose(paper, 0.6) and float(ink @ _LUMA) < 0.01
