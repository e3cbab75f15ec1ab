"""Render random web pages with headless Chromium for the training pack (the GPU machine has
no browser): PAGE.png + PAGE.json (every word's box) each, read by MixedDataset's `web` source.

    python tools/render_pages.py [--out runs/web] [--count 60] [--seed 0]

Needs `apt-get install chromium` (and, for variety, fonts-croscore fonts-noto-core
fonts-firacode fonts-inconsolata). Sizes are drawn from common screens; about 1 s a page.
`tools/make_pack.py --web runs/web` copies the folder into the pack.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.progress import track

from textcodec.bench.datasets import WEB_BENCH_SEED
from textcodec.train.webpage import page_html, page_rng, render, save

SIZES = [(1280, 720), (1366, 768), (1024, 768), (1440, 900), (800, 600), (1280, 800)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("runs/web"))
    p.add_argument("--count", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.seed == WEB_BENCH_SEED:
        raise SystemExit(f"seed {WEB_BENCH_SEED} renders the benchmark's web pages "
                         "(textcodec.bench.datasets.web): pick another")
    args.out.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in track(range(args.count), description="rendering pages"):
        rng = page_rng(args.seed, i)
        width, height = rng.choice(SIZES)
        image, found = render(page_html(rng, width, height), width, height)
        save(args.out, f"page-{args.seed}-{i:04d}", image, found)
        words += len(found)
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"{args.out}: {args.count} pages, {words} words, {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
