import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textcodec import crosscheck
from textcodec.errors import InputError
from textcodec.words import Word

SECOND = [Word("Invoice", 50, 20, 60, 14), Word("10", 120, 20, 16, 14), Word("/5", 140, 20, 16, 14),
          Word("/92", 162, 20, 20, 14), Word("Total:", 50, 60, 50, 14)]


def test_a_phrase_is_drawn_only_if_every_token_is_confirmed_in_its_box():
    words = [Word("INVOICE 10/5/92", 105, 20, 150, 16),   # case, punctuation, split tokens
             Word("Totel:", 50, 60, 50, 14),                 # a misreading
             Word("Total:", 50, 200, 50, 14)]                # right text, wrong place
    got = crosscheck.flag_words(words, SECOND)
    assert [w.draw for w in got] == [True, False, False]
    assert [w.text for w in got] == [w.text for w in words]


def test_a_word_already_flagged_stays_flagged():
    word = Word("Total:", 50, 60, 50, 14, draw=False)
    assert crosscheck.flag_words([word], SECOND) == [word]


def test_modes(monkeypatch):
    with pytest.raises(InputError, match="cross-check must be one of"):
        crosscheck.resolve_mode("sometimes")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert crosscheck.resolve_mode("auto") == "off"
    assert crosscheck.resolve_mode("tesseract") == "tesseract"
    words = [Word("Totel:", 50, 60, 50, 14)]
    assert crosscheck.cross_check(np.zeros((80, 200, 3), np.uint8), words, "auto") == words
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/" + name)
    assert crosscheck.resolve_mode("auto") == "tesseract"


def test_the_second_reading_is_remembered_per_image_and_words(monkeypatch):
    calls = []

    class Engine:
        def read(self, image):
            calls.append(image.shape)
            return []

    monkeypatch.setattr(crosscheck, "sheet_engine", lambda name: Engine())
    monkeypatch.setattr(crosscheck, "_READINGS", {})
    a = np.zeros((40, 80, 3), np.uint8)
    a[10:20, 10:60] = 255
    b = a.copy()
    b[30:35] = 128
    words = [Word("Total", 35, 15, 50, 10)]
    for image in (a, a, b, a):
        crosscheck.second_reading(image, words)
    crosscheck.second_reading(a, [Word("Total", 35, 16, 50, 10)])
    assert len(calls) == 3


