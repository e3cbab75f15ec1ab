"""Fusion blocks compared on the very same files: held-out images, real side streams.

    python tools/compare_fusion.py --dataset funsd --images 8 --qualities 2,4,6,8 \
        plain=models/textcodec-text-v2.pt:off v2=models/textcodec-text-v2.pt \
        rate=runs/s3/textcodec-fusR.pt --out runs/fusion.jsonl

Each NAME=CHECKPOINT[:off|:nocheck|:draw|:tightdraw|:noglyphs] is one decoder (":off" decodes
without the fusion block or the fitted glyphs and its file carries none, ":noglyphs" runs the
block on a file without fitted glyphs, ":nocheck" encodes without the encoder's cross-check, so
every guidance word is drawn, ":draw" draws the words over the plain decode instead of running the block, as
`textcodec decode --fusion draw`; ":tightdraw", a study, draws them into boxes fitted to the
original's ink (``tools/tighten.py``, rounded to whole pixels as the side stream rounds), the
glyphs filling each box; the bytes are those of the plain file; without a suffix the file is
made as `textcodec encode` makes it). The side stream is EasyOCR's reading of
the original, filtered as `textcodec encode` filters it (cached per image under
runs/sidestream-cache). Checkpoints that share a backbone make byte-identical
files, so their rows differ only by the fusion block. Scored against the dataset's ground-truth
words: CER/WER of english_g2 reading the true boxes, and with --tesseract of Tesseract 5
reading the whole page (an engine no part of textcodec was trained against); PSNR over the
whole image, inside the side stream's word boxes and outside them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from textcodec import codec
from textcodec.bench import datasets
from textcodec.bench.metrics import corpus_error, psnr, word_f1
from textcodec.ocr.engine import MIN_CONFIDENCE, filter_words, get_engine
from textcodec.render import render
from textcodec.words import Word

CACHE = Path("runs/sidestream-cache-all")


def side_words(item, min_confidence: float = MIN_CONFIDENCE) -> list[Word]:
    """EasyOCR's filtered reading of the original, as `textcodec encode` would send it (the
    cache holds every confidence, so one cache serves any --min-confidence)."""
    path = CACHE / (item.id.replace("/", "_") + ".json")
    if path.is_file():
        words = [Word(**w) for w in json.loads(path.read_text())]
    else:
        words = filter_words(get_engine("easyocr").read(item.image), min_confidence=0.0)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([dataclasses.asdict(w) for w in words]))
    return filter_words(words, min_confidence=min_confidence)


def tight_draw(original: np.ndarray, data: bytes, model: str) -> np.ndarray:
    """The plain decode with the file's guidance words drawn into ink-fitted boxes."""
    from textcodec.render import draw
    from tighten import tighten_words

    plain, _ = codec.decode_array(data, model=model, device="cpu", fusion="off")
    words = codec.guidance_words(codec.text_layer(data))
    fitted = [dataclasses.replace(w, cx=round(w.cx), cy=round(w.cy), width=round(w.width),
                                  height=round(w.height))
              for w in tighten_words(original, words)]
    drawn = draw(plain.astype(np.float32) / 255, fitted, fill=1.0)
    return (np.clip(drawn, 0, 1) * 255).round().astype(np.uint8)


