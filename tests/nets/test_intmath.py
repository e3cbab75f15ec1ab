"""The mechanism behind GPU-encode / CPU-decode: integer hyper-synthesis is exact."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from textcodec.nets.intmath import ACT_FRAC_BITS, IntConv, from_fixed, to_fixed


def _layer(seed=0, cin=16, cout=32, k=3):
    torch.manual_seed(seed)
    conv = nn.Conv2d(cin, cout, k, padding=k // 2)
    return conv, IntConv.from_float(conv, shuffle=1, relu=True)


def test_integer_conv_tracks_the_float_conv():
    conv, ic = _layer()
    x = torch.randn(1, 16, 9, 11)
    want = torch.relu(conv(x)).double()
    got = from_fixed(ic(to_fixed(x)))
    assert (got - want).abs().max() < 4 / 2 ** ACT_FRAC_BITS


def test_integer_conv_is_independent_of_summation_order():
    """A GPU sums in another order than a CPU; exact integer sums cannot tell the difference."""
    _, ic = _layer(1)
    a = to_fixed(torch.randn(1, 16, 12, 7) * 30)
    reference = ic(a)
    # the same products, summed by a different algorithm: conv2d over float64 integers,
    # and matmul over the channel dimension reversed
    w = ic.weight.reshape(32, 16, 3, 3)
    acc = F.conv2d(a, w, ic.bias, padding=1)
    other = torch.floor(acc / 2 ** ic.w_bits).clamp_min(0)
    perm = torch.arange(16 * 9).flip(0)
    cols = F.unfold(a, 3, padding=1)[:, perm]
    acc2 = (ic.weight[:, perm] @ cols + ic.bias[:, None]).reshape(1, 32, 12, 7)
    other2 = torch.floor(acc2 / 2 ** ic.w_bits).clamp_min(0)
    assert torch.equal(reference, other) and torch.equal(reference, other2)


def test_stored_weight_bits_reproduce_the_same_integers():
    conv, ic = _layer(2)
    again = IntConv.from_float(conv, 1, True, w_bits=ic.w_bits)
    assert torch.equal(again.weight, ic.weight) and torch.equal(again.bias, ic.bias)


def test_worst_case_sum_stays_exact_in_float64():
    conv, ic = _layer(3)
    worst = ic.weight.abs().sum(1).max() * (1 << 20) + ic.bias.abs().max()
    assert worst < 2 ** 53
