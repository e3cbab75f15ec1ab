"""The library API on the shipped checkpoint: round trips, modes, rate control, errors."""

import os
import zlib

import numpy as np
import pytest
from PIL import Image

import textcodec
from textcodec import codec, container, sidestream, zoo
from textcodec.bench.metrics import psnr
from textcodec.errors import InputError, ModelError, OutputError, RateControlError
from textcodec.words import Word


def test_round_trip_keeps_size_and_resembles_the_input(small_image):
    data = textcodec.encode(small_image, quality=5, ocr=False)
    out = np.asarray(textcodec.decode(data))
    assert out.shape == small_image.shape
    assert psnr(small_image, out) > 18


@pytest.mark.parametrize("size", [(1, 1), (1, 70), (65, 257), (130, 3)])
def test_any_size_from_one_pixel_up_round_trips(size):
    img = (np.random.default_rng(0).random((*size, 3)) * 255).astype(np.uint8)
    out = textcodec.decode(textcodec.encode(img, quality=1, ocr=False))
    assert out.size == (size[1], size[0])


def test_greyscale_comes_back_greyscale(small_image):
    grey = Image.fromarray(small_image).convert("L")
    out = textcodec.decode(textcodec.encode(grey, quality=2, ocr=False))
    assert out.mode == "L" and out.size == grey.size


def test_alpha_is_flattened_onto_white():
    rgba = np.zeros((64, 64, 4), np.uint8)  # fully transparent black
    data = textcodec.encode(rgba, quality=4, ocr=False)
    assert container.read(data).header.mode is container.ImageMode.RGBA
    out = np.asarray(textcodec.decode(data))
    assert out.shape == (64, 64, 3) and out.mean() > 200


def test_header_names_the_model_and_its_checkpoint(small_image):
    data = textcodec.encode(small_image, ocr=False)
    h = container.read(data).header
    entry = zoo.get_entry(zoo.default_model())
    assert h.model_id == entry.name and h.model_hash == entry.hash_prefix


def test_every_bundled_text_model_decodes_by_its_header(small_image):
    """The default and the previous default both ship: a file made with either names it,
    decodes with no model given, and with no words decodes as its own baseline does."""
    bundled = [e for e in zoo.entries().values()
               if e.base and (zoo.models_dir() / e.file).exists()]
    assert {zoo.default_model(), "textcodec-text-v20"} <= {e.name for e in bundled}
    for entry in bundled:
        data = textcodec.encode(small_image, model=entry.name, quality=3, ocr=False)
        h = container.read(data).header
        assert h.model_id == entry.name and h.model_hash == entry.hash_prefix
        out = np.asarray(textcodec.decode(data))
        assert psnr(small_image, out) > 18, entry.name
        base = textcodec.encode(small_image, model=entry.base, quality=3, ocr=False)
        assert np.array_equal(out, np.asarray(textcodec.decode(base))), entry.name
    # the default's codec: trained wide, then narrowed to a 128-channel analysis, N_dec 160
    # and N_last 48 (textcodec/nets/narrow.py); the benchmarks' baseline is that codec
    default = zoo.get_entry(zoo.default_model())
    config = zoo.get_entry(default.base).config
    assert config.get("N_enc", config["N"]) == 128 and config["N_dec"] == 160
    assert config["N_last"] == 48 and zoo.baseline_model() == default.base


def test_given_words_travel_in_the_side_stream(small_image):
    words = [Word("Hello", 30, 20, 40, 12), Word("there", 90, 20, 40, 12)]
    r = codec.encode_image(small_image, words=words, quality=1)
    assert [w.text for w in textcodec.text_layer(r.data)] == ["Hello", "there"]
    assert r.side_bytes > 0
    plain = codec.encode_image(small_image, words=words, quality=1, ocr=False)
    assert container.read(plain.data).text is None and len(plain.data) < len(r.data)


def test_max_bytes_counts_the_whole_file(screenshot):
    img = screenshot[:256, :512]
    smallest = len(textcodec.encode(img, quality=0, ocr=False))
    target = int(smallest * 1.5)
    data = textcodec.encode(img, max_bytes=target, ocr=False)
    assert len(data) <= target
    assert len(textcodec.encode(img, max_bytes=target * 2, ocr=False)) > len(data)


