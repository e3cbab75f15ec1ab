"""The variable-rate hyperprior with a checkerboard context model (two-pass decoding).

He et al. 2021, "Checkerboard context model for efficient learned image compression": the
latent grid is split like a chessboard. Anchors (cells with i + j even) are coded first with
the hyperprior's parameters alone; every other cell then also sees its decoded anchor
neighbours through a context network, so two passes decode the whole grid, whatever its
size (an autoregressive context would need one pass per cell).

    z_hat --h_s--> p_h (scale, mean)            anchors:     p = p_h
    y_hat[anchors] --ctx--> c                   non-anchors: p = p_h + c

The context network (a 5x5 convolution over the anchors, ReLU, a 1x1 convolution to the
2M parameters) adds to h_s's output, and its last layer starts at zero, so a model built from
a plain hyperprior checkpoint codes exactly as that checkpoint until it trains. Like h_s it
runs in integers at coding time (``intmath.IntConv``): the non-anchors' parameters depend on
decoded anchors, so they must come out bit for bit the same on the encoder's GPU and the
decoder's CPU. Decoded anchors are exact fixed-point numbers (integer symbol + fixed-point
mean), which is what the integer context network takes in.

Three latent streams: z, the anchors, the non-anchors.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from textcodec.container import EntropyCoder
from textcodec.errors import ModelError
from textcodec.nets.hyperprior import RDOutput, VariableRateHyperprior
from textcodec.nets.intmath import ACT_FRAC_BITS, ACT_LIMIT, IntConv


def anchor_mask(h: int, w: int, device=None) -> torch.Tensor:
    """(h, w) bool: True on the anchors, the cells with i + j even (the top-left one is)."""
    i = torch.arange(h, device=device)[:, None]
    j = torch.arange(w, device=device)[None, :]
    return (i + j) % 2 == 0


class CheckerboardHyperprior(VariableRateHyperprior):
    ARCH = "vr-checkerboard"
    # keys a plain hyperprior checkpoint lacks; training may start them fresh from one
    FRESH_KEYS = ("context.", "refine.")

    def __init__(self, *args, context_channels: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        M = self.config["M"]
        C = context_channels or M
        self.config["context_channels"] = C
        self.context = nn.Sequential(nn.Conv2d(M, C, 5, padding=2), nn.ReLU(),
                                     nn.Conv2d(C, 2 * M, 1))
        nn.init.zeros_(self.context[2].weight)
        nn.init.zeros_(self.context[2].bias)
        self._int_ctx: list[IntConv] | None = None

    # ---- training -------------------------------------------------------------------
    def forward(self, x: torch.Tensor, quality: torch.Tensor) -> RDOutput:
        gain, inv_gain = self._gains(quality)
        y = self.g_a(x) * gain
        z = self.h_a(y)
        z_hat, z_lik = self.entropy_bottleneck(z)
        hyper = self.h_s(z_hat)
        anchors = anchor_mask(*y.shape[-2:], device=y.device)
        _, means_h = hyper.chunk(2, 1)
        # the context sees the anchors as the decoder will: rounded around their means
        # (straight-through, so the context's gradient reaches the encoder)
        rounded = self.gaussian_conditional.quantize(y, False, means_h)
        y_anchor = (y + (rounded - y).detach()) * anchors
        params = hyper + self.context(y_anchor) * ~anchors
        scales, means = params.chunk(2, 1)
        y_hat, y_lik = self.gaussian_conditional(y, scales, means)
        if self.training and self.straight_through:
            y_hat = y + (self.gaussian_conditional.quantize(y, False, means) - y).detach()
        x_hat = self.decoded(y_hat * inv_gain, quality)
        return RDOutput(x_hat, y_lik, z_lik, y_hat)

    # ---- entropy coding -------------------------------------------------------------
    def _exact_convs(self) -> list[nn.Conv2d]:
        return super()._exact_convs() + [self.context[0], self.context[2]]

    def _int_ctx_from_float(self, w_bits=(None, None)) -> list[IntConv]:
        return [IntConv.from_float(self.context[0], 1, True, w_bits[0]),
                IntConv.from_float(self.context[2], 1, False, w_bits[1])]

    def _extra_coding(self) -> dict:
        return {"ctx_w_bits": torch.tensor([layer.w_bits for layer in
                                            self._int_ctx_from_float()])}

    def load_coding(self, coding: dict) -> None:
        if "ctx_w_bits" not in coding:
            raise ModelError("checkpoint lacks the context model's coding state")
        super().load_coding(coding)
        self._int_ctx = self._int_ctx_from_float([int(b) for b in coding["ctx_w_bits"]])
        # the first layer at the window taps that land on anchors (see _context_fixed)
        first = self._int_ctx[0]
        k, c = first.kernel, self.config["M"]
        self._ctx_taps = [(dy, dx) for dy in range(k) for dx in range(k) if (dy + dx) % 2 == 1]
        keep = torch.tensor([dy * k + dx for dy, dx in self._ctx_taps])
        weight = first.weight.reshape(first.weight.shape[0], c, k * k)[:, :, keep]
        self._ctx_first_taps = IntConv(weight.reshape(weight.shape[0], -1), first.bias,
                                       first.w_bits, k, first.shuffle, first.relu)

    def _context_fixed(self, anchors_fixed: torch.Tensor, cells: torch.Tensor) -> torch.Tensor:
        """The integer context network at the non-anchor (h, w) bool ``cells``: (n, 2M, P).

        Around a non-anchor cell only the window taps at an odd offset (dy + dx odd) land on
        anchors; the other taps read zeros. So the first layer gathers just those taps (12 of
        25) with their weight columns: the same integers as the full im2col product, for
        half its work."""
        first, second = self._ctx_first_taps, self._int_ctx[1]
        n, c, h, w = anchors_fixed.shape
        padded = F.pad(anchors_fixed, (first.kernel // 2,) * 4)
        flat = cells.reshape(-1)
        cols = torch.stack([padded[:, :, dy:dy + h, dx:dx + w].reshape(n, c, -1)[:, :, flat]
                            for dy, dx in self._ctx_taps], 2).reshape(n, -1, flat.sum())
        return second.columns(first.columns(cols))

    def _second_pass(self, hyper: torch.Tensor, anchor_sym: torch.Tensor,
                     anchors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """From the hyper parameters (fixed point) and the anchors' symbols (zero elsewhere):
        (the anchors' exact y_hat in fixed point, every cell's scale indexes and means)."""
        _, means_fixed = hyper.chunk(2, 1)
        # an anchor's y_hat = symbol + mean is an exact fixed-point number
        y_anchor = (anchor_sym.double() * 2 ** ACT_FRAC_BITS + means_fixed) * anchors
        others = ~anchors[0, 0]
        context = self._context_fixed(y_anchor.clamp(-ACT_LIMIT, ACT_LIMIT), others)
        params = hyper.clone()
        params[:, :, others] += context   # the non-anchors' scales and means
        idx, means = self._index_and_means(params)
        return y_anchor, idx, means

    @torch.no_grad()
    def compress_latent(self, y: torch.Tensor, quality: float,
                        coder: EntropyCoder = EntropyCoder.RANS16_LANES,
                        region=None) -> list[bytes]:
        y, z_sym, hyper = self._gained_hyper(y, quality, region)
        idx_h, means_h = self._index_and_means(hyper)
        anchors = anchor_mask(*y.shape[-2:], device=y.device).expand_as(y)
        sym_h = torch.round(y.double() - means_h) * anchors
        _, idx, means = self._second_pass(hyper, sym_h, anchors)
        sym = torch.round(y.double() - means).to(torch.int32)
        return [self._coders["z"].encode(z_sym, self._z_indexes(z_sym.shape), coder),
                self._coders["y"].encode(sym_h.to(torch.int32)[anchors], idx_h[anchors], coder),
                self._coders["y"].encode(sym[~anchors], idx[~anchors], coder)]

    @torch.no_grad()
    def decompress_latent(self, strings: list[bytes], z_shape: tuple[int, int],
                          quality: float,
                          coder: EntropyCoder = EntropyCoder.RANS16_LANES) -> torch.Tensor:
        if len(strings) != 3:
            raise ModelError(f"this model writes 3 latent streams, the file has {len(strings)}")
        M, N = self.config["M"], self.config["N"]
        shape = (1, N, *z_shape)
        z_sym = self._coders["z"].decode(strings[0], self._z_indexes(shape),
                                         coder).reshape(shape)
        _, hyper = self._hyper_fixed(z_sym.to(self.log_gain.device))
        idx_h, means_h = self._index_and_means(hyper)
        anchors = anchor_mask(*idx_h.shape[-2:], device=idx_h.device).expand_as(idx_h)
        sym = torch.zeros(idx_h.shape, dtype=torch.float64, device=idx_h.device)
        sym[anchors] = self._coders["y"].decode(strings[1], idx_h[anchors].cpu(),
                                                coder).to(sym.device).double()
        y_anchor, idx, means = self._second_pass(hyper, sym, anchors)
        sym[~anchors] = self._coders["y"].decode(strings[2], idx[~anchors].cpu(),
                                                 coder).to(sym.device).double()
        y_hat = torch.where(anchors, y_anchor / 2 ** ACT_FRAC_BITS, sym + means)
        return y_hat.reshape(1, M, *idx.shape[-2:]).float()
