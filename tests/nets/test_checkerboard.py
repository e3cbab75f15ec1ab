import pytest
import torch

from textcodec import nets
from textcodec.checkpoint import load_release, load_weights, save_release
from textcodec.errors import ModelError
from textcodec.nets.checkerboard import CheckerboardHyperprior, anchor_mask
from textcodec.nets.hyperprior import VariableRateHyperprior, pad_to_multiple

SMALL = dict(N=32, M=48, N_dec=32, N_last=16)


def _trained_context(m: CheckerboardHyperprior) -> CheckerboardHyperprior:
    """Give the context network weights (it starts at zero) so that it matters."""
    torch.manual_seed(1)
    with torch.no_grad():
        for conv in (m.context[0], m.context[2]):
            conv.weight.normal_(0, 0.05)
            conv.bias.normal_(0, 0.05)
        m.log_gain.copy_(torch.linspace(-1, 2, m.num_rates)[:, None].repeat(1, m.config["M"]))
    return m


def _model() -> CheckerboardHyperprior:
    torch.manual_seed(0)
    m = _trained_context(CheckerboardHyperprior(**SMALL)).eval()
    m.update()
    return m


def test_anchors_alternate_like_a_chessboard():
    a = anchor_mask(3, 4)
    assert a[0, 0] and not a[0, 1] and not a[1, 0] and a[1, 1]
    assert int(a.sum()) == 6


def test_decoder_rebuilds_exactly_the_encoders_latent():
    m = _model()
    x = pad_to_multiple(torch.rand(1, 3, 65, 257))
    y = m.analysis(x)
    for q in (0.0, 2.5, m.num_rates - 1.0):
        strings = m.compress_latent(y, q)
        assert len(strings) == 3
        y_hat = m.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
        gain, _ = m._gains(q)
        # every cell is its value rounded around its own mean: within half a step of y
        assert (y_hat - y * gain).abs().max() <= 0.5 + 1e-4
        assert torch.equal(m.decompress_latent(strings, (2, 5), q), y_hat)


def test_non_anchor_parameters_depend_on_the_decoded_anchors():
    m = _model()
    y = m.analysis(pad_to_multiple(torch.rand(1, 3, 64, 128)))
    z_sym = torch.round(m.h_a(y * m._gains(4.0)[0])
                        - m._coding["z_medians"][None, :, None, None]).to(torch.int32)
    _, hyper = m._hyper_fixed(z_sym)
    anchors = anchor_mask(*hyper.shape[-2:]).expand(1, 48, *hyper.shape[-2:])
    zero = torch.zeros(anchors.shape, dtype=torch.float64)
    _, idx0, means0 = m._second_pass(hyper, zero, anchors)
    _, idx1, means1 = m._second_pass(hyper, zero + 3 * anchors, anchors)
    assert torch.equal(idx0[anchors], idx1[anchors])       # anchors: the hyperprior's alone
    assert torch.equal(means0[anchors], means1[anchors])
    assert not torch.equal(means0[~anchors], means1[~anchors])


def test_a_model_started_from_a_hyperprior_codes_as_it_did():
    torch.manual_seed(0)
    base = VariableRateHyperprior(**SMALL).eval()
    with pytest.raises(ModelError, match="missing"):
        load_weights(CheckerboardHyperprior(**SMALL), base.state_dict())
    cb = CheckerboardHyperprior(**SMALL).eval()
    load_weights(cb, base.state_dict(), fresh=True)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        a, b = base(x, torch.tensor([3])), cb(x, torch.tensor([3]))
    assert torch.equal(a.likelihoods_y, b.likelihoods_y) and torch.equal(a.x_hat, b.x_hat)


def test_training_step_reaches_the_context_network():
    m = CheckerboardHyperprior(**SMALL).train()
    out = m(torch.rand(2, 3, 64, 64), torch.tensor([1, 5]))
    (-out.likelihoods_y.log().sum()).backward()
    assert m.context[2].weight.grad.abs().sum() > 0


def test_release_checkpoint_round_trip_keeps_arch_and_coding(tmp_path):
    m = _model()
    path = tmp_path / "cb.pt"
    save_release(m, path, "cb")
    loaded, blob = load_release(path)
    assert blob["arch"] == "vr-checkerboard" and isinstance(loaded, CheckerboardHyperprior)
    y = m.analysis(pad_to_multiple(torch.rand(1, 3, 64, 64)))
    assert loaded.compress_latent(y, 3.0) == m.compress_latent(y, 3.0)


def test_wrong_stream_count_is_refused():
    m = _model()
    with pytest.raises(ModelError, match="3 latent streams"):
        m.decompress_latent([b"", b""], (1, 1), 1.0)


def test_registry_builds_it():
    assert isinstance(nets.create("vr-checkerboard", **SMALL), CheckerboardHyperprior)


def test_context_on_the_anchor_taps_equals_the_full_window():
    """The second pass reads only the 5x5 taps that land on anchors: the same integers as
    the whole window's im2col product over the anchor-only map."""
    m = _model()
    torch.manual_seed(2)
    h, w = 5, 7
    anchors = anchor_mask(h, w)
    a = torch.randint(-2000, 2000, (1, 48, h, w)).double() * anchors
    first, second = m._int_ctx
    full = second(first(a)).reshape(1, 96, -1)[:, :, (~anchors).reshape(-1)]
    assert torch.equal(m._context_fixed(a, ~anchors), full)
