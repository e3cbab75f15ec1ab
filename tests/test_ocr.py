"""The EasyOCR engine's fast path against EasyOCR's own pipeline, on a rendered page."""

import math
import random

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from textcodec.bench.metrics import corpus_error, levenshtein
from textcodec.ocr.engine import (MAX_CHAR_AREA, MIN_CONFIDENCE, EasyOcrEngine, FastCpu,
                                   decode_best_paths, filter_words, merge_widths,
                                   recognize_batched, width_bucket)
from textcodec.train.synth import ScreenSynth
from textcodec.words import Word

SAMPLES = Path(__file__).resolve().parent.parent / "textcodec" / "samples"


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
        reader.recognizer.train()   # left in training mode, it must still read in eval mode
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


def test_folded_retry_gives_the_retrys_results_without_its_calls(engines, page):
    """Reading every crop at the retry's contrast in the first pass's calls keeps EasyOCR's
    results (the higher-contrast reading only where the first falls under the threshold)."""
    reader = engines[1]._reader
    grey, horizontal, free = _boxes(reader, page[0])
    wrapped, calls = reader.recognizer, []
    # float32, as in the test above: under bfloat16 (FastCpu on a CPU with AVX-512 BF16) a
    # crop's confidence moves by ~1e-3 with the batch it is read in, folded or not
    net = wrapped.net if isinstance(wrapped, FastCpu) else wrapped

    class Counting(torch.nn.Module):
        def forward(self, x, text):
            calls.append(len(x))
            return net(x, text)

    reader.recognizer = Counting()
    try:
        first_pass = recognize_batched(reader, grey, horizontal, free, contrast_ths=0.0)
        first_calls, calls[:] = len(calls), []
        # a threshold that sends some crops, not all, to the retry
        confidences = sorted(c for *_, c in first_pass)
        threshold = confidences[len(confidences) // 2]
        apart = recognize_batched(reader, grey, horizontal, free, contrast_ths=threshold)
        apart_calls, calls[:] = len(calls), []
        folded = recognize_batched(reader, grey, horizontal, free, contrast_ths=threshold,
                                   fold_retry=True, batch=64)
    finally:
        reader.recognizer = wrapped
    assert apart_calls > first_calls and len(calls) == first_calls
    assert [(q, t) for q, t, _ in folded] == [(q, t) for q, t, _ in apart]
    np.testing.assert_allclose([c for *_, c in folded], [c for *_, c in apart], atol=1e-5)
    assert [t for _, t, _ in apart] != [t for _, t, _ in first_pass] or \
        [c for *_, c in apart] != [c for *_, c in first_pass]   # the retry changed something


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


def test_box_extraction_is_easyocrs_box_for_box(engines):
    """CRAFT's maps of a real 1280x720 screenshot (hundreds of components) give the same boxes,
    labels and box order through craftboxes.word_boxes as through EasyOCR's own code."""
    from easyocr import craft_utils

    from textcodec.ocr.craftboxes import installed, word_boxes

    maps = []
    original = craft_utils.getDetBoxes_core

    def spy(*args, **kwargs):
        maps.append(args[:5])
        return original(*args, **kwargs)

    image = np.asarray(Image.open(SAMPLES / "screenshot.png").convert("RGB"))
    craft_utils.getDetBoxes_core = spy
    try:
        engines[0]._reader.detect(image)
    finally:
        craft_utils.getDetBoxes_core = original
    theirs, their_labels, their_kept = original(*maps[0])
    ours, our_labels, our_kept = word_boxes(*maps[0])
    assert len(theirs) > 100
    assert len(ours) == len(theirs) and our_kept == their_kept
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(our_labels, their_labels)
    # and the engine's detect goes through it only inside the with block
    from easyocr import detection

    test_net = detection.test_net
    with installed():
        assert craft_utils.getDetBoxes_core is not original
        assert detection.test_net is not test_net
    assert craft_utils.getDetBoxes_core is original and detection.test_net is test_net


def test_box_extraction_is_easyocrs_on_random_maps_with_components_cut_by_the_edge():
    """Rotated blobs of text and link score, many of them cut by the page's edge (where
    word_boxes leaves its hull shortcut for the window path), give EasyOCR's boxes exactly."""
    import cv2
    from easyocr import craft_utils

    from textcodec.ocr.craftboxes import word_boxes

    rng = np.random.default_rng(7)
    boxes = 0
    for _ in range(80):
        height, width = (int(v) for v in rng.integers(20, 120, 2))
        text = np.zeros((height, width), np.float32)
        link = np.zeros((height, width), np.float32)
        for _ in range(int(rng.integers(1, 15))):
            blob = np.zeros((height, width), np.uint8)
            cv2.ellipse(blob, (int(rng.integers(-5, width + 5)), int(rng.integers(-5, height + 5))),
                        (int(rng.integers(2, 25)), int(rng.integers(1, 8))),
                        float(rng.uniform(0, 180)), 0, 360, 255, -1)
            target = link if rng.random() < 0.3 else text
            on = blob > 0
            score = rng.uniform(0.3, 1.0) * rng.uniform(0.5, 1, int(on.sum()))
            target[on] = np.maximum(target[on], score.astype(np.float32))
        theirs, their_labels, their_kept = craft_utils.getDetBoxes_core(text, link, 0.7, 0.4, 0.4)
        ours, our_labels, our_kept = word_boxes(text, link, 0.7, 0.4, 0.4)
        assert our_kept == list(their_kept)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(our_labels, their_labels)
        boxes += len(ours)
    assert boxes > 100


@pytest.mark.parametrize("crop,canvas", [((720, 1280), 2560), ((301, 517), 2560),
                                         ((720, 1280), 640)])
def test_craft_input_is_easyocrs_resize_pad_and_normalisation(crop, canvas):
    from easyocr import imgproc

    from textcodec.ocr.craftboxes import craft_input

    image = np.asarray(Image.open(SAMPLES / "screenshot.png").convert("RGB"))
    image = np.ascontiguousarray(image[:crop[0], :crop[1]])
    resized, ratio, _ = imgproc.resize_aspect_ratio(image, canvas, interpolation=1, mag_ratio=1.0)
    want = np.transpose(imgproc.normalizeMeanVariance(resized), (2, 0, 1))[None]
    got, got_ratio = craft_input(image, canvas, 1.0, "cpu")
    assert got_ratio == ratio and tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)


