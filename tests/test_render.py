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
