"""The bench end to end on a tiny folder, and its resume after an interruption."""

import json

import numpy as np
import pytest
from PIL import Image

from textcodec.bench import datasets, report, runner
from textcodec.bench.codecs import get_codec
from textcodec.errors import InputError


@pytest.fixture
def folder(tmp_path, screenshot):
    d = tmp_path / "imgs"
    d.mkdir()
    Image.fromarray(screenshot[:128, :320]).save(d / "a.png")
    (d / "a.json").write_text(json.dumps([{"box": [0, 0, 10, 10], "text": "x"}]))
    return d


def _keys(path):
    return [(r["image"], r["codec"], r["setting"]) for r in map(json.loads,
                                                                 path.read_text().splitlines())]


def test_tiny_bench_end_to_end(folder, tmp_path):
    out = tmp_path / "res"
    results = runner.run(str(folder), ["jpeg", "textcodec-baseline"], out, points=2,
                         progress=False)
    rows = report.load(results)
    assert len(rows) == 4 and {r["codec"] for r in rows} == {"jpeg", "textcodec-baseline"}
    for r in rows:
        size = r["bytes"] * 8 / (128 * 320)
        assert r["bpp"] == pytest.approx(size) and r["psnr"] > 5 and r["gt_chars"] == 1
    pts = report.aggregate(rows)
    assert len(pts) == 4
    plots = report.plot(pts, out, "tiny")
    assert all(p.stat().st_size > 1000 for p in plots)


def test_interrupted_run_resumes_without_repeating_work(folder, tmp_path):
    out = tmp_path / "res"
    results = runner.run(str(folder), ["jpeg"], out, points=3, progress=False)
    full = _keys(results)
    lines = results.read_text().splitlines()
    results.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # killed mid-write
    runner.run(str(folder), ["jpeg"], out, points=3, progress=False)
    assert sorted(_keys(results)) == sorted(full)


def test_icdar_annotations_are_read(tmp_path):
    Image.new("RGB", (50, 40)).save(tmp_path / "img.png")
    (tmp_path / "img.txt").write_text("1,2,21,2,21,12,1,12,Hello\n0,0,1,0,1,1,0,1,###\n")
    item = next(datasets.folder(tmp_path))
    assert [w.text for w in item.truth] == ["Hello"] and item.truth[0].width == pytest.approx(20)


def test_peer_codecs_round_trip_at_every_setting():
    img = (np.random.default_rng(0).random((32, 48, 3)) * 255).astype(np.uint8)
    for name in ("jpeg", "webp", "avif", "jxl"):
        c = get_codec(name)
        for s in c.sweep(2):
            assert c.decode(c.encode(img, s)).shape == img.shape


def test_textcodec_reaches_below_every_peers_floor_on_dense_text(screenshot):
    """On a dense page the peers bottom out (JPEG tables ~600 bytes, WebP quality 0 ~0.3 bpp,
    AVIF ~0.16, JPEG XL's distance cap ~0.37 bpp); textcodec's lowest rate goes further,
    which is the range it exists for. Each peer's sweep must also shrink to its floor."""
    img = screenshot[:512, :512]
    floors = {}
    for name in ("jpeg", "webp", "avif", "jxl", "textcodec-baseline"):
        c = get_codec(name)
        low, high = (len(c.encode(img, s)) for s in (c.settings[0], c.settings[-1]))
        assert low < high, name
        floors[name] = low
    ours = floors.pop("textcodec-baseline")
    assert ours < min(floors.values()), floors


def test_unknown_dataset_and_codec_are_input_errors():
    with pytest.raises(InputError, match="unknown dataset"):
        datasets.load("no-such-set")
    with pytest.raises(InputError, match="unknown codec"):
        get_codec("bmp")