def test_craft_page_gives_easyocrs_test_net_boxes(engines):
    """The page pass that a GPU takes (craft_page), run here on the CPU, against EasyOCR's."""
    from easyocr import detection

    from textcodec.ocr.craftboxes import craft_page

    reader = engines[1]._reader
    image = np.asarray(Image.open(SAMPLES / "screenshot.png").convert("RGB"))[:360, :640]
    args = (2560, 1.0, reader.detector, np.ascontiguousarray(image), 0.7, 0.4, 0.4, False,
            reader.device)
    (want,), (want_polys,) = detection.test_net(*args)
    (got,), (got_polys,) = craft_page(*args)
    assert len(want) > 20 and len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=1e-3)
    for a, b in zip(got_polys, want_polys):
        np.testing.assert_allclose(a, b, atol=1e-3)


@pytest.mark.parametrize("contrast", [0.0, 0.5])
def test_collate_crops_is_easyocrs_align_collate_value_for_value(contrast):
    """Crops narrower and wider than the call's width, flat (low-contrast, which the retry
    stretches) and busy ones: the same tensor as EasyOCR's AlignCollate."""
    from easyocr.recognition import AlignCollate

    from textcodec.ocr.engine import collate_crops

    rng = np.random.default_rng(3)
    crops = []
    for h, w in [(20, 90), (64, 40), (33, 500), (18, 18), (70, 200), (9, 31)]:
        crop = rng.integers(0, 256, (h, w)).astype(np.uint8)
        if len(crops) % 2:      # low contrast: 120..135
            crop = (120 + crop // 16).astype(np.uint8)
        crops.append(crop)
    collate = AlignCollate(imgH=64, imgW=256, keep_ratio_with_pad=True, adjust_contrast=contrast)
    want = collate([Image.fromarray(c, "L") for c in crops])
    got = collate_crops(crops, 256, 64, contrast)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert torch.equal(got, want)


def test_width_buckets_cover_each_width_with_at_most_half_again():
    previous = 0
    for width in range(64, 64 * 200, 64):
        bucket = width_bucket(width)
        assert bucket >= width and bucket % 64 == 0 and bucket >= previous
        assert bucket < 1.5 * width + 64   # at most half again, rounded to whole units
        previous = bucket
    assert len({width_bucket(w) for w in range(64, 64 * 200, 64)}) <= 16


def test_bucketed_reading_decodes_only_each_crops_own_frames(engines, page):
    """A crop padded into a wider bucket is decoded over its own frames: the same crops as
    without buckets, in fewer calls, and on the rendered page the same reading quality."""
    reader = engines[1]._reader
    grey, horizontal, free = _boxes(reader, page[0])
    calls = []

    class Counting(torch.nn.Module):   # the recognizer, noting each call's width
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x, text):
            calls.append(x.shape[-1])
            return self.net(x, text)

    wrapped = reader.recognizer
    reader.recognizer = Counting(wrapped)
    try:
        exact = recognize_batched(reader, grey, horizontal, free)
        exact_calls, calls[:] = len(calls), []
        bucketed = recognize_batched(reader, grey, horizontal, free, buckets=True)
    finally:
        reader.recognizer = wrapped
    assert len(calls) < exact_calls and all(w == width_bucket(w) for w in calls)
    assert [[list(map(int, p)) for p in q] for q, _, _ in bucketed] == \
        [[list(map(int, p)) for p in q] for q, _, _ in exact]
    truth = page[1]

    def as_words(results):
        return [Word.from_quad(t.strip(), tuple((float(x), float(y)) for x, y in q), c)
                for q, t, c in results if t.strip()]

    assert _reading_error(as_words(bucketed), truth) <= _reading_error(as_words(exact),
                                                                       truth) + 0.02


