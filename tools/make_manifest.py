"""Regenerate models/manifest.json from the checkpoints in models/ (sha256, size, config).

    python tools/make_manifest.py

Descriptions, defaults and training notes are kept from the existing manifest; hashes,
sizes and configs are always recomputed, so the manifest can never go stale by hand.
Entries of earlier releases whose files are no longer bundled stay listed (downloadable from
their release URLs), so files encoded with them still name a model the zoo knows.

    python tools/make_manifest.py --default textcodec-text-v2 --baseline textcodec-base-v2
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import torch

MODELS = Path(__file__).resolve().parent.parent / "models"
URL_BASE = "https://github.com/textcodec/textcodec/releases/download/models-{version}/"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--default", help="the model the CLI uses unless told otherwise")
    p.add_argument("--baseline", help="the text-unaware baseline of the benchmarks")
    args = p.parse_args()
    path = MODELS / "manifest.json"
    old = json.loads(path.read_text()) if path.exists() else {"models": {}}
    out = {"default": args.default or old.get("default"),
           "baseline": args.baseline or old.get("baseline"), "models": {}}
    for ck in sorted(MODELS.glob("*.pt")):
        name = ck.stem
        blob = torch.load(ck, map_location="cpu", weights_only=True)
        prev = old["models"].get(name, {})
        out["models"][name] = {
            "file": ck.name, "arch": blob["arch"], "config": blob["config"],
            "sha256": hashlib.sha256(ck.read_bytes()).hexdigest(), "size": ck.stat().st_size,
            "urls": prev.get("urls", [URL_BASE.format(version=name.rsplit("-", 1)[-1])
                                      + ck.name]),
            "description": prev.get("description", ""),
            "training": {**blob.get("extra", {}), **prev.get("training", {})},
        }
        if "base" in blob:  # a fusion block over a baseline's codec (checkpoint.save_block)
            out["models"][name]["base"] = blob["base"]["name"]
    for name, entry in old["models"].items():
        if name not in out["models"]:       # an earlier release, no longer bundled
            out["models"][name] = entry
    for role in ("default", "baseline"):
        if out[role] not in out["models"]:
            raise SystemExit(f"{role} model {out[role]!r} is not in {MODELS}")
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}: {', '.join(out['models'])}")


if __name__ == "__main__":
    main()
