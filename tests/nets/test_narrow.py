"""Narrowing a trained codec's last synthesis layer: the same bits, the important channels kept,
the layer after them refitted."""

import pytest
import torch
import torch.nn.functional as F

from textcodec.checkpoint import load_release, save_release
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.nets.narrow import narrow_last
from textcodec.nets.widen import widen

from tests.nets.test_widen import _trained


def _images(count: int, seed: int) -> list[torch.Tensor]:
    """Smooth random images (upsampled noise), 64x64, in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(count, 3, 8, 8, generator=g)
    return list(F.interpolate(small, size=(64, 64), mode="bilinear", align_corners=False))


def _x_hat(model, images, q=1):
    with torch.no_grad():
        return model(torch.stack(images), torch.tensor([q] * len(images))).x_hat


def test_narrowing_a_widened_codec_back_finds_and_restores_the_original():
    m = _trained()
    wide = widen(m, N_last=12).eval()   # channels 8..11 reach nothing: zero weights out
    back, cal = narrow_last(wide, 8, _images(6, 0))
    assert cal.kept.tolist() == list(range(8))
    assert float(cal.importance[8:].abs().max()) == 0
    assert back.config["N_last"] == 8 and back.g_s[6][0].weight.shape == (12, 8, 3, 3)
    test = _images(3, 1)
    assert torch.allclose(_x_hat(back, test), _x_hat(m, test), atol=2e-3)


def test_a_narrowed_codec_codes_the_same_bits_and_its_refit_beats_dropping(tmp_path):
    m = _trained().train()
    calib = _images(8, 2)
    narrow, cal = narrow_last(m, 5, calib)
    assert m.training and not narrow.training   # the source keeps its mode
    m.eval()
    assert narrow.g_s[4][0].weight.shape[0] == 4 * 5 and len(cal.kept) == 5
    assert cal.fit_rmse < 0.5 * cal.drop_rmse
    # the kept channels are the most important ones
    assert set(cal.kept.tolist()) == set(cal.importance.argsort(descending=True)[:5].tolist())
    x = pad_to_multiple(torch.rand(1, 3, 64, 128))
    with torch.no_grad():
        y = m.analysis(x)
        assert torch.equal(narrow.analysis(x), y)
        assert narrow.compress_latent(y, 1.5) == m.compress_latent(y, 1.5)
    # on images it has not seen, the narrowed model stays closer to the original than the
    # model the refit started from (the kept channels with the original's weights)
    drop = narrow_last(m, 5, calib, ridge=1e-4)[0]
    with torch.no_grad():
        idx = cal.kept
        drop.g_s[6][0].weight.copy_(m.g_s[6][0].weight[:, idx])
        drop.g_s[6][0].bias.copy_(m.g_s[6][0].bias)
    test = _images(4, 3)
    ref = _x_hat(m, test)
    assert (_x_hat(narrow, test) - ref).pow(2).mean() < (_x_hat(drop, test) - ref).pow(2).mean()
    save_release(narrow, tmp_path / "n.pt", "n")
    loaded, blob = load_release(tmp_path / "n.pt")
    assert blob["config"]["N_last"] == 5
    assert torch.allclose(_x_hat(loaded, test), _x_hat(narrow, test), atol=1e-2)


def test_narrowing_refuses_to_widen_or_to_work_without_images():
    m = _trained()
    with pytest.raises(ValueError, match="must lie in"):
        narrow_last(m, 9, _images(2, 0))
    with pytest.raises(ValueError, match="must lie in"):
        narrow_last(m, 0, _images(2, 0))
    with pytest.raises(ValueError, match="sample images"):
        narrow_last(m, 4, [])
