"""BD figures of checkpoints against an anchor, from compare_checkpoints.py's JSONL rows.

    python tools/bd_summary.py --anchor base7 docs/bench/checkpoints-session5-b.jsonl \\
        docs/bench/checkpoints-session6.jsonl [--qualities 4,5,6,7,8]

Prints a Markdown table: BD-rate at equal CER and BD-CER at equal rate (points), each by
Bjontegaard's cubic fit and by PCHIP (textcodec.bench.metrics), then BD-PSNR and BD-rate at
equal PSNR, each model against the anchor (negative rate / CER = better).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec.bench.metrics import bd_quality, bd_rate


def curves(paths: list[Path], qualities: set[float]) -> dict[str, tuple[list, list, list]]:
    """model -> (bpp, cer, psnr) over the chosen qualities, in quality order."""
    rows = [json.loads(line) for p in paths for line in p.read_text().splitlines() if line]
    out: dict[str, tuple[list, list, list]] = {}
    for r in sorted(rows, key=lambda r: r["quality"]):
        if "model" in r and r["quality"] in qualities:
            c = out.setdefault(r["model"], ([], [], []))
            c[0].append(r["bpp"])
            c[1].append(r.get("cer"))   # photos (--photos) carry PSNR alone
            c[2].append(r["psnr"])
    return out


def table(found: dict[str, tuple[list, list, list]], anchor: str) -> list[str]:
    if anchor not in found:
        raise SystemExit(f"no rows for the anchor {anchor!r} (have: {', '.join(found)})")
    a = found[anchor]
    lines = [f"| model (vs {anchor}) | BD-rate (CER) | BD-rate (CER), PCHIP | BD-CER "
             "| BD-CER, PCHIP | BD-PSNR | BD-rate (PSNR) |", "|---|---|---|---|---|---|---|"]
    for name, c in found.items():
        if name == anchor:
            continue
        if None in a[1] or None in c[1]:
            cells = ["n/a"] * 4
        else:
            cells = [f"{bd_rate(a[0], [-v for v in a[1]], c[0], [-v for v in c[1]], m):+.1f} %"
                     for m in ("cubic", "pchip")]
            cells += [f"{100 * bd_quality(a[0], a[1], c[0], c[1], m):+.1f} pts"
                      for m in ("cubic", "pchip")]
        lines.append(f"| {name} | {' | '.join(cells)} "
                     f"| {bd_quality(a[0], a[2], c[0], c[2]):+.2f} dB "
                     f"| {bd_rate(a[0], a[2], c[0], c[2]):+.1f} % |")
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--anchor", required=True)
    p.add_argument("--qualities", default="4,5,6,7,8")
    args = p.parse_args()
    qualities = {float(q) for q in args.qualities.split(",")}
    print("\n".join(table(curves(args.files, qualities), args.anchor)))


if __name__ == "__main__":
    main()
