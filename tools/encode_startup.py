"""A one-shot ``textcodec encode``'s wall time (a fresh process: imports, the OCR engine's
build, the reading, the codec), for source trees side by side: the sample screenshot at the
default quality and a synthetic page at quality 0, best and median of a few runs, with the
files' SHA-256 (the same bytes or not).

Session 44 took EasyOCR out of the default (light) pipeline; to time the tree before it:

    git worktree add /tmp/before 3358bca && cp textcodec/*.so /tmp/before/textcodec/
    python tools/encode_startup.py before=/tmp/before now=. \\
        --out docs/bench/encode-startup-s44.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = "import sys; from textcodec.cli import main; sys.argv[0] = 'textcodec'; main()"
# which modules a one-shot encode imported, printed by the child after main() returns
PROBE = ("import atexit, sys; atexit.register(lambda: print('MODULES', *sorted(m for m in "
         "('easyocr', 'torchvision', 'torch._dynamo') if m in sys.modules), file=sys.stderr))")


def images(folder: Path) -> list[tuple[str, Path, list[str]]]:
    """(label, path, encode flags): the sample at its default quality, a synthetic page at 0."""
    from PIL import Image

    from textcodec.bench.datasets import synthetic

    page = folder / "synthetic-000.png"
    Image.fromarray(next(iter(synthetic(1))).image).save(page)
    return [("sample screenshot, default quality", ROOT / "textcodec/samples/screenshot.png", []),
            ("synthetic page, quality 0", page, ["--quality", "0"])]


def encode(tree: Path, image: Path, flags: list[str], out: Path) -> tuple[float, str, list]:
    """Seconds of one ``textcodec encode`` in a fresh process on ``tree``'s code, the file's
    SHA-256, and the heavy modules it imported."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out.unlink(missing_ok=True)
    t = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", f"{PROBE}; {RUN}", "encode", str(image), "-o",
                          str(out), *flags], env=env, capture_output=True, text=True,
                         cwd=tree)
    seconds = time.perf_counter() - t
    if run.returncode != 0:
        raise SystemExit(f"encode failed on {tree}: {run.stderr[-500:]}")
    mods = next((line.split()[1:] for line in run.stderr.splitlines()
                 if line.startswith("MODULES")), [])
    return seconds, hashlib.sha256(out.read_bytes()).hexdigest(), mods


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trees", nargs="+", help="label=path of a source tree")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    trees = [(t.split("=", 1)[0], Path(t.split("=", 1)[1]).resolve()) for t in args.trees]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, image, flags in images(Path(tmp)):
            row = {"image": label, "trees": {}}
            for _ in range(args.runs):      # the trees in turn, so drift hits them alike
                for name, tree in trees:
                    seconds, sha, mods = encode(tree, image, flags, Path(tmp) / f"{name}.tlc")
                    got = row["trees"].setdefault(name, {"seconds": [], "sha256": sha,
                                                         "modules": mods})
                    got["seconds"].append(round(seconds, 2))
                    got["same_file_every_run"] = got.get("same_file_every_run", True) and \
                        got["sha256"] == sha
            for name, got in row["trees"].items():
                got["best"] = min(got["seconds"])
                got["median"] = statistics.median(got["seconds"])
                print(f"{label:36s} {name:8s} best {got['best']:.2f} s, median "
                      f"{got['median']:.2f} s, {got['sha256'][:12]}, imported "
                      f"{', '.join(got['modules']) or 'none of easyocr/torchvision/dynamo'}")
            row["same_file"] = len({g["sha256"] for g in row["trees"].values()}) == 1
            rows.append(row)
    result = {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
              "runs": args.runs, "trees": [name for name, _ in trees], "rows": rows}
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
