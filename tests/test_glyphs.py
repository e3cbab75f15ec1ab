"""Fitted glyphs (textcodec.glyphs): the encoder's fit, the GLYPHS section, the paint gate."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import textcodec
from textcodec import codec, container, glyphs
from textcodec.errors import SideStreamError
from textcodec.words import Word, has_digit


def _page(words_fits, size=(60, 260), ink=(30, 30, 30), paper=(245, 245, 240)):
    """A page with each (word, fit) rendered as the decoder renders it, in ``ink`` on
    ``paper``: a page whose true glyphs are known."""
    h, w = size
    cover = np.zeros((h, w), np.float32)
    for word, fit in words_fits:
        region, g = glyphs.glyph_map(word, fit, w, h)
        np.maximum(cover[region], g, out=cover[region])
    c = cover[..., None]
    img = np.array(paper, np.float32) * (1 - c) + np.array(ink, np.float32) * c
    return img.round().astype(np.uint8)


def _boxed(text, fit, cx, cy):
    """(box, fit): the word as ``fit`` draws it, moved so that its ink is centred near
    (cx, cy); its box as OCR would give it (a margin of 3 px a side, 2 above and below) and
    the fit expressed from that box."""
    probe = Word(text, 1000, 1000, 400, 40)
    region, g = glyphs.glyph_map(probe, fit, 2000, 2000)
    rows, cols = np.flatnonzero(g.max(1) > 0.3), np.flatnonzero(g.max(0) > 0.3)
    x0, x1 = region[1].start + cols[0], region[1].start + cols[-1] + 1
    y0, y1 = region[0].start + rows[0], region[0].start + rows[-1] + 1
    tx, ty = cx - (x0 + x1) // 2, cy - (y0 + y1) // 2
    box = Word(text, (x0 + x1) / 2 + tx, (y0 + y1) / 2 + ty, x1 - x0 + 6, y1 - y0 + 4)
    pen_x, pen_y = 800 + fit.x / 4 + tx, 980 + fit.y / 4 + ty
    corner_x, corner_y = box.cx - box.width / 2, box.cy - box.height / 2
    return box, glyphs.Fit(fit.font, fit.size, round(4 * (pen_x - corner_x)),
                           round(4 * (pen_y - corner_y)), fit.moves)


def _ink(word, fit, w, h):
    out = np.zeros((h, w), bool)
    region, g = glyphs.glyph_map(word, fit, w, h)
    out[region] = g > 0.5
    return out


def test_the_fit_finds_the_font_size_and_place_a_word_was_drawn_in():
    """A word drawn in a bundled font at a known size and quarter-pixel place: the fit
    explains nearly all of its box and draws its strokes where they are."""
    box, truth = _boxed("Interface", glyphs.Fit(font=4, size=49, x=5, y=34), 130, 30)
    image = _page([(box, truth)])
    r2, fit = glyphs.fit_word(glyphs.luminance(image), box)
    assert r2 > 0.97
    a, b = _ink(box, truth, 260, 60), _ink(box, fit, 260, 60)
    assert (a & b).sum() / (a | b).sum() > 0.8


def test_a_misread_word_fits_worse_than_the_true_one():
    """The fit's R^2 is what the encoder keeps fits by: the side stream's wrong reading of a
    word explains its ink clearly less than the right reading does."""
    box, truth = _boxed("Settings", glyphs.Fit(font=0, size=48, x=2, y=30), 120, 30)
    lum = glyphs.luminance(_page([(box, truth)]))
    right, _ = glyphs.fit_word(lum, box)
    wrong, _ = glyphs.fit_word(lum, Word("Sellings", box.cx, box.cy, box.width, box.height))
    assert right > 0.95 and wrong < right - 0.1


def test_a_line_of_words_moves_each_word_to_its_own_place():
    """EasyOCR boxes lines: a line whose second word sits two pixels right of the font's
    advance is fitted with that word moved (moves in quarter pixels): its strokes land on the
    line's, and better than the same fit without the move."""
    box, truth = _boxed("Open file", glyphs.Fit(font=0, size=48, x=2, y=30, moves=(0, 8)),
                        120, 30)
    lum = glyphs.luminance(_page([(box, truth)]))
    r2, fit = glyphs.fit_word(lum, box)
    assert r2 > 0.9 and len(fit.moves) == 2 and fit.moves[1] - fit.moves[0] >= 2
    a, b = _ink(box, truth, 260, 60), _ink(box, fit, 260, 60)
    assert (a & b).sum() / (a | b).sum() > 0.6
    # unmoved, the same font and size explain less
    still = glyphs.Fit(fit.font, fit.size, fit.x, fit.y)
    assert _r2(lum, box, still) < r2


def _r2(lum, box, fit):
    win = glyphs._window(lum, box)
    return 1 - glyphs._residual(win, box, fit) / win.target.tss