def test_target_bpp_is_met(screenshot):
    img = screenshot[:256, :512]
    r = codec.encode_image(img, target_bpp=0.2, ocr=False)
    assert r.bpp <= 0.2


def test_unreachable_size_is_a_rate_control_error(screenshot):
    img = screenshot[:256, :512]
    smallest = len(textcodec.encode(img, quality=0, ocr=False))
    with pytest.raises(RateControlError, match=f"smallest file this model makes is {smallest}"):
        textcodec.encode(img, max_bytes=smallest - 1, ocr=False)


def test_encoding_leaves_autograd_as_it_was(small_image):
    import torch

    textcodec.decode(textcodec.encode(small_image, ocr=False))
    assert torch.is_grad_enabled()


def test_quality_outside_the_range_is_refused(small_image):
    with pytest.raises(InputError, match="quality must be in"):
        textcodec.encode(small_image, quality=99, ocr=False)


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        textcodec.encode(tmp_path / "nope.png")


def test_non_image_is_an_input_error(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("hello")
    with pytest.raises(InputError, match="not an image"):
        textcodec.encode(p, ocr=False)


def test_unknown_model_is_a_model_error(small_image):
    with pytest.raises(ModelError, match="unknown model"):
        textcodec.encode(small_image, model="no-such-model", ocr=False)


def test_file_from_another_checkpoint_is_refused(small_image):
    data = bytearray(textcodec.encode(small_image, ocr=False))
    f = container.read(bytes(data))
    other = container.Header(f.header.width, f.header.height, f.header.mode, f.header.model_id,
                             b"\xde\xad\xbe\xef", f.header.quality)
    forged = container.write(container.TlcFile(other, f.latent, f.text, f.coder))
    with pytest.raises(ModelError, match="checkpoint deadbeef"):
        textcodec.decode(forged)


def test_save_atomic_refuses_to_overwrite_and_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="exists"):
        codec.save_atomic(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"keep me"

    def explode(f):
        f.write(b"partial")
        raise OSError(28, "No space left on device")
    with pytest.raises(OutputError, match="No space"):
        codec.save_atomic(tmp_path / "new.bin", explode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_save_atomic_gives_new_files_the_umasks_mode_and_keeps_a_replaced_files(tmp_path):
    """Outputs are written through a private temporary file: they must still end up readable
    as any other new file would (0666 less the umask), and --force keeps the old file's mode."""
    old = os.umask(0o027)
    try:
        codec.save_atomic(tmp_path / "new.bin", lambda f: f.write(b"x"))
        assert (tmp_path / "new.bin").stat().st_mode & 0o777 == 0o640
        os.umask(0o022)
        codec.save_atomic(tmp_path / "other.bin", lambda f: f.write(b"x"))
        assert (tmp_path / "other.bin").stat().st_mode & 0o777 == 0o644
        (tmp_path / "new.bin").chmod(0o604)
        codec.save_atomic(tmp_path / "new.bin", lambda f: f.write(b"y"), force=True)
        assert (tmp_path / "new.bin").stat().st_mode & 0o777 == 0o604
        assert (tmp_path / "new.bin").read_bytes() == b"y"
    finally:
        os.umask(old)


@pytest.mark.parametrize("coder,minor", [("COMPRESSAI", 0), ("RANS16", 1)])
def test_older_formats_still_decode(small_image, coder, minor):
    """Files of format 1.0 (CompressAI's rANS, no CODER section) and 1.1 (textcodec's rANS in
    one lane) decode to the very image the 1.2 file of the same latent gives."""
    import torch

    from textcodec.nets.hyperprior import pad_to_multiple

    data = textcodec.encode(small_image, quality=4, ocr=False)
    f = container.read(data)
    assert f.coder == container.EntropyCoder.RANS16_LANES
    net = codec._model_for_header(f.header, torch.device("cpu"), None).model
    x = torch.from_numpy(small_image.copy()).permute(2, 0, 1)[None].float() / 255
    old_coder = container.EntropyCoder[coder]
    with torch.no_grad():
        old = net.compress_latent(net.analysis(pad_to_multiple(x)), f.header.quality, old_coder)
    older = bytearray(container.write(container.TlcFile(f.header, tuple(old), None, old_coder)))
    older[5] = minor
    older[-4:] = zlib.crc32(bytes(older[:-4])).to_bytes(4, "little")
    assert old != list(f.latent) and container.read(bytes(older)).coder == old_coder
    assert np.array_equal(np.asarray(textcodec.decode(bytes(older))),
                          np.asarray(textcodec.decode(data)))


def test_pillow_plugin_opens_tlc_files(tmp_path, small_image):
    import textcodec.pillow_plugin  # noqa: F401

    p = tmp_path / "x.tlc"
    p.write_bytes(textcodec.encode(small_image, ocr=False))
    with Image.open(p) as im:
        assert im.format == "TLC" and im.size == (257, 65)
        assert np.asarray(im.convert("RGB")).shape == (65, 257, 3)


@pytest.mark.slow
def test_encode_with_ocr_finds_words_of_the_sample(screenshot):
    r = codec.encode_image(screenshot[:240, :640], quality=2)
    texts = {w.text for w in r.words}
    assert len(texts) >= 3
    assert textcodec.text_layer(r.data)[0].text in texts


def test_forged_latent_bytes_never_crash_the_decoder(screenshot):
    """Past a recomputed CRC, corrupted latent streams decode to some image or a project
    error: never a crash, a hang or another exception (CompressAI's rANS has no end check)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from textcodec.errors import TextcodecError

    f = container.read(textcodec.encode(screenshot[:128, :256], quality=3, ocr=False))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 1), st.binary(max_size=64), st.integers(0, 10_000))
    def check(which, junk, cut):
        streams = list(f.latent)
        s = streams[which]
        streams[which] = s[:cut % (len(s) + 1)] + junk
        forged = container.write(container.TlcFile(f.header, tuple(streams), None, f.coder))
        try:
            out = textcodec.decode(forged)
            assert out.size == (256, 128)
        except TextcodecError:
            pass
    check()


def _random_fusion_checkpoint(tmp_path):
    """The baseline's codec with a randomly initialised fusion block, as a release file."""
    import torch

    from textcodec.checkpoint import load_release, load_weights, save_release
    from textcodec.nets import create

    base, blob = load_release(zoo.resolve(zoo.baseline_model())[0])
    fused = create(blob["arch"], **{**blob["config"], "lambdas": tuple(blob["config"]["lambdas"]),
                                       "fusion": True})
    load_weights(fused, blob["state"], new_fusion=True)
    torch.manual_seed(0)
    for p in fused.fusion.parameters():
        torch.nn.init.normal_(p, std=0.3)
    ck = tmp_path / "fused.pt"
    save_release(fused, ck, "fused-test")
    return ck


def test_decode_fuses_guidance_only_inside_the_word_boxes(tmp_path, small_image):
    """A checkpoint with a (here randomly initialised) fusion block: decoding with the side
    stream changes pixels only where words are, and --no-fusion gives the plain codec."""
    from textcodec.render import render

    ck = _random_fusion_checkpoint(tmp_path)
    words = [Word("Hello", 60, 30, 50, 14)]
    data = codec.encode_image(small_image, model=str(ck), words=words, quality=3,
                              cross_check="off").data
    with_fusion, _ = codec.decode_array(data, model=str(ck), device="cpu")
    plain, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion=False)
    _, mask = render(words, small_image.shape[1], small_image.shape[0])
    changed = np.abs(with_fusion.astype(int) - plain.astype(int)).sum(2) > 0
    assert changed.any() and not (changed & (mask == 0)).any()
    # above FUSION_MAX_QUALITY the default ("auto") decodes as the plain codec; "always" fuses
    high = codec.FUSION_MAX_QUALITY + 1
    data = codec.encode_image(small_image, model=str(ck), words=words, quality=high,
                              cross_check="off").data
    auto, _ = codec.decode_array(data, model=str(ck), device="cpu")
    off, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion="off")
    always, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion="always")
    assert np.array_equal(auto, off) and not np.array_equal(always, off)
    with pytest.raises(InputError, match="fusion must be one of"):
        codec.decode_array(data, model=str(ck), device="cpu", fusion="sometimes")


