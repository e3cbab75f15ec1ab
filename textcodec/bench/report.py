"""Summaries of a results.jsonl: terminal table, Bjontegaard figures, RD plots, HTML."""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textcodec.bench.metrics import bd_quality, bd_rate


@dataclass
class Point:
    codec: str
    setting: float
    images: int
    bpp: float
    psnr: float
    cer: float
    wer: float
    f1: float
    gt_cer: float
    gt_wer: float
    encode_s: float
    decode_s: float
    ms_ssim: float = float("nan")


def load(results: Path, dataset: str | None = None) -> list[dict]:
    rows = []
    for line in results.read_text().splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if dataset is None or r["dataset"] == dataset:
            rows.append(r)
    return rows


def aggregate(rows: list[dict]) -> list[Point]:
    """Mean bpp / PSNR over images; CER and WER as total edits over total reference length."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["codec"], r["setting"])].append(r)
    pts = []
    for (codec, setting), rs in sorted(groups.items()):
        def ratio(num, den):
            d = sum(r[den] for r in rs)
            return sum(r[num] for r in rs) / d if d else float("nan")
        pts.append(Point(codec, setting, len(rs), float(np.mean([r["bpp"] for r in rs])),
                         float(np.mean([min(r["psnr"], 100) for r in rs])),
                         ratio("char_edits", "chars"), ratio("word_edits", "words"),
                         float(np.mean([r["f1"] for r in rs])),
                         ratio("gt_char_edits", "gt_chars"), ratio("gt_word_edits", "gt_words"),
                         float(np.mean([r["encode_s"] for r in rs])),
                         float(np.mean([r["decode_s"] for r in rs])),
                         _mean_of_measured([r.get("ms_ssim", float("nan")) for r in rs])))
    return pts


def _mean_of_measured(values: list[float]) -> float:
    """The mean over the images that have the metric (MS-SSIM is undefined below ~161 px on
    a side, e.g. a 196x29 toolbar): one tiny image must not blank the column."""
    measured = [v for v in values if not math.isnan(v)]
    return float(np.mean(measured)) if measured else float("nan")


def by_codec(points: list[Point]) -> dict[str, list[Point]]:
    d: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        d[p.codec].append(p)
    for v in d.values():
        v.sort(key=lambda p: p.bpp)
    return dict(d)


def bjontegaard(points: list[Point], anchor: str) -> dict[str, dict[str, float]]:
    """BD-rate (PSNR), BD-PSNR, BD-rate (CER), BD-CER and BD-WER of each codec vs ``anchor``.

    BD-CER / BD-WER are the mean change of CER / WER (absolute, in percentage points) at
    equal bpp, as the text-logit-loss paper reports them; negative is better. The CER-axis
    BD-rate is also given by PCHIP (``bd_rate_cer_pchip``): CER flattens at a floor at high
    rates, where Bjontegaard's single cubic overshoots (tests/test_metrics.py)."""
    curves = by_codec(points)
    if anchor not in curves:
        return {}
    a = curves[anchor]
    out = {}
    for name, c in curves.items():
        if name == anchor or len(c) < 4 or len(a) < 4:
            continue
        ra, rb = [p.bpp for p in a], [p.bpp for p in c]
        out[name] = {
            "bd_rate_psnr": bd_rate(ra, [p.psnr for p in a], rb, [p.psnr for p in c]),
            "bd_psnr": bd_quality(ra, [p.psnr for p in a], rb, [p.psnr for p in c]),
            "bd_rate_cer": bd_rate(ra, [-p.cer for p in a], rb, [-p.cer for p in c]),
            "bd_rate_cer_pchip": bd_rate(ra, [-p.cer for p in a], rb, [-p.cer for p in c],
                                         "pchip"),
            "bd_cer": 100 * bd_quality(ra, [p.cer for p in a], rb, [p.cer for p in c]),
            "bd_wer": 100 * bd_quality(ra, [p.wer for p in a], rb, [p.wer for p in c]),
        }
    return out