def _number_page():
    """A page of one line with a number in it, in a bundled font, and its box."""
    box, truth = _boxed("Total 30,418 kB", glyphs.Fit(font=4, size=50, x=3, y=31), 130, 30)
    return _page([(box, truth)]), box


def test_a_number_read_right_beats_every_digit_swapped_in_its_place():
    """number_check: drawn where the number was, each of its digits explains the pixels
    where it differs from any other digit (or a look-alike letter) better, by a wide margin;
    a misread digit, fitted as well as it can be, loses to a swap back. A word without a
    digit has nothing to check."""
    image, box = _number_page()
    lum = glyphs.luminance(image)
    r2, fit = glyphs.fit_word(lum, box)
    got_r2, margin = glyphs.number_check(lum, box, fit)
    assert got_r2 == pytest.approx(r2, abs=1e-6) and r2 > 0.9
    assert margin > 3 * glyphs.NUMBER_MARGIN
    for misread in ("Total 30,416 kB", "Total 38,418 kB", "Total 30,4l8 kB"):
        wrong = replace(box, text=misread)
        r2_wrong, fit_wrong = glyphs.fit_word(lum, wrong)
        assert r2_wrong > glyphs.MIN_R2           # the fit alone would keep it
        assert glyphs.number_check(lum, wrong, fit_wrong)[1] < 0
    plain = replace(box, text="Total")
    assert glyphs.number_check(lum, plain, fit)[1] == float("inf")


def test_letters_are_swapped_in_only_where_the_token_may_hold_one():
    """A digit's swaps: every other digit, and its look-alike letters only where its token
    holds a letter or is a lone digit ("I" read as "1"). A page whose ones are plain strokes
    (drawn here as "I"), read "2011", is a number the check passes: against "201I" it failed,
    though no date holds an "I" (session 45's held-out pages: 6 right numbers so refused)."""
    digits_but = lambda c: "".join(d for d in "0123456789" if d != c)
    assert glyphs.swaps("Total 2011 kB", 9) == digits_but("1")
    assert glyphs.swaps("20/6/2011", 0) == digits_but("2")
    assert glyphs.swaps("Total 30,4l8 kB", 11) == digits_but("8") + "B"
    assert glyphs.swaps("I 1 am", 2) == digits_but("1") + "lI"
    assert glyphs.swaps("B52", 1) == digits_but("5") + "S"
    box, truth = _boxed("Total 201I kB", glyphs.Fit(font=2, size=50, x=3, y=31), 130, 30)
    lum = glyphs.luminance(_page([(box, truth)]))
    read = replace(box, text="Total 2011 kB")
    r2, fit = glyphs.fit_word(lum, read)
    assert r2 > glyphs.NUMBER_MIN_R2
    assert glyphs.number_check(lum, read, fit)[1] > glyphs.NUMBER_MARGIN


def test_a_number_cut_short_by_its_box_is_not_bounded():
    """A box that holds "723" of "1723": every digit it holds is right, so the swaps pass
    it, but the ink just left of it says the number goes on; the whole number is bounded."""
    box, truth = _boxed("1723 Eucryphia", glyphs.Fit(font=0, size=50, x=3, y=31), 130, 30)
    lum = glyphs.luminance(_page([(box, truth)]))
    whole = glyphs.fit_word(lum, box)[1]
    assert glyphs.number_bounded(lum, box, whole)
    cut = Word("723 Eucryphia", box.cx + 4, box.cy, box.width - 8, box.height)
    r2, fit = glyphs.fit_word(lum, cut)
    assert r2 > glyphs.NUMBER_MIN_R2
    assert glyphs.number_check(lum, cut, fit)[1] > glyphs.NUMBER_MARGIN
    assert not glyphs.number_bounded(lum, cut, fit)
    assert glyphs.numbers_checked(_page([(box, truth)]), [box, cut], [whole, fit]) == \
        [whole, None]


def test_a_number_is_bounded_only_at_the_ends_of_its_phrase_that_hold_one():
    """A rule just right of a phrase (a table's border, the next column) says nothing of a
    number inside it: "Total 1723 kB" set against a border is kept, "Total kB 1723" against
    the same border is not (the box may have cut it short). Until session 46 both were
    refused: every phrase's bound was looked for at both ends."""
    assert glyphs.number_ends("Total 1723 kB") == (False, False)
    assert glyphs.number_ends("1723 Eucryphia") == (True, False)
    assert glyphs.number_ends("Total kB 1723") == (False, True)
    assert glyphs.number_ends("") == (False, False)
    kept = []
    for text in ("Total 1723 kB", "Total kB 1723"):
        box, truth = _boxed(text, glyphs.Fit(font=4, size=70, x=3, y=31), 130, 30)
        image = _page([(box, truth)])
        right = int(box.cx + box.width / 2) + 2   # 5 px past the ink, outside the box
        image[int(box.cy - box.height / 2):int(box.cy + box.height / 2), right:right + 2] = 30
        lum = glyphs.luminance(image)
        fit = glyphs.fit_word(lum, box)[1]
        assert glyphs.number_check(lum, box, fit)[1] > glyphs.NUMBER_MARGIN
        assert not glyphs.number_bounded(lum, box, fit)     # looked for at both ends
        kept.append(glyphs.numbers_checked(image, [box], [fit])[0] is not None)
    assert kept == [True, False]


