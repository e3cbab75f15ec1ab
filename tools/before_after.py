"""docs/img/before-after.png: a crop of the sample screenshot, original vs textcodec (with and
without its fusion block: the same file) vs JPEG and WebP at about the same file size
(whole-image bytes; the crop is for viewing).

    python tools/before_after.py [--quality 3] [--out docs/img/before-after.png]
        [--image PATH --box X0,Y0,X1,Y1]      (default: the sample screenshot)

At quality 5 and below the file carries the fitted glyphs (textcodec.glyphs) and "textcodec"
is painted where the encoder marked words; "fusion off" is the same file without block or
painting.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def smallest_at_least(fmt: str, img: Image.Image, budget: int, qualities) -> tuple[bytes, int]:
    """The largest quality whose file is <= budget (else the smallest file)."""
    best = None
    for q in qualities:
        buf = io.BytesIO()
        img.save(buf, format=fmt, quality=q)
        if buf.tell() <= budget or best is None:
            best = (buf.getvalue(), q)
    return best


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quality", type=float, default=3.0)
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "before-after.png")
    p.add_argument("--image", type=Path,
                   default=ROOT / "textcodec" / "samples" / "screenshot.png")
    p.add_argument("--box", default="40,150,520,390", help="the crop shown, X0,Y0,X1,Y1")
    args = p.parse_args()
    import textcodec

    src = Image.open(args.image).convert("RGB")
    r = textcodec.encode_image(src, quality=args.quality)
    ours = textcodec.decode(r.data)
    budget = len(r.data)
    plain = textcodec.decode(r.data, fusion=False)
    panels = [("original", src), (f"textcodec {budget} B", ours),
              ("textcodec, same file, fusion off", plain)]
    for fmt in ("JPEG", "WEBP"):
        data, q = smallest_at_least(fmt, src, budget, range(1, 96))
        panels.append((f"{fmt.lower()} q{q} {len(data)} B", Image.open(io.BytesIO(data))))
    box = tuple(int(v) for v in args.box.split(","))
    w, h = box[2] - box[0], box[3] - box[1]
    sheet = Image.new("RGB", (w * 3 + 20, (h + 32) * 2), "white")
    d = ImageDraw.Draw(sheet)
    for i, (label, im) in enumerate(panels):
        x, y = (i % 3) * (w + 10), (i // 3) * (h + 32)
        sheet.paste(im.convert("RGB").crop(box), (x, y + 20))
        d.text((x + 4, y + 4), label, fill=(0, 0, 0))
    out = args.out
    sheet.save(out)
    print(f"{out}: textcodec {budget} bytes ({r.bpp:.3f} bpp)")


if __name__ == "__main__":
    main()
