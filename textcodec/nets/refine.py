"""A rate-conditioned refinement stage after the synthesis, for the edges it misses.

The synthesis draws from a latent at 1/16 of the resolution, and on screens nearly all of its
error lies on one-pixel strokes (tools/edge_error_study.py). Session 33 found that no rate
passes the transforms' ceiling (tools/latent_precision_study.py) and that a few convolutions
after the decoder, trained on its output, bought more on UI screenshots than a twelfth rate
(tools/postfilter_study.py). This is that stage inside the model, trained with the codec:

    x_hat (3, H, W) --unshuffle 2--> (12, H/2, W/2) --3x3 conv, ReLU--> C  (+ b_0[q])
        --[3x3 conv C -> C, ReLU (+ b_i[q])] x layers--> 3x3 conv C -> 12 --shuffle 2--> r
    out = clamp(x_hat) + exp(g[q]) * r        (x_hat clamped to [0, 1] before all of this)

Working on 2x2 blocks of pixels (12 channels at half resolution) keeps every pixel's value
while the convolutions cost a quarter as much per pixel as at full resolution: 32 channels
and 4 hidden layers take ~0.13 s at 720p on two CPU cores (the same stack at full resolution
0.76 s), within issue 2's 1 s decode. Rate conditioning as in the fusion block: a per-rate
bias for every hidden layer and a per-rate output log-gain, interpolated for fractional
qualities, all zero at the start; the last convolution starts at zero, so a model built from a
checkpoint without the stage decodes exactly as that checkpoint until it trains (the clamp
changes only what every decode clamps anyway). The clamp at its input matters: trained on
the raw synthesis output, whose overshoots the final clamp removes, the stage learned nothing
that survived it (session 35, UI screenshots at q10: -0.02 dB on GIMP's dialogs after 6,000
steps; reading the clamped decode, +0.19 dB after 1,500). It reads only the decoded pixels:
the files a model writes do not depend on it.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from textcodec.nets.hyperprior import rate_rows   # hyperprior imports this module lazily


class Refiner(nn.Module):
    def __init__(self, channels: int = 32, layers: int = 4, num_rates: int = 1):
        super().__init__()
        self.head = nn.Conv2d(12, channels, 3, padding=1)
        self.body = nn.ModuleList(nn.Conv2d(channels, channels, 3, padding=1)
                                  for _ in range(layers))
        self.tail = nn.Conv2d(channels, 12, 3, padding=1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)
        # per-rate rows (the fusion block's names, so checkpoint.remap_block_rates maps them)
        self.rate_bias = nn.Parameter(torch.zeros(num_rates, (layers + 1) * channels))
        self.rate_log_gain = nn.Parameter(torch.zeros(num_rates))

    def forward(self, x: torch.Tensor, quality: torch.Tensor | float) -> torch.Tensor:
        """x (B, 3, H, W); quality per sample (B,) or one for the batch. Odd sizes are padded
        by replication for the 2x2 blocks and cropped back."""
        x = x.clamp(0, 1)   # the decode as it will be shown (the module's docstring says why)
        h, w = x.shape[-2:]
        padded = F.pad(x, (0, w % 2, 0, h % 2), mode="replicate") if h % 2 or w % 2 else x
        bias = rate_rows(self.rate_bias, quality, x.shape[0])[:, :, None, None]
        gain = rate_rows(self.rate_log_gain[:, None], quality, x.shape[0]).exp()[:, :, None, None]
        biases = bias.chunk(len(self.body) + 1, 1)
        f = torch.relu(self.head(F.pixel_unshuffle(padded, 2)) + biases[0])
        for conv, b in zip(self.body, biases[1:]):
            f = torch.relu(conv(f) + b)
        r = F.pixel_shuffle(self.tail(f), 2)[..., :h, :w]
        return x + gain * r