def masked_psnr(a: np.ndarray, b: np.ndarray, m: np.ndarray) -> float:
    if not m.any():
        return float("nan")
    d = (a.astype(np.float64) - b.astype(np.float64))[m]
    return float(10 * np.log10(255 ** 2 / max(np.mean(d ** 2), 1e-10)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("decoders", nargs="+",
                   help="NAME=CHECKPOINT[:off|:nocheck|:draw|:tightdraw|:noglyphs]")
    p.add_argument("--dataset", default="funsd")
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--skip", type=int, default=0, help="leave out the data set's first N")
    p.add_argument("--qualities", default="2,4,6,8")
    p.add_argument("--tesseract", action="store_true")
    p.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE,
                   help="side-stream filter: the least OCR confidence a word needs")
    p.add_argument("--out", type=Path, help="write result rows here (JSONL)")
    args = p.parse_args()
    from textcodec.bench.textscore import EngineReader, Reader

    reader = Reader()
    tess = None
    if args.tesseract:
        from textcodec.ocr.engine import get_engine

        tess = EngineReader(get_engine("tesseract"))
    items = list(datasets.load(args.dataset, limit=args.skip + args.images))[args.skip:]
    specs = []
    for spec in args.decoders:
        name, rest = spec.split("=", 1)
        path, _, flag = rest.partition(":")
        if flag not in ("", "off", "nocheck", "draw", "tightdraw", "noglyphs"):
            p.error(f"{spec}: the suffix must be :off, :nocheck, :draw, :tightdraw or :noglyphs")
        mode = {"off": "off", "draw": "draw", "tightdraw": "tightdraw"}.get(flag, "always")
        # the fitted glyphs (textcodec.glyphs) travel only where the decode paints them
        specs.append((name, path, mode, "off" if flag == "nocheck" else "auto",
                      mode == "always" and flag != "noglyphs"))
    qualities = [float(v) for v in args.qualities.split(",")]
    acc: dict[tuple[str, float], dict] = {}
    for item in items:
        words = side_words(item, args.min_confidence)
        truth = [w for w in item.truth or [] if w.height >= 6]
        h, w = item.image.shape[:2]
        inside = None
        files: dict[tuple[str, float], bytes] = {}
        for name, path, fusion, check, glyphs in specs:
            for q in qualities:
                key = (path, q, check, glyphs)
                if key not in files:
                    files[key] = codec.encode(item.image, words=words, quality=q, model=path,
                                              side_codec="zstd", device="cpu",
                                              cross_check=check, glyphs=glyphs)
                if fusion == "tightdraw":
                    rec = tight_draw(item.image, files[key], path)
                else:
                    rec, _ = codec.decode_array(files[key], model=path, device="cpu",
                                                fusion=fusion)
                if inside is None:  # the boxes as the file carries them (quantised)
                    inside = render(codec.text_layer(files[key]), w, h)[1] > 0
                boxes = [t.axis_aligned_box() for t in truth]
                a = acc.setdefault((name, q), {"bits": 0, "px": 0, "pairs": [], "tess": [],
                                               "psnr": [], "text": [], "rest": []})
                a["bits"] += 8 * len(files[key])
                a["px"] += h * w
                a["pairs"] += list(zip([t.text for t in truth], reader.read(rec, boxes)))
                if tess is not None:
                    a["tess"] += list(zip([t.text for t in truth], tess.read(rec, boxes)))
                a["psnr"].append(psnr(item.image, rec))
                a["text"].append(masked_psnr(item.image, rec, inside))
                a["rest"].append(masked_psnr(item.image, rec, ~inside))
        print(f"{item.id}: {len(words)} side-stream words", flush=True)
        rows = summarise(acc, args.dataset, items.index(item) + 1)
        if args.out:  # rewritten after every image: an interrupted run keeps what it did
            tmp = args.out.with_suffix(".part")
            tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
            tmp.replace(args.out)
    for r in rows:
        print(json.dumps(r))


def pairs_f1(pairs: list[tuple[str, str]]) -> float:
    """TextBoost's word F1 over (truth, reading) pairs: every true word against every word
    read, as bags."""
    return word_f1([w for ref, _ in pairs for w in ref.split()],
                   [w for _, hyp in pairs for w in hyp.split()])


def summarise(acc: dict, dataset: str, images: int) -> list[dict]:
    rows = []
    for (name, q), a in acc.items():
        row = {"dataset": dataset, "images": images, "decoder": name, "quality": q,
               "bpp": round(a["bits"] / a["px"], 5), "psnr": round(float(np.mean(a["psnr"])), 3),
               "psnr_text": round(float(np.nanmean(a["text"])), 3),
               "psnr_nontext": round(float(np.nanmean(a["rest"])), 3),
               "cer": round(corpus_error(a["pairs"]), 4),
               "wer": round(corpus_error(a["pairs"], words=True), 4),
               "f1": round(pairs_f1(a["pairs"]), 4)}
        if a["tess"]:
            row["cer_tesseract"] = round(corpus_error(a["tess"]), 4)
            row["wer_tesseract"] = round(corpus_error(a["tess"], words=True), 4)
            row["f1_tesseract"] = round(pairs_f1(a["tess"]), 4)
        rows.append(row)
    return rows


if __name__ == "__main__":
    main()
