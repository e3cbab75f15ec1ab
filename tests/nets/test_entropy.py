"""textcodec's entropy models and GDN against CompressAI's: same state dicts, same outputs,
likelihoods, gradients and frozen tables (textcodec/nets/entropy.py says why they exist)."""

import subprocess
import sys

import pytest
import torch
from compressai.entropy_models import EntropyBottleneck as CaiBottleneck
from compressai.entropy_models import GaussianConditional as CaiGaussian
from compressai.layers import GDN as CaiGDN

from textcodec.nets.entropy import GDN, EntropyBottleneck, GaussianConditional


def _perturbed(module: torch.nn.Module, seed: int) -> dict:
    """The module's state with every float parameter moved off its initial value."""
    g = torch.Generator().manual_seed(seed)
    state = module.state_dict()
    for name, p in module.named_parameters():
        state[name] = p.detach() + 0.05 * torch.randn(p.shape, generator=g)
    return state


def _twins(ours, theirs, seed=0):
    theirs.load_state_dict(_perturbed(theirs, seed))
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def test_state_dict_names_and_shapes_match_compressai():
    for ours, theirs in [(GDN(16), CaiGDN(16)), (GDN(8, inverse=True), CaiGDN(8, inverse=True)),
                         (EntropyBottleneck(12), CaiBottleneck(12)),
                         (GaussianConditional(), CaiGaussian(None))]:
        a, b = ours.state_dict(), theirs.state_dict()
        assert list(a) == list(b)
        for k in a:
            assert a[k].shape == b[k].shape and a[k].dtype == b[k].dtype, k
            assert torch.equal(a[k], b[k]) or "biases" in k, k   # biases are random at init


@pytest.mark.parametrize("inverse", [False, True])
def test_gdn_matches_compressai_with_gradients(inverse):
    ours, theirs = _twins(GDN(16, inverse=inverse), CaiGDN(16, inverse=inverse))
    x = torch.randn(2, 16, 9, 7, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    a, b = ours(x), theirs(x2)
    assert torch.equal(a, b)
    (a.square().sum()).backward()
    (b.square().sum()).backward()
    assert torch.allclose(x.grad, x2.grad, rtol=1e-5, atol=1e-6)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert torch.allclose(p.grad, q.grad, rtol=1e-6, atol=1e-7), n


@pytest.mark.parametrize("inverse", [False, True])
def test_gdn_cpu_inference_path_matches_the_convolution(inverse, monkeypatch):
    """Channels-last inference on a CPU takes the blockwise matrix-product path: the same
    values (to float rounding) as the 1x1 convolution, over several blocks and a short last."""
    import textcodec.nets.entropy as entropy

    monkeypatch.setattr(entropy, "GDN_CPU_ROWS", 100)
    ours, theirs = _twins(GDN(24, inverse=inverse), CaiGDN(24, inverse=inverse), seed=3)
    x = torch.randn(2, 24, 13, 17).abs().add(0.1).contiguous(memory_format=torch.channels_last)
    calls = []
    monkeypatch.setattr(ours, "_cpu_rows", lambda t: calls.append(t) or GDN._cpu_rows(ours, t))
    with torch.no_grad():
        a, b = ours(x), theirs(x)
    assert len(calls) == 1   # the path under test was taken
    assert a.is_contiguous(memory_format=torch.channels_last) and a.shape == b.shape
    torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)
    assert not torch.equal(a, x)   # the sums did something


def test_lower_bound_gradient_lifts_values_off_the_bound():
    # below the bound the gradient passes only where descending it would raise the value
    ours = GDN(2).beta_reparam.lower_bound
    x = torch.tensor([-1.0, -1.0, 1.0], requires_grad=True)
    y = ours(x)
    y.backward(torch.tensor([1.0, -1.0, 1.0]))
    assert x.grad.tolist() == [0.0, -1.0, 1.0]


def test_entropy_bottleneck_matches_compressai():
    ours, theirs = _twins(EntropyBottleneck(12), CaiBottleneck(12), seed=1)
    z = 3 * torch.randn(2, 12, 5, 6)
    for training in (False, True):
        torch.manual_seed(7)
        a = ours(z, training=training)
        torch.manual_seed(7)
        b = theirs(z, training=training)
        assert torch.equal(a[0], b[0]) and torch.allclose(a[1], b[1], rtol=1e-6, atol=0)
    assert torch.allclose(ours.loss(), theirs.loss(), rtol=1e-6)
    # the aux loss trains the quantiles only, in both
    ours.loss().backward()
    theirs.loss().backward()
    assert torch.allclose(ours.quantiles.grad, theirs.quantiles.grad)
    assert all(p.grad is None for n, p in ours.named_parameters() if n != "quantiles")


def test_gaussian_conditional_matches_compressai():
    ours, theirs = GaussianConditional(), CaiGaussian(None)
    y = 4 * torch.randn(2, 6, 5, 5)
    scales = torch.rand(2, 6, 5, 5) * 3
    means = torch.randn(2, 6, 5, 5)
    for training in (False, True):
        torch.manual_seed(3)
        a = ours(y, scales, means, training=training)
        torch.manual_seed(3)
        b = theirs(y, scales, means, training=training)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


def test_frozen_tables_equal_compressai_tables():
    ours, theirs = _twins(EntropyBottleneck(12), CaiBottleneck(12), seed=2)
    ours.update()
    theirs.update(force=True)
    for k in ("_quantized_cdf", "_offset", "_cdf_length"):
        assert torch.equal(getattr(ours, k), getattr(theirs, k)), k
    table = torch.exp(torch.linspace(-2.2, 5.5, 64))
    g_ours, g_theirs = GaussianConditional(), CaiGaussian(None)
    g_ours.update_scale_table(table)
    g_theirs.update_scale_table(table, force=True)
    for k in ("_quantized_cdf", "_offset", "_cdf_length", "scale_table"):
        assert torch.equal(getattr(g_ours, k), getattr(g_theirs, k)), k


def test_decoding_never_imports_compressai(tmp_path):
    """A one-shot decode (and encode without OCR) must not pay for ``import compressai``."""
    code = (
        "import sys, textcodec\n"
        "from PIL import Image\n"
        "img = Image.new('RGB', (40, 30), (200, 50, 50))\n"
        "data = textcodec.encode(img, ocr=False)\n"
        "out = textcodec.decode(data)\n"
        "assert out.size == (40, 30)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('compressai', 'torch_geometric', 'scipy')))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_update_on_shipped_weights_equals_compressai_update():
    """On real trained weights our tables are CompressAI's, bit for bit. (A checkpoint's
    stored tables may differ from any rebuild by a unit where they were built on a GPU:
    that is why checkpoints store them instead of rebuilding.)"""
    from pathlib import Path

    from textcodec import zoo
    from textcodec.checkpoint import load_release

    for name in (zoo.default_model(), zoo.baseline_model()):
        model, _ = load_release(Path(__file__).parents[2] / "models" / zoo.get_entry(name).file)
        theirs = CaiBottleneck(model.config["N"])
        prefix = "entropy_bottleneck."
        theirs.load_state_dict({k[len(prefix):]: v for k, v in model.state_dict().items()
                                if k.startswith(prefix)})
        theirs.update(force=True)
        coding = model.update()
        assert torch.equal(coding["z_cdf"], theirs._quantized_cdf), name
        assert torch.equal(coding["z_offset"], theirs._offset), name
        assert torch.equal(coding["z_cdf_len"], theirs._cdf_length), name
