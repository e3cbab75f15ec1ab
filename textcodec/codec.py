"""encode(image) -> bytes and decode(bytes) -> image: the library behind the CLI.

Padding, cropping, colour modes, devices, model choice and rate control live here, so a
caller hands in any image and gets back a .tlc file, and the reverse.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from textcodec import container, crosscheck, sidestream, zoo
from textcodec.container import EntropyCoder, Header, ImageMode, SideCodec, TlcFile
from textcodec.errors import ContainerError, InputError, ModelError, RateControlError
from textcodec.words import Word, has_digit

# the encoder fits glyphs (textcodec.glyphs) only up to this quality, so the fit's time (about
# 0.16 s a word on 2 cores) is not spent at the default rate (6). Painted at full strength
# they helped little from about here (session 37); graded strengths (session 38) still help
# a little above it (held-out forms at q6: 99 -> 105 of 122 fitted words read right)
GLYPHS_MAX_QUALITY = 5
# the default rate is a trade-off, not an index: the rate trained for this lambda (quality 3 of
# the 8-rate v1 models, 6 of the 11-rate v2 ones), interpolated if a model has no such rate
DEFAULT_LAMBDA = 0.0016
RATE_SEARCH_STEPS = 12
# where the encoder runs the codec beside the OCR (encode_image's ``overlap``)
OVERLAP_DEVICES = ("cuda",)
# the side stream's compressor by name; "auto" (None): zstd with the bundled dictionary or
# without it, whichever is smaller (textcodec.sidestream.compress)
SIDE_CODECS: dict[str, SideCodec | None] = {"auto": None, "zstd": SideCodec.ZSTD,
                                            "zstd-dict": SideCodec.ZSTD_DICT,
                                            "cm": SideCodec.CM,
                                            "gzip": SideCodec.GZIP, "none": SideCodec.NONE}


# ---- images -----------------------------------------------------------------------------
def load_image(image) -> tuple[np.ndarray, ImageMode]:
    """Any path / PIL image / array -> (H, W, 3) uint8 RGB and the mode to give back.

    Alpha is flattened onto white (documented in docs/format.md); greyscale comes back
    greyscale; every other mode is converted to RGB."""
    if isinstance(image, (str, os.PathLike)):
        path = Path(image)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a folder, not an image")
        try:
            with Image.open(path) as im:
                im.load()
                image = im.copy()
        except UnidentifiedImageError:
            raise InputError(f"{path}: not an image Pillow can read") from None
        except (OSError, SyntaxError, ValueError) as e:
            raise InputError(f"{path}: unreadable image ({e})") from None
    if isinstance(image, np.ndarray):
        arr = image
        if arr.dtype != np.uint8:
            raise InputError(f"arrays must be uint8, got {arr.dtype}")
        if arr.ndim == 2:
            image = Image.fromarray(arr, "L")
        elif arr.ndim == 3 and arr.shape[2] in (3, 4):
            image = Image.fromarray(arr, "RGB" if arr.shape[2] == 3 else "RGBA")
        else:
            raise InputError(f"arrays must be (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}")
    if not isinstance(image, Image.Image):
        raise InputError(f"cannot encode a {type(image).__name__}: give a path, a PIL image "
                         f"or a uint8 array")
    if image.width < 1 or image.height < 1 or max(image.size) > container.MAX_SIDE:
        raise InputError(f"image size {image.width}x{image.height} is outside 1..{container.MAX_SIDE}")
    if image.mode in ("L", "1", "I;16", "I", "F"):
        mode = ImageMode.L
        rgb = image.convert("L").convert("RGB")
    elif image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        mode = ImageMode.RGBA
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(white, rgba).convert("RGB")
    else:
        mode = ImageMode.RGB
        rgb = image.convert("RGB")
    return np.asarray(rgb), mode


def _device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda asked for, but no CUDA GPU is available")
    if device not in ("cpu", "cuda"):
        raise InputError(f"unknown device {device!r} (auto, cpu or cuda)")
    return device


def _beside_ocr(device: str):
    """What GPU work run beside the OCR holds: the lock that keeps it off the recognizer's
    CUDA graph recordings (textcodec/ocr/cudagraph.py; a capture forbids other threads'
    allocations). Nothing on a CPU."""
    if device != "cuda":
        return nullcontext()
    from textcodec.ocr.cudagraph import CAPTURE_LOCK

    return CAPTURE_LOCK


# ---- models -----------------------------------------------------------------------------
@dataclass
class LoadedModel:
    name: str
    model: object
    hash_prefix: bytes
    device: str


@lru_cache(maxsize=4)
def load_model(name_or_path: str, device: str = "cpu") -> LoadedModel:
    from textcodec.checkpoint import load_release

    path, entry = zoo.resolve(name_or_path)
    model, blob = load_release(path, device)
    if entry is not None:
        name, prefix = entry.name, entry.hash_prefix
    else:
        name, prefix = str(blob.get("name", path.stem)), bytes.fromhex(zoo.sha256_file(path)[:8])
    return LoadedModel(name, model, prefix, device)


def _model_for_header(header: Header, device: str, override: str | None) -> LoadedModel:
    lm = load_model(override or header.model_id, device)
    if lm.hash_prefix != header.model_hash:
        raise ModelError(f"file was written by model {header.model_id} "
                         f"(checkpoint {header.model_hash.hex()}), but the available "
                         f"{lm.name} is checkpoint {lm.hash_prefix.hex()}")
    return lm


# ---- encode -----------------------------------------------------------------------------
@dataclass
class EncodeResult:
    data: bytes
    header: Header
    words: list[Word]
    side_bytes: int
    fitted: int = 0        # words whose glyphs the GLYPHS section fits
    painted: int = 0       # ... of which the decoder paints
    glyph_bytes: int = 0   # the GLYPHS and STRENGTHS sections' payloads
    graded: int = 0        # ... of the painted, those painted at less than full strength
    numbers: int = 0       # ... of the painted, those holding a digit
    spans: int = 0         # ... of the painted, parts of phrases (the SPANS section)

    @property
    def bpp(self) -> float:
        return len(self.data) * 8 / (self.header.width * self.header.height)


def encode_image(image, *, model: str | None = None, quality: float | None = None,
                 target_bpp: float | None = None, max_bytes: int | None = None,
                 ocr: bool = True, side_codec: str = "auto", device: str = "auto",
                 words: list[Word] | None = None, ocr_engine: str | None = None,
                 cross_check: str = "auto", overlap: bool | None = None,
                 glyphs: bool = True, numbers: bool = True,
                 reading: list[Word] | None = None) -> EncodeResult:
    """Encode an image; ``words`` skips OCR (e.g. ground truth), ``ocr=False`` sends none;
    ``reading`` skips the OCR run but not what follows it: the engine's words as it read the
    image, filtered and cross-checked as the encoder's own reading (the benchmark reads each
    image once for every rate).
    ``ocr_engine`` names the engine that reads the side stream (None: the default, the light
    pipeline, ``textcodec.ocr.engine.default_engine``).
    ``cross_check`` ("auto" | "tesseract" | "off"): a second OCR engine reads the original and
    the words it does not confirm are flagged not to be drawn (textcodec.crosscheck); "auto"
    runs it where Tesseract is installed and the model has a fusion block. ``overlap`` runs
    the codec's half of the encode in a second thread while the OCR runs (None: where the
    device is in ``OVERLAP_DEVICES``); the file is the same either way. ``glyphs`` fits the
    side stream's drawable words' glyphs to the original (font, size, place: textcodec.glyphs)
    and marks those whose painting brings this rate's decode nearer the original; the
    decoder paints them (the GLYPHS section, a few bytes a word); only up to
    GLYPHS_MAX_QUALITY. ``numbers`` lets the words holding a digit be painted too, each only
    where its fit's every digit explains the original better than any other digit would
    (textcodec.glyphs.number_check); the fusion block never draws them. With the cross-check
    on, the words of a phrase it does not confirm whole that it does confirm are painted as
    spans, and of the phrases the OCR reads below its confidence floor the runs of words it
    confirms are sent as words of their own (textcodec.crosscheck.confirmed_parts; up to
    GLYPHS_MAX_QUALITY)."""
    import torch

    from textcodec.nets.hyperprior import pad_to_multiple

    if sum(v is not None for v in (quality, target_bpp, max_bytes)) > 1:
        raise InputError("give at most one of quality, target_bpp and max_bytes")
    rgb, mode = load_image(image)
    h, w = rgb.shape[:2]
    dev = _device(device)
    lm = load_model(model or zoo.default_model(), dev)
    net = lm.model
    if side_codec not in SIDE_CODECS:
        raise InputError(f"unknown side-stream compressor {side_codec!r} "
                         f"({', '.join(SIDE_CODECS)})")
    codec = SIDE_CODECS[side_codec]
    check = crosscheck.resolve_mode(cross_check)
    top = float(net.num_rates - 1)
    if target_bpp is not None:
        if target_bpp <= 0:
            raise InputError("target bpp must be positive")
        max_bytes = int(target_bpp * w * h / 8)
    q = default_quality(net.lambdas) if quality is None else quality
    if max_bytes is None and not 0 <= q <= top:
        raise InputError(f"quality must be in 0..{top:g} for {lm.name}, got {q}")
    coder = EntropyCoder.RANS16_LANES
    fixed = None if max_bytes is not None else container.quantize_quality(q)

    def latent():
        """The codec's half: the analysis, and at a set quality the entropy coding too."""
        with _beside_ocr(dev):
            x = torch.from_numpy(rgb.copy()).to(dev).permute(2, 0, 1)[None].float() / 255
            y = net.analysis(pad_to_multiple(x))
            streams = None if fixed is None else tuple(net.compress_latent(y, fixed, coder))
        return y, streams

    def side_stream():
        """The OCR's half: the words to send, cross-checked, their compressed stream, and of
        the phrases the cross-check did not confirm whole the tokens it did confirm (by index
        into the words)."""
        from textcodec.ocr.engine import (doubtful_words, filter_words, max_char_area,
                                          reading_order)

        found, doubtful, partly = words, [], {}
        if ocr and found is None:
            from textcodec.ocr.engine import default_engine, get_engine

            read = reading if reading is not None else \
                get_engine(ocr_engine or default_engine()).read(rgb)
            largest = max_char_area(fixed)
            found = filter_words(read, max_char_area=largest)
            # the confirmed parts of doubtful phrases are sent where they can be painted
            # (at a set quality above GLYPHS_MAX_QUALITY they would only cost bytes)
            if glyphs and (fixed is None or fixed <= GLYPHS_MAX_QUALITY):
                doubtful = doubtful_words(read, max_char_area=largest)
        if ocr and (found or doubtful) and check != "off" and (net.fusion is not None
                                                               or cross_check != "auto"):
            second = crosscheck.second_reading(rgb, found + doubtful, check)
            found = reading_order(crosscheck.flag_words(found, second)
                                  + crosscheck.confirmed_parts(rgb, doubtful, second))
            partly = {i: crosscheck.confirmed_tokens(w, second)
                      for i, w in enumerate(found) if not w.draw}
        return found, (sidestream.compress(found, codec) if ocr and found else None), partly

    if overlap is None:
        overlap = dev in OVERLAP_DEVICES
    if overlap and ocr and words is None:
        # the halves are independent until the container is written: on a GPU the codec's
        # kernels and its entropy coding (C, without the GIL) run while the OCR's host work does
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(latent)
            words, text, partly = side_stream()
            y, streams = pending.result()
    else:
        words, text, partly = side_stream()
        y, streams = latent()

    def build(q: float, section: bytes | None = None, strengths: bytes | None = None,
              spans: bytes | None = None) -> tuple[bytes, Header]:
        q = container.quantize_quality(q)
        header = Header(w, h, mode, lm.name, lm.hash_prefix, q)
        s = streams if q == fixed else tuple(net.compress_latent(y, q, coder))
        return container.write(TlcFile(header, s, text, coder, glyphs=section,
                                       strengths=strengths, spans=spans)), header

    if max_bytes is not None:
        data, header = _search_rate(build, max_bytes, top)
    else:
        data, header = build(q)
    fitted = painted = glyph_bytes = graded = numbered = spanned = 0
    if glyphs and text is not None and header.quality <= GLYPHS_MAX_QUALITY:
        gm = glyphs_module()
        sent = sidestream.decompress(text)          # the words as the decoder reads them
        fits = _fit_glyphs(rgb, sent, numbers)
        if [w.text for w in sent] != [w.text for w in words]:
            partly = {}    # the stream's words are not the ones read (never so far): no parts
        spans = _fit_spans(rgb, sent, fits if numbers else [], partly)
        guided_by_fits = (net.fusion_guidance == "fitted"      # "rendered" without a block
                          and header.quality <= FUSION_MAX_QUALITY)
        if any(fits) or spans:
            # the strengths are set against the decode they paint over, except under a block
            # that draws the fits: it starts from the glyphs' own shapes and brings the decode near
            # the original by itself, so against its output the glyphs came out lighter and
            # read worse (session 43); against the decode without it they paint as a plain
            # decode needs, and the block's correction stays where they are not painted
            with torch.no_grad():
                pre, _, _ = _synthesize(container.read(data), dev,
                                        "off" if guided_by_fits else "auto", model, fits)
            # painted in the decoder's order: the words fitted whole, then the spans
            parts = [gm.span_word(sent[s.word], s.first, s.count) for s in spans]
            flagged = gm.gate(rgb, pre, sent + parts, fits + [s.fit for s in spans])
            whole = flagged[:len(sent)]
            spans = [replace(s, fit=f) for s, f in zip(spans, flagged[len(sent):])]
            # a section that paints nothing is not worth its bytes, unless the block draws
            # its fits
            painting = any(f is not None and f.paint for f in whole) or (
                guided_by_fits and any(f is not None for f in whole))
            section = gm.pack(sent, whole) if painting else None
            strengths = gm.pack_strengths(whole) if painting else None
            spans_payload = gm.pack_spans(sent, spans)
            with_glyphs, _ = build(header.quality, section, strengths, spans_payload)
            # ... nor one that overflows the budget
            if (painting or spans_payload) and \
                    (max_bytes is None or len(with_glyphs) <= max_bytes):
                data = with_glyphs
                # what the file holds: GLYPHS' fits (where it has the section), the spans
                # of nonzero strength
                in_spans = [(w, s.fit) for w, s in zip(parts, spans) if s.fit.paint]
                held = [(w, f) for w, f in zip(sent, whole) if painting and f is not None] \
                    + in_spans
                fitted, spanned = len(held), len(in_spans)
                painted = sum(f.paint for _, f in held)
                graded = sum(0 < f.strength < gm.FULL for _, f in held)
                numbered = sum(f.paint and has_digit(w.text) for w, f in held)
                glyph_bytes = len(section or b"") + len(strengths or b"") + \
                    len(spans_payload or b"")
    return EncodeResult(data, header, list(words or []) if ocr else [],
                        0 if text is None else len(text.payload), fitted, painted, glyph_bytes,
                        graded, numbered, spanned)


