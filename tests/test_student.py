"""The detector distilled from CRAFT: its network, its loss, its training script, its boxes."""

import json

import numpy as np
import pytest
import torch

from textcodec.errors import ModelError
from textcodec.ocr import student


def test_student_maps_come_at_half_resolution_in_unit_range():
    net = student.StudentDetector().eval()
    with torch.no_grad():
        maps, feature = net(torch.randn(2, 3, 96, 160))
    assert maps.shape == (2, 48, 80, 2) and feature is None
    assert float(maps.min()) >= 0 and float(maps.max()) <= 1


def test_missing_student_weights_are_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="no distilled detector"):
        student.load(tmp_path / "nothing.pt")


def test_distil_loss_is_zero_on_the_teachers_maps_and_weighs_text_more():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "distill_detector", Path(__file__).resolve().parents[1] / "tools" / "distill_detector.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    target = torch.zeros(1, 8, 8, 2)
    target[0, 2:4, 2:6, 0] = 0.9                       # a word's region score
    assert float(tool.distil_loss(target, target)) == 0
    off_text = target.clone()
    off_text[0, 6, 6, 0] += 0.5                        # an error on the background
    on_text = target.clone()
    on_text[0, 2, 2, 0] -= 0.5                         # the same error on the word
    assert float(tool.distil_loss(on_text, target)) > float(tool.distil_loss(off_text, target))