def test_numbers_checked_drops_only_numbers_the_pixels_do_not_bear_out():
    image, box = _number_page()
    lum = glyphs.luminance(image)
    wrong = replace(box, text="Total 30,416 kB")
    fits = [glyphs.fit_word(lum, w)[1] for w in (box, wrong)]
    words = [box, wrong, Word("kB", 10, 10, 20, 10), Word("7", 30, 10, 10, 10)]
    kept = glyphs.numbers_checked(image, words, fits + [fits[0], None])
    assert kept[0] == fits[0] and kept[1] is None
    assert kept[2] == fits[0]          # no digit: left as it is
    assert kept[3] is None


def test_blank_and_rotated_boxes_get_no_fit():
    image = np.full((40, 120, 3), 250, np.uint8)
    lum = glyphs.luminance(image)
    assert glyphs.fit_word(lum, Word("nothing", 60, 20, 80, 16)) is None
    assert glyphs.fit_word(lum, Word("tilted", 60, 20, 80, 16, angle=30)) is None


def _fits():
    words = [Word("Open file", 50, 20, 90, 16), Word("x", 10, 10, 8, 8),
             Word("Save", 150, 20, 40, 16)]
    fits = [glyphs.Fit(3, 50, -5, 7, (0, -3), glyphs.FULL), None,
            glyphs.Fit(11, 44, 2, -1, (), 0)]
    return words, fits


def test_glyph_section_round_trips():
    words, fits = _fits()
    assert glyphs.unpack(glyphs.pack(words, fits), words) == fits
    assert glyphs.pack_strengths(fits) is None     # 0 and FULL: GLYPHS' flags say it all


def test_strengths_round_trip_and_a_1_5_reader_paints_only_the_full_ones():
    words = [Word(t, 20 + 40 * i, 20, 30, 12) for i, t in enumerate("abcde")]
    fits = [glyphs.Fit(0, 48, 1, 2, (), k) for k in (glyphs.FULL, 3, 0, 7)] + [None]
    section, strengths = glyphs.pack(words, fits), glyphs.pack_strengths(fits)
    assert strengths is not None and len(strengths) == 1 + 2   # 3 graded words, 2 bytes
    plain = glyphs.unpack(section, words)
    assert [f and f.strength for f in plain] == [glyphs.FULL, 0, 0, 0, None]
    assert glyphs.apply_strengths(strengths, plain) == fits


@pytest.mark.parametrize("damage", ["version", "short", "long", "range", "padding"])
def test_a_malformed_strengths_section_raises_side_stream_error(damage):
    words = [Word(t, 20 + 40 * i, 20, 30, 12) for i, t in enumerate("abc")]
    fits = [glyphs.Fit(0, 48, 1, 2, (), k) for k in (1, 2, 3)]
    payload = bytearray(glyphs.pack_strengths(fits))           # 01 12 30
    if damage == "version":
        payload[0] = 2
    elif damage == "short":
        payload = payload[:-1]
    elif damage == "long":
        payload += b"\x00"
    elif damage == "range":
        payload[1] = 0x18                                        # a strength of 8 is FULL
    else:
        payload[2] = 0x31                                        # the odd count's padding
    plain = glyphs.unpack(glyphs.pack(words, fits), words)
    with pytest.raises(SideStreamError):
        glyphs.apply_strengths(bytes(payload), plain)


@settings(max_examples=200)
@given(st.binary(max_size=12))
def test_strengths_section_fuzzed_raises_only_side_stream_errors(raw):
    words, fits = _fits()
    try:
        glyphs.apply_strengths(raw, glyphs.unpack(glyphs.pack(words, fits), words))
    except SideStreamError:
        pass


@pytest.mark.parametrize("damage", ["count", "stray", "font", "truncated", "compression"])
def test_a_malformed_glyph_section_raises_side_stream_error(damage):
    words, fits = _fits()
    payload = bytearray(glyphs.pack(words, fits))
    raw = payload[0] == 0
    if damage == "count":
        words = words[:2]
    elif damage == "stray":
        payload = bytearray(b"\x00" + (bytes(payload[1:]) if raw else b"") + b"\x05") \
            if raw else bytearray(b"\x00" + _raw(payload) + b"\x05")
    elif damage == "font":
        body = bytearray(_raw(payload))
        body[2] = 1 + 2 * len(glyphs.FONTS)        # the first word's code: a font past the table
        payload = bytearray(b"\x00" + body)
    elif damage == "truncated":
        payload = bytearray(b"\x00" + _raw(payload)[:-2])
    else:
        payload[0] = 7
    with pytest.raises(SideStreamError):
        glyphs.unpack(bytes(payload), words)