def test_batch_decoding_is_easyocrs_greedy_decoding_crop_by_crop(engines):
    """The whole batch's best paths decoded at once give EasyOCR's decode_greedy text and its
    confidence, to the bit, crop by crop: runs of one class, blanks, ignored classes, crops
    shorter than the batch's frames and crops with no character at all."""
    converter = engines[1]._reader.converter
    rng = np.random.default_rng(5)
    n, t = 64, 40
    best = rng.integers(0, len(converter.character), (n, t))
    best[rng.random((n, t)) < 0.4] = 0                            # blanks
    best[:, 1::3] = best[:, 0::3][:, :best[:, 1::3].shape[1]]     # repeated classes
    best[3] = 0                                                   # a crop with nothing read
    top = rng.random((n, t)).astype(np.float32)
    frames = [int(f) for f in rng.integers(1, t + 1, n)]
    frames[5] = t
    got = decode_best_paths(converter, top, best, frames)
    for i in range(n):
        path = best[i, :frames[i]]
        kept = top[i, :frames[i]][path != 0]
        if len(kept) == 0:
            kept = np.zeros(1)
        assert got[i] == (converter.decode_greedy(path, [len(path)])[0],
                          float(kept.prod() ** (2.0 / np.sqrt(len(kept)))))
    assert got[3] == ("", 0.0) and any(len(text) > 3 for text, _ in got)


def test_merged_widths_are_the_cheapest_cut_of_the_sorted_buckets():
    """merge_widths against every way of cutting the sorted buckets into runs, each read at
    its widest and padding no crop past max_pad times its bucket: its plan costs least, never
    reads a crop narrower than its bucket, and the two ends are one call per bucket (no call
    cost) and one call for all (a huge one, no padding limit)."""
    import itertools

    rng = random.Random(3)
    for _ in range(60):
        widths = [width_bucket(rng.randrange(20, 3000)) for _ in range(rng.randrange(1, 30))]
        cost, pad = rng.choice([16, 64, 256, 1024]), rng.choice([1.5, 2.0, 4.0])
        plan = merge_widths(widths, cost, pad)
        sizes = sorted(set(widths))
        assert set(plan) == set(sizes) and all(w <= plan[w] <= pad * w and plan[w] in sizes
                                               for w in sizes)

        def total(read_at):
            return sum(cost + w for w in set(read_at.values()))
        best = math.inf
        for cuts in itertools.product([0, 1], repeat=len(sizes) - 1):
            read_at, start = {}, 0
            for i, cut in enumerate(list(cuts) + [1]):
                if cut:
                    read_at.update({w: sizes[i] for w in sizes[start:i + 1]})
                    start = i + 1
            if all(read_at[w] <= pad * w for w in sizes):
                best = min(best, total(read_at))
        assert total(plan) == best
    assert merge_widths([64, 128, 64, 640], 0) == {64: 64, 128: 128, 640: 640}
    assert set(merge_widths([64, 128, 640], 10 ** 6, max_pad=math.inf).values()) == {640}
    assert merge_widths([64, 128, 640], 10 ** 6) == {64: 128, 128: 128, 640: 640}


