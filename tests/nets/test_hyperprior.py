import pytest
import torch

from textcodec.nets.hyperprior import VariableRateHyperprior, pad_to_multiple


def _model():
    torch.manual_seed(0)
    m = VariableRateHyperprior(N=32, M=48, N_dec=32, N_last=16).eval()
    m.update()
    return m


def test_forward_gives_likelihoods_for_each_rate():
    m = _model()
    out = m(torch.rand(2, 3, 64, 64), torch.tensor([0, m.num_rates - 1]))
    assert out.x_hat.shape == (2, 3, 64, 64)
    assert out.likelihoods_y.shape == (2, 48, 4, 4) and (out.likelihoods_y > 0).all()


def test_decoder_rebuilds_exactly_the_encoders_latent():
    m = _model()
    x = pad_to_multiple(torch.rand(1, 3, 65, 257))
    y = m.analysis(x)
    for q in (0.0, 2.5, m.num_rates - 1.0):
        strings = m.compress_latent(y, q)
        y_hat = m.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
        gain, _ = m._gains(q)
        z_sym = torch.round(m.h_a(y * gain) - m._coding["z_medians"][None, :, None, None])
        _, _, means = m.entropy_parameters(z_sym.to(torch.int32))
        expected = (torch.round((y * gain).double() - means) + means).float()
        assert torch.equal(y_hat, expected)


def test_higher_quality_spends_more_bits():
    torch.manual_seed(0)
    m = VariableRateHyperprior(N=32, M=48, N_dec=32, N_last=16).eval()
    with torch.no_grad():  # spread the gains so rates differ even untrained
        m.log_gain.copy_(torch.linspace(-2, 2, m.num_rates)[:, None].repeat(1, 48))
    m.update()
    x = pad_to_multiple(torch.rand(1, 3, 64, 128))
    y = m.analysis(x)
    sizes = [sum(map(len, m.compress_latent(y, q))) for q in (0.0, 7.0)]
    assert sizes[0] < sizes[1]


def test_coding_without_update_is_refused():
    import pytest

    from textcodec.errors import ModelError

    m = VariableRateHyperprior(N=32, M=48, N_dec=32, N_last=16).eval()
    with pytest.raises(ModelError, match="update"):
        m.compress_latent(torch.zeros(1, 48, 4, 4), 1.0)


def test_padding_reaches_the_next_multiple_of_64():
    assert pad_to_multiple(torch.zeros(1, 3, 1, 1)).shape[-2:] == (64, 64)
    assert pad_to_multiple(torch.zeros(1, 3, 65, 128)).shape[-2:] == (128, 128)


def _shipped_and_sample():
    import json
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from textcodec.checkpoint import load_release

    root = Path(__file__).parents[2]
    manifest = json.loads((root / "models" / "manifest.json").read_text())
    model, _ = load_release(root / "models" / manifest["models"][manifest["default"]]["file"])
    rgb = np.asarray(Image.open(root / "textcodec" / "samples" / "screenshot.png")
                     .convert("RGB"))[:256, :384]
    return model, torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float() / 255


