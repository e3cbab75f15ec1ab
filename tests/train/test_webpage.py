"""Web pages for training: the generated HTML, the browser's rendering, the pack's web source."""

import random
from pathlib import Path

import numpy as np
import pytest

from textcodec.train import data as data_mod
from textcodec.train import webpage
from textcodec.train.data import MixedDataset
from textcodec.words import Word


def test_page_html_is_seeded_and_reports_its_words():
    a = webpage.page_html(random.Random(4), 800, 600)
    assert a == webpage.page_html(random.Random(4), 800, 600)
    assert a != webpage.page_html(random.Random(5), 800, 600)
    assert "getClientRects" in a and "tc-words" in a
    assert "width: 800px; height: 600px; overflow: hidden" in a


@pytest.mark.skipif(webpage.browser() is None,
                    reason="needs a headless browser (apt-get install chromium)")
def test_rendered_words_lie_on_ink_inside_the_viewport():
    page = webpage.page_html(random.Random(7), 640, 400)
    image, words = webpage.render(page, 640, 400)
    assert image.shape == (400, 640, 3) and len(words) >= 20
    background = np.median(image.reshape(-1, 3), axis=0)
    for w in words:
        x0, y0, x1, y1 = w.axis_aligned_box()
        assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 400
        patch = image[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))].astype(int)
        assert patch.std() > 0, w   # the word's glyphs are in its box
        assert w.text in page or "&" in w.text   # escaped characters aside, the page's words
    assert np.abs(image.astype(int) - background).sum(-1).max() > 100   # text, not blank


def test_web_pages_are_packed_and_cropped_with_their_words(tmp_path):
    pages = tmp_path / "web"
    pages.mkdir()
    image = np.full((300, 400, 3), 255, np.uint8)
    words = [Word(f"w{i}", 30 + 60 * (i % 6), 20 + 30 * (i // 6), 40, 12) for i in range(48)]
    for w in words:   # ink where each word is
        x0, y0, x1, y1 = map(int, w.axis_aligned_box())
        image[y0:y1, x0:x1] = 0
    webpage.save(pages, "page-a", image, words)
    got_image, got_words = webpage.load(pages / "page-a.png")
    assert np.array_equal(got_image, image) and got_words == words
    (tmp_path / "shared" / "funsd_train" / "images").mkdir(parents=True)
    (tmp_path / "shared" / "kodak").mkdir()
    from PIL import Image
    for name in data_mod.KODAK_TRAIN:
        Image.new("RGB", (64, 64)).save(tmp_path / "shared" / "kodak" / name)
    pack = tmp_path / "pack"
    data_mod.build_pack(pack, tmp_path / "shared", [], web=pages)
    it = iter(MixedDataset(pack, (0, 0, 0, 0, 0, 1), seed=1, size=128))
    samples = [next(it) for _ in range(10)]
    assert any(len(s.boxes) for s in samples)
    for s in samples:
        assert set(s.texts) <= {w.text for w in words}
        for (x0, y0, x1, y1) in s.boxes.astype(int):   # each kept box still holds its ink
            assert (s.image[y0:y1, x0:x1] == 0).all()


@pytest.mark.skipif(webpage.browser() is None,
                    reason="needs a headless browser (apt-get install chromium)")
def test_the_bench_web_set_is_rendered_with_its_truth_and_kept_apart(tmp_path):
    import subprocess
    import sys

    from textcodec.bench import datasets

    item = next(datasets.load("web", 1))
    assert item.image.shape == (720, 1280, 3) and len(item.truth) >= 50
    assert all(w.height >= 6 for w in item.truth)
    # training renders may not use the bench's seed
    tool = Path(__file__).resolve().parents[2] / "tools" / "render_pages.py"
    out = subprocess.run([sys.executable, str(tool), "--out", str(tmp_path),
                          "--count", "1", "--seed", str(datasets.WEB_BENCH_SEED)],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "benchmark" in out.stderr and not any(tmp_path.iterdir())