def test_the_fusion_block_never_draws_a_word_with_a_digit(tmp_path, small_image):
    """Numbers stay in the side stream but out of the guidance: their boxes decode as the plain
    codec's, while a word of letters beside them is drawn."""
    from textcodec.render import render

    ck = _random_fusion_checkpoint(tmp_path)
    letters, number = Word("Hello", 60, 30, 50, 14), Word("19.50", 60, 90, 50, 14)
    assert codec.guidance_words([letters, number, Word("B2B", 5, 5, 9, 9)]) == [letters]
    data = codec.encode_image(small_image, model=str(ck), words=[letters, number], quality=3,
                              cross_check="off").data
    fused, f = codec.decode_array(data, model=str(ck), device="cpu")
    plain, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion="off")
    assert [w.text for w in sidestream.decompress(f.text)] == ["Hello", "19.50"]
    changed = np.abs(fused.astype(int) - plain.astype(int)).sum(2) > 0
    h, w = small_image.shape[:2]
    assert (changed & (render([letters], w, h)[1] > 0)).any()
    assert not (changed & (render([number], w, h)[1] > 0)).any()


def test_draw_mode_draws_the_guidance_words_over_the_plain_decode(tmp_path, small_image):
    """fusion="draw": no block; the words without digits drawn into their boxes at any rate
    (here above FUSION_MAX_QUALITY), every other pixel the plain decode's."""
    from textcodec.render import draw, render

    ck = _random_fusion_checkpoint(tmp_path)
    letters, number = Word("Hello", 60, 30, 50, 14), Word("19.50", 60, 90, 50, 14)
    data = codec.encode_image(small_image, model=str(ck), words=[letters, number],
                              quality=codec.FUSION_MAX_QUALITY + 1, cross_check="off").data
    drawn, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion="draw")
    plain, _ = codec.decode_array(data, model=str(ck), device="cpu", fusion="off")
    h, w = small_image.shape[:2]
    changed = np.abs(drawn.astype(int) - plain.astype(int)).sum(2) > 0
    inside = render([letters], w, h)[1] > 0
    assert changed.any() and not (changed & ~inside).any()
    again = (draw(plain / 255.0, [letters]) * 255).round()
    assert np.abs(again - drawn)[inside].mean() < 2   # the plain decode, drawn over


