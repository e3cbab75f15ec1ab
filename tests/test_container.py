import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textcodec import container
from textcodec.container import Header, ImageMode, SideCodec, TextSection, TlcFile
from textcodec.errors import ContainerError


def make(text=True) -> TlcFile:
    h = Header(1280, 720, ImageMode.RGB, "textcodec-text-v1", b"\x01\x02\x03\x04", 2.5)
    t = TextSection(SideCodec.ZSTD, 10, b"0123456789") if text else None
    return TlcFile(h, (b"zz", b"yyyy"), t)


def test_round_trip_keeps_every_field():
    f = make()
    g = container.read(container.write(f))
    assert g.header == f.header and g.latent == f.latent and g.text == f.text


def test_section_sizes_add_up_to_the_file_size():
    data = container.write(make())
    assert sum(container.read(data).section_sizes.values()) == len(data)


def test_layout_matches_format_spec():
    """docs/format.md: magic, major, minor, then HEADER first, CRC-32 last."""
    data = container.write(make(text=False))
    assert data[:4] == b"\x89TLC" and data[4] == 1 and data[5] == 4   # 5 only with GLYPHS
    assert data[6] == container.SectionType.HEADER
    assert int.from_bytes(data[-4:], "little") == zlib.crc32(data[:-4])


def test_coder_section_follows_the_header_and_round_trips():
    f = make()
    g = TlcFile(f.header, f.latent, f.text, container.EntropyCoder.RANS16)
    data = container.write(g)
    assert container.read(data).coder == container.EntropyCoder.RANS16
    # HEADER, then CODER (tag 4, one byte), then LATENT
    at = 6 + 2 + data[7]
    assert data[at:at + 3] == bytes([container.SectionType.CODER, 1, 1])
    assert container.read(data).section_sizes["coder"] == 3


def test_a_file_without_coder_section_is_compressai_coded():
    """1.0 files have no CODER section; CompressAI-coded files are still written that way."""
    data = container.write(make())
    assert data[6 + 2 + data[7]] == container.SectionType.LATENT  # no CODER between
    assert container.read(data).coder == container.EntropyCoder.COMPRESSAI
    v10 = bytearray(data)
    v10[5] = 0
    v10[-4:] = zlib.crc32(bytes(v10[:-4])).to_bytes(4, "little")
    assert container.read(bytes(v10)).coder == container.EntropyCoder.COMPRESSAI


def test_unknown_coder_is_refused_with_its_offset():
    f = make()
    data = bytearray(container.write(TlcFile(f.header, f.latent, f.text,
                                             container.EntropyCoder.RANS16)))
    at = 6 + 2 + data[7]
    data[at + 2] = 9
    data[-4:] = zlib.crc32(bytes(data[:-4])).to_bytes(4, "little")
    with pytest.raises(ContainerError, match=f"unknown entropy coder 9 \\(at byte {at + 2}\\)"):
        container.read(bytes(data))


def test_unknown_side_stream_compressor_is_refused():
    """A 1.4 reader knows compressors 0-4; a later one is refused, not misread."""
    f = make()
    data = bytearray(container.write(f))
    # TEXT is the last section: compressor byte, raw size (one uvarint byte here), payload
    text_at = len(data) - 4 - len(f.text.payload) - 2
    assert data[text_at] == SideCodec.ZSTD
    data[text_at] = 5
    data[-4:] = zlib.crc32(bytes(data[:-4])).to_bytes(4, "little")
    with pytest.raises(ContainerError, match="unknown side-stream compressor 5"):
        container.read(bytes(data))


def test_quality_is_stored_to_a_256th():
    assert container.quantize_quality(2.3) == round(2.3 * 256) / 256
    h = Header(8, 8, ImageMode.L, "m", b"\0\0\0\0", container.quantize_quality(2.3))
    assert container.read(container.write(TlcFile(h, (b"a",)))).header.quality == h.quality


def test_bad_magic_is_a_foreign_file():
    with pytest.raises(ContainerError, match="not a .tlc file"):
        container.read(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)


@pytest.mark.parametrize("cut", [5, 9, 20, -5, -1])
def test_truncated_file_raises_container_error(cut):
    data = container.write(make())
    with pytest.raises(ContainerError):
        container.read(data[:cut])


def test_flipped_bit_fails_the_checksum():
    data = bytearray(container.write(make()))
    data[-8] ^= 0x10
    with pytest.raises(ContainerError, match="checksum"):
        container.read(bytes(data))


def test_newer_major_version_is_refused_with_its_offset():
    data = bytearray(container.write(make()))
    data[4] = 2
    with pytest.raises(ContainerError, match=rf"version 2\.{data[5]}.*at byte 4"):
        container.read(bytes(data))


def _with_crc(body: bytes) -> bytes:
    return body + zlib.crc32(body).to_bytes(4, "little")


