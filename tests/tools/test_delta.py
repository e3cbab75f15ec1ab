"""tools/gpu/delta.py: a frozen-encoder stage's checkpoint carried back as its changes."""

import importlib.util
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def delta():
    spec = importlib.util.spec_from_file_location("delta", ROOT / "tools" / "gpu" / "delta.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parent():
    state = {"g_a.0.weight": torch.randn(4, 3), "entropy_bottleneck.quantiles": torch.randn(2, 3),
             "g_s.0.weight": torch.randn(3, 4), "log_inv_gain": torch.zeros(5)}
    return {"format": "f", "name": "base", "state": state, "coding": {"cdf": [1, 2, 3]},
            "config": {"n": 1}}


def test_split_keeps_only_what_moved_and_join_restores_the_child(delta):
    parent = _parent()
    child = {**parent, "name": "child", "config": {"n": 1, "refine_channels": 8},
             "state": {**parent["state"], "g_s.0.weight": parent["state"]["g_s.0.weight"] + 1,
                       "refine.0.weight": torch.ones(2)}}
    d = delta.split(parent, child)
    assert sorted(d["state"]) == ["g_s.0.weight", "refine.0.weight"] and "coding" not in d
    back = delta.join(parent, d)
    assert back.keys() == child.keys() and back["config"] == child["config"]
    assert all(torch.equal(back["state"][k], v) for k, v in child["state"].items())
    assert back["coding"] == parent["coding"]


def test_a_child_whose_encoder_moved_or_another_parent_is_refused(delta):
    parent = _parent()
    moved = {**parent, "state": {**parent["state"],
                                 "g_a.0.weight": parent["state"]["g_a.0.weight"] * 2}}
    with pytest.raises(SystemExit, match="encoder or entropy model differs"):
        delta.split(parent, moved)
    d = delta.split(parent, {**parent, "name": "child"})
    with pytest.raises(SystemExit, match="made against 'base'"):
        delta.join({**parent, "name": "other"}, d)