@settings(max_examples=300)
@given(st.binary(max_size=80))
def test_glyph_section_fuzzed_raises_only_side_stream_errors(raw):
    """A damaged GLYPHS payload, raw or zstd-framed, never escapes as another exception."""
    words, _ = _fits()
    for head in (b"\x00", b"\x01"):
        try:
            glyphs.unpack(head + raw, words)
        except SideStreamError:
            pass


def _raw(payload: bytes) -> bytes:
    if payload[0] == 0:
        return bytes(payload[1:])
    import zstandard

    return zstandard.ZstdDecompressor().decompress(bytes(payload[1:]), max_output_size=1 << 16)


def test_fitted_guidance_draws_fitted_words_on_their_ink_and_the_rest_over_their_boxes():
    """glyphs.guidance (the map a block trained on fitted guidance reads): a fitted word is
    its fit's glyphs, on the original's strokes where the guidance font stretched over the
    box is not; an unfitted word and the box mask are render.render's own."""
    from textcodec import render

    box, truth = _boxed("Interface", glyphs.Fit(font=6, size=49, x=5, y=34), 70, 30)
    other = Word("Layers", 200, 30, 60, 16)
    guide, mask = glyphs.guidance([box, other], [truth, None], 260, 60)
    rendered, rendered_mask = render.render([box, other], 260, 60)
    assert np.array_equal(mask, rendered_mask)
    expect, _ = render.render([other], 260, 60)
    region, g = glyphs.glyph_map(box, truth, 260, 60)
    np.maximum(expect[region], g, out=expect[region])
    assert np.array_equal(guide, expect)
    ink = _ink(box, truth, 260, 60)[:, :140]      # the fitted word's half of the frame
    iou = lambda m: (m[:, :140] & ink).sum() / (m[:, :140] | ink).sum()  # noqa: E731
    assert iou(guide > 0.5) == 1 and iou(rendered > 0.5) < 0.5
    no_fits = glyphs.guidance([box, other], [None, None], 260, 60)
    assert all(np.array_equal(a, b) for a, b in zip(no_fits, (rendered, rendered_mask)))
    with pytest.raises(ValueError):
        glyphs.guidance([box, other], [truth], 260, 60)


def test_the_gate_paints_only_words_that_bring_the_decode_nearer():
    """gate() keeps a word's paint flag only where painting it lowers the error against the
    original; paint() with those flags lowers the painted region's error."""
    box, truth = _boxed("Preferences", glyphs.Fit(font=0, size=48, x=2, y=30), 110, 20)
    image = _page([(box, truth)], size=(70, 260))
    img = image.astype(np.float32) / 255
    blurred = (img + np.roll(img, 1, 0) + np.roll(img, 1, 1) + np.roll(img, 2, 1)) / 4
    # a second, wrong fit: the same word drawn 30 px too low, over blank paper
    wrong = glyphs.Fit(truth.font, truth.size, truth.x, truth.y + 4 * 30)
    flagged = glyphs.gate(image, blurred, [box, box], [truth, wrong])
    assert flagged[0].paint and not flagged[1].paint
    out = glyphs.paint(blurred, [box, box], flagged)
    region, _ = glyphs.glyph_map(box, truth, 260, 70)
    assert ((out[region] - img[region]) ** 2).sum() < ((blurred[region] - img[region]) ** 2).sum()


def test_the_gate_grades_a_word_to_the_greatest_strength_that_still_helps(monkeypatch):
    """A brush that overshoots the original by as much as the decode falls short of it: full
    strength is no better than none, so the gate takes the greatest eighth below it, and
    paint() at that strength lowers the region's error."""
    box, truth = _boxed("Preferences", glyphs.Fit(font=0, size=48, x=2, y=30), 110, 20)
    image = _page([(box, truth)], size=(70, 260))
    img = image.astype(np.float32) / 255
    blurred = (img + np.roll(img, 1, 0) + np.roll(img, 1, 1) + np.roll(img, 2, 1)) / 4
    monkeypatch.setattr(glyphs, "_brush",
                        lambda pre, region, g: 2 * img[region] - pre[region])
    (flagged,) = glyphs.gate(image, blurred, [box], [truth])
    assert flagged.strength == glyphs.FULL - 1
    region, _ = glyphs.glyph_map(box, truth, 260, 70)
    out = glyphs.paint(blurred, [box], [flagged])
    before = ((blurred[region] - img[region]) ** 2).sum()
    assert ((out[region] - img[region]) ** 2).sum() < before
    full = glyphs.paint(blurred, [box], [replace(flagged, strength=glyphs.FULL)])
    assert ((full[region] - img[region]) ** 2).sum() >= before * (1 - 1e-6)