def test_unknown_optional_section_is_skipped_but_required_is_refused():
    data = container.write(make(text=False))[:-4]
    ok = container.read(_with_crc(data + bytes([0x90, 2]) + b"hi"))
    assert "optional_0x90" in ok.section_sizes
    with pytest.raises(ContainerError, match="unknown required section 0x10"):
        container.read(_with_crc(data + bytes([0x10, 2]) + b"hi"))


def test_duplicate_section_is_refused():
    data = container.write(make(text=False))[:-4]
    latent = bytes([container.SectionType.LATENT, 3, 1, 1, 65])
    with pytest.raises(ContainerError, match="twice"):
        container.read(_with_crc(data + latent))


def test_missing_latent_section_is_reported():
    h = container.write(make(text=False))
    header_only = h[:6] + h[6:6 + 2 + h[7]]
    with pytest.raises(ContainerError, match="LATENT section is missing"):
        container.read(_with_crc(header_only))


def test_oversized_image_is_refused_before_allocation():
    body = bytearray(b"\x89TLC\x01\x00")
    payload = (container.write_uvarint(65536) + container.write_uvarint(65536)
               + bytes([1, 1]) + b"m" + b"\0" * 6)
    body += bytes([1]) + container.write_uvarint(len(payload)) + payload
    body += bytes([2, 2, 1, 0])
    with pytest.raises(ContainerError, match="out of range"):
        container.read(_with_crc(bytes(body)))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_reader_fuzzed_with_random_bytes_raises_only_container_errors(data):
    try:
        container.read(b"\x89TLC\x01\x00" + data)
    except ContainerError:
        pass


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reader_fuzzed_with_mutated_files_raises_only_container_errors(draw):
    data = bytearray(container.write(make()))
    for _ in range(draw.draw(st.integers(1, 4))):
        i = draw.draw(st.integers(0, len(data) - 1))
        data[i] = draw.draw(st.integers(0, 255))
    body = bytes(data[:-4])
    fixed = draw.draw(st.booleans())  # half the time repair the CRC to reach deeper checks
    try:
        container.read(_with_crc(body) if fixed else bytes(data))
    except ContainerError:
        pass


def test_a_glyphs_section_without_the_side_stream_is_refused():
    """GLYPHS fits the TEXT section's words: on its own it is a malformed file."""
    body = container.write(make(text=False))[:-4]
    body += container._section(container.SectionType.GLYPHS, b"\x00\x01\x00")
    data = body + zlib.crc32(body).to_bytes(4, "little")
    with pytest.raises(ContainerError, match="GLYPHS section without the side stream"):
        container.read(data)


def test_a_glyphs_section_round_trips_and_marks_the_file_1_5():
    f = make()
    g = TlcFile(f.header, f.latent, f.text, f.coder, glyphs=b"\x00\x01\x01\x00")
    data = container.write(g)
    assert data[5] == 5
    assert container.read(data).glyphs == g.glyphs


def test_a_strengths_section_round_trips_and_marks_the_file_1_6():
    f = make()
    g = TlcFile(f.header, f.latent, f.text, f.coder, glyphs=b"\x00\x01\x01\x00",
                strengths=b"\x01\x30")
    data = container.write(g)
    assert data[5] == 6
    got = container.read(data)
    assert (got.glyphs, got.strengths) == (g.glyphs, g.strengths)


def test_a_strengths_section_without_glyphs_is_refused():
    body = container.write(make())[:-4]
    body += container._section(container.SectionType.STRENGTHS, b"\x01\x30")
    data = body + zlib.crc32(body).to_bytes(4, "little")
    with pytest.raises(ContainerError, match="STRENGTHS section without the GLYPHS"):
        container.read(data)


def test_a_spans_section_round_trips_and_marks_the_file_1_7():
    """SPANS stands beside GLYPHS or alone (a page whose only painted words are numbers of
    long lines); either way the file is 1.7, and a file without it keeps its older mark."""
    f = make()
    for glyph_section in (None, b"\x00\x01\x01\x00"):
        g = TlcFile(f.header, f.latent, f.text, f.coder, glyphs=glyph_section,
                    spans=b"\x01\x00")
        data = container.write(g)
        assert data[5] == container.MINOR_VERSION == 7
        got = container.read(data)
        assert (got.glyphs, got.spans) == (glyph_section, g.spans)
    assert container.write(TlcFile(f.header, f.latent, f.text, f.coder,
                                   glyphs=b"\x00\x01\x01\x00"))[5] == 5


def test_a_spans_section_without_the_side_stream_is_refused():
    f = make(text=False)
    with pytest.raises(ValueError, match="SPANS section needs the side stream"):
        container.write(TlcFile(f.header, f.latent, None, f.coder, spans=b"\x01\x00"))
    body = container.write(f)[:-4]
    body += container._section(container.SectionType.SPANS, b"\x01\x00")
    with pytest.raises(ContainerError, match="SPANS section without the side stream"):
        container.read(body + zlib.crc32(body).to_bytes(4, "little"))
