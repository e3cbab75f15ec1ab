import math

import pytest

from textcodec.words import Word


@pytest.mark.parametrize("angle", [0, 15, -40, 90, 179])
def test_quad_and_rotated_rect_are_inverse(angle):
    w = Word("abc", 100, 50, 60, 20, angle)
    back = Word.from_quad("abc", w.quad())
    assert back.cx == pytest.approx(100) and back.cy == pytest.approx(50)
    assert back.width == pytest.approx(60) and back.height == pytest.approx(20)
    assert math.isclose((back.angle - angle + 180) % 360 - 180, 0, abs_tol=1e-6)


def test_char_area_is_box_area_per_character():
    assert Word("abcd", 0, 0, 40, 10).char_area == 100
