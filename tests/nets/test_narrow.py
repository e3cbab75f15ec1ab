"""Narrowing a trained codec's last synthesis layer: the same bits, the important channels kept,
the layer after them refitted."""

import pytest
import torch
import torch.nn.functional as F

from textcodec.checkpoint import _is_coding_buffer, load_release, save_release
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.nets.narrow import narrow_analysis, narrow_dec, narrow_last
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


def _large_images(count: int, seed: int) -> list[torch.Tensor]:
    """Smooth random images, 256x256: enough latent positions (16x16 each) for the refit of
    the analysis's last convolution (N_enc x 25 + 1 unknowns per output)."""
    g = torch.Generator().manual_seed(seed)
    small = torch.rand(count, 3, 16, 16, generator=g)
    return list(F.interpolate(small, size=(256, 256), mode="bilinear", align_corners=False))


def _latent(model, images):
    with torch.no_grad():
        return model.eval().g_a(torch.stack(images))


def test_narrowing_a_widened_analysis_back_finds_and_restores_the_original():
    m = _trained().eval()
    n_enc = m.config.get("N_enc", m.config["N"])
    wide = widen(m, N_enc=n_enc + 4).eval()   # the new channels reach nothing
    back, cal = narrow_analysis(wide, n_enc, _large_images(6, 0))
    assert [k.tolist() for k in cal.kept] == [list(range(n_enc))] * 3
    assert back.g_a[2].weight.shape == (n_enc, n_enc, 5, 5)
    test = _large_images(2, 1)
    y, ref = _latent(back, test), _latent(m, test)
    assert (y - ref).pow(2).mean().sqrt() < 0.02 * ref.pow(2).mean().sqrt()


def test_a_narrowed_analysis_keeps_the_decoder_and_stays_near_the_latent():
    m = _trained().train()
    narrow, cal = narrow_analysis(m, 8, _large_images(8, 2))
    assert m.training and not narrow.training
    assert narrow.config["N_enc"] == 8 and narrow.g_a[0].weight.shape[0] == 8
    theirs = m.state_dict()
    for name, p in narrow.state_dict().items():   # synthesis, hyperprior, entropy model
        if not name.startswith("g_a.") and not _is_coding_buffer(name):
            assert torch.equal(p, theirs[name]), name
    m.eval()
    with torch.no_grad():                          # one latent, the same bits
        y = m.analysis(pad_to_multiple(torch.rand(1, 3, 64, 128)))
        assert narrow.compress_latent(y, 1.5) == m.compress_latent(y, 1.5)
    assert cal.y_rmse < 0.1 * cal.y_rms
    # on images it has not seen, the refitted analysis is nearer the original latent than
    # the kept channels with the original's weights (no repair, no refit)
    test = _large_images(3, 3)
    ref = _latent(m, test)
    drop = narrow_analysis(m, 8, _large_images(8, 2))[0]
    with torch.no_grad():
        prev = torch.arange(3)                       # the image's channels
        for i, kept in zip((0, 2, 4), cal.kept):
            drop.g_a[i].weight.copy_(m.g_a[i].weight[kept][:, prev])
            drop.g_a[i].bias.copy_(m.g_a[i].bias[kept])
            gdn, src = drop.g_a[i + 1], m.g_a[i + 1]
            gdn.gamma.copy_(gdn.gamma_reparam.init(
                src.gamma_reparam(src.gamma)[kept][:, kept]))
            gdn.beta.copy_(gdn.beta_reparam.init(src.beta_reparam(src.beta)[kept]))
            prev = kept
        drop.g_a[6].weight.copy_(m.g_a[6].weight[:, prev])
        drop.g_a[6].bias.copy_(m.g_a[6].bias)
    err = (_latent(narrow, test) - ref).pow(2).mean()
    assert err < (_latent(drop, test) - ref).pow(2).mean()


def test_narrowing_the_analysis_refuses_bad_sizes():
    m = _trained()
    with pytest.raises(ValueError, match="must lie in"):
        narrow_analysis(m, m.config.get("N_enc", m.config["N"]) + 1, _images(2, 0))
    with pytest.raises(ValueError, match="sample images"):
        narrow_analysis(m, 4, [])


def test_narrowing_a_widened_synthesis_back_finds_and_restores_the_original():
    m = _trained().eval()
    wide = widen(m, N_dec=m.config["N_dec"] + 4).eval()
    back, kept = narrow_dec(wide, m.config["N_dec"], _images(6, 0))
    assert [k.tolist() for k in kept] == [list(range(m.config["N_dec"]))] * 2
    assert back.config["N_dec"] == m.config["N_dec"]
    test = _images(3, 1)
    assert torch.allclose(_x_hat(back, test), _x_hat(m, test), atol=2e-3)


def test_a_narrowed_synthesis_codes_the_same_bits_and_its_refit_beats_dropping():
    m = _trained().eval()
    narrow, kept = narrow_dec(m, 10, _images(8, 2))
    assert narrow.g_s[2][0].weight.shape == (40, 10, 3, 3)
    assert narrow.g_s[4][0].weight.shape[1] == 10
    x = pad_to_multiple(torch.rand(1, 3, 64, 128))
    with torch.no_grad():
        y = m.analysis(x)
        assert torch.equal(narrow.analysis(x), y)
        assert narrow.compress_latent(y, 1.5) == m.compress_latent(y, 1.5)
    drop = narrow_dec(m, 10, _images(8, 2))[0]   # the kept channels, the original's weights
    with torch.no_grad():
        prev = None
        for i, k in zip((0, 2), kept):
            rows = (k[:, None] * 4 + torch.arange(4)).reshape(-1)
            w = m.g_s[i][0].weight[rows]
            drop.g_s[i][0].weight.copy_(w if prev is None else w[:, prev])
            drop.g_s[i][0].bias.copy_(m.g_s[i][0].bias[rows])
            gdn, src = drop.g_s[i + 1], m.g_s[i + 1]
            gdn.gamma.copy_(gdn.gamma_reparam.init(src.gamma_reparam(src.gamma)[k][:, k]))
            gdn.beta.copy_(gdn.beta_reparam.init(src.beta_reparam(src.beta)[k]))
            prev = k
        drop.g_s[4][0].weight.copy_(m.g_s[4][0].weight[:, prev])
    test = _images(4, 3)
    ref = _x_hat(m, test)
    assert (_x_hat(narrow, test) - ref).pow(2).mean() < (_x_hat(drop, test) - ref).pow(2).mean()
    with pytest.raises(ValueError, match="must lie in"):
        narrow_dec(m, m.config["N_dec"] + 1, _images(2, 0))