def default_quality(lambdas) -> float:
    """The (fractional) quality whose lambda is DEFAULT_LAMBDA, clamped to the model's range."""
    logs = [math.log(v) for v in lambdas]
    target = math.log(DEFAULT_LAMBDA)
    if target <= logs[0]:
        return 0.0
    for i in range(1, len(logs)):
        if target <= logs[i]:
            return round(i - 1 + (target - logs[i - 1]) / (logs[i] - logs[i - 1]), 4)
    return float(len(logs) - 1)


def _search_rate(build, max_bytes: int, top: float) -> tuple[bytes, Header]:
    """The highest quality whose whole file fits ``max_bytes`` (bisection on quality)."""
    data, header = build(0.0)
    if len(data) > max_bytes:
        raise RateControlError(f"cannot fit {max_bytes} bytes: the smallest file this model "
                               f"makes is {len(data)} bytes (try --ocr off, or allow more)")
    best = (data, header)
    d, hd = build(top)
    if len(d) <= max_bytes:
        return d, hd
    lo, hi = 0.0, top
    for _ in range(RATE_SEARCH_STEPS):
        mid = (lo + hi) / 2
        d, hd = build(mid)
        if len(d) <= max_bytes:
            lo, best = mid, (d, hd)
        else:
            hi = mid
    return best


