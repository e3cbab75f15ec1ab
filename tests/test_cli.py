"""The command line, run as a user runs it: exit codes, one-line errors, no partial files."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from textcodec.cli import app

runner = CliRunner()


@pytest.fixture
def png(tmp_path, small_image):
    p = tmp_path / "in.png"
    Image.fromarray(small_image).save(p)
    return p


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_help_is_fast_and_imports_no_torch():
    code = ("import sys, time; t=time.perf_counter(); from textcodec.cli import app; "
            "print(time.perf_counter()-t, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, torch_loaded = out.stdout.split()
    assert torch_loaded == "False" and float(seconds) < 2.0


def test_encode_decode_info_text(tmp_path, png):
    tlc, out = tmp_path / "a.tlc", tmp_path / "a.png"
    r = run("encode", png, "-o", tlc, "--ocr", "off", "--quality", "2")
    assert r.exit_code == 0, r.output
    assert "bpp" in r.output
    r = run("decode", tlc, "-o", out, "--device", "cpu")
    assert r.exit_code == 0, r.output
    assert Image.open(out).size == Image.open(png).size
    info = json.loads(run("info", tlc, "--json").output)
    assert info["bytes"] == tlc.stat().st_size and info["side_stream"] is None
    assert run("text", tlc).exit_code == 0


@pytest.mark.parametrize("side_codec", ["auto", "cm", "zstd", "zstd-dict", "gzip"])
def test_info_and_text_report_each_side_stream_compressor(tmp_path, png, side_codec):
    """Words travel with the compressor asked for (auto: the smallest of the cm coder and zstd
    with and without the bundled dictionary); `info` names it as --side-codec spells it and
    `text` reads them."""
    import textcodec
    from textcodec.words import Word

    words = [Word(t, 10 + 20 * i, 12, 18, 10) for i, t in enumerate(["File", "Edit", "View"])]
    tlc = tmp_path / "w.tlc"
    tlc.write_bytes(textcodec.encode(png, quality=2, words=words, side_codec=side_codec,
                                     cross_check="off"))
    info = json.loads(run("info", tlc, "--json").output)["side_stream"]
    assert info["codec"] in (("cm", "zstd", "zstd-dict") if side_codec == "auto"
                             else (side_codec,))
    assert f"side stream: {info['codec']}," in run("info", tlc).output
    assert [w["text"] for w in json.loads(run("text", tlc, "--json").output)] == \
        ["File", "Edit", "View"]
    r = run("encode", png, "-o", tmp_path / "o.tlc", "--ocr", "off", "--side-codec", side_codec)
    assert r.exit_code == 0, r.output


def test_existing_output_is_refused_without_force(tmp_path, png):
    tlc = tmp_path / "a.tlc"
    tlc.write_bytes(b"precious")
    r = run("encode", png, "-o", tlc, "--ocr", "off")
    assert r.exit_code == 1 and "exists" in r.output
    assert tlc.read_bytes() == b"precious"
    assert run("encode", png, "-o", tlc, "--ocr", "off", "--force").exit_code == 0


def test_output_may_not_overwrite_the_input(png):
    r = run("decode", png, "-o", png)
    assert r.exit_code == 1 and png.stat().st_size > 0


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    (b"\x89TLC\x01\x00\x01", "truncated"),
    (b"GIF89a" + bytes(30), "not a .tlc file"),
])
def test_bad_tlc_input_is_one_line_exit_one(tmp_path, content, message):
    p = tmp_path / "bad.tlc"
    if content is not None:
        p.write_bytes(content)
    r = run("decode", p, "-o", tmp_path / "o.png")
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in r.output
    assert not (tmp_path / "o.png").exists()


def test_corrupted_tlc_names_the_byte_offset(tmp_path, png):
    tlc = tmp_path / "a.tlc"
    run("encode", png, "-o", tlc, "--ocr", "off")
    data = bytearray(tlc.read_bytes())
    data[20] ^= 0xFF
    tlc.write_bytes(bytes(data))
    r = run("info", tlc)
    assert r.exit_code == 1 and "at byte" in r.output


def test_not_an_image_is_refused(tmp_path):
    p = tmp_path / "x.png"
    p.write_text("text")
    r = run("encode", p, "-o", tmp_path / "x.tlc", "--ocr", "off")
    assert r.exit_code == 1 and "not an image" in r.output
    assert not (tmp_path / "x.tlc").exists()


def test_unknown_model_is_refused(tmp_path, png):
    r = run("encode", png, "-o", tmp_path / "x.tlc", "--model", "nope", "--ocr", "off")
    assert r.exit_code == 1 and "unknown model" in r.output


def test_unwritable_output_location_is_refused(tmp_path, png):
    """/proc refuses new files even to root, so this holds on any CI machine."""
    r = run("encode", png, "-o", "/proc/textcodec-test.tlc", "--ocr", "off")
    assert r.exit_code == 1 and "cannot write" in r.output


def test_missing_output_folder_is_refused(tmp_path, png):
    r = run("encode", png, "-o", tmp_path / "no" / "x.tlc", "--ocr", "off")
    assert r.exit_code == 1 and "no such folder" in r.output


def test_decode_takes_the_checkpoint_a_file_names_when_the_model_list_does_not(tmp_path, png):
    """A file written by a checkpoint of one's own (encode --model PATH) decodes with decode
    --model PATH; without it, or with another checkpoint, a one-line error and no image."""
    import torch

    from textcodec import zoo

    blob = torch.load(zoo.resolve(zoo.baseline_model())[0], weights_only=True)
    mine = tmp_path / "mine.pt"
    torch.save({**blob, "name": "my-codec"}, mine)
    tlc, out = tmp_path / "m.tlc", tmp_path / "m.png"
    assert run("encode", png, "-o", tlc, "--model", mine, "--ocr", "off",
               "--quality", "2").exit_code == 0
    r = run("decode", tlc, "-o", out)
    assert r.exit_code == 1 and "unknown model 'my-codec'" in r.output and not out.exists()
    r = run("decode", tlc, "-o", out, "--model", zoo.baseline_model())
    assert r.exit_code == 1 and "written by model my-codec" in r.output and not out.exists()
    r = run("decode", tlc, "-o", out, "--model", mine)
    assert r.exit_code == 0, r.output
    assert Image.open(out).size == Image.open(png).size


def test_models_list_and_verify():
    r = run("models", "list")
    assert r.exit_code == 0 and "(default)" in r.output
    # a text model stored as a block file: its line gives its size and the codec it loads
    from textcodec import zoo

    text = zoo.get_entry(zoo.default_model())
    assert f"{text.size / 1e3:.0f} KB (a fusion block; loads {text.base})" in r.output
    assert run("models", "verify").exit_code == 0


@pytest.mark.slow
def test_demo_runs_the_whole_tour(tmp_path):
    """The README's one command: encode + decode the samples, then a small bench with a report."""
    out = tmp_path / "demo"
    r = run("demo", "--out", out)
    assert r.exit_code == 0, r.output
    for stem in ("screenshot", "photo"):
        assert (out / f"{stem}.tlc").stat().st_size > 100
        assert Image.open(out / f"{stem}.decoded.png").size == Image.open(out / f"{stem}.png").size
    # the screenshot at the ultra-low rate: its drawn decode differs from the plain one
    low = out / "screenshot.q1"
    assert Path(f"{low}.tlc").stat().st_size < (out / "screenshot.tlc").stat().st_size
    plain, drawn = (np.asarray(Image.open(f"{low}.{kind}.png")) for kind in ("decoded", "drawn"))
    assert plain.shape == drawn.shape and (plain != drawn).any()
    page = (out / "bench" / "report.html").read_text()
    assert "BD-rate" in page and "needs at least 4" not in page
    rows = [json.loads(line) for line in (out / "bench" / "results.jsonl").read_text().splitlines()]
    assert {r["codec"] for r in rows} == {"textcodec", "textcodec-baseline", "jpeg", "webp"}