def test_a_bench_refused_for_its_dataset_or_codec_leaves_no_output_folder(folder, tmp_path):
    with pytest.raises(InputError, match="unknown dataset"):
        runner.run(str(tmp_path / "nope"), ["jpeg"], tmp_path / "a", progress=False)
    with pytest.raises(InputError, match="unknown codec"):
        runner.run(str(folder), ["bmp"], tmp_path / "b", progress=False)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_ms_ssim_is_averaged_over_the_images_that_have_it():
    """MS-SSIM is undefined on an image under 161 px a side: it must not blank the point."""
    row = {"codec": "jpeg", "setting": 10, "bpp": 1.0, "psnr": 30.0, "char_edits": 0,
           "chars": 1, "word_edits": 0, "words": 1, "f1": 1.0, "gt_char_edits": 0,
           "gt_chars": 0, "gt_word_edits": 0, "gt_words": 0, "encode_s": 0.1, "decode_s": 0.1}
    rows = [{**row, "ms_ssim": 0.9}, {**row, "ms_ssim": float("nan")}, {**row, "ms_ssim": 0.8}]
    pt, = report.aggregate(rows)
    assert pt.ms_ssim == pytest.approx(0.85)
    pt, = report.aggregate([{**row, "ms_ssim": float("nan")}])
    assert np.isnan(pt.ms_ssim)


def test_the_chosen_ocr_engine_finds_the_scored_boxes(folder, tmp_path, monkeypatch):
    """--ocr picks the engine that finds and reads the scored text."""
    from textcodec.ocr import engine as engines
    from textcodec.words import Word

    class ThreeBoxes:
        name = "three"

        def read(self, image):
            return [Word(f"w{i}", 40 + 60 * i, 40, 40, 14) for i in range(3)]

    monkeypatch.setitem(engines.ENGINES, "three", ThreeBoxes)
    engines.get_engine.cache_clear()
    try:
        results = runner.run(str(folder), ["jpeg"], tmp_path / "res", points=1,
                             progress=False, ocr_engine="three")
    finally:
        engines.get_engine.cache_clear()
    rows = report.load(results)
    assert rows and all(r["boxes"] == 3 for r in rows)
    # the stub reads "w0 w1 w2" on every image: its own boxes, read by itself, match exactly
    assert all(r["chars"] == 6 and r["char_edits"] == 0 for r in rows)


def test_the_side_stream_is_read_by_the_engine_asked_for(folder, tmp_path, monkeypatch):
    """--side-ocr names the engine whose reading a codec that takes words is given (the
    encoder's own light pipeline, say), whatever engine finds the scored text."""
    from textcodec.bench import codecs
    from textcodec.ocr import engine as engines
    from textcodec.words import Word

    class Named:
        def __init__(self, text):
            self.text = text

        def read(self, image):
            return [Word(self.text, 60, 40, 40, 14)]

    monkeypatch.setitem(engines.ENGINES, "scored", lambda: Named("scored"))
    monkeypatch.setitem(engines.ENGINES, "side", lambda: Named("side"))
    given = []
    jpeg = codecs.get_codec("jpeg")

    def encode(image, setting, words=None):
        given.append([w.text for w in words])
        return jpeg.encode(image, setting)

    spy = codecs.Codec("spy", [50.0], encode, jpeg.decode, wants_words=True)
    monkeypatch.setattr(runner, "get_codec", lambda name: spy)
    engines.get_engine.cache_clear()
    try:
        results = runner.run(str(folder), ["spy"], tmp_path / "a", progress=False,
                             ocr_engine="scored", side_ocr="side")
    finally:
        engines.get_engine.cache_clear()
    rows = report.load(results)
    assert rows and len(given) == len(rows)
    assert all(g == ["side"] for g in given)

    # unasked, the side stream is read as `textcodec encode` reads it: its default engine's
    given.clear()
    monkeypatch.setitem(engines.ENGINES, "encoders", lambda: Named("encoders"))
    monkeypatch.setattr(engines, "default_engine", lambda: "encoders")
    try:
        results = runner.run(str(folder), ["spy"], tmp_path / "b", progress=False,
                             ocr_engine="scored")
    finally:
        engines.get_engine.cache_clear()
    assert given and all(g == ["encoders"] for g in given)


def test_engine_reader_reads_each_page_once_and_joins_words_per_box():
    import numpy as np

    from textcodec.bench.textscore import EngineReader
    from textcodec.words import Word

    calls = []

    class Stub:
        def read(self, image):
            calls.append(image.shape)
            return [Word("world", 80, 20, 30, 10), Word("hello", 30, 20, 30, 10),
                    Word("far", 300, 200, 20, 10)]

    reader = EngineReader(Stub())
    page = np.zeros((240, 400, 3), np.uint8)
    assert reader.read(page, [(0, 0, 120, 40), (250, 150, 400, 240)]) == ["hello world", "far"]
    assert reader.read(page, [(0, 0, 10, 10)]) == [""]
    assert len(calls) == 1                       # same page: read once
    reader.read(page + 1, [(0, 0, 10, 10)])
    assert len(calls) == 2


