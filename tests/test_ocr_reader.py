"""The light pipeline's own reader (textcodec/ocr/reader.py) against EasyOCR, step by step:
what EasyOCR computes is what english_g2 was always fed here, so every step must match it."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from textcodec.ocr import reader as light

easyocr = pytest.importorskip("easyocr", reason="the reference the reader is held to")


def _quads(rng: np.random.Generator, n: int) -> np.ndarray:
    """Word quads (N, 4, 2) of int px, clockwise from the top-left: level words on a few
    lines of mixed heights (some near a line's threshold) and some sloping ones."""
    quads = []
    for _ in range(n):
        x, y = rng.integers(0, 900), rng.choice([40, 44, 80, 83, 200, 214, 400])
        w, h = rng.integers(8, 160), rng.integers(6, 40)
        tilt = rng.choice([0, 0, 0, 1, -1, 5, 30]) * rng.random()
        quads.append([[x, y], [x + w, y + tilt], [x + w, y + h + tilt], [x, y + h]])
    return np.array(quads).astype(np.int32)


@pytest.mark.parametrize("seed", range(40))
def test_lines_are_grouped_as_easyocr_groups_them(seed):
    from easyocr.utils import diff, group_text_box

    quads = _quads(np.random.default_rng(seed), 1 + seed % 25)
    if seed == 0:   # two words 20 px tall, 10 px apart: a gap of exactly half the height
        quads = np.array([[[0, 0], [50, 0], [50, 20], [0, 20]],
                          [[60, 0], [90, 0], [90, 20], [60, 20]]], np.int32)
    want_level, want_free = group_text_box(list(quads.reshape(-1, 8)), light.SLOPE,
                                           light.YCENTER, light.HEIGHT, light.WIDTH,
                                           light.MARGIN, True)
    want_level = [b for b in want_level if max(b[1] - b[0], b[3] - b[2]) > light.MIN_SIZE]
    want_free = [q for q in want_free if max(diff([c[0] for c in q]), diff([c[1] for c in q]))
                 > light.MIN_SIZE]
    level, free = light.big_enough(*light.group_lines(quads))
    assert [list(map(int, b)) for b in level] == [list(map(int, b)) for b in want_level]
    assert np.array_equal(np.array(free, float).reshape(-1, 4, 2),
                          np.array(want_free, float).reshape(-1, 4, 2))
    assert len(level) + len(free) > 0 or len(want_level) + len(want_free) == 0


def test_crops_and_read_widths_are_easyocrs(screenshot):
    from easyocr.utils import get_image_list, reformat_input

    _, grey = reformat_input(screenshot)
    boxes = [[10, 200, 5, 30], [-4, 60, 40, 52], [1200, 1400, 700, 760], [300, 330, 100, 160]]
    quads = [[[100.5, 100.2], [260.1, 130.7], [255.3, 150.9], [95.0, 121.4]],
             [[400, 300], [420, 302], [418, 380], [398, 378]]]
    for height in (64, 48):
        for box in boxes:
            (want,), width = get_image_list([box], [], grey, model_height=height)
            (corners, crop), mine = light.box_crop(grey, box=box, height=height)
            assert mine == width and corners == want[0] and np.array_equal(crop, want[1])
        for quad in quads:
            (want,), width = get_image_list([], [quad], grey, model_height=height)
            (corners, crop), mine = light.box_crop(grey, quad=quad, height=height)
            assert mine == width and corners == want[0] and np.array_equal(crop, want[1])


def test_contrast_is_stretched_as_easyocr_retries():
    from easyocr.recognition import adjust_contrast_grey

    rng = np.random.default_rng(3)
    faint = (150 + rng.integers(0, 50, (20, 60))).astype(np.uint8)   # contrast 0.13
    sharp = rng.choice([0, 255], (20, 60)).astype(np.uint8)
    for crop in (faint, sharp):
        assert np.array_equal(light.adjust_contrast(crop, 0.5), adjust_contrast_grey(crop, 0.5))
    stretched = light.adjust_contrast(faint, 0.5)
    assert len(np.unique(stretched)) > 20 and stretched.std() > 2 * faint.std()


@pytest.mark.parametrize("shape", [(30, 40, 3), (30, 40, 4), (30, 40), (30, 40, 1)])
def test_pages_are_turned_grey_as_easyocr_turns_them(shape):
    from easyocr.utils import reformat_input

    page = np.random.default_rng(5).integers(0, 256, shape).astype(np.uint8)
    colour, grey = reformat_input(page)
    mine_colour, mine_grey = light.page_of(page)
    assert np.array_equal(mine_grey, grey)
    assert np.array_equal(mine_colour, colour)


def test_english_g2_gives_easyocrs_logits():
    from easyocr.model.vgg_model import Model

    from textcodec.ocr.models import RECOGNIZER_FILE, weight_path

    theirs = Model(1, 256, 256, len(light.CHARSET) + 1)
    state = torch.load(weight_path(RECOGNIZER_FILE), map_location="cpu", weights_only=True)
    theirs.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    mine = light.load_g2()
    x = torch.rand(3, 1, 64, 200) * 2 - 1
    with torch.no_grad():
        assert torch.equal(mine.eval()(x, None), theirs.eval()(x, None))
    assert [k for k, _ in mine.named_parameters()] == [k for k, _ in theirs.named_parameters()]


def test_the_light_engine_reads_pages_as_through_easyocrs_reader(screenshot):
    """The whole reading (boxes, texts, confidences) of the default engine, with its own
    reader and with EasyOCR's (its detect, crops and contrast), on the sample page."""
    from easyocr.detection import get_textbox

    from textcodec.ocr.engine import EasyOcrEngine, FastCpu
    from textcodec.ocr.models import model_dir

    ours = EasyOcrEngine(detector="student", int8=False, gpu=False)
    assert isinstance(ours._reader, light.LightReader)
    theirs = EasyOcrEngine(detector="student", int8=False, gpu=False)
    try:
        reader = easyocr.Reader(["en"], gpu=False, model_storage_directory=str(model_dir()),
                                download_enabled=False, verbose=False, quantize=False,
                                detector=False)
    except FileNotFoundError as error:   # a copy of the weights not byte for byte EasyOCR's
        pytest.skip(f"EasyOCR refuses these weights, so its reader is no reference: {error}")
    reader.get_textbox = get_textbox
    reader.detector, reader.recognizer = ours._reader.detector, FastCpu(reader.recognizer,
                                                                        channels_last=True)
    theirs._reader = reader
    page = screenshot[:360]

    def reading(engine):
        return [(w.text, w.cx, w.cy, w.width, w.height, w.angle, w.confidence)
                for w in engine.read(page)]

    mine = reading(ours)
    assert len(mine) > 20 and mine == reading(theirs)


@pytest.mark.parametrize("int8", ["0", "1"])
def test_the_default_engine_imports_neither_easyocr_nor_dynamo(int8):
    """Building and running the light engine leaves EasyOCR, torchvision and torch._dynamo
    unimported (1.6 s of a one-shot encode), its int8 graphs too (their tracer's stack traces
    would import dynamo and the inductor: 1.2 s). On the CPU, where int8 runs."""
    code = ("import sys, numpy as np\n"
            "from textcodec.ocr.engine import EasyOcrEngine\n"
            "engine = EasyOcrEngine(detector='student', gpu=False)\n"
            "engine.read(np.full((64, 200, 3), 255, np.uint8))\n"
            "print(engine.int8_active, sorted(m for m in ('easyocr', 'torchvision', "
            "'torch._dynamo', 'torch._inductor') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "TEXTCODEC_OCR_INT8": int8})
    assert out.stdout.split(maxsplit=1) == [str(int8 == "1"), "[]\n"]


def test_the_light_engine_needs_no_craft_weights_and_craft_says_they_are_missing(
        tmp_path, monkeypatch, screenshot):
    """A folder with english_g2 alone (as the GPU machine carries it) reads with the student;
    CRAFT's engine names the file it lacks."""
    from textcodec.errors import ModelError
    from textcodec.ocr.engine import EasyOcrEngine
    from textcodec.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, weight_path

    (tmp_path / RECOGNIZER_FILE).symlink_to(weight_path(RECOGNIZER_FILE))
    monkeypatch.setenv("TEXTCODEC_OCR_MODELS", str(tmp_path))
    assert len(EasyOcrEngine(detector="student").read(screenshot[:200, :600])) >= 5
    with pytest.raises(ModelError, match=DETECTOR_FILE):
        EasyOcrEngine(detector="craft")
