"""The .tlc container: reading and writing its sections, byte by byte as docs/format.md says.

This module imports no torch and no OCR engine: ``textcodec info`` and ``textcodec text``
work from it alone. The reader validates every length against the bytes that are really
there, bounds every size it will allocate, and raises only ``ContainerError``.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass, field

from textcodec.errors import ContainerError
from textcodec.varint import read_uvarint, write_uvarint

MAGIC = b"\x89TLC"
MAJOR_VERSION = 1
MINOR_VERSION = 7  # 1.1 added the CODER section, 1.2 its coder 2 (rANS in lanes), 1.3 the
#                   side-stream compressor 3 (zstd with the bundled dictionary), 1.4 its
#                   compressor 4 (the context-mixing coder, textcodec/_sidecm.c), 1.5 the
#                   optional GLYPHS section (textcodec/glyphs.py), 1.6 the optional
#                   STRENGTHS section beside it, 1.7 the optional SPANS section
PREAMBLE_SIZE = len(MAGIC) + 2
CRC_SIZE = 4
MAX_PIXELS = 1 << 28  # 268 Mpx: beyond this the decoder would need unbounded memory
MAX_SIDE = 1 << 16
MAX_LATENT_STREAMS = 16
QUALITY_SCALE = 256  # quality is stored as round(q * 256) in a u16


class SectionType(enum.IntEnum):
    """Section tags. Tags with the high bit set are optional: an older reader skips them."""

    HEADER = 0x01
    LATENT = 0x02
    TEXT = 0x03
    CODER = 0x04
    GLYPHS = 0x85   # optional: the words' fitted glyphs (textcodec.glyphs); older readers skip it
    STRENGTHS = 0x86  # optional: how strongly each fitted word is painted; a 1.5 reader skips
    #                   it and paints only the words marked in GLYPHS (those at full strength)
    SPANS = 0x87    # optional: fits of parts of the side stream's phrases (numbers of long
    #                 lines, the words around numbers); a 1.6 reader skips it and leaves those
    #                 parts as decoded


OPTIONAL_SECTION_BIT = 0x80


class ImageMode(enum.IntEnum):
    """The original image's mode; the decoder gives the image back in this mode."""

    L = 0
    RGB = 1
    RGBA = 2  # alpha was flattened onto white at encode time; decoded as RGB


class SideCodec(enum.IntEnum):
    """Compressor of the OCR side stream."""

    NONE = 0
    ZSTD = 1
    GZIP = 2
    ZSTD_DICT = 3   # zstd primed with textcodec/data/sidestream-1.zdict (format 1.3)
    CM = 4          # textcodec/_sidecm.c primed on textcodec/data/sidestream-prime-1.bin (1.4)


class EntropyCoder(enum.IntEnum):
    """The coder of the latent streams. A file without a CODER section (every 1.0 file) was
    coded by CompressAI's rANS; 1.1 writers use textcodec's own (``textcodec/_rans.c``), 1.2
    writers the same coder with each stream cut into lanes that decode on several cores."""

    COMPRESSAI = 0
    RANS16 = 1
    RANS16_LANES = 2


@dataclass(frozen=True)
class Header:
    width: int
    height: int
    mode: ImageMode
    model_id: str
    model_hash: bytes  # first 4 bytes of the checkpoint's sha256
    quality: float     # the rate setting, already quantised to 1/256

    def __post_init__(self):
        if not (1 <= self.width <= MAX_SIDE and 1 <= self.height <= MAX_SIDE):
            raise ValueError(f"image size {self.width}x{self.height} outside 1..{MAX_SIDE}")
        if len(self.model_hash) != 4:
            raise ValueError("model_hash must be 4 bytes")
        if not 0 < len(self.model_id.encode("ascii")) < 256:
            raise ValueError("model_id must be 1..255 ASCII characters")


@dataclass(frozen=True)
class TextSection:
    codec: SideCodec
    raw_size: int   # size after decompression: the bound the reader holds the codec to
    payload: bytes


@dataclass(frozen=True)
class TlcFile:
    header: Header
    latent: tuple[bytes, ...]
    text: TextSection | None = None
    coder: EntropyCoder = EntropyCoder.COMPRESSAI
    section_sizes: dict[str, int] = field(default_factory=dict, compare=False)
    glyphs: bytes | None = None   # the GLYPHS payload, read against the side stream's words
    strengths: bytes | None = None   # the STRENGTHS payload, read against GLYPHS' fits
    spans: bytes | None = None    # the SPANS payload, read against the side stream's words


