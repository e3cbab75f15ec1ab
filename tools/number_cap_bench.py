"""What the cap on the phrases fitted for their numbers costs in the main bench (session 40).

    python tools/number_cap_bench.py [--sets web:3,qt:12] [--work runs/nocap]
                                     [--out docs/bench/nocap-s40]

Runs the main bench's `textcodec` rows of each set (`textcodec bench --points 5`, the same
images) with ``glyphs.NUMBER_MAX_WORDS`` lifted, so every phrase holding a digit is fitted as
in session 39. Rows above ``codec.GLYPHS_MAX_QUALITY``, where nothing is fitted, are taken from
the main bench's file instead of being made again. Prints BD-CER (PCHIP) against the main
bench's `textcodec` rows (with the cap) and against the baseline.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from textcodec import codec, glyphs
from textcodec.bench import runner
from textcodec.bench.metrics import bd_quality, bd_rate
from textcodec.bench.report import aggregate, by_codec, load

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "docs" / "bench"


def bd_cer(ref: list, test: list) -> tuple[float, float]:
    """(BD-CER in points, BD-rate at equal CER in %) of ``test`` against ``ref``, PCHIP."""
    ra, rb = [p.bpp for p in ref], [p.bpp for p in test]
    return (100 * bd_quality(ra, [p.cer for p in ref], rb, [p.cer for p in test], "pchip"),
            bd_rate(ra, [-p.cer for p in ref], rb, [-p.cer for p in test], "pchip"))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sets", default="web:3,qt:12")
    p.add_argument("--work", type=Path, default=ROOT / "runs" / "nocap")
    p.add_argument("--out", type=Path, default=BENCH / "nocap-s40")
    args = p.parse_args()
    glyphs.NUMBER_MAX_WORDS = 10_000
    args.out.mkdir(parents=True, exist_ok=True)
    for spec in args.sets.split(","):
        name, limit = spec.split(":")
        main_rows = BENCH / name / "results.jsonl"
        work = args.work / name
        work.mkdir(parents=True, exist_ok=True)
        results = work / "results.jsonl"
        if not results.exists():    # the rows no glyph is fitted for: the main bench's
            results.write_text("".join(
                line + "\n" for line in main_rows.read_text().splitlines()
                if (r := json.loads(line))["codec"] == "textcodec"
                and r["setting"] > codec.GLYPHS_MAX_QUALITY))
        runner.run(name, ["textcodec"], work, points=5, limit=int(limit), progress=False)
        shutil.copy(results, args.out / f"{name}.jsonl")
        shipped = by_codec(aggregate(load(main_rows)))
        lifted = by_codec(aggregate(load(results)))["textcodec"]
        capped, base = shipped["textcodec"], shipped["textcodec-baseline"]
        for label, curve in (("without the cap", lifted), ("with the cap", capped)):
            pts, rate = bd_cer(base, curve)
            print(f"{name} {label}: against the baseline BD-CER {pts:+.2f} pts, BD-rate (CER) "
                  f"{rate:+.1f} %; F1 at q0 {curve[0].f1:.3f}")
        pts, rate = bd_cer(lifted, capped)
        print(f"{name}: the cap costs BD-CER {pts:+.2f} pts, BD-rate (CER) {rate:+.1f} %",
              flush=True)


if __name__ == "__main__":
    main()