def test_default_quality_is_the_rate_trained_for_the_default_lambda():
    from textcodec.codec import DEFAULT_LAMBDA, default_quality

    eight = tuple(0.0002 * 2 ** i for i in range(8))
    eleven = tuple(0.000025 * 2 ** i for i in range(11))
    assert default_quality(eight) == 3.0 and default_quality(eleven) == 6.0
    assert 0 < default_quality((DEFAULT_LAMBDA / 4, DEFAULT_LAMBDA * 4)) == 0.5
    assert default_quality((DEFAULT_LAMBDA * 2, DEFAULT_LAMBDA * 4)) == 0.0


def test_words_the_cross_check_flags_travel_but_are_not_drawn(tmp_path, small_image,
                                                              monkeypatch):
    """The second engine (stubbed: it reads "Hello" but not "Wrold") confirms one word of two:
    both stay in the text layer, only the confirmed one is drawn."""
    from textcodec import crosscheck
    from textcodec.render import render

    ck = _random_fusion_checkpoint(tmp_path)
    good, bad = Word("Hello", 60, 30, 50, 14), Word("Wrold", 60, 90, 50, 14)
    monkeypatch.setattr(crosscheck, "second_reading",
                        lambda image, words, engine: [Word("hello", 60, 30, 48, 12),
                                               Word("World", 60, 90, 48, 12)])
    r = codec.encode_image(small_image, model=str(ck), words=[good, bad], quality=3,
                           cross_check="tesseract")
    assert [(w.text, w.draw) for w in r.words] == [("Hello", True), ("Wrold", False)]
    assert [(w.text, w.draw) for w in textcodec.text_layer(r.data)] == \
        [("Hello", True), ("Wrold", False)]
    fused, _ = codec.decode_array(r.data, model=str(ck), device="cpu", fusion="always")
    plain, _ = codec.decode_array(r.data, model=str(ck), device="cpu", fusion="off")
    changed = np.abs(fused.astype(int) - plain.astype(int)).sum(2) > 0
    h, w = small_image.shape[:2]
    assert (changed & (render([good], w, h)[1] > 0)).any()
    # the block's reach beyond a drawn box is a few pixels; the flagged box sits 60 px lower
    assert not changed[80:100, 35:85].any()
    off = codec.encode_image(small_image, model=str(ck), words=[good, bad], quality=3,
                             cross_check="off")
    assert all(w.draw for w in textcodec.text_layer(off.data))


