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