def test_distillation_runs_and_saves_a_loadable_student(tmp_path):
    """A few CPU steps of tools/distill_detector.py with CRAFT as the teacher."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "student.pt"
    subprocess.run([sys.executable, str(root / "tools" / "distill_detector.py"), "--out",
                    str(out), "--steps", "4", "--size", "64", "--batch", "2", "--workers", "0",
                    "--log-every", "2", "--device", "cpu"], check=True, cwd=root,
                   capture_output=True)
    lines = [json.loads(line) for line in out.with_suffix(".jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines[:-1]] == [2, 4] and lines[-1]["steps"] == 4
    assert all(line["loss"] > 0 for line in lines[:-1])
    net = student.load(out)
    state = torch.load(out, weights_only=True)
    assert state["steps"] == 4
    assert not all(torch.equal(a, b) for a, b in zip(
        net.state_dict().values(), student.StudentDetector().state_dict().values()))


def _overlap(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def test_shipped_student_finds_where_craft_finds_text(screenshot):
    """The shipped weights against CRAFT itself on the sample page: most of the page's text
    area that CRAFT boxes, the student boxes too, and little else."""
    from textcodec.ocr.engine import EasyOcrEngine

    craft = EasyOcrEngine(detector="craft").detect(screenshot)
    mine = EasyOcrEngine(detector="student").detect(screenshot)

    def mask(boxes):
        m = np.zeros(screenshot.shape[:2], bool)
        for x0, y0, x1, y1 in boxes:
            m[int(max(y0, 0)):int(y1), int(max(x0, 0)):int(x1)] = True
        return m

    a, b = mask(craft), mask(mine)
    assert len(craft) > 50
    assert (a & b).sum() / a.sum() > 0.8      # CRAFT's text area the student covers
    assert (a & b).sum() / b.sum() > 0.8      # the student's area that CRAFT covers


def test_the_light_engine_reads_without_ever_building_craft(screenshot, monkeypatch):
    """With the student detecting, CRAFT's 83 MB are neither hashed nor loaded (1.4 s of a
    one-shot encode), and the page still reads: through EasyOCR's own ``readtext`` too
    (``fast=False``; the fast path does not import EasyOCR, tests/test_ocr_reader.py)."""
    import easyocr

    from textcodec.ocr.engine import EasyOcrEngine

    def no_craft(*args, **kwargs):
        raise AssertionError("CRAFT was built for an engine that detects with the student")

    monkeypatch.setattr(easyocr.Reader, "getDetectorPath", no_craft)
    monkeypatch.setattr(easyocr.Reader, "initDetector", no_craft)
    words = EasyOcrEngine(detector="student", fast=False).read(screenshot[:200, :600])
    assert len(words) >= 5 and any(w.text.isalpha() and len(w.text) > 3 for w in words)


def test_an_unknown_detector_is_refused():
    from textcodec.ocr.engine import EasyOcrEngine

    with pytest.raises(ModelError, match="unknown detector"):
        EasyOcrEngine(detector="yolo")


def test_the_detector_can_be_chosen_from_the_environment(monkeypatch):
    from textcodec.ocr.engine import EasyOcrEngine

    monkeypatch.setenv("TEXTCODEC_OCR_DETECTOR", "bogus")
    with pytest.raises(ModelError, match="unknown detector 'bogus'"):
        EasyOcrEngine()


def test_boxes_too_short_to_read_are_left_out_only_when_asked():
    from textcodec.ocr.engine import EasyOcrEngine, tall_enough

    horizontal = [[0, 50, 10, 18], [0, 50, 30, 42], [0, 80, 50, 60]]   # 8, 12, 10 px tall
    free = [[(0, 0), (40, 10), (38, 18), (-2, 8)],                     # ~8.2 px tall
            [(0, 0), (40, 10), (37, 22), (-3, 12)]]                    # ~12.4 px tall
    assert tall_enough(horizontal, free, 0) == (horizontal, free)
    kept_h, kept_f = tall_enough(horizontal, free, 10)
    assert kept_h == horizontal[1:] and kept_f == free[1:]
    assert EasyOcrEngine(detector="student").min_box_height == 10
    assert EasyOcrEngine(detector="craft").min_box_height == 0


def test_distillation_resumes_from_given_weights(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "more.pt"
    subprocess.run([sys.executable, str(root / "tools" / "distill_detector.py"), "--out",
                    str(out), "--steps", "2", "--size", "64", "--batch", "2", "--workers", "0",
                    "--lr", "0", "--device", "cpu", "--init", str(student.WEIGHTS)],
                   check=True, cwd=root, capture_output=True)
    shipped = torch.load(student.WEIGHTS, weights_only=True)
    resumed = torch.load(out, weights_only=True)
    assert resumed["steps"] == shipped["steps"] + 2
    # at a learning rate of 0 only BatchNorm's running statistics move in training mode
    for name, value in shipped["weights"].items():
        if "running" not in name and "num_batches" not in name:
            assert torch.equal(value, resumed["weights"][name]), name


def test_the_recognizer_reads_a_word_at_the_light_height_too():
    from PIL import Image, ImageDraw, ImageFont

    from textcodec.ocr.engine import (LIGHT_READ_HEIGHT, READ_HEIGHT, EasyOcrEngine,
                                      recognize_batched)
    from textcodec.render import FONT_PATH

    page = Image.new("L", (240, 60), 255)
    ImageDraw.Draw(page).text((20, 18), "Settings", fill=0,
                              font=ImageFont.truetype(str(FONT_PATH), 22))
    grey = np.asarray(page)
    light = EasyOcrEngine(detector="student")
    assert (light.read_height, EasyOcrEngine(detector="craft").read_height) == \
        (LIGHT_READ_HEIGHT, READ_HEIGHT) and LIGHT_READ_HEIGHT < READ_HEIGHT
    seen = []
    net = light._reader.recognizer
    light._reader.recognizer = type(net)(net.net)          # FastCpu around the same network
    real_forward = light._reader.recognizer.forward
    light._reader.recognizer.forward = lambda x, *rest: seen.append(x.shape[2]) or \
        real_forward(x, *rest)
    for height in (READ_HEIGHT, LIGHT_READ_HEIGHT):
        (_, text, conf), = recognize_batched(light._reader, grey, [[14, 130, 14, 48]], [],
                                             buckets=True, height=height)
        assert text == "Settings" and conf > 0.5
    assert seen == [READ_HEIGHT, LIGHT_READ_HEIGHT]