def test_bundled_fonts_are_the_ones_the_format_names(monkeypatch):
    glyphs.verify_fonts()
    name, _ = glyphs.FONTS[0]
    monkeypatch.setattr(glyphs, "FONTS", ((name, "0" * 64),) + glyphs.FONTS[1:])
    with pytest.raises(SideStreamError, match="not the font"):
        glyphs.verify_fonts()


@pytest.fixture(scope="module")
def page_with_words():
    """A 96x320 page of three words in a bundled font, and the words as OCR would box them."""
    placed = [_boxed(t, glyphs.Fit(font=0, size=52, x=2, y=30), cx, cy)
              for t, cx, cy in (("Window", 60, 30), ("Layers", 170, 30), ("Brushes", 260, 70))]
    return _page(placed, size=(96, 320)), [w for w, _ in placed]


def test_a_file_with_fitted_glyphs_paints_them_and_decodes_plain_without(page_with_words):
    """At the lowest rate the encoder fits the words, marks those painting helps, and the
    decode paints them: nearer the original than the same file decoded without fusion, whose
    pixels are those of a file made without glyphs; a reader that skips the section (an
    older one) gets the plain decode."""
    image, words = page_with_words
    with_glyphs = textcodec.encode(image, words=words, quality=0, cross_check="off")
    without = textcodec.encode(image, words=words, quality=0, cross_check="off", glyphs=False)
    f = container.read(with_glyphs)
    assert f.glyphs is not None and container.read(without).glyphs is None
    assert with_glyphs[5] == (6 if f.strengths is not None else 5) and without[5] == 4
    fits = codec.file_fits(f, codec.text_layer(with_glyphs))
    assert sum(x is not None and x.paint for x in fits) >= 2
    painted, _ = codec.decode_array(with_glyphs, device="cpu")
    plain, _ = codec.decode_array(with_glyphs, device="cpu", fusion="off")
    reference, _ = codec.decode_array(without, device="cpu", fusion="off")
    assert np.array_equal(plain, reference)
    err = lambda a: float(((a.astype(float) - image.astype(float)) ** 2).mean())  # noqa: E731
    assert err(painted) < err(plain)
    assert len(with_glyphs) - len(without) < 16 * len(words)


def _fitted_guidance_checkpoint(tmp_path):
    """The default text model with its block marked as trained on fitted guidance."""
    from textcodec import zoo
    from textcodec.checkpoint import load_release, save_release

    model, _ = load_release(zoo.resolve(zoo.default_model())[0])
    model.fusion_guidance = model.config["fusion_guidance"] = "fitted"
    ck = tmp_path / "fitted.pt"
    save_release(model, ck, "fitted-test")
    return ck


def test_a_block_on_fitted_guidance_reads_the_files_fits_as_the_encoder_did(
        tmp_path, page_with_words, monkeypatch):
    """A block trained on fitted guidance (config fusion_guidance = "fitted"): the decoder
    draws the GLYPHS section's fits into its guidance (the decode differs from the same
    block given rendered guidance) and the file paints over that decode; the encoder gated
    the strengths against the decode without the block (over the block's own output the
    glyphs came out lighter and read worse)."""
    image, words = page_with_words
    ck = _fitted_guidance_checkpoint(tmp_path)
    seen = []
    synthesize = codec._synthesize
    monkeypatch.setattr(codec, "_synthesize",
                        lambda *a: seen.append(synthesize(*a)[0]) or synthesize(*a))
    data = codec.encode_image(image, model=str(ck), words=words, quality=0,
                              cross_check="off").data
    monkeypatch.undo()
    f = container.read(data)
    sent = codec.text_layer(data)
    fits = codec.file_fits(f, sent)
    assert sum(x is not None for x in fits) >= 2
    import torch

    with torch.no_grad():
        pre, _, _ = codec._synthesize(f, "cpu", "auto", str(ck))
        rendered, _, _ = codec._synthesize(f, "cpu", "auto", str(ck), [None] * len(sent))
        plain, _, _ = codec._synthesize(f, "cpu", "off", str(ck))
    assert not np.array_equal(pre, rendered) and not np.array_equal(pre, plain)
    assert len(seen) == 1 and np.array_equal(seen[0], plain)
    bare = [None if x is None else replace(x, strength=0) for x in fits]
    assert glyphs.gate(image, plain, sent, bare) == fits
    painted, _ = codec.decode_array(data, model=str(ck), device="cpu")
    expect = glyphs.paint(pre, sent, fits)
    assert np.array_equal(painted, (np.clip(expect, 0, 1) * 255).round().astype(np.uint8))


