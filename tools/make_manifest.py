"""Regenerate models/manifest.json from the checkpoints in models/ (sha256, size, config).

    python tools/make_manifest.py

Descriptions, defaults and training notes are kept from the existing manifest; hashes,
sizes and configs are always recomputed, so the manifest can never go stale by hand.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

MODELS = Path(__file__).resolve().parent.parent / "models"
URL_BASE = "https://github.com/textcodec/textcodec/releases/download/models-v1/"


def main() -> None:
    path = MODELS / "manifest.json"
    old = json.loads(path.read_text()) if path.exists() else {"models": {}}
    out = {"default": old.get("default", "textcodec-text-v1"),
           "baseline": old.get("baseline", "textcodec-base-v1"), "models": {}}
    for ck in sorted(MODELS.glob("*.pt")):
        name = ck.stem
        blob = torch.load(ck, map_location="cpu", weights_only=True)
        prev = old["models"].get(name, {})
        out["models"][name] = {
            "file": ck.name, "arch": blob["arch"], "config": blob["config"],
            "sha256": hashlib.sha256(ck.read_bytes()).hexdigest(), "size": ck.stat().st_size,
            "urls": prev.get("urls", [URL_BASE + ck.name]),
            "description": prev.get("description", ""),
            "training": {**blob.get("extra", {}), **prev.get("training", {})},
        }
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}: {', '.join(out['models'])}")


if __name__ == "__main__":
    main()
