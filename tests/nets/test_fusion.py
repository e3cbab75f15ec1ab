import torch

from textcodec.nets.fusion import FusionBlock


def _trained_like_block(num_rates: int = 1, seed: int = 0, std: float = 0.2):
    torch.manual_seed(seed)
    b = FusionBlock(num_rates=num_rates)
    for p in b.parameters():  # make the projection non-zero, as after stage 2
        torch.nn.init.normal_(p, std=std)
    return b.eval()


def _boxed_inputs(h: int, w: int, rows: slice, cols: slice):
    """A decoded image, a one-box mask and a random guidance map inside the box."""
    x = torch.rand(1, 3, h, w)
    mask = torch.zeros(1, 1, h, w)
    mask[..., rows, cols] = 1
    return x, torch.rand(1, 1, h, w) * mask, mask


def test_zero_guidance_map_gives_the_plain_codec_output_exactly():
    b = _trained_like_block()
    x = torch.rand(1, 3, 40, 50)
    zero = torch.zeros(1, 1, 40, 50)
    assert torch.equal(b(x, zero, zero), x)


def test_guidance_changes_only_the_boxes():
    b = _trained_like_block()
    x, guide, mask = _boxed_inputs(40, 50, slice(10, 20), slice(10, 30))
    out = b(x, guide, mask)
    assert torch.equal(out * (1 - mask), x * (1 - mask))
    assert not torch.equal(out, x)


def test_fresh_block_is_the_identity():
    x = torch.rand(1, 3, 8, 8)
    one = torch.ones(1, 1, 8, 8)
    assert torch.equal(FusionBlock()(x, one, one), x)


def test_block_has_the_papers_16_channels():
    b = FusionBlock()
    assert b.expand.out_channels == 13 and b.project.in_channels == 16


def test_tiled_fusion_equals_one_full_frame_pass():
    """apply_fusion computes only tiles that hold words, with a halo wider than the block's
    receptive field: the result must be the full-frame result, tile seams included."""
    import numpy as np

    from textcodec.codec import apply_fusion
    from textcodec.words import Word

    torch.manual_seed(0)
    block = FusionBlock().eval()
    for p in block.parameters():          # a non-trivial block (project starts at zero)
        torch.nn.init.normal_(p, std=0.3)
    x = torch.rand(1, 3, 150, 300)
    # words straddling the tile seams at 64 px, and one in a corner
    words = [Word("seam", 64, 64, 40, 12), Word("edge", 280, 140, 30, 10),
             Word("across", 150, 70, 120, 14, angle=20.0)]
    from textcodec.render import render

    g, m = render(words, 300, 150)
    with torch.no_grad():
        full = block(x, torch.from_numpy(g)[None, None], torch.from_numpy(m)[None, None])
        tiled = apply_fusion(block, x, words, tile=64)
    assert torch.allclose(tiled, full, atol=1e-5)
    untouched = torch.from_numpy(np.asarray(m) == 0)[None, None].expand_as(x)
    assert torch.equal(tiled[untouched], x[untouched])
    assert not torch.allclose(tiled, x)


def _rate_block():
    return _trained_like_block(num_rates=4, seed=1, std=0.3)


def test_rate_conditioning_changes_the_correction_per_rate_and_not_outside_boxes():
    b = _rate_block()
    x, guide, mask = _boxed_inputs(24, 32, slice(4, 12), slice(4, 20))
    with torch.no_grad():
        outs = [b(x, guide, mask, q) for q in range(4)]
    assert not torch.allclose(outs[0], outs[3])
    for o in outs:
        assert torch.equal(o * (1 - mask), x * (1 - mask))


def test_fractional_quality_interpolates_and_batches_take_one_rate_each():
    b = _rate_block()
    x = torch.rand(2, 3, 16, 16)
    one = torch.ones(2, 1, 16, 16)
    g = torch.rand(2, 1, 16, 16)
    with torch.no_grad():
        bias, gain = b._rate_terms(torch.tensor([1.0, 2.5]), 2)
        per_sample = b(x, g, one, torch.tensor([1.0, 2.0]))
        alone = b(x[1:], g[1:], one[1:], 2)
    assert torch.allclose(bias[1, :, 0, 0], (b.rate_bias[2] + b.rate_bias[3]) / 2)
    assert torch.allclose(gain[0].log().flatten(), b.rate_log_gain[1:2])
    assert torch.allclose(per_sample[1:], alone, atol=1e-6)


def test_block_without_rate_terms_loads_as_unconditioned():
    """text-v2's block predates rate conditioning: it must load and act as it did."""
    from textcodec import nets
    from textcodec.checkpoint import load_weights

    m = nets.create("vr-hyperprior", N=8, M=8, N_dec=8, N_last=8, fusion=True,
                    lambdas=(0.001, 0.002, 0.004))
    state = {k: v for k, v in m.state_dict().items() if "rate_" not in k}
    load_weights(m, state)
    assert m.fusion.rate_bias.shape == (3, 16) and not m.fusion.rate_bias.any()
    assert not m.fusion.rate_log_gain.any()