def quantize_quality(quality: float) -> float:
    """The quality value exactly as a file stores it; encoders must code with this value."""
    return round(quality * QUALITY_SCALE) / QUALITY_SCALE


def _section(tag: int, payload: bytes) -> bytes:
    return bytes([tag]) + write_uvarint(len(payload)) + payload


def _header_payload(h: Header) -> bytes:
    q = round(h.quality * QUALITY_SCALE)
    if not 0 <= q < 1 << 16:
        raise ValueError(f"quality {h.quality} outside the storable range 0..255")
    model = h.model_id.encode("ascii")
    return (write_uvarint(h.width) + write_uvarint(h.height) + bytes([int(h.mode)])
            + bytes([len(model)]) + model + h.model_hash + q.to_bytes(2, "little"))


def write(f: TlcFile) -> bytes:
    """Serialise a file: preamble, HEADER, CODER (unless CompressAI's), LATENT, optional TEXT
    GLYPHS, STRENGTHS and SPANS, CRC-32 of all before it."""
    # a file is marked with the oldest minor version that knows all its sections: without
    # GLYPHS it is byte for byte what a 1.4 writer made, without STRENGTHS what a 1.5 one
    # made, without SPANS what a 1.6 one made
    minor = 7 if f.spans is not None else 6 if f.strengths is not None \
        else 5 if f.glyphs is not None else 4
    out = bytearray(MAGIC + bytes([MAJOR_VERSION, minor]))
    out += _section(SectionType.HEADER, _header_payload(f.header))
    if f.coder != EntropyCoder.COMPRESSAI:
        out += _section(SectionType.CODER, bytes([int(f.coder)]))
    latent = bytearray(write_uvarint(len(f.latent)))
    for stream in f.latent:
        latent += write_uvarint(len(stream)) + stream
    out += _section(SectionType.LATENT, bytes(latent))
    if f.text is not None:
        t = f.text
        out += _section(SectionType.TEXT,
                        bytes([int(t.codec)]) + write_uvarint(t.raw_size) + t.payload)
    if f.glyphs is not None:
        if f.text is None:
            raise ValueError("a GLYPHS section needs the side stream it fits")
        out += _section(SectionType.GLYPHS, f.glyphs)
    if f.strengths is not None:
        if f.glyphs is None:
            raise ValueError("a STRENGTHS section needs the GLYPHS section it grades")
        out += _section(SectionType.STRENGTHS, f.strengths)
    if f.spans is not None:
        if f.text is None:
            raise ValueError("a SPANS section needs the side stream it fits")
        out += _section(SectionType.SPANS, f.spans)
    out += zlib.crc32(out).to_bytes(CRC_SIZE, "little")
    return bytes(out)


def _parse_header(p: memoryview, base: int) -> Header:
    pos = 0
    width, pos = read_uvarint(p, pos, "image width")
    height, pos = read_uvarint(p, pos, "image height")
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE) or width * height > MAX_PIXELS:
        raise ContainerError(f"image size {width}x{height} is out of range", base)
    if pos + 2 > len(p):
        raise ContainerError("header section too short", base + pos)
    try:
        mode = ImageMode(p[pos])
    except ValueError:
        raise ContainerError(f"unknown image mode {p[pos]}", base + pos) from None
    n = p[pos + 1]
    pos += 2
    if n == 0 or pos + n + 4 + 2 != len(p):
        raise ContainerError("header section has the wrong length for its model id", base + pos)
    try:
        model_id = bytes(p[pos:pos + n]).decode("ascii")
    except UnicodeDecodeError:
        raise ContainerError("model id is not ASCII", base + pos) from None
    pos += n
    model_hash = bytes(p[pos:pos + 4])
    quality = int.from_bytes(p[pos + 4:pos + 6], "little") / QUALITY_SCALE
    return Header(width, height, mode, model_id, model_hash, quality)


def _parse_latent(p: memoryview, base: int) -> tuple[bytes, ...]:
    count, pos = read_uvarint(p, 0, "latent stream count")
    if not 1 <= count <= MAX_LATENT_STREAMS:
        raise ContainerError(f"latent section declares {count} streams", base)
    streams = []
    for i in range(count):
        size, pos = read_uvarint(p, pos, f"length of latent stream {i}")
        if pos + size > len(p):
            raise ContainerError(f"latent stream {i} claims {size} bytes but only "
                                 f"{len(p) - pos} remain in its section", base + pos)
        streams.append(bytes(p[pos:pos + size]))
        pos += size
    if pos != len(p):
        raise ContainerError(f"{len(p) - pos} stray bytes after the latent streams", base + pos)
    return tuple(streams)