def test_an_unknown_cross_check_mode_is_refused_before_any_work(small_image):
    with pytest.raises(InputError, match="cross-check must be one of"):
        codec.encode_image(small_image, words=[Word("a", 5, 5, 5, 5)], cross_check="maybe")


class _SlowEngine:
    """An OCR engine that reads two fixed words, slowly, and notes the thread it ran on."""

    name = "slow"

    def __init__(self):
        self.threads = []

    def read(self, image):
        import threading
        import time

        self.threads.append(threading.get_ident())
        time.sleep(0.2)
        return [Word("overlap", 30, 20, 50, 10, confidence=0.9),
                Word("halves", 90, 20, 40, 10, confidence=0.9)]


@pytest.mark.parametrize("quality", [3.0, None])
def test_the_codec_beside_the_ocr_makes_the_same_file(monkeypatch, small_image, quality):
    import threading

    from textcodec.ocr import engine as engine_module

    slow = _SlowEngine()
    monkeypatch.setitem(engine_module.ENGINES, "slow", lambda: slow)
    engine_module.get_engine.cache_clear()
    net = codec.load_model(zoo.default_model(), "cpu").model
    analysed_on = []
    real = net.analysis
    monkeypatch.setattr(net, "analysis",
                        lambda x: analysed_on.append(threading.get_ident()) or real(x))
    kwargs = dict(ocr_engine="slow", cross_check="off", device="cpu")
    kwargs.update(quality=quality) if quality else kwargs.update(max_bytes=3000)
    try:
        together = codec.encode_image(small_image, overlap=True, **kwargs)
        apart = codec.encode_image(small_image, overlap=False, **kwargs)
    finally:
        engine_module.get_engine.cache_clear()
    assert together.data == apart.data
    assert [w.text for w in together.words] == ["overlap", "halves"]
    main = threading.get_ident()
    assert slow.threads == [main, main]
    assert analysed_on[0] != main and analysed_on[1] == main


def test_an_ocr_failure_beside_the_codec_is_raised(monkeypatch, small_image):
    from textcodec.ocr import engine as engine_module

    class Broken:
        name = "broken"

        def read(self, image):
            raise ModelError("the OCR weights are missing")

    monkeypatch.setitem(engine_module.ENGINES, "broken", Broken)
    engine_module.get_engine.cache_clear()
    try:
        with pytest.raises(ModelError, match="weights are missing"):
            codec.encode_image(small_image, ocr_engine="broken", cross_check="off",
                               device="cpu", overlap=True)
    finally:
        engine_module.get_engine.cache_clear()


def test_large_text_is_sent_only_at_the_lowest_qualities(small_image):
    """TextBoost's filter keeps small glyphs, as large text survives compression; up to
    LOW_RATE_QUALITY it does not, and a heading of 30 px glyphs (about 700 px^2 a character)
    is sent too. The read words are given (``reading``), the filter and what follows run."""
    from textcodec.ocr import engine

    heading = Word("Heading", 60, 30, 120, 40, confidence=0.99)
    small = Word("small", 60, 52, 40, 12, confidence=0.99)
    assert engine.MAX_CHAR_AREA < heading.char_area <= engine.LOW_RATE_CHAR_AREA
    assert engine.max_char_area(None) == engine.MAX_CHAR_AREA

    def sent(quality):
        data = codec.encode_image(small_image, reading=[heading, small], quality=quality,
                                  cross_check="off", glyphs=False).data
        return [w.text for w in codec.text_layer(data)]

    assert sent(0) == sent(engine.LOW_RATE_QUALITY) == ["Heading", "small"]
    assert sent(engine.LOW_RATE_QUALITY + 1) == ["small"]