@pytest.mark.parametrize("brush", ["fitted", "overshooting"])
def test_the_encode_result_counts_what_the_file_paints(page_with_words, monkeypatch, brush):
    """EncodeResult's fitted / painted / graded / glyph_bytes are the file's own: its fits,
    those of nonzero strength, those below full, and its two sections' payloads. A brush that
    overshoots the original grades every word below full strength (a STRENGTHS section)."""
    image, words = page_with_words
    if brush == "overshooting":
        img = image.astype(np.float32) / 255
        monkeypatch.setattr(glyphs, "_brush",
                            lambda pre, region, g: 2 * img[region] - pre[region])
    r = codec.encode_image(image, words=words, quality=3, cross_check="off")
    assert (r.graded > 0) == (brush == "overshooting")
    f = container.read(r.data)
    fits = [x for x in codec.file_fits(f, codec.text_layer(r.data)) if x is not None]
    assert r.fitted == len(fits) > 0
    assert r.painted == sum(x.paint for x in fits)
    assert r.graded == sum(0 < x.strength < glyphs.FULL for x in fits)
    assert r.glyph_bytes == len(f.glyphs) + len(f.strengths or b"")


@pytest.mark.parametrize("reading", ["Total 30,418 kB", "Total 30,416 kB"])
def test_a_number_is_painted_only_where_its_digits_are_right(reading):
    """The encoder paints a word holding a digit where the pixels bear the number out, never
    a misread one (of which it may paint the words without a digit: spans); --no-numbers
    paints none; the decoder paints what the file marks."""
    image, box = _number_page()
    word = replace(box, text=reading)
    r = codec.encode_image(image, words=[word], quality=0, cross_check="off")
    right = reading == "Total 30,418 kB"
    assert r.numbers == int(right)
    parts, fits = codec.file_paints(container.read(r.data), codec.text_layer(r.data))
    painted = [p.text for p, f in zip(parts, fits) if f is not None and f.paint]
    assert len(painted) == r.painted >= 1
    assert (painted == [reading]) == right
    assert any(has_digit(t) for t in painted) == right
    if right:
        painted, _ = codec.decode_array(r.data, device="cpu")
        plain, _ = codec.decode_array(r.data, device="cpu", fusion="off")
        err = lambda a: float(((a.astype(float) - image.astype(float)) ** 2).mean())  # noqa: E731
        assert err(painted) < err(plain)
    off = codec.encode_image(image, words=[word], quality=0, cross_check="off", numbers=False)
    assert off.numbers == off.spans == 0
    assert off.fitted == 0


def test_a_long_phrase_holding_a_digit_is_not_fitted_whole(monkeypatch):
    """Phrases holding a digit are fitted whole only up to NUMBER_MAX_WORDS words (their
    numbers are fitted alone, as spans); letters-only phrases whatever their length."""
    image, box = _number_page()
    word = replace(box, text="Total 30,418 kB")
    assert glyphs.number_candidate(word)
    monkeypatch.setattr(glyphs, "NUMBER_MAX_WORDS", 2)
    assert not glyphs.number_candidate(word)
    asked = []
    monkeypatch.setattr(glyphs, "fit_words",
                        lambda image, words: asked.extend(w.text for w in words) or
                        [None] * len(words))
    letters = replace(box, text="Total thirty kB")
    codec._fit_glyphs(image, [word, letters, replace(box, text="30,418")])
    assert asked == ["Total thirty kB", "30,418"]


def test_the_numbers_of_a_long_line_are_painted_as_spans():
    """A line of nine words holding two numbers is not fitted whole; the run of its words
    from one number to the other, with a word either side, is (a span, in the SPANS
    section, which a 1.6 reader skips: it decodes the plain image), and so are the runs of
    words left either side of it, all painted; a misread number in the run gets it none,
    and the words left without a digit are fitted on their own. --no-numbers fits none."""
    image, box = _long_line()
    assert not glyphs.number_candidate(box)
    r = codec.encode_image(image, words=[box], quality=0, cross_check="off")
    f = container.read(r.data)
    assert f.glyphs is None and f.spans is not None and r.data[5] == 7
    assert r.fitted == r.painted == r.spans == 3 and r.numbers == 1
    assert r.glyph_bytes == len(f.spans)
    parts, fits = codec.file_paints(f, codec.text_layer(r.data))
    assert [p.text for p in parts] == [box.text, "Released", "on 12 March 2024 by",
                                       "the whole team"] and fits[0] is None
    painted, _ = codec.decode_array(r.data, device="cpu")
    plain, _ = codec.decode_array(r.data, device="cpu", fusion="off")
    older = _without_spans(r.data)
    assert np.array_equal(codec.decode_array(older, device="cpu")[0], plain)
    err = lambda a: float(((a.astype(float) - image.astype(float)) ** 2).mean())  # noqa: E731
    assert err(painted) < err(plain)
    misread = replace(box, text=box.text.replace("12", "17"))
    m = codec.encode_image(image, words=[misread], quality=0, cross_check="off")
    parts, _ = codec.file_paints(container.read(m.data), codec.text_layer(m.data))
    assert m.numbers == 0 and [p.text for p in parts[1:]] == [
        "Released on", "March", "by the whole team"]
    off = codec.encode_image(image, words=[box], quality=0, cross_check="off", numbers=False)
    assert off.fitted == off.spans == 0


