"""The TextBoost fusion block (Wang et al. 2026): rendered OCR guidance -> sharper text.

    guide (1ch) --(Hadamard)--> guide * x_dec (3ch) --+
    x_dec (3ch) --1x1--> 13ch -----------------------+--cat(16)--> attention --1x1--> r (3ch)
    out = x_dec + gate * exp(g[q]) * r,   gate = the box mask

Rate conditioning (our addition): one model serves many rates, and how far the decoded pixels
should be trusted over the guidance depends on the rate (at 0.02 bpp the pixels are mush, at
0.5 bpp they are right and a misread side-stream word must not win). A per-rate 16-channel
bias ``b[q]`` enters the attention input and a per-rate log-gain ``g[q]`` scales the
correction, both interpolated for fractional qualities and both zero at the start, so a block
trained without them (text-v2) loads unchanged.

The attention module follows Cheng et al. 2020 (a trunk of residual units, modulated by a
sigmoid mask branch of residual units). The gate makes the block exactly the identity where
there is no guidance, so a file without a side stream decodes as the plain codec.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class _ResidualUnit(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c // 2, 1), nn.ReLU(inplace=True),
                                  nn.Conv2d(c // 2, c // 2, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(c // 2, c, 1))

    def forward(self, x):
        return torch.relu(x + self.body(x))


class _Attention(nn.Module):
    def __init__(self, c: int, units: int = 3):
        super().__init__()
        self.trunk = nn.Sequential(*[_ResidualUnit(c) for _ in range(units)])
        self.mask = nn.Sequential(*[_ResidualUnit(c) for _ in range(units)], nn.Conv2d(c, c, 1))

    def forward(self, x):
        return x + self.trunk(x) * torch.sigmoid(self.mask(x))


class FusionBlock(nn.Module):
    def __init__(self, channels: int = 16, units: int = 3, num_rates: int = 1):
        super().__init__()
        self.rate_bias = nn.Parameter(torch.zeros(num_rates, channels))
        self.rate_log_gain = nn.Parameter(torch.zeros(num_rates))
        self.expand = nn.Conv2d(3, channels - 3, 1)
        self.attention = _Attention(channels, units)
        self.project = nn.Conv2d(channels, 3, 1)
        # each residual unit holds one 3x3 convolution and the trunk and mask branches run
        # side by side: an output pixel depends on inputs at most `units` pixels away
        self.receptive_radius = units
        nn.init.zeros_(self.project.weight)  # starts as the identity: stage 2 only improves
        nn.init.zeros_(self.project.bias)

    def _rate_terms(self, quality, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, C, 1, 1) bias and (B, 1, 1, 1) gain for integer or fractional qualities."""
        from textcodec.nets.hyperprior import rate_rows

        bias = rate_rows(self.rate_bias, quality, batch)
        log_gain = rate_rows(self.rate_log_gain[:, None], quality, batch)
        return bias[:, :, None, None], log_gain.exp()[:, :, None, None]

    def forward(self, x_dec: torch.Tensor, guide: torch.Tensor, mask: torch.Tensor,
                quality: torch.Tensor | float = 0) -> torch.Tensor:
        """x_dec (B,3,H,W), guide and mask (B,1,H,W) in [0, 1]; quality per sample or one."""
        bias, gain = self._rate_terms(quality, x_dec.shape[0])
        f = torch.cat([guide * x_dec, self.expand(x_dec)], 1) + bias
        return x_dec + mask * gain * self.project(self.attention(f))
