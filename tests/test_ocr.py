"""The EasyOCR engine's fast path against EasyOCR's own pipeline, on a rendered page."""

import random

import numpy as np
import pytest
import torch

from textcodec.bench.metrics import corpus_error, levenshtein
from textcodec.ocr.engine import (MAX_CHAR_AREA, MIN_CONFIDENCE, EasyOcrEngine, FastCpu,
                                   filter_words, recognize_batched)
from textcodec.train.synth import ScreenSynth
from textcodec.words import Word


@pytest.fixture(scope="module")
def page():
    tile = ScreenSynth().tile(random.Random(11), 480, 240)
    return tile.image, [w for w in tile.words if w.height >= 10]


@pytest.fixture(scope="module")
def engines():
    return (EasyOcrEngine(gpu=False, fast=False),
            EasyOcrEngine(gpu=False, fast=True, int8=False))   # the float fast path


def _boxes(reader, image):
    from easyocr.utils import reformat_input

    img, grey = reformat_input(image)
    horizontal, free = reader.detect(img, reformat=False)
    return grey, horizontal[0], free[0]


def test_batched_recognition_is_easyocrs_reading_crop_by_crop(engines, page):
    """Same crops, same padding, same decoding: the float recognizer read in batches gives what
    EasyOCR's one-crop-per-call loop gives with the same weights."""
    reader = engines[1]._reader
    wrapped = reader.recognizer
    reader.recognizer = wrapped.net if isinstance(wrapped, FastCpu) else wrapped  # no bf16
    try:
        grey, horizontal, free = _boxes(reader, page[0])
        assert len(horizontal) + len(free) >= 5
        one_by_one = reader.recognize(grey, horizontal, free, batch_size=1, reformat=False)
        batched = recognize_batched(reader, grey, horizontal, free)
    finally:
        reader.recognizer = wrapped
    assert [t for _, t, _ in batched] == [t for _, t, _ in one_by_one]
    assert [[list(map(int, p)) for p in q] for q, _, _ in batched] == \
        [[list(map(int, p)) for p in q] for q, _, _ in one_by_one]
    np.testing.assert_allclose([c for *_, c in batched], [c for *_, c in one_by_one], atol=1e-4)


def test_contrast_retry_keeps_the_more_confident_reading(engines, page):
    reader = engines[1]._reader
    grey, horizontal, free = _boxes(reader, page[0])
    plain = recognize_batched(reader, grey, horizontal, free, contrast_ths=0.0)
    retried = recognize_batched(reader, grey, horizontal, free, contrast_ths=1.01)
    assert len(plain) == len(retried)
    assert all(r[2] >= p[2] - 1e-6 for p, r in zip(plain, retried))


def _reading_error(words, truth) -> float:
    """Corpus CER of each true word against the closest token of the readings (EasyOCR reads
    phrases) whose boxes hold its centre; "" where none does."""
    pairs = []
    for t in truth:
        x0, y0, x1, y1 = t.axis_aligned_box()
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        tokens = [tok for w in words for tok in w.text.split()
                  if w.axis_aligned_box()[0] <= cx <= w.axis_aligned_box()[2]
                  and w.axis_aligned_box()[1] <= cy <= w.axis_aligned_box()[3]]
        pairs.append((t.text, min(tokens, key=lambda tok: levenshtein(t.text, tok), default="")))
    return corpus_error(pairs)


def test_fast_engine_reads_the_page_as_well_as_easyocr(engines, page):
    image, truth = page
    slow, fast = (e.read(image) for e in engines)
    assert abs(len(fast) - len(slow)) <= max(2, len(slow) // 10)
    slow_err, fast_err = _reading_error(slow, truth), _reading_error(fast, truth)
    assert slow_err < 0.6                      # the page is readable at all
    assert fast_err <= slow_err + 0.05


def test_fast_cpu_wrapper_is_the_network_when_bfloat16_is_off():
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU())
    x = torch.rand(2, 1, 8, 12)
    wrapped = FastCpu(net, channels_last=True)
    wrapped.bf16 = False
    torch.testing.assert_close(wrapped(x), net(x))
    assert wrapped(x).dtype == torch.float32


needs_onednn = pytest.mark.skipif("onednn" not in torch.backends.quantized.supported_engines,
                                  reason="this PyTorch build has no oneDNN quantised engine")


@needs_onednn
def test_int8_engine_reads_the_page_as_well_as_easyocr(engines, page):
    image, truth = page
    quant = EasyOcrEngine(gpu=False, int8=True)
    assert quant.int8_active
    words = quant.read(image)
    slow_err = _reading_error(engines[0].read(image), truth)
    assert _reading_error(words, truth) <= slow_err + 0.05


@needs_onednn
def test_int8_calibration_must_fit_the_network():
    from textcodec.ocr import int8

    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    x = torch.rand(2, 1, 16, 16)
    stats = int8.calibrate(net, [x], x[:1])
    graph = int8.Int8(int8.quantise(net, stats, x[:1]))
    out = graph(x)
    assert out.shape == net(x).shape
    assert (out - net(x)).abs().max() < 0.05 * net(x).abs().max() + 1e-3   # int8, not garbage
    other = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1),
                                torch.nn.ReLU(), torch.nn.Conv2d(2, 2, 1))
    with pytest.raises(ValueError, match="does not fit"):
        int8.quantise(other, stats, x[:1])


def test_int8_is_the_default_only_where_it_pays(monkeypatch):
    from textcodec.ocr import int8
    from textcodec.ocr.engine import int8_by_default

    monkeypatch.setenv("TEXTCODEC_OCR_INT8", "0")
    assert int8_by_default() is False
    monkeypatch.setenv("TEXTCODEC_OCR_INT8", "1")
    assert int8_by_default() is True
    monkeypatch.delenv("TEXTCODEC_OCR_INT8")
    monkeypatch.setattr(int8, "vnni_available", lambda: False)
    assert int8_by_default() is False
    monkeypatch.setattr(int8, "vnni_available", lambda: True)
    assert int8_by_default() is True
    monkeypatch.setattr(int8, "STATS", int8.STATS.with_name("no-such-file.pt"))
    assert int8_by_default() is False


def test_the_benchmarks_reference_reading_is_float_everywhere():
    from textcodec.bench.runner import REFERENCE_ENGINE
    from textcodec.ocr.engine import get_engine

    engine = get_engine(REFERENCE_ENGINE["easyocr"])
    assert isinstance(engine, EasyOcrEngine) and not engine.int8_active


def test_side_stream_filter_keeps_confident_small_glyph_words_in_reading_order():
    sure = Word("sure", 200, 20, 40, 10, confidence=MIN_CONFIDENCE)
    first = Word("first", 20, 20, 50, 10, confidence=0.99)
    unsure = Word("unsure", 20, 60, 60, 10, confidence=MIN_CONFIDENCE - 0.01)
    huge = Word("HUGE", 100, 200, 400, 100, confidence=0.99)   # large text survives by itself
    assert huge.char_area > MAX_CHAR_AREA
    assert filter_words([sure, unsure, huge, first]) == [first, sure]
    assert filter_words([unsure], min_confidence=0.0) == [unsure]
