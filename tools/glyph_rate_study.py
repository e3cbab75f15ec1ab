"""Would painting the fitted glyphs above quality 5 pay? (session 40, a study)

    python tools/glyph_rate_study.py [--sets synthetic,funsd,gimp,web,qt] [--qualities 6,8]
                                     [--max 10] [--out docs/bench/glyph-rates.json]

The encoder fits and paints glyphs only up to ``codec.GLYPHS_MAX_QUALITY`` (5), so that the
default rate (6) spends no time on the fit. The main bench's CER curves meet the baseline's
from quality 6 up, and BD-rate on CER integrates over that range too. This runs the default
model's files at the given qualities twice, as shipped and with the glyphs allowed up to
``--max``, on the main bench's images (the same limits), scored as the bench scores them
(`textcodec bench`: EasyOCR's boxes on the original read by english_g2; the ground truth
where the set has it), and prints what painting adds there: bytes, PSNR, CER, word F1, and the
encode's seconds.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from textcodec import codec
from textcodec.bench import codecs, runner
from textcodec.bench.report import load

from study_output import write_study   # beside this script (on sys.path)

ROOT = Path(__file__).resolve().parent.parent
LIMITS = {"synthetic": 3, "funsd": 2, "gimp": 12, "web": 3, "qt": 12}   # the main bench's


def variant(name: str, max_quality: float, qualities: list[float]):
    """The default model's `textcodec` codec with the glyphs fitted up to ``max_quality``."""
    base = codecs.get_codec("textcodec")

    def enc(image, q, words=None):
        shipped = codec.GLYPHS_MAX_QUALITY
        codec.GLYPHS_MAX_QUALITY = max_quality
        try:
            return codec.encode_image(image, quality=q, words=words).data
        finally:
            codec.GLYPHS_MAX_QUALITY = shipped
    return lambda: replace(base, name=name, settings=qualities, encode=enc)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default=",".join(LIMITS))
    p.add_argument("--qualities", default="6,8")
    p.add_argument("--max", type=float, default=10)
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "glyph-rates")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "glyph-rates.json")
    args = p.parse_args()
    qualities = [float(q) for q in args.qualities.split(",")]
    names = {"shipped": codec.GLYPHS_MAX_QUALITY, "painted": args.max}
    for name, top in names.items():
        codecs.CODECS[name] = variant(name, top, qualities)
    summary = []
    for ds in args.sets.split(","):
        path = runner.run(ds, list(names), args.work / ds, limit=LIMITS.get(ds, 3))
        rows = load(path)
        for q in qualities:
            cell = {"set": ds, "quality": q}
            for name in names:
                mine = [r for r in rows if r["codec"] == name and r["setting"] == q]

                def total(key):
                    return sum(r[key] for r in mine)
                cell[name] = {
                    "images": len(mine),
                    "bpp": 8 * total("bytes") / sum(8 * r["bytes"] / r["bpp"] for r in mine),
                    "psnr": total("psnr") / len(mine),
                    "cer": total("char_edits") / max(1, total("chars")),
                    "wer": total("word_edits") / max(1, total("words")),
                    "f1": total("f1") / len(mine),
                    "encode_s": total("encode_s") / len(mine)}
                if all(r.get("gt_chars") for r in mine):
                    cell[name]["gt_cer"] = total("gt_char_edits") / total("gt_chars")
            a, b = cell["shipped"], cell["painted"]
            print(f"{ds} q{q:g}: bpp {a['bpp']:.4f} -> {b['bpp']:.4f}, PSNR {a['psnr']:.2f} -> "
                  f"{b['psnr']:.2f}, CER {a['cer']:.3f} -> {b['cer']:.3f}, F1 {a['f1']:.3f} -> "
                  f"{b['f1']:.3f}, encode {a['encode_s']:.2f} -> {b['encode_s']:.2f} s",
                  flush=True)
            summary.append(cell)
    write_study(args.out, args, cells=summary)


if __name__ == "__main__":
    main()
