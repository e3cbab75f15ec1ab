"""Run a benchmark: every image x codec x setting, appended to a resumable JSONL file.

A record is written as soon as it is measured; a rerun skips the (image, codec, setting)
triples already on file, so an interrupted run continues where it stopped.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from textcodec.bench import datasets
from textcodec.bench.codecs import Codec, get_codec
from textcodec.bench.metrics import ms_ssim, psnr
from textcodec.bench.textscore import EngineReader, Reader, score


# the page reading that scores every codec (and feeds textcodec's side stream): the float
# networks, so figures do not move with a CPU's int8 support (the encoder's default)
REFERENCE_ENGINE = {"easyocr": "easyocr-float"}
MAX_BOXES = 120  # boxes scored per image: recognition of every box of every point is the
                 # bench's cost on a CPU; an evenly spaced subset keeps pages comparable


def _subset(items: list, k: int | None) -> list:
    """At most k items, evenly spaced in reading order (deterministic)."""
    if k is None or len(items) <= k:
        return list(items)
    idx = np.linspace(0, len(items) - 1, k).round().astype(int)
    return [items[i] for i in idx]


@dataclass
class Record:
    dataset: str
    image: str
    codec: str
    setting: float
    bytes: int
    bpp: float
    psnr: float
    encode_s: float
    decode_s: float
    boxes: int
    chars: int
    char_edits: int
    words: int
    word_edits: int
    f1: float
    gt_chars: int = 0
    gt_char_edits: int = 0
    gt_words: int = 0
    gt_word_edits: int = 0
    gt_f1: float = float("nan")
    ms_ssim: float = float("nan")


def _repair(path: Path) -> None:
    """Drop a half-written last line left by an interrupted run."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[:data.rfind(b"\n") + 1])


def _done(path: Path) -> set[tuple]:
    _repair(path)
    if not path.exists():
        return set()
    keys = set()
    for line in path.read_text().splitlines():
        try:
            r = json.loads(line)
            keys.add((r["dataset"], r["image"], r["codec"], float(r["setting"])))
        except (ValueError, KeyError):
            continue  # a half-written last line from an interrupted run
    return keys


def run(dataset: str, codec_names: list[str], out: Path, points: int | None = None,
        limit: int | None = None, device: str = "cpu", progress: bool = True,
        crops_dir: Path | None = None, max_boxes: int | None = MAX_BOXES,
        ocr_engine: str = "easyocr", side_ocr: str | None = None) -> Path:
    """Bench codecs on a data set. ``ocr_engine`` finds and reads the scored text (EasyOCR's
    boxes are read by english_g2, the papers' protocol; another engine reads its own boxes on
    each image). textcodec's side stream is read by ``side_ocr``, an engine name (None: the
    one `textcodec encode` reads with by default, ``engine.default_engine()``, the light
    pipeline, so the rows are what users get; "easyocr-float" is the reading the scored
    boxes come from, CRAFT's, as the main bench's rows were made before session 46)."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    from textcodec.ocr import engine as engines
    from textcodec.ocr.engine import get_engine

    codecs: list[Codec] = [get_codec(n) for n in codec_names]
    items = list(datasets.load(dataset, limit))
    out.mkdir(parents=True, exist_ok=True)   # only once the codecs and images are known
    results = out / "results.jsonl"
    done = _done(results)
    total = sum(len(c.sweep(points)) for c in codecs) * len(items)
    # scoring: EasyOCR's boxes read by english_g2 (the papers' protocol), or another engine's
    # boxes read by that engine, so a codec trained against english_g2 is judged by a stranger
    reader = Reader(device) if ocr_engine == "easyocr" else EngineReader(get_engine(ocr_engine))
    # the engine whose page reading gives the scored boxes (None: the reader's own), and
    # whether that reading serves as the side stream's too (one engine makes both)
    page_engine = None if isinstance(reader, EngineReader) else \
        REFERENCE_ENGINE.get(ocr_engine, ocr_engine)
    side_name = side_ocr or engines.default_engine()
    same = side_name == page_engine
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), disable=not progress, transient=False) as bar, \
            open(results, "a") as sink:
        task = bar.add_task(f"bench {dataset}", total=total)
        for item in items:
            todo = [(c, s) for c in codecs for s in c.sweep(points)
                    if (dataset, item.id, c.name, float(s)) not in done]
            bar.advance(task, sum(len(c.sweep(points)) for c in codecs) - len(todo))
            if not todo:
                continue
            bar.update(task, description=f"OCR {item.id}")
            if isinstance(reader, EngineReader):   # the reader's page reading is the one
                page_words = reader.words(item.image)
            else:
                page_words = get_engine(page_engine).read(item.image)   # boxes + text, once
            boxes = _subset([w.axis_aligned_box() for w in page_words], max_boxes)
            side_source = page_words
            if not same and any(c.wants_words for c, _ in todo):
                side_source = get_engine(side_name).read(item.image)
            reference = reader.read(item.image, boxes)
            gt = item.truth or []
            gt = _subset(gt, max_boxes)
            gt_boxes = [w.axis_aligned_box() for w in gt]
            for codec, setting in todo:
                bar.update(task, description=f"{codec.name} {setting:g} {item.id}")
                t = time.perf_counter()
                data = codec.encode(item.image, setting,
                                    words=side_source if codec.wants_words else None)
                t_enc = time.perf_counter() - t
                t = time.perf_counter()
                rec = codec.decode(data)
                t_dec = time.perf_counter() - t
                s = score(reference, reader.read(rec, boxes))
                r = Record(dataset, item.id, codec.name, float(setting), len(data),
                           len(data) * 8 / (rec.shape[0] * rec.shape[1]),
                           psnr(item.image, rec), t_enc, t_dec, len(boxes), s.chars,
                           s.char_edits, s.words, s.word_edits, s.f1)
                r.ms_ssim = ms_ssim(item.image, rec)
                if gt:
                    g = score([w.text for w in gt], reader.read(rec, gt_boxes))
                    r.gt_chars, r.gt_char_edits = g.chars, g.char_edits
                    r.gt_words, r.gt_word_edits, r.gt_f1 = g.words, g.word_edits, g.f1
                sink.write(json.dumps(asdict(r)) + "\n")
                sink.flush()
                if crops_dir is not None:
                    _save_crop(crops_dir, item, codec.name, setting, rec, r.bpp, boxes)
                bar.advance(task)
    return results


def _save_crop(folder: Path, item, codec: str, setting: float, rec: np.ndarray, bpp: float,
               boxes) -> None:
    """A crop around the densest small text, for side-by-side views in the HTML report."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    h, w = rec.shape[:2]
    cy, cx = h // 2, w // 2
    if boxes:
        small = sorted(boxes, key=lambda b: (b[3] - b[1]))[: max(1, len(boxes) // 2)]
        cx = int(np.median([(b[0] + b[2]) / 2 for b in small]))
        cy = int(np.median([(b[1] + b[3]) / 2 for b in small]))
    size = 192
    x0 = min(max(0, cx - size), max(0, w - 2 * size))
    y0 = min(max(0, cy - size // 2), max(0, h - size))
    crop = rec[y0:y0 + size, x0:x0 + 2 * size]
    safe = item.id.replace("/", "_")
    Image.fromarray(crop).save(folder / f"{safe}__{codec}__{setting:g}.png")
    orig = folder / f"{safe}__original.png"
    if not orig.exists():
        Image.fromarray(item.image[y0:y0 + size, x0:x0 + 2 * size]).save(orig)
