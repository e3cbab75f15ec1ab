import torch

from textcodec.nets.fusion import FusionBlock


def _trained_like_block():
    torch.manual_seed(0)
    b = FusionBlock()
    for p in b.parameters():  # make the projection non-zero, as after stage 2
        torch.nn.init.normal_(p, std=0.2)
    return b


def test_zero_guidance_map_gives_the_plain_codec_output_exactly():
    b = _trained_like_block()
    x = torch.rand(1, 3, 40, 50)
    zero = torch.zeros(1, 1, 40, 50)
    assert torch.equal(b(x, zero, zero), x)


def test_guidance_changes_only_the_boxes():
    b = _trained_like_block()
    x = torch.rand(1, 3, 40, 50)
    mask = torch.zeros(1, 1, 40, 50)
    mask[..., 10:20, 10:30] = 1
    guide = torch.rand(1, 1, 40, 50) * mask
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