def _without_spans(data: bytes) -> bytes:
    """The file as a 1.6 writer would have made it: its SPANS section dropped."""
    f = container.read(data)
    return container.write(container.TlcFile(f.header, f.latent, f.text, f.coder,
                                              glyphs=f.glyphs, strengths=f.strengths))


def _long_line(text="Released on 12 March 2024 by the whole team"):
    """A page of one line of nine words with two numbers in it, and its box."""
    box, truth = _boxed(text, glyphs.Fit(font=4, size=50, x=3, y=31), 200, 30)
    return _page([(box, truth)], size=(60, 400)), box


def test_a_span_is_fitted_over_its_own_words_of_the_line():
    """fit_spans fits each run of digit-bearing words of a long line on its own, with a word
    either side (SPAN_REACH; alone, a two-digit number may fit another font as well): the
    span's glyphs, drawn from the line's box as the decoder draws them, land on the
    original's ink in the columns they cover."""
    image, box = _long_line()
    alone = glyphs.fit_spans(image, [box], [0], reach=0, letters=False)
    assert [(s.word, s.first, s.count) for s in alone] == [(0, 2, 1), (0, 4, 1)]
    spans = glyphs.fit_spans(image, [box], [0], letters=False)
    assert [(s.word, s.first, s.count) for s in spans] == [(0, 1, 5)]
    ink = glyphs.luminance(image) < 0.5
    for s in spans:
        region, g = glyphs.glyph_map(glyphs.span_word(box, s.first, s.count), s.fit, 400, 60)
        drawn = np.zeros_like(ink)
        drawn[region] = g > 0.5
        cols = slice(region[1].start - 1, region[1].stop + 1)
        overlap = (drawn & ink)[:, cols].sum() / (drawn | ink)[:, cols].sum()
        assert overlap > 0.8, (s, overlap)


@pytest.mark.parametrize("misread, kept", [("12 March 2021", [2]), ("17 March 2024", [4]),
                                           ("12 March 2034", [2])])
def test_a_misread_number_of_a_long_line_gets_no_span(misread, kept):
    """Of numbers fitted alone (reach 0) the misread one gets no span; fitted with their
    neighbours (reach 1, one run from 12 to 2024) neither does."""
    image, box = _long_line()
    wrong = replace(box, text=box.text.replace("12 March 2024", misread))
    assert [s.first for s in glyphs.fit_spans(image, [wrong], [0], reach=0, letters=False)] == kept
    assert glyphs.fit_spans(image, [wrong], [0], reach=1, letters=False) == []


def _spans():
    words = [Word("a b 12 c 3 4 x y", 100, 20, 150, 14), Word("hi", 10, 10, 10, 10),
             Word("on 5 May", 60, 60, 80, 14)]
    return words, [glyphs.Span(0, 2, 1, glyphs.Fit(1, 40, 120, -3, (), glyphs.FULL)),
                   glyphs.Span(0, 4, 2, glyphs.Fit(3, 44, 300, 2, (1, -2), 5)),
                   glyphs.Span(2, 1, 1, glyphs.Fit(0, 48, 60, 0, (), 2))]


def test_spans_section_round_trips_and_leaves_out_spans_of_no_strength():
    words, spans = _spans()
    assert glyphs.unpack_spans(glyphs.pack_spans(words, spans), words) == spans
    unpainted = replace(spans[1], fit=replace(spans[1].fit, strength=0))
    assert glyphs.unpack_spans(glyphs.pack_spans(words, [spans[0], unpainted]), words) == \
        [spans[0]]
    assert glyphs.pack_spans(words, [unpainted]) is None


@pytest.mark.parametrize("damage", ["version", "line", "tokens", "overlap", "font", "strength",
                                    "whole", "stray", "truncated"])
def test_a_malformed_spans_section_raises_side_stream_error(damage):
    words, spans = _spans()
    fits = None
    if damage == "overlap":
        spans[1] = replace(spans[1], first=2)          # the same line's tokens 2-3 after 2
    elif damage == "tokens":
        spans[2] = replace(spans[2], count=3)          # "on 5 May" has no fourth word
    payload = bytearray(glyphs.pack_spans(words, sorted(spans, key=lambda s: s.first))
                        if damage == "overlap" else _packed_unchecked(words, spans))
    if damage == "version":
        payload[0] = 2
    elif damage == "line":
        words = words[:2]
    elif damage == "font":
        payload[5] = len(glyphs.FONTS)                 # the first span's font
    elif damage == "strength":
        payload[6] = 0
    elif damage == "whole":
        fits = [glyphs.Fit(0, 48, 0, 0), None, None]   # GLYPHS fits the first line whole
    elif damage == "stray":
        payload += b"\x00"
    elif damage == "truncated":
        payload = payload[:-1]
    with pytest.raises(SideStreamError):
        glyphs.unpack_spans(bytes(payload), words, fits)