def encode(image, **kwargs) -> bytes:
    """Encode an image (path, PIL image or uint8 array) to .tlc bytes."""
    return encode_image(image, **kwargs).data


# ---- decode -----------------------------------------------------------------------------
def read_file(data_or_path) -> TlcFile:
    if isinstance(data_or_path, (bytes, bytearray, memoryview)):
        return container.read(bytes(data_or_path))
    path = Path(data_or_path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: unreadable ({e.strerror})") from None
    try:
        return container.read(data)
    except ContainerError as e:
        raise ContainerError(f"{path}: {e}") from None


def text_layer(data_or_path) -> list[Word]:
    """The words carried in a file's side stream (empty without one). Needs no OCR."""
    f = read_file(data_or_path)
    return sidestream.decompress(f.text) if f.text is not None else []


# The fusion block runs by default only up to this quality. On held-out forms and screenshots
# (tools/substitution_rate.py, docs/benchmarks.md "Substitutions") text-v6's fused decodes
# showed a few more of the side stream's misreadings than the plain decodes at quality 6 and 8
# (digits among them), where the decoded pixels already read well: a wrong word painted in
# costs more than the block's gains there. text-v9's block, trained on harsher substitutions
# and given no words with digits (guidance_words), shows one more at 4 over two samples (by
# the ground truth; two fewer by Tesseract), one more at 3 too, and four more at 6; text-v10's
# (look-alike misreadings, trained at q1-4 only) one more at 4 by the ground truth, one fewer
# by Tesseract.
# fusion="always" runs it at every rate.
# fusion="draw" runs no block: it draws the same words over the plain decode, at every rate, in
# the guidance map's font and in colours taken from the decoded box (textcodec.render.draw).
# Legible where the decode is not (docs/benchmarks.md, "Drawn words"), but in one font, not the
# original's: a reader sees the side stream's reading, right or wrong.
FUSION_MAX_QUALITY = 4.0
FUSION_MODES = ("auto", "always", "draw", "off")


def fusion_mode(fusion: bool | str) -> str:
    """"auto" | "always" | "off" from a mode name or a bool (True = "auto", False = "off")."""
    if isinstance(fusion, bool):
        return "auto" if fusion else "off"
    if fusion not in FUSION_MODES:
        raise InputError(f"fusion must be one of {', '.join(FUSION_MODES)}, got {fusion!r}")
    return fusion


def decode_array(data_or_path, *, device: str = "auto", fusion: bool | str = "auto",
                 model: str | None = None) -> tuple[np.ndarray, TlcFile]:
    """Decode to a uint8 array. ``fusion``: "auto" runs the fusion block on files with a side
    stream up to FUSION_MAX_QUALITY, "always" at every rate, "off" never; "draw" draws the
    side stream's words over the plain decode instead (``textcodec.render.draw``)."""
    import torch

    mode = fusion_mode(fusion)
    with torch.no_grad():
        return _decode_array(data_or_path, device, mode, model)


def _decode_array(data_or_path, device: str, fusion: str,
                  model: str | None) -> tuple[np.ndarray, TlcFile]:
    f = read_file(data_or_path)
    x, words, f = _synthesize(f, _device(device), fusion, model)
    if (f.glyphs is not None or f.spans is not None) and fusion in ("auto", "always"):
        x = glyphs_module().paint(x, *file_paints(f, words))
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8), f


