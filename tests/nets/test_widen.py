"""Widening a trained codec: the same function and bitstream, new channels that can learn."""

import pytest
import torch

from textcodec.checkpoint import load_release, save_release
from textcodec.losses import rate_distortion
from textcodec.nets.checkerboard import CheckerboardHyperprior
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.nets.widen import widen

SMALL = dict(N=16, M=24, N_dec=16, N_last=8, lambdas=(0.001, 0.004, 0.016))
WIDER = dict(N_enc=24, N_dec=28, N_last=12)


def _trained() -> CheckerboardHyperprior:
    """A small checkerboard codec with non-initial weights everywhere (a 'trained' model:
    GDN's gamma off its diagonal, the context network off zero)."""
    torch.manual_seed(0)
    m = CheckerboardHyperprior(**SMALL)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("gamma"):   # couple the GDN channels (stored as a square root)
                p.add_(0.03 * torch.rand_like(p))
            elif name.startswith("context."):
                p.normal_(0, 0.05)
            else:
                p.mul_(1 + 0.1 * torch.randn_like(p))
    m.eval()
    m.update()
    return m


def test_a_widened_codec_decodes_the_same_image_from_the_same_bytes():
    m = _trained()
    w = widen(m, **WIDER)
    assert w.config["N_enc"] == 24 and w.config["N_dec"] == 28 and w.config["N_last"] == 12
    assert w.g_a[0].weight.shape[0] == 24 and w.g_s[0][0].weight.shape[0] == 4 * 28
    x = pad_to_multiple(torch.rand(1, 3, 70, 130))
    with torch.no_grad():
        y, y_w = m.analysis(x), w.analysis(x)
        assert torch.allclose(y, y_w, atol=1e-5)
        for q in (0.0, 1.5, 2.0):
            strings = m.compress_latent(y, q)
            assert w.compress_latent(y, q) == strings
            z_shape = (x.shape[-2] // 64, x.shape[-1] // 64)
            y_hat = m.decompress_latent(strings, z_shape, q)
            assert torch.equal(w.decompress_latent(strings, z_shape, q), y_hat)
            assert torch.allclose(w.synthesis(y_hat, q), m.synthesis(y_hat, q), atol=1e-5)
        q = torch.tensor([0, 2])
        xb = torch.rand(2, 3, 64, 64)
        assert torch.allclose(w(xb, q).x_hat, m(xb, q).x_hat, atol=1e-5)


def test_the_new_channels_are_reached_by_the_first_training_step():
    w = widen(_trained(), **WIDER).train()
    x, q = torch.rand(2, 3, 64, 64), torch.tensor([0, 2])
    out = w(x, q)
    rate_distortion(x, out.x_hat, out.likelihoods_y, out.likelihoods_z,
                    torch.tensor(w.lambdas)[q])["loss"].backward()
    # weights leaving a new channel start at zero, and their gradient is not
    for conv, old_in in ((w.g_a[2], 16), (w.g_a[6], 16), (w.g_s[2][0], 16), (w.g_s[6][0], 8)):
        assert torch.all(conv.weight[:, old_in:] == 0)
        assert conv.weight.grad[:, old_in:].abs().sum() > 0


def test_a_widened_checkpoint_loads_back_wide_and_codes_as_the_original(tmp_path):
    m = _trained()
    save_release(widen(m, **WIDER), tmp_path / "w.pt", "w")
    loaded, blob = load_release(tmp_path / "w.pt")
    assert blob["config"]["N_enc"] == 24 and loaded.g_s[4][0].weight.shape[0] == 4 * 12
    y = m.analysis(pad_to_multiple(torch.rand(1, 3, 64, 128)))
    assert loaded.compress_latent(y, 1.0) == m.compress_latent(y, 1.0)


def test_widening_refuses_to_narrow_or_to_touch_the_latent():
    m = _trained()
    with pytest.raises(ValueError, match="narrower"):
        widen(m, N_dec=8)
    with pytest.raises(ValueError, match="cannot widen"):
        widen(m, M=32)