def test_the_drawn_words_codec_makes_textcodecs_files_and_draws_them(small_image, monkeypatch):
    """textcodec-draw: the default model's files, side stream and all, decoded with
    fusion="draw": inside the drawn boxes it differs from textcodec-nofusion, elsewhere not."""
    from textcodec import crosscheck
    from textcodec.render import DRAW_FILL, placements
    from textcodec.words import Word

    words = [Word("Hello", 60, 30, 50, 14)]
    # where Tesseract is installed the encoder's cross-check runs: let it confirm the word
    monkeypatch.setattr(crosscheck, "second_reading", lambda image, found, engine: list(words))
    drawn, plain = get_codec("textcodec-draw"), get_codec("textcodec-nofusion")
    assert drawn.wants_words
    data = drawn.encode(small_image, 3.0, words=words)
    assert data == plain.encode(small_image, 3.0, words=words)
    a, b = drawn.decode(data), plain.decode(data)
    h, w = small_image.shape[:2]
    (_, region, _, box), = placements(words, w, h, DRAW_FILL)
    changed = np.abs(a.astype(int) - b.astype(int)).sum(2) > 0
    inside = np.zeros((h, w), bool)
    inside[region] = box > 0
    assert changed[inside].any() and not changed[~inside].any()


def test_a_checkpoint_file_outside_the_zoo_benches_end_to_end(small_image, tmp_path):
    """textcodec:PATH with a checkpoint the zoo does not know (a fresh training run's): its
    files name that checkpoint, so the bench decodes them with the same file."""
    import torch

    from textcodec import zoo

    blob = torch.load(zoo.resolve(zoo.baseline_model())[0], weights_only=False)
    blob["name"] = "textcodec-fresh-run"
    path = tmp_path / "textcodec-fresh-run.pt"
    torch.save(blob, path)
    c = get_codec(f"textcodec:{path}")
    out = c.decode(c.encode(small_image, 2.0))
    assert out.shape == small_image.shape
    assert np.abs(out.astype(int) - small_image.astype(int)).mean() < 40


def test_qt_set_picks_example_screenshots_of_a_size_and_lays_transparency_on_white(
        tmp_path, monkeypatch):
    """The qt set reads Qt's documentation tree: only *-example / *-demo screenshots of at
    least 300x200 (and at most 1400 wide), the same pick every time, transparent pixels white."""
    images = tmp_path / "qtwidgets" / "images"
    images.mkdir(parents=True)
    clear = np.zeros((220, 320, 4), np.uint8)
    clear[:10, :10] = (255, 0, 0, 255)
    Image.fromarray(clear).save(images / "a-example.png")
    Image.fromarray(np.zeros((220, 320, 3), np.uint8)).save(images / "b-demo.png")
    Image.fromarray(np.zeros((100, 320, 3), np.uint8)).save(images / "small-example.png")
    Image.fromarray(np.zeros((220, 1500, 3), np.uint8)).save(images / "wide-example.png")
    Image.fromarray(np.zeros((220, 320, 3), np.uint8)).save(images / "icon.png")
    monkeypatch.setattr(datasets, "QT_DOCS", tmp_path)
    items = list(datasets.load("qt"))
    assert sorted(i.id for i in items) == ["qtwidgets/images/a-example.png",
                                           "qtwidgets/images/b-demo.png"]
    assert [i.id for i in datasets.load("qt")] == [i.id for i in items]
    a = next(i for i in items if i.id.endswith("a-example.png")).image
    assert a.shape == (220, 320, 3) and (a[0, 0] == (255, 0, 0)).all()
    assert (a[100, 100] == 255).all() and all(i.truth is None for i in items)


def test_qt_set_without_the_docs_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "QT_DOCS", tmp_path / "missing")
    with pytest.raises(InputError, match="qtbase5-doc-html"):
        list(datasets.load("qt"))
