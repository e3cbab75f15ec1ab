import pytest
import torch

from textcodec.checkpoint import load_weights
from textcodec.nets.checkerboard import CheckerboardHyperprior
from textcodec.nets.refine import Refiner

LAMBDAS = (0.001, 0.004, 0.016)


def _trained_refiner(seed: int = 0, **kw) -> Refiner:
    """A refiner with random (non-zero) weights everywhere, as training leaves it."""
    torch.manual_seed(seed)
    r = Refiner(num_rates=3, **kw)
    with torch.no_grad():
        for p in r.parameters():
            p.normal_(0, 0.1)
    return r


def test_fresh_refiner_is_the_identity_on_the_decode_in_range():
    x = torch.rand(2, 3, 20, 30) * 1.4 - 0.2
    assert torch.equal(Refiner(num_rates=3)(x, torch.tensor([0, 2])), x.clamp(0, 1))


def test_odd_sizes_come_back_at_their_size_and_match_the_padded_pass_inside():
    r = _trained_refiner()
    x = torch.rand(1, 3, 17, 23)
    out = r(x, 1)
    assert out.shape == x.shape and not torch.equal(out, x)
    # the padding replicates the last row and column; away from them it is the same pass
    padded = torch.cat([x, x[..., -1:, :]], 2)
    padded = torch.cat([padded, padded[..., -1:]], 3)
    assert torch.allclose(r(padded, 1)[..., :12, :18], out[..., :12, :18], atol=1e-6)


def test_each_rate_has_its_own_correction_and_fractions_interpolate():
    r = _trained_refiner()
    x = torch.rand(1, 3, 16, 16)
    a, b = r(x, 0), r(x, 1)
    assert not torch.allclose(a, b)
    # a batch takes one rate per sample
    batch = r(torch.cat([x, x]), torch.tensor([0, 1]))
    assert torch.allclose(batch[0], a[0], atol=1e-5) and torch.allclose(batch[1], b[0], atol=1e-5)
    # the rate rows are interpolated: quality 0.5 sees the mean of rows 0 and 1
    mid = Refiner(num_rates=1, channels=r.head.out_channels, layers=len(r.body))
    mid.load_state_dict({**r.state_dict(),
                         "rate_bias": r.rate_bias[:2].mean(0, keepdim=True),
                         "rate_log_gain": r.rate_log_gain[:2].mean(0, keepdim=True)})
    assert torch.allclose(r(x, 0.5), mid(x, 0), atol=1e-6)


def test_model_built_with_a_refiner_from_a_plain_checkpoint_decodes_as_it():
    torch.manual_seed(0)
    plain = CheckerboardHyperprior(N=16, M=24, N_dec=16, N_last=8, lambdas=LAMBDAS).eval()
    refined = CheckerboardHyperprior(N=16, M=24, N_dec=16, N_last=8, lambdas=LAMBDAS,
                                     refine_channels=8, refine_layers=2).eval()
    with pytest.raises(Exception):
        load_weights(refined, plain.state_dict())          # its own layers are missing...
    load_weights(refined, plain.state_dict(), fresh=True)   # ...unless they may start fresh
    assert refined.config["refine_channels"] == 8 and "refine_channels" not in plain.config
    y = torch.randn(1, 24, 3, 4)
    with torch.no_grad():
        # the stage reads (and a fresh one passes on) the decode clamped to its range, as
        # every decoded image is: the same image
        assert plain.synthesis(y, 1.5).clamp(0, 1).ne(plain.synthesis(y, 1.5)).any()
        assert torch.equal(refined.synthesis(y, 1.5), plain.synthesis(y, 1.5).clamp(0, 1))
        refined.refine.load_state_dict(_trained_refiner(channels=8, layers=2).state_dict())
        assert not torch.equal(refined.synthesis(y, 1.5), plain.synthesis(y, 1.5).clamp(0, 1))
        # forward (training) and synthesis (decoding) use the same stage
        x = torch.rand(1, 3, 64, 64)
        out = refined(x, torch.tensor([2]))
        assert torch.allclose(out.x_hat, refined.synthesis(out.y_hat, 2), atol=1e-5)


def test_refiner_rows_follow_a_change_of_rates():
    """An --init checkpoint with other rates: the block's per-rate rows are remapped."""
    src = CheckerboardHyperprior(N=16, M=24, N_dec=16, N_last=8, lambdas=LAMBDAS,
                                 refine_channels=8, refine_layers=1)
    with torch.no_grad():
        src.refine.rate_log_gain.copy_(torch.tensor([0.1, 0.2, 0.3]))
    more = LAMBDAS + (0.064,)
    dst = CheckerboardHyperprior(N=16, M=24, N_dec=16, N_last=8, lambdas=more,
                                 refine_channels=8, refine_layers=1)
    load_weights(dst, src.state_dict(), lambdas=LAMBDAS)
    assert torch.allclose(dst.refine.rate_log_gain, torch.tensor([0.1, 0.2, 0.3, 0.3]))