def test_merged_buckets_read_the_same_crops_in_fewer_calls(engines, page):
    """merge > 0: neighbouring buckets share a call at the wider width; the same boxes come
    back, each decoded over its own frames, and the page reads as well as one call a bucket."""
    reader = engines[1]._reader
    grey, horizontal, free = _boxes(reader, page[0])
    calls = []
    wrapped = reader.recognizer

    class Counting(torch.nn.Module):
        def forward(self, x, text):
            calls.append(x.shape[-1])
            return wrapped(x, text)

    reader.recognizer = Counting()
    try:
        apart = recognize_batched(reader, grey, horizontal, free, buckets=True, contrast_ths=0)
        apart_calls, calls[:] = sorted(calls), []
        merged = recognize_batched(reader, grey, horizontal, free, buckets=True, merge=10 ** 6,
                                   max_pad=math.inf, batch=256, contrast_ths=0)
    finally:
        reader.recognizer = wrapped
    assert len(set(apart_calls)) > 1 and calls == [max(apart_calls)]
    assert [q for q, _, _ in merged] == [q for q, _, _ in apart]

    def as_words(results):
        return [Word.from_quad(t.strip(), tuple((float(x), float(y)) for x, y in q), c)
                for q, t, c in results if t.strip()]
    assert _reading_error(as_words(merged), page[1]) <= \
        _reading_error(as_words(apart), page[1]) + 0.02


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

    # seeded: with some random 4-channel nets (8 draws in 60) int8's error passes 5 %
    # of the output's range, which the bound below is not about
    torch.manual_seed(0)
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


@needs_onednn
def test_int8_without_vnni_quantises_activations_over_7_bits(monkeypatch):
    """From the same calibration, the AVX2 graph's activation scales are about twice the
    VNNI graph's (a 0..127 range for the same values), it still computes the network, and a
    reader is quantised that way exactly where the CPU has no VNNI."""
    from textcodec.ocr import int8

    # seeded: with some random 4-channel nets (8 draws in 60) int8's error passes 5 %
    # of the output's range, which the bound below is not about
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    x = torch.rand(2, 1, 16, 16)
    stats = int8.calibrate(net, [x], x[:1])

    def scales(graph):
        return [float(v) for k, v in graph.state_dict().items() if k.endswith("scale")
                or "_scale_" in k]

    full, reduced = (int8.quantise(net, stats, x[:1], reduce_range=r) for r in (False, True))
    ratios = [b / a for a, b in zip(scales(full), scales(reduced))]
    assert ratios and all(1.9 < r < 2.1 for r in ratios)
    out = int8.Int8(reduced)(x)
    assert (out - net(x)).abs().max() < 0.05 * net(x).abs().max() + 1e-3
    chosen = []
    monkeypatch.setattr(int8, "quantise", lambda n, s, e, r: chosen.append(r) or n)
    reader = type("Reader", (), {"detector": net, "recognizer": torch.nn.Module()})()
    reader.recognizer.FeatureExtraction = net
    for vnni in (True, False):
        monkeypatch.setattr(int8, "vnni_available", lambda vnni=vnni: vnni)
        int8.quantise_reader(reader, {"craft": {}, "recognizer": {}})
    assert chosen == [False, False, True, True]


def test_int8_is_the_default_only_where_it_pays(monkeypatch):
    from textcodec.ocr import int8
    from textcodec.ocr.engine import int8_by_default

    monkeypatch.setenv("TEXTCODEC_OCR_INT8", "0")
    assert int8_by_default() is False
    monkeypatch.setenv("TEXTCODEC_OCR_INT8", "1")
    assert int8_by_default() is True
    monkeypatch.delenv("TEXTCODEC_OCR_INT8")
    monkeypatch.setattr(int8, "int8_kind", lambda: None)
    assert int8_by_default() is False
    for kind in ("vnni", "avx2"):
        monkeypatch.setattr(int8, "int8_kind", lambda kind=kind: kind)
        assert int8_by_default() is True
    monkeypatch.setattr(int8, "STATS", int8.STATS.with_name("no-such-file.pt"))
    assert int8_by_default() is False


def test_the_light_pipeline_is_the_default_unless_a_detector_is_named(monkeypatch):
    from textcodec.ocr.engine import LIGHT_READ_HEIGHT, default_engine, get_engine

    monkeypatch.delenv("TEXTCODEC_OCR_DETECTOR", raising=False)
    engine = get_engine(default_engine())
    assert engine.detector == "student" and engine.read_height == LIGHT_READ_HEIGHT
    # the environment's detector governs, through the engine that reads it
    monkeypatch.setenv("TEXTCODEC_OCR_DETECTOR", "craft")
    assert default_engine() == "easyocr"


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


def test_graphed_recognizer_is_the_network_itself_off_the_gpu():
    from textcodec.ocr.cudagraph import GraphedRecognizer

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(2))
    graphed = GraphedRecognizer(torch.nn.DataParallel(net))
    assert graphed.net is net        # one device needs no DataParallel
    net.cpu()                        # (where there is a GPU, DataParallel moved it there)

    class Called(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = net

        def forward(self, images, text):
            return self.inner(images)

    graphed = GraphedRecognizer(Called())
    x = torch.randn(3, 1, 8, 12)
    with torch.no_grad():
        for _ in range(3):   # met often enough to record, but a CPU tensor never is
            assert torch.equal(graphed(x, None), net(x))
    assert graphed.recorded == 0