def _parse_text(p: memoryview, base: int) -> TextSection:
    if len(p) < 2:
        raise ContainerError("text section too short", base)
    try:
        codec = SideCodec(p[0])
    except ValueError:
        raise ContainerError(f"unknown side-stream compressor {p[0]}", base) from None
    raw_size, pos = read_uvarint(p, 1, "side-stream size")
    return TextSection(codec, raw_size, bytes(p[pos:]))


def _parse_coder(p: memoryview, base: int) -> EntropyCoder:
    if len(p) != 1:
        raise ContainerError(f"coder section holds {len(p)} bytes, not 1", base)
    try:
        return EntropyCoder(p[0])
    except ValueError:
        raise ContainerError(f"unknown entropy coder {p[0]}", base) from None


def read(data: bytes) -> TlcFile:
    """Parse and validate a whole .tlc file held in memory."""
    view = memoryview(data)
    if len(view) < len(MAGIC) or bytes(view[:len(MAGIC)]) != MAGIC:
        raise ContainerError("not a .tlc file (bad magic)", 0)
    if len(view) < PREAMBLE_SIZE + CRC_SIZE:
        raise ContainerError("truncated file: shorter than the smallest valid .tlc", len(view))
    major, minor = view[4], view[5]
    if major != MAJOR_VERSION:
        raise ContainerError(f"unsupported format version {major}.{minor} "
                             f"(this textcodec reads {MAJOR_VERSION}.x)", 4)
    end = len(view) - CRC_SIZE
    pos = PREAMBLE_SIZE
    found: dict[int, tuple[memoryview, int]] = {}
    sizes = {"preamble": PREAMBLE_SIZE}
    while pos < end:
        start = pos
        tag = view[pos]
        size, pos = read_uvarint(view[:end], pos + 1, "section length")
        if pos + size > end:
            raise ContainerError(f"truncated file: section 0x{tag:02x} claims {size} bytes "
                                 f"but only {end - pos} remain", start)
        if tag in found:
            raise ContainerError(f"section 0x{tag:02x} appears twice", start)
        known = tag in SectionType.__members__.values()
        if not known and not tag & OPTIONAL_SECTION_BIT:
            raise ContainerError(f"unknown required section 0x{tag:02x}", start)
        if known:
            found[tag] = (view[pos:pos + size], pos)
            sizes[SectionType(tag).name.lower()] = pos + size - start
        else:
            sizes[f"optional_0x{tag:02x}"] = pos + size - start
        pos += size
    crc = int.from_bytes(view[end:], "little")
    if zlib.crc32(view[:end]) != crc:
        raise ContainerError("checksum mismatch: the file is corrupted", end)
    sizes["crc"] = CRC_SIZE
    for required in (SectionType.HEADER, SectionType.LATENT):
        if required not in found:
            raise ContainerError(f"the {required.name} section is missing", PREAMBLE_SIZE)
    header = _parse_header(*found[SectionType.HEADER])
    latent = _parse_latent(*found[SectionType.LATENT])
    text = _parse_text(*found[SectionType.TEXT]) if SectionType.TEXT in found else None
    coder = (_parse_coder(*found[SectionType.CODER]) if SectionType.CODER in found
             else EntropyCoder.COMPRESSAI)
    glyphs = _dependent(found, SectionType.GLYPHS, text is not None,
                        "a GLYPHS section without the side stream it fits")
    strengths = _dependent(found, SectionType.STRENGTHS, glyphs is not None,
                           "a STRENGTHS section without the GLYPHS section it grades")
    spans = _dependent(found, SectionType.SPANS, text is not None,
                       "a SPANS section without the side stream it fits")
    return TlcFile(header, latent, text, coder, sizes, glyphs, strengths, spans)


def _dependent(found: dict, tag: SectionType, needed_is_there: bool,
               refusal: str) -> bytes | None:
    """An optional section's payload (None where absent), refused where the section it reads
    against is missing."""
    if tag not in found:
        return None
    if not needed_is_there:
        raise ContainerError(refusal, found[tag][1])
    return bytes(found[tag][0])


def looks_like_tlc(prefix: bytes) -> bool:
    return prefix[:len(MAGIC)] == MAGIC
