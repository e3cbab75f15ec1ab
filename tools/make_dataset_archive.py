"""Build a benchmark dataset archive reproducibly and print its registry entry.

    python tools/make_dataset_archive.py kodak --out dist/
    python tools/make_dataset_archive.py funsd --out dist/

The held-out halves only (what the benches score): Kodak 13-24, the last 30 FUNSD forms with
their annotations. Members are sorted, timestamps fixed, compression deterministic, so the
same source files always give the same sha256. Upload the archive as a release asset and
paste the entry into textcodec/data/datasets.json.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

from textcodec.bench.datasets import data_root
from textcodec.zoo import sha256_file

FIXED_TIME = (2024, 1, 1, 0, 0, 0)
RELEASE = "https://github.com/textcodec/textcodec/releases/download/data-v1/"


def members(name: str, root: Path) -> list[tuple[Path, str]]:
    if name == "kodak":
        files = sorted((root / "kodak").glob("*.png"))[12:]
        return [(f, f"images/{f.name}") for f in files]
    if name == "funsd":
        images = sorted((root / "funsd_train" / "images").glob("*.png"))[-30:]
        out = []
        for f in images:
            out.append((f, f"images/{f.name}"))
            ann = root / "funsd_train" / "annotations" / (f.stem + ".json")
            out.append((ann, f"annotations/{ann.name}"))
        return out
    raise SystemExit(f"unknown dataset {name}")


def build(name: str, root: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"textcodec-{name}-heldout-v1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for src, arc in members(name, root):
            info = zipfile.ZipInfo(arc, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, src.read_bytes())
    return archive


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", choices=["kodak", "funsd"])
    p.add_argument("--out", type=Path, default=Path("dist"))
    p.add_argument("--root", type=Path, default=None, help="data root (default: the bench's)")
    args = p.parse_args()
    archive = build(args.name, args.root or data_root(), args.out)
    entry = {"file": archive.name, "sha256": sha256_file(archive),
             "size": archive.stat().st_size, "urls": [RELEASE + archive.name]}
    print(json.dumps({args.name: entry}, indent=2))


if __name__ == "__main__":
    main()
