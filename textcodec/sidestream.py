"""The OCR side stream (TextBoost): words + boxes <-> compact, compressed bytes.

Layout of the raw (uncompressed) stream, all integers ULEB128, signed ones zigzagged:

    version (1 or 2), word count n,
    n string refs     0 = the next new string of the table, k > 0 = table entry k - 1
    n x-centre deltas (px, signed, from the previous word's centre)
    n y-centre deltas (px, signed)
    n widths, n heights (px)
    n angles (degrees, signed)
    n flags (version 2 only): bit 0 set = "not drawn" (the encoder's cross-check, see
      textcodec.crosscheck); other bits are reserved and must be 0
    the string table: for each new string, its UTF-8 length then the bytes

Version 1 is written whenever every word may be drawn, so such files are byte for byte what
earlier releases wrote; the reader accepts both. Columns rather than records put like values next to each other, which zstd rewards.
Decompression is bounded by the size the container declares (at most ``MAX_RAW_SIZE``).

Compressor 3 is zstd primed with a dictionary that ships with the package
(``textcodec/data/sidestream-1.zdict``, 32 KiB, trained on side streams of FUNSD's training
forms and GIMP's menu screenshots by ``tools/train_side_dict.py``): a page's stream is a few
hundred bytes to a few KB, too short for zstd to learn its words and columns from itself. The
file is pinned by sha256; another dictionary would be another compressor number, since files
name theirs.

Compressor 4 is textcodec's own context-mixing coder (``textcodec/_sidecm.c``): it follows
the layout above byte by byte (which column, string length or string text the next byte
belongs to) and predicts each bit from that field and the bytes before it, after priming on a
corpus of side streams that ships with the package (``textcodec/data/sidestream-prime-1.bin``,
the streams of 40 FUNSD training forms and 80 GIMP help screenshots, pinned by sha256 like
the dictionary). On held-out streams it writes 22-41 % fewer bytes than zstd with the
dictionary (docs/benchmarks.md, "the context-mixing coder"). ``compress(words)`` with no compressor
writes the smallest of compressor 4, zstd with the dictionary and zstd alone.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from functools import lru_cache
from pathlib import Path

from textcodec.container import SideCodec, TextSection
from textcodec.errors import SideStreamError
from textcodec.varint import read_uvarint, unzigzag, write_uvarint, zigzag
from textcodec.words import Word

FORMAT_VERSION = 2          # the newest version this module writes and reads
FLAG_NOT_DRAWN = 1
MAX_RAW_SIZE = 4 << 20     # 4 MiB: ~300k words; the reader refuses to inflate more
MAX_WORD_BYTES = 1024
ZSTD_LEVEL = 19
DICTIONARY = Path(__file__).resolve().parent / "data" / "sidestream-1.zdict"
DICTIONARY_SHA256 = "ba39e68401421704e7cddadc144913589df5318080f87b2aecc80900b55b31aa"
CORPUS = Path(__file__).resolve().parent / "data" / "sidestream-prime-1.bin"
CORPUS_SHA256 = "f2a190ab52af4e65261692ed693807f8a882750ef0b6808e2504763fd5a6154b"


def serialize(words: list[Word]) -> bytes:
    """Raw bytes of the word list (boxes quantised to whole pixels and degrees)."""
    table: dict[str, int] = {}
    refs, xs, ys, ws, hs, angs = [], [], [], [], [], []
    strings = bytearray()
    px = py = 0
    for w in words:
        text = w.text
        raw = text.encode("utf-8")[:MAX_WORD_BYTES].decode("utf-8", "ignore")
        if raw in table:
            refs.append(table[raw] + 1)
        else:
            table[raw] = len(table)
            refs.append(0)
            b = raw.encode("utf-8")
            strings += write_uvarint(len(b)) + b
        cx, cy = round(w.cx), round(w.cy)
        xs.append(zigzag(cx - px))
        ys.append(zigzag(cy - py))
        px, py = cx, cy
        ws.append(max(0, round(w.width)))
        hs.append(max(0, round(w.height)))
        angle = round(w.angle) % 360
        angs.append(zigzag(angle if angle <= 180 else angle - 360))
    columns = [refs, xs, ys, ws, hs, angs]
    if not all(w.draw for w in words):
        columns.append([0 if w.draw else FLAG_NOT_DRAWN for w in words])
    version = 2 if len(columns) == 7 else 1
    out = bytearray(write_uvarint(version) + write_uvarint(len(words)))
    for column in columns:
        for v in column:
            out += write_uvarint(v)
    return bytes(out + strings)


def deserialize(raw: bytes) -> list[Word]:
    view = memoryview(raw)
    try:
        version, pos = read_uvarint(view, 0, "side-stream version")
        if version not in (1, 2):
            raise SideStreamError(f"unsupported side-stream version {version}")
        n, pos = read_uvarint(view, pos, "word count")
        if n > len(view):  # every word takes at least one byte in each column
            raise SideStreamError(f"side stream declares {n} words in {len(view)} bytes")
        names = ["string refs", "x centres", "y centres", "widths", "heights", "angles"]
        columns = []
        for name in names + (["flags"] if version == 2 else []):
            col = []
            for _ in range(n):
                v, pos = read_uvarint(view, pos, f"side-stream {name}")
                col.append(v)
            columns.append(col)
        refs, xs, ys, ws, hs, angs = columns[:6]
        flags = columns[6] if version == 2 else [0] * n
        for i, f in enumerate(flags):
            if f & ~FLAG_NOT_DRAWN:
                raise SideStreamError(f"word {i} has reserved flag bits set ({f:#x})")
        table: list[str] = []
        words = []
        cx = cy = 0
        for i in range(n):
            if refs[i] == 0:
                size, pos = read_uvarint(view, pos, "string length")
                if size > MAX_WORD_BYTES or pos + size > len(view):
                    raise SideStreamError(f"string {len(table)} of {size} bytes does not fit")
                table.append(bytes(view[pos:pos + size]).decode("utf-8"))
                pos += size
                text = table[-1]
            elif refs[i] - 1 < len(table):
                text = table[refs[i] - 1]
            else:
                raise SideStreamError(f"word {i} refers to string {refs[i] - 1}, "
                                      f"but the table holds {len(table)}")
            cx += unzigzag(xs[i])
            cy += unzigzag(ys[i])
            words.append(Word(text, float(cx), float(cy), float(ws[i]), float(hs[i]),
                              float(unzigzag(angs[i])), draw=not flags[i] & FLAG_NOT_DRAWN))
        if pos != len(view):
            raise SideStreamError(f"{len(view) - pos} stray bytes at the end of the side stream")
        return words
    except UnicodeDecodeError as e:
        raise SideStreamError(f"side-stream text is not UTF-8: {e.reason}") from None
    except SideStreamError:
        raise
    except Exception as e:  # ContainerError from varints carries the in-stream offset
        raise SideStreamError(f"malformed side stream: {e}") from None


def _pinned(path: Path, sha256: str, what: str) -> bytes:
    """A bundled file, checked against its pinned hash: a missing or damaged one is the
    installation's fault, not the .tlc file's, and the error says so."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SideStreamError(f"the side-stream {what} {path} cannot be read "
                              f"({e.strerror}): reinstall textcodec") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SideStreamError(f"the side-stream {what} {path} is not the one this "
                              "textcodec was built with (sha256 differs): reinstall textcodec")
    return data


