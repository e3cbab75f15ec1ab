"""How well does the guidance map line up with the original's ink? A study for issue 5.

    python tools/guidance_alignment_study.py --dataset funsd --images 8 \
        --model models/textcodec-text-v20.pt --qualities 0,2,4 [--fonts A.ttf B.ttf ...]

The fusion block is trained to bring the decode closer to the original (MSE); it can only
paint the guidance's glyphs where they fall on the original's strokes. For each side-stream
word (EasyOCR's reading, filtered as `textcodec encode` filters it) this measures, for the box
as OCR gives it (glyphs filling it: the guidance map), the same box with the drawn words' margin
(``DRAW_FILL``), the box tightened to the ink (``tools/tighten.py``, glyphs filling it) and,
with --fonts, the tightened box rendered in whichever font lines up best with each word:

- ink IoU: the rendered strokes (> 0.5) against the original's ink inside the OCR box;
- oracle paint PSNR: the boxes repainted with the word's true paper and ink colours (taken
  from the original, which no decoder has) and the rendered glyphs, against the original,
  over the OCR boxes: what painting the guidance could give at best, beside the plain decode's
  PSNR over the same pixels at each --qualities (the mush a block starts from).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from textcodec import codec
from textcodec.bench import datasets
from textcodec.render import DRAW_FILL, FONT_PATH, placements, render
from compare_fusion import masked_psnr, side_words   # beside this script (on sys.path)
from tighten import LUMA, ink_map, tighten_words


def _fit(lum: np.ndarray, glyphs: np.ndarray, box: np.ndarray) -> tuple[float, np.ndarray]:
    """(ink IoU, the original's ink) of rendered glyphs over a box region's luminance."""
    ink = ink_map(lum) & (box > 0.5)
    drawn = (glyphs > 0.5) & (box > 0.5)
    union = (ink | drawn).sum()
    return (float((ink & drawn).sum() / union) if union else 0.0), ink


def _paint(img: np.ndarray, out: np.ndarray, region, glyphs, box, ink) -> None:
    """Repaint ``out[region]`` with the original's paper and ink colours under ``glyphs``."""
    inside = box > 0.5
    if not ink.any() or not (inside & ~ink).any():
        return
    paper = np.median(img[region][inside & ~ink], axis=0)
    colour = img[region][ink].mean(axis=0)
    g, b = glyphs[..., None], box[..., None]
    out[region] = out[region] * (1 - b) + (paper * (1 - g) + colour * g) * b


def _as_uint8(out: np.ndarray) -> np.ndarray:
    return (out * 255).round().clip(0, 255).astype(np.uint8)


def paint_oracle(original: np.ndarray, words, fill: float) -> tuple[np.ndarray, list[float]]:
    """(painted image, per-word ink IoU): each box repainted with the original's own paper
    and ink colours under the rendered glyphs."""
    img = original.astype(np.float32) / 255
    out, lum = img.copy(), img @ LUMA
    ious = []
    for _, region, glyphs, box in placements(words, lum.shape[1], lum.shape[0], fill):
        iou, ink = _fit(lum[region], glyphs, box)
        ious.append(iou)
        _paint(img, out, region, glyphs, box, ink)
    return _as_uint8(out), ious


def paint_best_font(original: np.ndarray, words,
                    fonts: list[Path]) -> tuple[np.ndarray, list[float], dict]:
    """paint_oracle with each word rendered in whichever of ``fonts`` lines up best with the
    original's ink (the choice an encoder could send in a few bits a word): (painted image,
    per-word best IoU, how often each font won)."""
    import textcodec.render as render_module
    from PIL import ImageFont

    img = original.astype(np.float32) / 255
    out, lum = img.copy(), img @ LUMA
    plain_font = render_module._font
    ious, wins = [], {f.stem: 0 for f in fonts}
    try:
        for word in words:
            best = None
            for f in fonts:
                render_module._font = (lambda size, f=f: ImageFont.truetype(
                    str(f), size, layout_engine=ImageFont.Layout.BASIC))
                for _, region, glyphs, box in placements([word], lum.shape[1], lum.shape[0]):
                    iou, ink = _fit(lum[region], glyphs, box)
                    if best is None or iou > best[0]:
                        best = (iou, f.stem, region, glyphs, box, ink)
            if best is not None:
                ious.append(best[0])
                wins[best[1]] += 1
                _paint(img, out, *best[2:])
    finally:
        render_module._font = plain_font
    return _as_uint8(out), ious, wins


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="funsd")
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--model", default=None, help="decode with this checkpoint (plain)")
    p.add_argument("--qualities", default="0,2,4")
    p.add_argument("--fonts", nargs="*", type=Path, default=[],
                   help="also paint each ink-fitted word in whichever of these font files "
                        "(and the bundled one) lines up best with the original")
    p.add_argument("--out", type=Path)
    args = p.parse_args()

    qualities = [float(v) for v in args.qualities.split(",")] if args.model else []
    acc: dict[str, list] = {}
    for item in datasets.load(args.dataset, limit=args.images):
        words = [w for w in side_words(item) if w.draw]
        h, w = item.image.shape[:2]
        tight = tighten_words(item.image, words)
        mask = render(words, w, h)[1] > 0.5
        variants = {"box": (words, 1.0), "fill%.1f" % DRAW_FILL: (words, DRAW_FILL),
                    "tight": (tight, 1.0)}
        for name, (ws, fill) in variants.items():
            painted, ious = paint_oracle(item.image, ws, fill)
            acc.setdefault(f"iou {name}", []).extend(ious)
            acc.setdefault(f"oracle psnr {name}", []).append(
                masked_psnr(item.image, painted, mask))
        if args.fonts:
            painted, ious, wins = paint_best_font(item.image, tight, [FONT_PATH, *args.fonts])
            acc.setdefault("iou best font", []).extend(ious)
            acc.setdefault("oracle psnr best font", []).append(
                masked_psnr(item.image, painted, mask))
            for name, n in wins.items():
                acc.setdefault(f"wins {name}", []).append(n)
        for q in qualities:
            data = codec.encode(item.image, words=words, quality=q, model=args.model,
                                device="cpu", cross_check="off")
            rec, _ = codec.decode_array(data, model=args.model, device="cpu", fusion="off")
            acc.setdefault(f"decode psnr q{q:g}", []).append(masked_psnr(item.image, rec, mask))
        print(f"{item.id}: {len(words)} words", flush=True)
    rows = {k: (int(np.sum(v)) if k.startswith("wins") else round(float(np.mean(v)), 4))
            for k, v in acc.items()}
    rows.update(dataset=args.dataset, images=args.images, words=len(acc["iou box"]))
    print(json.dumps(rows, indent=1))
    if args.out:
        args.out.write_text(json.dumps(rows) + "\n")


if __name__ == "__main__":
    main()
