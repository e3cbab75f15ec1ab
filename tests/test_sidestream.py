import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textcodec import _sidecm, sidestream
from textcodec.container import SideCodec, TextSection
from textcodec.errors import SideStreamError
from textcodec.words import Word

WORDS = [Word("Hello", 40.4, 12.6, 50.2, 14.0), Word("world,", 100, 13, 60, 14),
         Word("Hello", 40, 40, 50, 14, angle=-30.2), Word("€42 ünï", 300, 500, 80, 20, 90)]


@pytest.mark.parametrize("codec", list(SideCodec))
def test_round_trip_quantises_boxes_to_whole_pixels(codec):
    got = sidestream.decompress(sidestream.compress(WORDS, codec))
    assert [w.text for w in got] == [w.text for w in WORDS]
    for a, b in zip(WORDS, got):
        assert (b.cx, b.cy, b.width, b.height) == (round(a.cx), round(a.cy), round(a.width),
                                                   round(a.height))
        assert b.angle == round(a.angle)


def test_repeated_strings_are_stored_once():
    raw = sidestream.serialize([Word("repeated", i * 10, 5, 40, 10) for i in range(50)])
    assert raw.count(b"repeated") == 1


def test_zstd_beats_raw_on_a_page_of_words():
    words = [Word(f"w{i % 37}", 10 + (i % 20) * 60, 10 + (i // 20) * 16, 40, 12)
             for i in range(300)]
    s = sidestream.compress(words, SideCodec.ZSTD)
    assert len(s.payload) < s.raw_size / 2


@given(st.lists(st.tuples(st.text(min_size=1, max_size=12), st.integers(0, 4000),
                          st.integers(0, 4000), st.integers(0, 500), st.integers(0, 200),
                          st.integers(-179, 180), st.booleans()), max_size=30))
def test_any_word_list_round_trips(items):
    words = [Word(t, x, y, w, h, a, draw=d) for t, x, y, w, h, a, d in items]
    got = sidestream.deserialize(sidestream.serialize(words))
    assert [(w.text, w.cx, w.cy, w.width, w.height, w.angle, w.draw) for w in got] == \
        [(t.encode()[:1024].decode("utf-8", "ignore"), x, y, w, h, a, d)
         for t, x, y, w, h, a, d in items]


def test_version_1_is_written_while_every_word_may_be_drawn():
    """Files without flagged words are what earlier releases wrote (and read)."""
    raw = sidestream.serialize(WORDS)
    assert raw[0] == 1
    flagged = [WORDS[0], Word("misread", 10, 10, 40, 12, draw=False)]
    raw2 = sidestream.serialize(flagged)
    assert raw2[0] == 2
    assert [w.draw for w in sidestream.deserialize(raw2)] == [True, False]
    # the flags column sits after the angles: one more byte per word, nothing else moves
    assert len(raw2) == len(sidestream.serialize([WORDS[0], Word("misread", 10, 10, 40, 12)])) + 2


def test_reserved_flag_bits_are_refused():
    raw = bytearray(sidestream.serialize([Word("a", 1, 1, 1, 1, draw=False)]))
    # version, count, refs, x, y, w, h, angle, flags: the flags byte is the ninth
    assert raw[8] == sidestream.FLAG_NOT_DRAWN
    raw[8] = 0x02
    with pytest.raises(SideStreamError, match="reserved flag bits"):
        sidestream.deserialize(bytes(raw))


def test_an_unknown_version_is_refused():
    raw = bytearray(sidestream.serialize(WORDS))
    raw[0] = 3
    with pytest.raises(SideStreamError, match="unsupported side-stream version 3"):
        sidestream.deserialize(bytes(raw))


def test_declared_size_bounds_decompression():
    bomb = gzip.compress(b"\0" * 10_000_000)
    with pytest.raises(SideStreamError, match="inflates|does not decompress"):
        sidestream.decompress(TextSection(SideCodec.GZIP, 1000, bomb))


def test_declared_size_over_the_limit_is_refused():
    with pytest.raises(SideStreamError, match="limit"):
        sidestream.decompress(TextSection(SideCodec.ZSTD, sidestream.MAX_RAW_SIZE + 1, b""))


def test_corrupt_payload_is_a_side_stream_error():
    with pytest.raises(SideStreamError):
        sidestream.decompress(TextSection(SideCodec.ZSTD, 50, b"not zstd at all"))


@settings(max_examples=300)
@given(st.binary(max_size=120))
def test_deserializer_fuzzed_raises_only_side_stream_errors(raw):
    try:
        sidestream.deserialize(b"\x01" + raw)
    except SideStreamError:
        pass
    try:
        sidestream.deserialize(b"\x02" + raw)
    except SideStreamError:
        pass


# words of the kinds the dictionary was trained on (menus and forms), none of them in its
# training streams as a whole page: what a real screenshot's or form's side stream holds
MENU_AND_FORM = [Word(t, 20 + 70 * (i % 12), 12 + 18 * (i // 12), 9 * len(t), 12)
                 for i, t in enumerate(
                     "File Edit Select View Image Layer Colors Tools Filters Windows Help "
                     "Open Save As Export Preferences Cancel OK Reset Name: Date: Company "
                     "Address Telephone Signature Total Amount Description Page of TO: FROM: "
                     "Subject: Please return this form to the address above".split())]


def test_auto_writes_the_smallest_of_the_cm_coder_and_zstd_with_and_without_the_dictionary():
    for words in (WORDS, MENU_AND_FORM, [Word("x", 1, 1, 1, 1)]):
        auto = sidestream.compress(words)
        sizes = {c: len(sidestream.compress(words, c).payload)
                 for c in (SideCodec.CM, SideCodec.ZSTD, SideCodec.ZSTD_DICT)}
        assert auto.codec in sizes and len(auto.payload) == min(sizes.values())
        assert sidestream.decompress(auto) == sidestream.decompress(
            sidestream.compress(words, SideCodec.ZSTD))


def test_the_bundled_dictionary_pays_on_menu_and_form_words():
    plain = sidestream.compress(MENU_AND_FORM, SideCodec.ZSTD)
    primed = sidestream.compress(MENU_AND_FORM, SideCodec.ZSTD_DICT)
    assert len(primed.payload) < 0.9 * len(plain.payload)


def test_the_cm_coder_writes_less_than_zstd_with_the_dictionary_on_menu_and_form_words():
    primed = sidestream.compress(MENU_AND_FORM, SideCodec.ZSTD_DICT)
    cm = sidestream.compress(MENU_AND_FORM, SideCodec.CM)
    assert len(cm.payload) < 0.9 * len(primed.payload)
    assert sidestream.compress(MENU_AND_FORM).codec is SideCodec.CM


def test_the_dictionary_file_is_the_pinned_one():
    import hashlib

    data = sidestream.DICTIONARY.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sidestream.DICTIONARY_SHA256
    assert data[:4] == b"\x37\xa4\x30\xec"   # zstd's dictionary magic


def test_the_priming_corpus_is_the_pinned_one_and_parses_into_streams():
    import hashlib

    from textcodec.varint import read_uvarint

    data = sidestream.CORPUS.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sidestream.CORPUS_SHA256
    pos = count = 0
    while pos < len(data):
        size, pos = read_uvarint(data, pos)
        sidestream.deserialize(data[pos:pos + size])   # each one a valid side stream
        pos += size
        count += 1
    assert pos == len(data) and count == 120


@pytest.mark.parametrize("codec, attr, getter", [
    (SideCodec.ZSTD_DICT, "DICTIONARY", "dictionary_bytes"),
    (SideCodec.CM, "CORPUS", "corpus_bytes")])
def test_a_damaged_bundled_file_is_refused_as_the_installations_fault(tmp_path, monkeypatch,
                                                                      codec, attr, getter):
    section = sidestream.compress(MENU_AND_FORM, codec)
    damaged = tmp_path / "damaged"
    good = getattr(sidestream, attr).read_bytes()
    damaged.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    monkeypatch.setattr(sidestream, attr, damaged)
    cached = getattr(sidestream, getter)
    cached.cache_clear()
    try:
        with pytest.raises(SideStreamError, match="not the one this textcodec was built with"):
            sidestream.decompress(section)
        monkeypatch.setattr(sidestream, attr, tmp_path / "missing")
        cached.cache_clear()
        with pytest.raises(SideStreamError, match="cannot be read.*reinstall"):
            sidestream.decompress(section)
    finally:
        cached.cache_clear()


# compressor 4 is defined by its coder: a stream written once must decode the same forever
CM_WORDS = [Word("Total", 120, 40, 44, 12), Word("Amount:", 190, 40, 60, 12),
            Word("$42.50", 260, 41, 48, 12), Word("Total", 120, 80, 44, 12)]
CM_PAYLOAD = bytes.fromhex("b6e3aa01b188b935dedeeb33598abc9336a3992f68d98620eb34")


def test_a_stored_cm_stream_still_decodes_and_encodes_to_the_same_bytes():
    section = TextSection(SideCodec.CM, 51, CM_PAYLOAD)
    assert sidestream.decompress(section) == CM_WORDS
    assert sidestream.compress(CM_WORDS, SideCodec.CM) == section


def test_a_truncated_or_padded_cm_payload_is_refused():
    section = sidestream.compress(MENU_AND_FORM, SideCodec.CM)
    for payload in (section.payload + b"\0", section.payload[:1], b""):
        with pytest.raises(SideStreamError, match="does not decompress.*damaged"):
            sidestream.decompress(TextSection(SideCodec.CM, section.raw_size, payload))
    # one byte short can decode to other bytes of the right length (the model's own
    # predictions fill in): never to the words sent, and in a .tlc file the CRC refuses it
    # before (test_container)
    try:
        got = sidestream.decompress(TextSection(SideCodec.CM, section.raw_size,
                                                section.payload[:-1]))
    except SideStreamError:
        got = None
    assert got != sidestream.decompress(section)


def test_the_cm_coder_is_deterministic_whatever_corpus_it_primed_on_before():
    raw = sidestream.serialize(MENU_AND_FORM)
    corpus = sidestream.corpus_bytes()
    first = _sidecm.encode(raw, corpus)
    other = _sidecm.encode(raw, b"")        # primes on nothing: another model, another cache
    assert other != first and _sidecm.decode(other, b"", len(raw)) == raw
    assert _sidecm.encode(raw, corpus) == first
    assert _sidecm.decode(first, corpus, len(raw)) == raw


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_the_cm_coder_round_trips_any_bytes_not_only_side_streams(raw):
    corpus = sidestream.corpus_bytes()
    assert _sidecm.decode(_sidecm.encode(raw, corpus), corpus, len(raw)) == raw


def test_the_cm_coder_grows_its_output_for_bytes_it_cannot_predict():
    import random

    corpus = sidestream.corpus_bytes()
    raw = random.Random(3).randbytes(20000)     # noise: the coded bytes outgrow the input
    coded = _sidecm.encode(raw, corpus)
    assert len(coded) > len(raw) + 64            # past the first buffer
    assert _sidecm.decode(coded, corpus, len(raw)) == raw


def test_the_cm_coder_follows_long_varints_and_huge_counts_without_harm():
    corpus = sidestream.corpus_bytes()
    for raw in (b"\xff" * 300, b"\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01" + bytes(200),
                b"\x01\x00" + b"\x05abcde" * 40, bytes(1000)):
        assert _sidecm.decode(_sidecm.encode(raw, corpus), corpus, len(raw)) == raw


def test_a_malformed_priming_corpus_is_a_value_error():
    with pytest.raises(ValueError, match="priming corpus"):
        _sidecm.encode(b"abc", b"\x09ab")     # declares 9 bytes, holds 2


def test_declared_size_bounds_decompression_with_the_dictionary():
    big = sidestream.compress([Word(f"word{i}", i, i, 30, 10) for i in range(2000)],
                              SideCodec.ZSTD_DICT)
    with pytest.raises(SideStreamError, match="inflates|does not decompress"):
        sidestream.decompress(TextSection(SideCodec.ZSTD_DICT, 1000, big.payload))