@lru_cache(maxsize=1)
def dictionary_bytes() -> bytes:
    """The bundled side-stream dictionary (compressor 3)."""
    return _pinned(DICTIONARY, DICTIONARY_SHA256, "dictionary")


@lru_cache(maxsize=1)
def corpus_bytes() -> bytes:
    """The bundled priming corpus of compressor 4: (uvarint length, raw stream)*."""
    return _pinned(CORPUS, CORPUS_SHA256, "priming corpus")


def zstd_compressor(primer: bytes | None = None):
    """zstd at ``ZSTD_LEVEL``, primed with the dictionary ``primer`` if given; frames carry
    neither content size nor dictionary id (the container's compressor names it)."""
    import zstandard

    d = zstandard.ZstdCompressionDict(primer) if primer is not None else None
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=d, write_content_size=False,
                                    write_checksum=False, write_dict_id=False)


def _deflate(raw: bytes, codec: SideCodec) -> bytes:
    if codec is SideCodec.ZSTD:
        return zstd_compressor().compress(raw)
    if codec is SideCodec.ZSTD_DICT:
        return zstd_compressor(dictionary_bytes()).compress(raw)
    if codec is SideCodec.GZIP:
        return gzip.compress(raw, compresslevel=9, mtime=0)
    if codec is SideCodec.CM:
        from textcodec import _sidecm

        return _sidecm.encode(raw, corpus_bytes())
    return raw


def compress(words: list[Word], codec: SideCodec | None = None) -> TextSection:
    """The words as a TEXT section; ``codec`` None: the smallest of the context-mixing
    coder, zstd with the dictionary and zstd alone (in that order on a tie)."""
    raw = serialize(words)
    if codec is None:
        sections = [TextSection(c, len(raw), _deflate(raw, c))
                    for c in (SideCodec.CM, SideCodec.ZSTD_DICT, SideCodec.ZSTD)]
        return min(sections, key=lambda t: len(t.payload))
    return TextSection(codec, len(raw), _deflate(raw, codec))


def _inflate(section: TextSection) -> bytes:
    limit = section.raw_size
    if limit > MAX_RAW_SIZE:
        raise SideStreamError(f"side stream declares {limit} bytes, over the "
                              f"{MAX_RAW_SIZE}-byte limit")
    # a missing or damaged dictionary or corpus is the installation's fault, not the file's
    primer = dictionary_bytes() if section.codec is SideCodec.ZSTD_DICT else None
    corpus = corpus_bytes() if section.codec is SideCodec.CM else None
    try:
        if section.codec is SideCodec.NONE:
            raw = section.payload
        elif section.codec is SideCodec.CM:
            from textcodec import _sidecm

            # the declared size is what the coder decodes: nothing to inflate past it
            raw = _sidecm.decode(section.payload, corpus, limit)
        elif section.codec in (SideCodec.ZSTD, SideCodec.ZSTD_DICT):
            import zstandard

            # frames carry no content size, so the declared size is the output bound:
            # zstd stops there instead of inflating a bomb
            d = (zstandard.ZstdCompressionDict(primer)
                 if section.codec is SideCodec.ZSTD_DICT else None)
            raw = (zstandard.ZstdDecompressor(dict_data=d).decompress(
                section.payload, max_output_size=limit) if limit else b"")
        else:
            d = zlib.decompressobj(wbits=31)
            raw = d.decompress(section.payload, limit + 1)
    except Exception as e:
        raise SideStreamError(f"side stream does not decompress ({section.codec.name.lower()}): "
                              f"{e}") from None
    if len(raw) != limit:
        raise SideStreamError(f"side stream inflates to {len(raw)} bytes, "
                              f"but its header says {limit}")
    return raw


def decompress(section: TextSection) -> list[Word]:
    return deserialize(_inflate(section))
