"""tools/tighten.py: word boxes fitted to the ink they hold (issue 5's alignment study)."""

import importlib.util
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from textcodec.render import FONT_PATH
from textcodec.words import Word

_spec = importlib.util.spec_from_file_location(
    "tighten", Path(__file__).resolve().parents[2] / "tools" / "tighten.py")
_tighten = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tighten)
ink_map, tighten, tighten_words = _tighten.ink_map, _tighten.tighten, _tighten.tighten_words


def _page(text="Invoice", size=(200, 80), at=(60, 30), angle=0.0):
    from PIL import ImageFont

    img = Image.new("RGB", size, (250, 248, 240))
    font = ImageFont.truetype(str(FONT_PATH), 14)
    ImageDraw.Draw(img).text(at, text, font=font, fill=(20, 20, 30))
    if angle:
        img = img.rotate(angle, Image.BILINEAR, center=(size[0] / 2, size[1] / 2),
                         fillcolor=(250, 248, 240))
    return np.asarray(img)


def _ink_bounds(image):
    lum = image.astype(np.float32).mean(2) / 255
    ys, xs = np.nonzero(lum < 0.6)
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def _inside(word, x, y, slack=1.0):
    a = math.radians(word.angle)
    u = ((x - word.cx) * math.cos(a) - (y - word.cy) * math.sin(a))
    v = ((x - word.cx) * math.sin(a) + (y - word.cy) * math.cos(a))
    return abs(u) <= word.width / 2 + slack and abs(v) <= word.height / 2 + slack


def test_box_shrinks_to_the_ink_it_holds():
    image = _page()
    x0, y0, x1, y1 = _ink_bounds(image)
    loose = Word("Invoice", (x0 + x1) / 2 + 3, (y0 + y1) / 2 - 2, x1 - x0 + 30, y1 - y0 + 14)
    (tight,) = tighten_words(image, [loose])
    assert tight.width < loose.width - 20 and tight.height < loose.height - 10
    assert abs(tight.width - (x1 - x0)) <= 2 and abs(tight.height - (y1 - y0)) <= 2
    assert abs(tight.cx - (x0 + x1) / 2) <= 1 and abs(tight.cy - (y0 + y1) / 2) <= 1
    assert tight.text == loose.text and tight.angle == loose.angle


def test_rotated_box_keeps_its_angle_and_still_holds_the_ink():
    image = _page(angle=30)
    lum = image.astype(np.float32).mean(2) / 255
    ys, xs = np.nonzero(lum < 0.5)
    loose = Word("Invoice", xs.mean(), ys.mean(), 90, 36, angle=30)
    assert all(_inside(loose, x, y) for x, y in zip(xs, ys))
    tight = tighten(loose, lum)
    assert tight.angle == 30
    assert tight.width * tight.height < 0.6 * loose.width * loose.height
    assert np.mean([_inside(tight, x, y) for x, y in zip(xs, ys)]) > 0.98


def test_box_without_ink_is_left_as_it_is():
    image = np.full((60, 100, 3), 200, np.uint8)
    word = Word("blank", 50, 30, 40, 16)
    assert tighten_words(image, [word]) == [word]
    assert not ink_map(np.full((10, 10), 0.5, np.float32)).any()


def test_box_is_never_grown_even_where_ink_crosses_it():
    image = _page(text="Invoice number")
    x0, y0, x1, y1 = _ink_bounds(image)
    # a box over the first half of the ink only: the ink runs out of it on the right
    word = Word("Invoice", x0 + (x1 - x0) / 4, (y0 + y1) / 2, (x1 - x0) / 2, y1 - y0 + 6)
    (tight,) = tighten_words(image, [word])
    assert tight.width <= word.width + 1e-6 and tight.height <= word.height + 1e-6
    assert tight.cx - tight.width / 2 >= word.cx - word.width / 2 - 1e-6


def test_box_at_the_frame_edge():
    image = _page(at=(2, 2))
    word = Word("Invoice", 20, 8, 60, 24)   # its top-left corner is off the frame
    (tight,) = tighten_words(image, [word])
    assert tight.width <= word.width and tight.height < word.height
    assert tight.cy - tight.height / 2 >= -0.5
