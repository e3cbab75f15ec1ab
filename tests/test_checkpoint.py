"""Release checkpoints, and a text model shipped as its fusion block over a baseline."""

import shutil

import pytest
import torch

from textcodec import nets
from textcodec.checkpoint import (BLOCK_VERSION, load_release, load_weights, read_blob,
                                  save_block, save_release)
from textcodec.errors import ModelError
from textcodec.nets.hyperprior import pad_to_multiple

SMALL = dict(N=16, M=24, N_dec=16, N_last=8, lambdas=(1e-3, 4e-3, 1.6e-2),
             context_channels=24)


def _pair(tmp_path, config=SMALL):
    """A baseline and a text model made from it (its codec untouched, a block added)."""
    torch.manual_seed(0)
    base = nets.create("vr-checkerboard", **config)
    for p in base.context.parameters():  # a context that does something
        torch.nn.init.normal_(p, std=0.05)
    save_release(base, tmp_path / "base.pt", "base")
    saved = read_blob(tmp_path / "base.pt")
    text = nets.create("vr-checkerboard", **config, fusion=True)
    load_weights(text, saved["state"], new_fusion=True)
    for p in text.fusion.parameters():
        torch.nn.init.normal_(p, std=0.2)
    save_release(text, tmp_path / "text-full.pt", "text")
    return tmp_path / "base.pt", tmp_path / "text-full.pt"


def test_a_block_file_loads_as_the_full_text_model_it_was_cut_from(tmp_path):
    base, full = _pair(tmp_path)
    save_block(read_blob(full), base, tmp_path / "text.pt", "text-v1")
    assert (tmp_path / "text.pt").stat().st_size < full.stat().st_size / 3
    block = torch.load(tmp_path / "text.pt", weights_only=True)
    assert block["version"] == BLOCK_VERSION and "coding" not in block
    assert all(k.startswith("fusion.") for k in block["state"])
    a, blob = load_release(tmp_path / "text.pt")
    b, _ = load_release(full)
    assert blob["name"] == "text-v1" and blob["base"]["name"] == "base"
    assert a.state_dict().keys() == b.state_dict().keys()
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())
    torch.manual_seed(1)
    x = pad_to_multiple(torch.rand(1, 3, 48, 80))
    y = a.analysis(x)
    strings = a.compress_latent(y, 2.0)
    assert strings == b.compress_latent(y, 2.0)
    shape = (y.shape[2] // 4, y.shape[3] // 4)
    assert torch.equal(a.decompress_latent(strings, shape, 2.0),
                       b.decompress_latent(strings, shape, 2.0))


def test_a_block_is_refused_over_a_codec_it_was_not_trained_on(tmp_path):
    base, full = _pair(tmp_path)
    other = nets.create("vr-checkerboard", **SMALL)   # another random codec
    save_release(other, tmp_path / "other.pt", "other")
    with pytest.raises(ModelError, match="differs"):
        save_block(read_blob(full), tmp_path / "other.pt", tmp_path / "x.pt", "x")
    assert not (tmp_path / "x.pt").exists()
    with pytest.raises(ModelError, match="no fusion block"):
        save_block(read_blob(base), base, tmp_path / "y.pt", "y")


def test_a_block_whose_baseline_is_missing_or_replaced_says_so(tmp_path):
    base, full = _pair(tmp_path)
    save_block(read_blob(full), base, tmp_path / "text.pt", "text-v1")
    moved = tmp_path / "away"
    moved.mkdir()
    shutil.move(tmp_path / "text.pt", moved / "text.pt")
    # "base" is no model the zoo knows, and no file beside the block
    with pytest.raises(ModelError, match="fusion block of base, which is not available"):
        load_release(moved / "text.pt")
    # a file of the right name beside it, but another checkpoint: not silently used
    save_release(nets.create("vr-checkerboard", **SMALL), moved / "base.pt", "base")
    with pytest.raises(ModelError, match="not available"):
        load_release(moved / "text.pt")


def test_training_starts_from_a_block_file_as_from_the_full_model(tmp_path):
    from textcodec.train.loop import main

    base, full = _pair(tmp_path, {})   # the training command's own size
    save_block(read_blob(full), base, tmp_path / "text.pt", "text-v1")
    args = ["--batch", "2", "--workers", "0", "--crop", "64", "--mix", "1,0,0,0",
            "--device", "cpu", "--steps", "1", "--lr", "0"]
    main(["--out", str(tmp_path / "f"), "--name", "f", "--stage", "fusion",
          "--init", str(tmp_path / "text.pt")] + args)
    trained, _ = load_release(tmp_path / "f" / "f.pt")
    want, _ = load_release(full)
    for k, v in want.state_dict().items():   # codec and block, at learning rate 0
        assert torch.equal(trained.state_dict()[k], v), k
