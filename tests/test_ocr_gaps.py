"""The light pipeline's second look along its lines (textcodec/ocr/gaps.py)."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textcodec.glyphs import font_path
from textcodec.ocr import engine, gaps
from textcodec.ocr.reader import box_crop

MONO = 2   # DejaVuSansMono: a code block's face


def _line(words, y=20, size=12, width=420, height=60):
    """A grey page with one line of monospaced ``words`` and each word's [x0, x1, y0, y1] box
    as the detector boxes it (a margin of 2 px)."""
    face = ImageFont.truetype(str(font_path(MONO)), size)
    img = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(img)
    boxes, x = [], 10
    for w in words:
        draw.text((x, y), w, font=face, fill=30)
        left, top, right, bottom = face.getbbox(w)
        boxes.append([int(x) + left - 2, int(x) + right + 3, y - 1, y + bottom + 2])
        x += face.getlength(w + " ")
    return np.asarray(img), boxes


def test_a_word_missed_between_two_and_at_either_end_is_boxed():
    """The detector found the second and fourth words of a line: the first, the third and
    the last are boxed from the page's ink, each once, none over a found box."""
    grey, boxes = _line(["angiport", "Napavine", "aerophone", "zymogen", "uromantist"])
    found = [boxes[1], boxes[3]]
    out = gaps.fill_gaps(grey, found, [])
    assert out[:2] == found
    added = out[2:]
    assert len(added) == 3
    for missed in (boxes[0], boxes[2], boxes[4]):
        centre = (missed[0] + missed[1]) / 2
        holders = [b for b in added if b[0] <= centre <= b[1]]
        assert len(holders) == 1
        b = holders[0]
        assert b[0] <= missed[0] + 3 and b[1] >= missed[1] - 3   # the whole word
    for b in added:
        assert not any(gaps._overlap(b, f) for f in found)


def test_nothing_is_added_where_the_line_is_whole_or_the_gap_holds_no_word():
    """A line whose words were all found gains nothing; nor does one whose gap holds only a
    thin rule (too short to be a word) or flat paper."""
    grey, boxes = _line(["alpha", "beta", "gamma"])
    assert gaps.fill_gaps(grey, boxes, []) == boxes
    grey, boxes = _line(["alpha", "beta", "gamma"])
    ruled = grey.copy()
    b0, b2 = boxes[0], boxes[2]
    ruled[:, boxes[1][0]:boxes[1][1]] = 245                 # the middle word erased ...
    ruled[(b0[2] + b0[3]) // 2, boxes[1][0]:boxes[1][1]] = 30   # ... a 1-px rule in its place
    assert gaps.fill_gaps(ruled, [b0, b2], []) == [b0, b2]
    flat = np.full_like(grey, 245)
    assert gaps.fill_gaps(flat, [b0, b2], []) == [b0, b2]


def test_a_gap_box_is_matched_to_its_reading_and_judged():
    """The engine knows a gap box's reading by the corners the crop gives it, and keeps it
    only where it is near certain and holds letters."""
    grey, boxes = _line(["angiport", "Napavine", "aerophone"])
    out = gaps.fill_gaps(grey, [boxes[1]], [])
    added = {tuple(b) for b in out[1:]}
    assert added
    for b in out[1:]:
        (corners, _), _ = box_crop(grey, b)
        assert engine._from_gap(corners, added)
    (corners, _), _ = box_crop(grey, boxes[1])
    assert not engine._from_gap(corners, added)
    assert engine.gap_word("angiport", 0.99)
    assert not engine.gap_word("angiport", 0.8)
    assert not engine.gap_word("0", 1.0)
    assert not engine.gap_word("L |", 1.0)
    assert engine.gap_word("to", 1.0)
