"""Put a training run's checkpoint into models/ under its release name.

    python tools/release_checkpoint.py runs/s18/textcodec-baseR21.pt textcodec-base-v9

The weights and the entropy-coding state are copied as they are (never recomputed, so the
release codes exactly as the run's file did); only the name the checkpoint carries changes,
and the training run's name is kept under ``extra["run"]``. Then run
``python tools/make_manifest.py`` to list it.

A text model trained as a fusion block on a released baseline ships as the block alone:

    python tools/release_checkpoint.py runs/s23/textcodec-cbF25.pt textcodec-text-v13 \
        --base textcodec-base-v11

(refused unless the run's codec is that baseline's, bit for bit; see checkpoint.save_block).
A block file kept from a run (its block over a released baseline) is released the same way.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch

from textcodec.checkpoint import read_blob, save_block
from textcodec.errors import ModelError

MODELS = Path(__file__).resolve().parent.parent / "models"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("source", type=Path, help="a checkpoint written by textcodec.train")
    p.add_argument("name", help="release name, textcodec-(base|text)-vN")
    p.add_argument("--force", action="store_true", help="replace an existing release file")
    p.add_argument("--base", help="a text model: store only its fusion block, over this "
                                  "released baseline (models/BASE.pt) whose codec it shares")
    args = p.parse_args()
    if not re.fullmatch(r"textcodec-(base|text)-v\d+", args.name):
        raise SystemExit(f"release names read textcodec-base-vN or textcodec-text-vN, "
                         f"not {args.name!r}")
    try:   # a block file (a run's block kept in docs/training-logs/) is read with its base
        blob = read_blob(args.source)
    except ModelError as e:
        raise SystemExit(str(e)) from None
    has_block = bool(blob["config"].get("fusion"))
    if has_block != args.name.startswith("textcodec-text-"):
        raise SystemExit(f"{args.source} {'has' if has_block else 'has no'} fusion block: "
                         f"name it textcodec-{'text' if has_block else 'base'}-vN")
    out = MODELS / f"{args.name}.pt"
    if out.exists() and not args.force:
        raise SystemExit(f"{out} exists (--force replaces it)")
    blob["extra"] = {**blob.get("extra", {}), "run": blob["name"]}
    if args.base:
        if not has_block:
            raise SystemExit("--base is for a text model's fusion block")
        try:
            save_block(blob, MODELS / f"{args.base}.pt", out, args.name)
        except ModelError as e:
            raise SystemExit(str(e)) from None
        print(f"wrote {out} ({out.stat().st_size:,} bytes, the fusion block over "
              f"{args.base}) from {args.source}")
        return
    blob["name"] = args.name
    tmp = out.with_suffix(".pt.tmp")
    torch.save(blob, tmp)
    tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size:,} bytes) from {args.source}")


if __name__ == "__main__":
    main()
