import shutil

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


def test_the_second_reading_is_remembered_per_image(monkeypatch):
    calls = []

    class Engine:
        def read(self, image):
            calls.append(image.shape)
            return SECOND

    monkeypatch.setattr("textcodec.ocr.engine.get_engine", lambda name: Engine())
    monkeypatch.setattr(crosscheck, "_READINGS", {})
    a, b = np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8)
    for image in (a, a, b, a):
        assert crosscheck.second_reading(image) is SECOND
    assert len(calls) == 2


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