def _packed_unchecked(words, spans):
    """pack_spans without its checks: a writer that got a span wrong."""
    longer = [replace(w, text=w.text + " z z z") for w in words]
    return glyphs.pack_spans(longer, spans)


@settings(max_examples=300)
@given(st.binary(max_size=40))
def test_spans_section_fuzzed_raises_only_side_stream_errors(raw):
    words, _ = _spans()
    try:
        glyphs.unpack_spans(raw, words)
    except SideStreamError:
        pass


def test_a_glyph_section_without_a_side_stream_is_refused(page_with_words):
    image, words = page_with_words
    f = container.read(textcodec.encode(image, words=words, quality=0, cross_check="off"))
    with pytest.raises(ValueError):
        container.write(container.TlcFile(f.header, f.latent, None, f.coder, glyphs=f.glyphs))


def test_no_glyphs_are_fitted_above_the_rates_where_painting_pays(page_with_words):
    image, words = page_with_words
    data = textcodec.encode(image, words=words, quality=codec.GLYPHS_MAX_QUALITY + 1,
                            cross_check="off")
    assert container.read(data).glyphs is None
    r = codec.encode_image(image, words=words, quality=0, cross_check="off")
    assert r.fitted >= r.painted >= 1 and r.glyph_bytes == len(container.read(r.data).glyphs)


def _confirming(monkeypatch, tokens):
    """The second engine stubbed to read ``tokens`` (text, cx, cy) where they lie."""
    from textcodec import crosscheck

    monkeypatch.setattr(crosscheck, "second_reading", lambda image, words, engine: [
        Word(t, cx, cy, 8 * len(t), 12) for t, cx, cy in tokens])


def _token_centres(image, box):
    """(text, cx, cy) of each token of a one-line page, from the columns of its ink."""
    lum = glyphs.luminance(image)
    parts = [(t, glyphs.span_box(lum, box, k, 1)) for k, (_, t) in
             enumerate(glyphs.tokens(box.text))]
    return [(t, part.cx, part.cy) for t, part in parts]


def test_the_confirmed_words_of_a_phrase_not_confirmed_whole_are_painted(monkeypatch):
    """The second engine reads every word of the line but "March" (a misreading, say): the
    line is not drawn whole, but the runs of its confirmed words are painted as spans, and
    none covers the word it did not confirm."""
    image, box = _long_line("Released on March by the whole team")
    centres = _token_centres(image, box)
    _confirming(monkeypatch, [c for c in centres if c[0] != "March"])
    r = codec.encode_image(image, words=[box], quality=0, cross_check="tesseract")
    assert [w.draw for w in r.words] == [False]
    parts, fits = codec.file_paints(container.read(r.data), codec.text_layer(r.data))
    assert [p.text for p in parts[1:]] == ["Released on", "by the whole team"]
    assert all(f.paint for f in fits[1:]) and r.spans == 2


def test_the_confirmed_parts_of_a_doubtful_phrase_are_sent_and_painted(monkeypatch):
    """The OCR reads the line below its confidence floor (left out of the side stream until
    session 42); the runs of its words the second engine confirms are sent as drawable words
    of their own, fitted and painted."""
    from textcodec.ocr import engine

    image, box = _long_line("Released on March by the whole team")
    centres = _token_centres(image, box)
    _confirming(monkeypatch, [c for c in centres if c[0] != "March"])

    class Doubting:
        name = "stub"

        def read(self, image):
            return [replace(box, confidence=0.4)]

    monkeypatch.setattr(engine, "get_engine", lambda name: Doubting())
    r = codec.encode_image(image, quality=0, cross_check="tesseract")
    # a reading made beforehand (the benchmark's, once per image) is taken the same way
    assert codec.encode_image(image, quality=0, cross_check="tesseract",
                              reading=Doubting().read(image)).data == r.data
    assert [(w.text, w.draw) for w in codec.text_layer(r.data)] == [
        ("Released on", True), ("by the whole team", True)]
    assert r.painted == 2
    painted, _ = codec.decode_array(r.data, device="cpu")
    plain, _ = codec.decode_array(r.data, device="cpu", fusion="off")
    err = lambda a: float(((a.astype(float) - image.astype(float)) ** 2).mean())  # noqa: E731
    assert err(painted) < err(plain)
    # without the second engine nothing confirms them, and above the rates where glyphs
    # are painted they would only cost bytes: nothing is sent
    assert codec.encode_image(image, quality=0, cross_check="off").words == []
    assert codec.encode_image(image, quality=codec.GLYPHS_MAX_QUALITY + 1,
                              cross_check="tesseract").words == []
