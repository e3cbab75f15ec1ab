"""tools/release_checkpoint.py: a block file kept from a run released under a new name."""

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from textcodec import nets
from textcodec.checkpoint import (BLOCK_VERSION, load_release, load_weights, read_blob,
                                  save_block, save_release)

_spec = importlib.util.spec_from_file_location(
    "release_checkpoint",
    Path(__file__).resolve().parents[2] / "tools" / "release_checkpoint.py")
_release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_release)

SMALL = dict(N=16, M=24, N_dec=16, N_last=8, lambdas=(1e-3, 4e-3, 1.6e-2),
             context_channels=24)


def _run(monkeypatch, models: Path, *argv: str) -> None:
    monkeypatch.setattr(_release, "MODELS", models)
    monkeypatch.setattr(sys, "argv", ["release_checkpoint.py", *argv])
    _release.main()


def test_a_kept_block_file_is_released_as_the_same_model_under_its_new_name(
        tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    torch.manual_seed(0)
    base = nets.create("vr-checkerboard", **SMALL)
    save_release(base, models / "textcodec-base-v1.pt", "textcodec-base-v1")
    text = nets.create("vr-checkerboard", **SMALL, fusion=True,
                       fusion_guidance="fitted")
    load_weights(text, read_blob(models / "textcodec-base-v1.pt")["state"], new_fusion=True)
    for p in text.fusion.parameters():
        torch.nn.init.normal_(p, std=0.2)
    save_release(text, tmp_path / "run.pt", "textcodec-run")
    kept = models / "run.block.pt"    # found beside its base (else through the zoo)
    save_block(read_blob(tmp_path / "run.pt"), models / "textcodec-base-v1.pt", kept,
               "textcodec-run")
    _run(monkeypatch, models, str(kept), "textcodec-text-v2", "--base", "textcodec-base-v1")
    out = models / "textcodec-text-v2.pt"
    blob = torch.load(out, weights_only=True)
    assert blob["version"] == BLOCK_VERSION and blob["name"] == "textcodec-text-v2"
    assert blob["extra"]["run"] == "textcodec-run" and blob["base"]["name"] == "textcodec-base-v1"
    a, meta = load_release(out)
    b, _ = load_release(tmp_path / "run.pt")
    assert meta["config"]["fusion_guidance"] == "fitted"
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())
    with pytest.raises(SystemExit, match="exists"):
        _run(monkeypatch, models, str(kept), "textcodec-text-v2", "--base", "textcodec-base-v1")