def _synthesize(f: TlcFile, dev: str, fusion: str, model: str | None,
                fits: list | None = None) -> tuple[np.ndarray, list[Word], TlcFile]:
    """The decode before any glyph is painted: ((H, W, 3) float32 in [0, 1], the side
    stream's words, the file). ``fits``: the side stream's words' fits, where a block trained
    on fitted guidance is to draw them (None: those of the file's GLYPHS section; the encoder
    passes its own before the section is written)."""
    hdr = f.header
    words = sidestream.decompress(f.text) if f.text is not None else []
    lm = _model_for_header(hdr, dev, model)
    net = lm.model
    if not 0 <= hdr.quality <= net.num_rates - 1:
        raise ContainerError(f"quality {hdr.quality} is outside the model's range")
    ph, pw = -(-hdr.height // 64), -(-hdr.width // 64)
    try:
        y_hat = net.decompress_latent(list(f.latent), (ph, pw), hdr.quality, f.coder)
    except (RuntimeError, ValueError) as e:
        raise ContainerError(f"latent streams do not decode: {e}") from None
    x_hat = net.synthesis(y_hat.to(dev), hdr.quality)
    if fusion == "draw":
        from textcodec.render import draw

        plain = x_hat[0, :, :hdr.height, :hdr.width].clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        return draw(plain, guidance_words(words)), words, f
    use = fusion == "always" or (fusion == "auto" and hdr.quality <= FUSION_MAX_QUALITY)
    guide = guidance_words(words) if use else []
    if guide and net.fusion is not None:
        # one pass on a GPU; cache-sized tiles on a CPU (same result either way)
        x_hat = apply_fusion(net.fusion, x_hat, guide, hdr.quality,
                             tile=FUSION_TILE if x_hat.device.type == "cpu" else 1 << 16,
                             fits=_guidance_fits(net, f, words, guide, fits))
    out = x_hat[0, :, :hdr.height, :hdr.width].clamp(0, 1).permute(1, 2, 0)
    return out.cpu().numpy().astype(np.float32), words, f


def _guidance_fits(net, f: TlcFile, words: list[Word], guide: list[Word],
                   fits: list | None) -> list | None:
    """The fits of the guidance words ``guide`` (of ``words``) where the model's block was
    trained on fitted guidance; None where it draws rendered guidance."""
    if net.fusion_guidance != "fitted":
        return None
    if fits is None:
        fits = file_fits(f, words) if f.glyphs is not None else [None] * len(words)
    by_word = {id(w): fit for w, fit in zip(words, fits)}
    return [by_word[id(w)] for w in guide]


def file_fits(f: TlcFile, words: list[Word]):
    """The fits a file's GLYPHS section (and STRENGTHS, where present) give its words."""
    gm = glyphs_module()
    fits = gm.unpack(f.glyphs, words)
    return fits if f.strengths is None else gm.apply_strengths(f.strengths, fits)


def file_paints(f: TlcFile, words: list[Word]) -> tuple[list[Word], list]:
    """What the decoder paints, in order, as parallel lists of words and fits: the side
    stream's words with the fits of GLYPHS (graded by STRENGTHS), then the parts of lines
    that SPANS fits."""
    gm = glyphs_module()
    fits = file_fits(f, words) if f.glyphs is not None else [None] * len(words)
    if f.spans is None:
        return words, fits
    spans = gm.unpack_spans(f.spans, words, fits if f.glyphs is not None else None)
    return (words + [gm.span_word(words[s.word], s.first, s.count) for s in spans],
            fits + [s.fit for s in spans])


def glyphs_module():
    """textcodec.glyphs, imported on first use (its fonts are checked then)."""
    from textcodec import glyphs

    _check_fonts()
    return glyphs


@lru_cache(maxsize=1)
def _check_fonts() -> None:
    from textcodec import glyphs

    glyphs.verify_fonts()


def glyph_candidates(words: list[Word], numbers: bool = True) -> list[Word]:
    """The words the encoder fits glyphs for: the guidance words and, with ``numbers``, the
    confirmed words holding a digit short enough to fit (glyphs.number_candidate)."""
    if not numbers:
        return guidance_words(words)
    gm = glyphs_module()
    return [w for w in words if w.draw and (not has_digit(w.text) or gm.number_candidate(w))]


def _fit_glyphs(rgb: np.ndarray, words: list[Word], numbers: bool = True):
    """Fits for the words the decoder may paint (``glyph_candidates``), those holding a digit
    kept only where the original bears every digit out (glyphs.numbers_checked); None for the
    others."""
    gm = glyphs_module()
    chosen = glyph_candidates(words, numbers)
    drawable = {id(w) for w in chosen}
    fitted = iter(gm.numbers_checked(rgb, chosen, gm.fit_words(rgb, chosen)))
    return [next(fitted) if id(w) in drawable else None for w in words]


def _fit_spans(rgb: np.ndarray, words: list[Word], fits: list,
               partly: dict[int, frozenset[int]] | None = None) -> list:
    """Spans (glyphs.fit_spans) for the confirmed phrases holding a digit that are not
    painted whole (``fits``: the whole fits; empty: none of them): of those too long to fit
    whole (glyphs.number_candidate), their numbers; of every one, its words without a digit.
    ``partly`` (word index -> token indices): of the phrases the cross-check did not confirm
    whole, the runs of the tokens it confirmed, without a digit."""
    partly = partly or {}
    numbered = [i for i, (w, f) in enumerate(zip(words, fits)) if w.draw and has_digit(w.text)
                and f is None]
    return glyphs_module().fit_spans(rgb, words, sorted(set(numbered) | set(partly)),
                                     allowed=partly)


FUSION_TILE = 128   # CPU: 128-px tiles run ~4x faster than one full frame (cache-sized)


def guidance_words(words: list[Word]) -> list[Word]:
    """The side stream's words that the fusion block may draw: those without a digit. A
    misread letter mostly leaves a word that still reads as the right one; a misread digit is
    another number, and numbers are what the trained blocks painted from misreadings
    (docs/benchmarks.md, "Substitutions"). So neither the block nor ``--fusion draw`` draws a
    digit; the side stream still carries them (``textcodec text``), and the fitted glyphs paint
    a number only where the encoder found every digit borne out by the original's pixels
    (``encode_image(numbers=True)``, textcodec.glyphs.numbers_checked). The encoder's
    cross-check (textcodec.crosscheck) flags the words a second OCR engine did not confirm on
    the original: not drawn either."""
    return [w for w in words if w.draw and not has_digit(w.text)]


def apply_fusion(block, x_hat, words: list[Word], quality: float = 0,
                 tile: int = FUSION_TILE, fits: list | None = None):
    """Run the fusion block where the words are; elsewhere it is the identity (gated by the box
    mask), so only tiles holding mask pixels are computed, each with a halo wider than the
    block's receptive field: the result equals a full-frame pass (tested). ``fits`` (one per
    word, or None for rendered guidance): the guidance drawn from them
    (textcodec.glyphs.guidance), for a block trained so."""
    import torch

    from textcodec.render import render

    _, _, H, W = x_hat.shape
    guide, mask = (render(words, W, H) if fits is None
                   else glyphs_module().guidance(words, fits, W, H))
    if not mask.any():
        return x_hat
    halo = block.receptive_radius + 1
    g_all = torch.from_numpy(guide).to(x_hat.device)[None, None]
    m_all = torch.from_numpy(mask).to(x_hat.device)[None, None]
    out = x_hat.clone()
    for y0 in range(0, H, tile):
        for x0 in range(0, W, tile):
            y1, x1 = min(H, y0 + tile), min(W, x0 + tile)
            if not mask[y0:y1, x0:x1].any():
                continue
            a0, a1 = max(0, y0 - halo), min(H, y1 + halo)
            b0, b1 = max(0, x0 - halo), min(W, x1 + halo)
            r = block(x_hat[:, :, a0:a1, b0:b1], g_all[:, :, a0:a1, b0:b1],
                      m_all[:, :, a0:a1, b0:b1], quality)
            out[:, :, y0:y1, x0:x1] = r[:, :, y0 - a0:y1 - a0, x0 - b0:x1 - b0]
    return out


def decode(data_or_path, **kwargs) -> Image.Image:
    """Decode .tlc bytes or a path to a PIL image (greyscale files come back greyscale)."""
    arr, f = decode_array(data_or_path, **kwargs)
    img = Image.fromarray(arr, "RGB")
    return img.convert("L") if f.header.mode is ImageMode.L else img


def _umask() -> int:
    """The process's file-creation mask: from /proc on Linux, else by setting it and setting
    it back at once (which another thread creating a file in between would see)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_atomic(path: Path, write, force: bool = False) -> None:
    """Write via a temporary file in the same folder, then rename: no partial outputs."""
    import tempfile

    from textcodec.errors import OutputError

    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path} exists (use --force to overwrite)")
    if path.is_dir():
        raise OutputError(f"{path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{folder}: no such folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".part", dir=folder)
    except OSError as e:
        raise OutputError(f"cannot write in {folder}: {e.strerror}") from None
    try:
        # mkstemp makes the file private (0600): give it the mode a plain open() would,
        # or the replaced file's own
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {e.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