def _bytes_and_psnr(model, x, y, q=4.0):
    streams = model.compress_latent(y, q)
    y_hat = model.decompress_latent(streams, (y.shape[-2] // 4, y.shape[-1] // 4), q)
    x_hat = model.synthesis(y_hat, q).clamp(0, 1)
    return sum(map(len, streams)), float(-10 * torch.log10(((x_hat - x) ** 2).mean()))


def test_cpu_analysis_channels_last_is_float_g_a(monkeypatch):
    import textcodec.nets.hyperprior as hp

    model, x = _shipped_and_sample()
    monkeypatch.setattr(hp, "has_bf16", lambda: False)
    with torch.no_grad():
        ref = model.g_a(x)
    fast = model.analysis(x)
    assert fast.is_contiguous() and fast.dtype == torch.float32
    assert torch.allclose(fast, ref, rtol=1e-4, atol=1e-4)


def test_cpu_synthesis_channels_last_is_g_s():
    model, x = _shipped_and_sample()
    y = model.analysis(x)
    streams = model.compress_latent(y, 4.0)
    y_hat = model.decompress_latent(streams, (y.shape[-2] // 4, y.shape[-1] // 4), 4.0)
    _, inv_gain = model._gain_maps(4.0, None)
    with torch.no_grad():   # g_s and, in a model that has one, the refinement stage
        ref = model.g_s(y_hat * inv_gain)
        if model.refine is not None:
            ref = model.refine(ref, 4.0)
    fast = model.synthesis(y_hat, 4.0)
    assert fast.is_contiguous() and fast.shape == ref.shape
    assert torch.allclose(fast, ref, rtol=1e-4, atol=1e-4)


def test_cpu_analysis_in_bfloat16_makes_files_as_good():
    """Where the CPU has bfloat16, g_a runs in it: the file must cost and look the same."""
    from textcodec.cpu import has_bf16

    if not has_bf16():
        pytest.skip("this CPU has no native bfloat16: analysis runs in float32 (tested above)")
    model, x = _shipped_and_sample()
    with torch.no_grad():
        ref = _bytes_and_psnr(model, x, model.g_a(x))
    fast = _bytes_and_psnr(model, x, model.analysis(x))
    assert abs(fast[0] - ref[0]) <= 0.02 * ref[0]
    assert abs(fast[1] - ref[1]) <= 0.1


def test_region_codes_its_cells_at_the_region_quality():
    from textcodec.nets.hyperprior import Region

    torch.manual_seed(0)
    m = VariableRateHyperprior(N=32, M=48, N_dec=32, N_last=16).eval()
    with torch.no_grad():  # spread the gains so rates differ even untrained
        m.log_gain.copy_(torch.linspace(-2, 2, m.num_rates)[:, None].repeat(1, 48))
        m.log_inv_gain.copy_(-m.log_gain)
    m.update()
    x = pad_to_multiple(torch.rand(1, 3, 64, 128))
    y = m.analysis(x)
    none = torch.zeros(4, 8, dtype=torch.bool)
    half = none.clone()
    half[:, :4] = True
    plain, high = m.compress_latent(y, 1.0), m.compress_latent(y, 6.0)
    # no cells: the plain file; every cell: the file of the higher quality
    assert m.compress_latent(y, 1.0, region=Region(none, 6.0)) == plain
    assert m.compress_latent(y, 1.0, region=Region(~none, 6.0)) == high
    mixed = m.compress_latent(y, 1.0, region=Region(half, 6.0))
    assert sum(map(len, plain)) < sum(map(len, mixed)) < sum(map(len, high))
    # the decoder applies the same per-cell inverse gains: the left half of its latent is
    # scaled as the higher quality's, the right half as the plain one's
    y_hat = m.decompress_latent(mixed, (1, 2), 1.0)
    _, ig_lo = m._gains(1.0)
    _, ig_hi = m._gains(6.0)
    scaled = torch.cat([y_hat[..., :4] * ig_hi, y_hat[..., 4:] * ig_lo], -1)
    with torch.no_grad():
        # (atol: the CPU synthesis runs channels-last, the same to float rounding)
        assert torch.allclose(m.synthesis(y_hat, 1.0, Region(half, 6.0)), m.g_s(scaled),
                              atol=1e-5)


def test_straight_through_training_decodes_rounded_latents_and_passes_gradients():
    """--decoder-input round: in training the synthesis sees y rounded around its means (as a
    decoder does) while the gradient reaches the analysis transform; the rate term keeps the
    noisy proxy."""
    torch.manual_seed(1)
    m = VariableRateHyperprior(N=32, M=48, N_dec=32, N_last=16).train()
    m.entropy_bottleneck.eval()      # z rounded, so the means below are the forward's own
    x = torch.rand(1, 3, 64, 64)
    q = torch.tensor([3])
    m.straight_through = True
    out = m(x, q)
    with torch.no_grad():
        gain, inv_gain = m._gains(q)
        y = m.g_a(x) * gain
        z_hat, _ = m.entropy_bottleneck(m.h_a(y))
        _, means = m.h_s(z_hat).chunk(2, 1)
        offset = out.y_hat - means
        assert torch.allclose(offset, offset.round(), atol=1e-4)     # integers around means
        assert torch.allclose(out.y_hat, torch.round(y - means) + means, atol=1e-4)
        assert torch.allclose(out.x_hat, m.g_s(out.y_hat * inv_gain), atol=1e-5)
    out.x_hat.mean().backward()
    assert m.g_a[0].weight.grad is not None and m.g_a[0].weight.grad.abs().sum() > 0
    # the rate term is the noisy proxy's either way: same noise, same likelihoods
    torch.manual_seed(2)
    a = m(x, q)
    m.straight_through = False
    torch.manual_seed(2)
    b = m(x, q)
    assert torch.equal(a.likelihoods_y, b.likelihoods_y)
    assert not torch.allclose(b.y_hat - means, (b.y_hat - means).round(), atol=1e-4)