def print_table(points: list[Point], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    gt = any(not math.isnan(p.gt_cer) for p in points)
    t = Table(title=title)
    for col in ["codec", "setting", "bpp", "PSNR", "MS-SSIM", "CER", "WER", "F1"] + \
            (["GT CER", "GT WER"] if gt else []) + ["enc s", "dec s"]:
        t.add_column(col, justify="left" if col == "codec" else "right")
    for p in points:
        row = [p.codec, f"{p.setting:g}", f"{p.bpp:.4f}", f"{p.psnr:.2f}", f"{p.ms_ssim:.4f}",
               f"{p.cer:.3f}",
               f"{p.wer:.3f}", f"{p.f1:.3f}"]
        if gt:
            row += [f"{p.gt_cer:.3f}", f"{p.gt_wer:.3f}"]
        t.add_row(*row, f"{p.encode_s:.2f}", f"{p.decode_s:.2f}")
    Console(width=max(140, Console().width)).print(t)


def plot(points: list[Point], out: Path, title: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = by_codec(points)
    paths = []
    for metric, label in (("psnr", "PSNR (dB)"), ("cer", "CER vs original's reading"),
                          ("gt_cer", "CER vs ground truth")):
        if metric == "gt_cer" and all(math.isnan(p.gt_cer) for p in points):
            continue
        fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=110)
        for name, c in curves.items():
            style = "-o" if name.startswith("textcodec") else "--s"
            ax.plot([p.bpp for p in c], [getattr(p, metric) for p in c], style, ms=4,
                    label=name, lw=2 if name == "textcodec" else 1.2)
        ax.set_xscale("log")
        ax.set_xlabel("bits per pixel (whole file)")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        p = out / f"rd-{metric}.png"
        fig.savefig(p)
        plt.close(fig)
        paths.append(p)
    return paths


def write_html(points: list[Point], bd: dict, plots: list[Path], crops: Path | None,
               out: Path, title: str, anchor: str, records: list[dict] | None = None) -> Path:
    rows = "".join(
        f"<tr><td>{html.escape(p.codec)}</td><td>{p.setting:g}</td><td>{p.bpp:.4f}</td>"
        f"<td>{p.psnr:.2f}</td><td>{p.cer:.3f}</td><td>{p.wer:.3f}</td><td>{p.f1:.3f}</td>"
        f"<td>{p.encode_s:.2f}</td><td>{p.decode_s:.2f}</td></tr>" for p in points)
    bd_rows = "".join(
        f"<tr><td>{html.escape(k)}</td>" + "".join(f"<td>{v[m]:+.1f}</td>" for m in
                                                    ("bd_rate_psnr", "bd_psnr", "bd_rate_cer",
                                                     "bd_cer", "bd_wer")) + "</tr>"
        for k, v in bd.items())
    imgs = "".join(f'<img src="{p.name}" style="max-width:48%">' for p in plots)
    if not bd_rows:
        bd_rows = ('<tr><td colspan="6">needs at least 4 settings per codec and '
                   f'{html.escape(anchor)} among the codecs (use --points 4 or more)</td></tr>')
    bpp = {(r["image"].replace("/", "_"), r["codec"], f"{r['setting']:g}"): r["bpp"]
           for r in records or []}
    crop_html = ""
    if crops is not None and crops.is_dir():
        groups: dict[str, list[Path]] = defaultdict(list)
        for p in sorted(crops.glob("*.png")):
            groups[p.name.split("__")[0]].append(p)
        for image, files in groups.items():
            files.sort(key=lambda f: (not f.stem.endswith("__original"), f.stem))
            cells = ""
            for f in files:
                parts = f.stem.split("__")
                label = " ".join(parts[1:])
                if len(parts) == 3 and (image, parts[1], parts[2]) in bpp:
                    label += f" ({bpp[(image, parts[1], parts[2])]:.3f} bpp)"
                cells += (f'<figure style="display:inline-block;margin:4px"><img src="'
                          f'{crops.name}/{f.name}"><figcaption>{html.escape(label)}'
                          f"</figcaption></figure>")
            crop_html += f"<h3>{html.escape(image)}</h3>{cells}"
    page = f"""<!doctype html><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 8px;text-align:right}}
table{{border-collapse:collapse}}tr:nth-child(even){{background:#f3f3f3}}</style>
<h1>{html.escape(title)}</h1>
<h2>Bjontegaard figures against {html.escape(anchor)}</h2>
<table><tr><th>codec</th><th>BD-rate PSNR %</th><th>BD-PSNR dB</th><th>BD-rate CER %</th>
<th>BD-CER pts</th><th>BD-WER pts</th></tr>{bd_rows}</table>
<h2>Rate-distortion</h2>{imgs}
<h2>All points</h2><table><tr><th>codec</th><th>setting</th><th>bpp</th><th>PSNR</th>
<th>CER</th><th>WER</th><th>F1</th><th>enc s</th><th>dec s</th></tr>{rows}</table>
<h2>Text crops</h2>{crop_html}"""
    path = out / "report.html"
    path.write_text(page)
    return path
