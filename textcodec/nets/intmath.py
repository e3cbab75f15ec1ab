"""Exact fixed-point inference for the hyper-synthesis transform.

The decoder must rebuild the entropy model's parameters bit for bit, whatever device the
encoder ran on. Float convolutions are not reproducible across devices (different summation
orders, TF32, Winograd), so after training the hyper-synthesis is frozen into integers, after
the idea of Balle et al. 2019, "Integer networks for data compression with latent-variable
models": integer weights, integer activations, and convolutions evaluated as float64 matrix
products over im2col patches. Every product and partial sum is an integer below 2**52, which
float64 holds exactly, so any summation order on any device gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

ACT_FRAC_BITS = 8          # activations carry 8 fractional bits
ACT_LIMIT = 1 << 20        # |activation| <= 4096.0 in fixed point, clamped
EXACT_LIMIT = 1 << 52      # float64 represents every integer up to 2**53


@dataclass
class IntConv:
    """One conv layer in fixed point: out = floor((W_int * a + b_int) / 2**w_bits)."""

    weight: torch.Tensor   # float64 holding integers, shape (out, in*k*k)
    bias: torch.Tensor     # float64 holding integers, shape (out,)
    w_bits: int
    kernel: int
    shuffle: int           # pixel-shuffle factor after the conv (1 = none)
    relu: bool

    @classmethod
    def from_float(cls, conv: torch.nn.Conv2d, shuffle: int, relu: bool,
                   w_bits: int | None = None) -> "IntConv":
        """Integers from float weights: exact elementwise rounding, the same on any machine
        once ``w_bits`` is fixed (checkpoints store it rather than recompute it)."""
        w = conv.weight.detach().double().cpu()
        out_ch, k = w.shape[0], w.shape[-1]
        flat = w.reshape(out_ch, -1)
        if w_bits is None:
            # the most fractional weight bits for which the worst case stays exact
            worst_in = flat.abs().sum(1).max().item() * ACT_LIMIT
            w_bits = 0
            while (w_bits < 24 and worst_in * 2 ** (w_bits + 1)
                   + 2 ** (w_bits + 1) * ACT_LIMIT < EXACT_LIMIT):
                w_bits += 1
        weight = torch.round(flat * 2 ** w_bits)
        bias = torch.round(conv.bias.detach().double().cpu() * 2 ** (w_bits + ACT_FRAC_BITS))
        return cls(weight, bias, w_bits, k, shuffle, relu)

    def __call__(self, a: torch.Tensor) -> torch.Tensor:
        n, c, h, w = a.shape
        out = self.columns(F.unfold(a, self.kernel, padding=self.kernel // 2))
        out = out.reshape(n, -1, h, w)
        if self.shuffle > 1:  # ReLU and clamp are elementwise: before or after, the same
            out = F.pixel_shuffle(out, self.shuffle)
        return out

    def columns(self, cols: torch.Tensor) -> torch.Tensor:
        """The layer on im2col columns (n, in*k*k, P) -> (n, out, P), without the shuffle:
        evaluates it at chosen positions only (the checkerboard's second pass)."""
        acc = torch.matmul(self.weight.to(cols.device), cols) + self.bias.to(cols.device)[:, None]
        out = torch.floor(acc / 2 ** self.w_bits)
        if self.relu:
            out = out.clamp_min(0)
        return out.clamp(-ACT_LIMIT, ACT_LIMIT)



def to_fixed(x: torch.Tensor) -> torch.Tensor:
    """Float32 values -> float64 integers with ACT_FRAC_BITS fractional bits.

    Only elementwise IEEE operations: the same float32 input gives the same integers on any
    device."""
    return torch.round(x.double() * 2 ** ACT_FRAC_BITS).clamp(-ACT_LIMIT, ACT_LIMIT)


def from_fixed(x: torch.Tensor) -> torch.Tensor:
    return x / 2 ** ACT_FRAC_BITS