class _NamedEngine:
    """A stand-in OCR engine whose one word is its own name."""

    def __init__(self, name):
        self.name = name

    def read(self, image):
        from textcodec.words import Word

        return [Word(self.name.replace("-", ""), 60, 30, 80, 14, confidence=0.9)]


@pytest.mark.parametrize("mode, default, read_by", [
    ("on", "easyocr-light", "easyocrlight"), ("on", "easyocr", "easyocr"),
    ("full", "easyocr-light", "easyocr"), ("light", "easyocr", "easyocrlight")])
def test_the_ocr_option_picks_the_pipeline(tmp_path, screenshot, monkeypatch, mode, default,
                                           read_by):
    """`--ocr on` reads with the default engine (``default_engine``, whatever it names);
    full and light force one."""
    from textcodec.ocr import engine as engine_module

    for name in ("easyocr", "easyocr-light"):
        monkeypatch.setitem(engine_module.ENGINES, name, lambda name=name: _NamedEngine(name))
    monkeypatch.setattr(engine_module, "default_engine", lambda: default)
    engine_module.get_engine.cache_clear()
    png, tlc = tmp_path / "shot.png", tmp_path / "shot.tlc"
    Image.fromarray(screenshot[:64, :128]).save(png)
    try:
        r = run("encode", png, "-o", tlc, "--ocr", mode, "--cross-check", "off",
                "--quality", "3")
    finally:
        engine_module.get_engine.cache_clear()
    assert r.exit_code == 0, r.output
    assert [w["text"] for w in json.loads(run("text", tlc, "--json").output)] == [read_by]