def _sheet_rows(sheet: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) rows of each run of rows holding ink on a sheet."""
    inked = (sheet < 128).any(axis=1)
    runs, start = [], None
    for y, on in enumerate(list(inked) + [False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append((start, y - 1))
            start = None
    return runs


def test_the_sheet_puts_each_phrase_on_its_own_dark_on_light_line_and_maps_words_back():
    """Two phrases, one dark on light and one light on dark, 10 px high: on the sheet each
    is a row of dark ink about SHEET_HEIGHT px high; a word the engine reports in a row comes
    back in the page, inside the phrase it was read in."""
    page = np.full((60, 120, 3), 230, np.uint8)
    page[10:20, 10:50:4] = 20                # dark strokes on light paper
    page[35:55, 0:120] = 30                  # a dark bar ...
    page[40:50, 60:100:4] = 240              # ... with light strokes on it
    words = [Word("ink", 30, 15, 40, 10), Word("bar", 80, 45, 40, 10)]
    sheets = []

    class Engine:
        def read(self, image):
            sheets.append(image[..., 0])
            rows = _sheet_rows(image[..., 0])
            return [Word(f"row{i}", 100, (a + b) / 2, 40, b - a) for i, (a, b) in enumerate(rows)]

    found = crosscheck.read_sheet(page, words, Engine())
    (sheet,) = sheets
    rows = _sheet_rows(sheet)
    assert len(rows) == 2
    for a, b in rows:
        assert abs((b - a + 1) - crosscheck.SHEET_HEIGHT) <= 2
    assert sheet[0].min() == 255             # light paper around the rows
    assert [w.text for w in found] == ["row0", "row1"]
    for w, phrase in zip(found, words):
        x0, y0, x1, y1 = phrase.axis_aligned_box()
        assert y0 <= w.cy <= y1 and abs(w.height - phrase.height) <= 1


def _long_page(monkeypatch):
    """Ten one-word lines, more than one sheet holds once sheets are cut at 200 px."""
    monkeypatch.setattr(crosscheck, "SHEET_MAX_ROWS", 200)
    page = np.full((400, 60, 3), 230, np.uint8)
    words = []
    for i in range(10):
        page[10 + 38 * i:20 + 38 * i, 10:50] = 20
        words.append(Word("w", 30, 15 + 38 * i, 40, 10))
    return page, words


def test_a_long_page_is_read_in_sheets_of_bounded_height(monkeypatch):
    page, words = _long_page(monkeypatch)
    heights = []

    class Engine:
        def read(self, image):
            heights.append(image.shape[0])
            return []

    crosscheck.read_sheet(page, words, Engine())
    assert len(heights) > 1 and max(heights) <= 200 + crosscheck.SHEET_HEIGHT + 40


def test_the_sheets_read_at_once_come_back_in_the_page_order(monkeypatch):
    """Several sheets are read side by side (a Tesseract run a core); whichever finishes
    first, the words come back in the page's order, each in its own phrase's box."""
    import threading
    import time

    page, words = _long_page(monkeypatch)
    first = threading.Event()

    class Engine:
        def read(self, image):
            if not first.is_set():      # the first sheet finishes last
                first.set()
                time.sleep(0.3)
            dark = (image[:, :, 0] < 128).any(1)
            starts = np.flatnonzero(dark[1:] & ~dark[:-1]) + 1
            ends = np.flatnonzero(dark[:-1] & ~dark[1:]) + 1
            return [Word("w", image.shape[1] / 2, (a + b) / 2, 20, b - a)
                    for a, b in zip(starts, ends)]

    found = crosscheck.read_sheet(page, words, Engine())
    assert len(found) == 10
    assert [round(w.cy) for w in found] == sorted(round(w.cy) for w in found)
    for w, phrase in zip(found, words):
        x0, y0, x1, y1 = phrase.axis_aligned_box()
        assert y0 <= w.cy <= y1


@pytest.mark.skipif(shutil.which("tesseract") is None,
                    reason="needs the tesseract binary (apt-get install tesseract-ocr)")
def test_tesseract_confirms_what_is_printed_and_not_a_misreading():
    from importlib.resources import files

    font = ImageFont.truetype(str(files("textcodec") / "data" / "DejaVuSans.ttf"), 28)
    img = Image.new("RGB", (520, 120), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 20), "Shipping address", font=font, fill="black")
    d.text((20, 70), "Payment terms", font=font, fill="black")
    boxes = [d.textbbox((20, 20), "Shipping address", font=font),
             d.textbbox((20, 70), "Payment terms", font=font)]
    as_word = [lambda t, b=b: Word(t, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0],
                                   b[3] - b[1]) for b in boxes]
    words = [as_word[0]("Shipping address"), as_word[1]("Paymont terms")]
    got = crosscheck.cross_check(np.asarray(img), words, "tesseract")
    assert [w.draw for w in got] == [True, False]


@pytest.mark.skipif(shutil.which("tesseract") is None,
                    reason="needs the tesseract binary (apt-get install tesseract-ocr)")
def test_small_screen_text_is_confirmed_off_the_sheet():
    """11-px UI text on a grey bar, beside a light-on-dark label: read off the sheet, both
    right phrases are confirmed and the misreading is not."""
    from importlib.resources import files

    font = ImageFont.truetype(str(files("textcodec") / "data" / "DejaVuSans.ttf"), 11)
    img = Image.new("RGB", (260, 70), (236, 236, 236))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 40, 260, 70), fill=(45, 45, 48))
    texts = [((8, 10), "Layer attributes", (20, 20, 20)), ((8, 48), "Blend mode", (230, 230, 230)),
             ((140, 10), "Opacity", (20, 20, 20))]
    words = []
    for (x, y), text, colour in texts:
        d.text((x, y), text, font=font, fill=colour)
        b = d.textbbox((x, y), text, font=font)
        words.append(Word(text, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0] + 2,
                          b[3] - b[1] + 2))
    words[2] = Word("Opaclty", words[2].cx, words[2].cy, words[2].width, words[2].height)
    got = crosscheck.cross_check(np.asarray(img), words, "tesseract")
    assert [w.draw for w in got] == [True, True, False]


def test_the_tokens_of_a_phrase_the_second_engine_reads_are_known_by_index():
    """Of "Totel INVOICE 10/5/92 -" the second engine reads INVOICE and 10/5/92 (split as
    10, /5, /92) in the box; the misreading and the bare dash are not confirmed."""
    word = Word("Totel  INVOICE 10/5/92 -", 105, 20, 150, 16)
    assert crosscheck.confirmed_tokens(word, SECOND) == {1, 2}
    assert crosscheck.confirmed_tokens(Word("Total:", 50, 200, 50, 14), SECOND) == set()


def _line_image(text="Cat zqxv Dog a Bird", size=22):
    """A page of one line of text and, per token, the columns its ink spans."""
    font = ImageFont.truetype(str(Path(crosscheck.__file__).parent / "data" / "DejaVuSans.ttf"),
                              size)
    image = Image.new("RGB", (320, 50), (250, 250, 250))
    ImageDraw.Draw(image).text((10, 12), text, font=font, fill=(20, 20, 20))
    spans, at = [], 0
    for token in text.split(" "):
        left = 10 + font.getlength(text[:at])
        spans.append((left, left + font.getlength(token)))
        at += len(token) + 1
    return np.asarray(image), spans


def test_a_doubtful_phrase_gives_the_runs_of_tokens_both_engines_read_as_words_of_their_own():
    """A phrase below the first engine's confidence floor: the runs of tokens the second
    engine confirms become drawable words, each boxed over its own ink (cut at the word
    gaps); a confirmed run of a single letter proves too little and is left out."""
    image, ink = _line_image()
    x0, x1 = ink[0][0] - 3, ink[-1][1] + 3
    phrase = Word("Cat zqxu Dog a Bird", (x0 + x1) / 2, 25, x1 - x0, 26, confidence=0.4)
    second = [Word(t, (a + b) / 2, 25, b - a, 20)
              for t, (a, b) in zip(["Cat", "zqxv", "Dog", "a", "Bird"], ink)]
    parts = crosscheck.confirmed_parts(image, [phrase], second)
    assert [(p.text, p.draw) for p in parts] == [("Cat", True), ("Dog a Bird", True)]
    for part, (first, last) in zip(parts, [(0, 0), (2, 4)]):
        left, _, right, _ = part.axis_aligned_box()
        # its own tokens' advances (2 px of side bearing either way), none of its neighbours'
        assert left <= ink[first][0] + 2 and ink[last][1] - 2 <= right
        assert right < ink[last + 1][0] if last + 1 < len(ink) else True
        assert left > ink[first - 1][1] if first else True
    assert crosscheck.confirmed_parts(image, [phrase], second[1:2] + second[3:4]) == []


def test_a_row_keeps_only_paper_above_and_below_its_phrase():
    """The margin a phrase's row is cut with reaches into the lines around it; their slivers
    are left out (a sheet row so framed could go unread by Tesseract), the phrase is kept."""
    from importlib.resources import files

    from textcodec.glyphs import LUMA

    font = ImageFont.truetype(str(files("textcodec") / "data" / "DejaVuSans.ttf"), 12)
    img = Image.new("RGB", (300, 60), "white")
    d = ImageDraw.Draw(img)
    for y, text in ((6, "gypsy quays above"), (20, "Middle line here"), (34, "jagged Tops below")):
        d.text((10, y), text, font=font, fill="black")
    b = d.textbbox((10, 20), "Middle line here", font=font)
    word = Word("Middle line here", (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0],
                b[3] - b[1] + 2)
    lum = np.asarray(img, np.float32)[..., :3] @ LUMA
    row = crosscheck._row(lum, word)
    x0, y0, x1, y1 = word.axis_aligned_box()
    above = round((np.floor(y0) - row.top) * row.scale) - 1
    below = round((np.ceil(y1) - row.top) * row.scale) + 1
    assert above > 0 and below < row.pixels.shape[0]
    assert row.pixels[:above].min() > 200 and row.pixels[below:].min() > 200   # no ink
    assert row.pixels[above:below].min() < 64     # the phrase's own ink
