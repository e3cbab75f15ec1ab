"""The TextBoost fusion block (Wang et al. 2026): rendered OCR guidance -> sharper text.

    guide (1ch) --(Hadamard)--> guide * x_dec (3ch) --+
    x_dec (3ch) --1x1--> 13ch -----------------------+--cat(16)--> attention --1x1--> r (3ch)
    out = x_dec + gate * r,   gate = the box mask

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
    def __init__(self, channels: int = 16, units: int = 3):
        super().__init__()
        self.expand = nn.Conv2d(3, channels - 3, 1)
        self.attention = _Attention(channels, units)
        self.project = nn.Conv2d(channels, 3, 1)
        # each residual unit holds one 3x3 convolution and the trunk and mask branches run
        # side by side: an output pixel depends on inputs at most `units` pixels away
        self.receptive_radius = units
        nn.init.zeros_(self.project.weight)  # starts as the identity: stage 2 only improves
        nn.init.zeros_(self.project.bias)

    def forward(self, x_dec: torch.Tensor, guide: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        """x_dec (B,3,H,W), guide and mask (B,1,H,W) in [0, 1]."""
        f = torch.cat([guide * x_dec, self.expand(x_dec)], 1)
        return x_dec + mask * self.project(self.attention(f))