def test_light_ocr_sends_the_student_detectors_words(tmp_path, screenshot, monkeypatch):
    """`--ocr light` reads the side stream through the detector distilled from CRAFT."""
    from textcodec.ocr import engine as engine_module

    built = []
    real = engine_module.ENGINES["easyocr-light"]
    monkeypatch.setitem(engine_module.ENGINES, "easyocr-light",
                        lambda: built.append("light") or real())
    engine_module.get_engine.cache_clear()
    png, tlc = tmp_path / "shot.png", tmp_path / "shot.tlc"
    Image.fromarray(screenshot[:360, :640]).save(png)
    try:
        r = run("encode", png, "-o", tlc, "--ocr", "light", "--cross-check", "off",
                "--quality", "3")
    finally:
        engine_module.get_engine.cache_clear()
    assert r.exit_code == 0, r.output
    assert built == ["light"]
    words = json.loads(run("text", tlc, "--json").output)
    assert len(words) >= 3


def test_several_images_encode_into_a_folder_and_decode_back(tmp_path, png, small_image):
    second = tmp_path / "second.png"
    Image.fromarray(small_image[::-1].copy()).save(second)
    (tmp_path / "tlc").mkdir()
    r = run("encode", png, second, "-o", tmp_path / "tlc", "--ocr", "off", "--quality", "2")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "tlc").iterdir()) == ["in.tlc", "second.tlc"]
    assert "in.tlc" in r.output and "second.tlc" in r.output
    (tmp_path / "png").mkdir()
    r = run("decode", tmp_path / "tlc" / "in.tlc", tmp_path / "tlc" / "second.tlc",
            "-o", tmp_path / "png")
    assert r.exit_code == 0, r.output
    a, b = (np.asarray(Image.open(tmp_path / "png" / n)) for n in ("in.png", "second.png"))
    assert a.shape == b.shape == small_image.shape and not np.array_equal(a, b)


def test_several_inputs_without_a_folder_are_refused_before_any_work(tmp_path, png):
    r = run("encode", png, png, "-o", tmp_path / "x.tlc", "--ocr", "off")
    assert r.exit_code == 1 and "names a folder" in r.output
    assert not (tmp_path / "x.tlc").exists() and not (tmp_path / "in.tlc").exists()


def test_two_inputs_that_would_write_one_file_are_refused(tmp_path, png, small_image):
    Image.fromarray(small_image).save(tmp_path / "in.bmp")
    r = run("encode", png, tmp_path / "in.bmp", "--ocr", "off")
    assert r.exit_code == 1 and "would both be written" in r.output
    assert not (tmp_path / "in.tlc").exists()


def test_an_existing_output_stops_the_batch_before_any_file_is_written(tmp_path, png,
                                                                       small_image):
    second = tmp_path / "second.png"
    Image.fromarray(small_image).save(second)
    (tmp_path / "second.tlc").write_bytes(b"keep")
    r = run("encode", png, second, "--ocr", "off")
    assert r.exit_code == 1 and "exists" in r.output
    assert not (tmp_path / "in.tlc").exists()
    assert (tmp_path / "second.tlc").read_bytes() == b"keep"


def test_a_bad_file_in_a_batch_is_reported_and_the_others_are_written(tmp_path, png):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    r = run("encode", bad, png, "--ocr", "off", "--quality", "1")
    assert r.exit_code == 1
    assert "bad.png" in r.output and "1 of 2 files failed" in r.output
    assert (tmp_path / "in.tlc").exists() and not (tmp_path / "bad.tlc").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_bench_without_its_anchor_says_why_it_has_no_bd_figures(tmp_path, png):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "one.png").write_bytes(png.read_bytes())
    r = run("bench", "--dataset", folder, "--codecs", "jpeg", "--points", 2, "--out",
            tmp_path / "b")
    assert r.exit_code == 0, r.output
    assert "no BD figures" in r.output and "textcodec-baseline" in r.output


@pytest.mark.parametrize("flag", ["--numbers", "--no-numbers"])
def test_encode_says_how_many_painted_words_hold_digits(tmp_path, monkeypatch, flag):
    """A page whose OCR reads one line with a number in it: `encode` paints it and says so;
    `--no-numbers` fits and paints no word holding a digit."""
    from test_glyphs import _number_page

    from textcodec.ocr import engine

    image, box = _number_page()

    class OneLine:
        def read(self, rgb):
            return [box]

    monkeypatch.setattr(engine, "get_engine", lambda name: OneLine())
    src, tlc = tmp_path / "n.png", tmp_path / "n.tlc"
    Image.fromarray(image).save(src)
    r = run("encode", src, "-o", tlc, "--quality", "0", "--cross-check", "off", flag)
    assert r.exit_code == 0, r.output
    if flag == "--numbers":
        assert "1 of 1 fitted words painted" in r.output and "1 holding digits" in r.output
    else:
        assert "fitted" not in r.output and "digits" not in r.output
