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
