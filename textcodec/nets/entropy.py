"""The hyperprior's entropy models and GDN, in the form CompressAI defines them.

The model is CompressAI's mean-scale hyperprior (Balle et al. 2018, Minnen et al. 2018):
the factorized density of z (``EntropyBottleneck``), the conditional Gaussian of y
(``GaussianConditional``) and generalized divisive normalization (``GDN``), with CompressAI's
parameterization, initialisation, custom gradients and state-dict names, so every checkpoint
trained with CompressAI's classes loads here unchanged and trains on identically
(tests/nets/test_entropy.py checks outputs, likelihoods, gradients and the frozen tables
against CompressAI's own modules).

Why not import them from CompressAI: ``import compressai`` initialises the whole package,
point-cloud datasets and torch_geometric included, which cost 4-5 s before a one-shot
``textcodec decode`` could start. Coding never needs CompressAI: the frozen tables live in the
checkpoint. CompressAI is imported only where it does real work: quantizing the CDF tables
when a release checkpoint is written (``update``), its rANS coder for files of container
format 1.0, and training.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CDF_PRECISION = 16


class _LowerBoundFn(torch.autograd.Function):
    """max(x, bound), whose gradient still flows where it would lift x off the bound."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x, bound)
        return torch.max(x, bound)

    @staticmethod
    def backward(ctx, grad):
        x, bound = ctx.saved_tensors
        keep = (x >= bound) | (grad < 0)
        return grad * keep, None


class LowerBound(nn.Module):
    def __init__(self, bound: float):
        super().__init__()
        self.register_buffer("bound", torch.tensor([float(bound)]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _LowerBoundFn.apply(x, self.bound.to(x.dtype))


class NonNegative(nn.Module):
    """Stores p as sqrt(p + pedestal): stable gradients for small non-negative parameters."""

    def __init__(self, minimum: float = 0.0, offset: float = 2.0 ** -18):
        super().__init__()
        self.register_buffer("pedestal", torch.tensor([offset * offset]))
        self.lower_bound = LowerBound((minimum + offset * offset) ** 0.5)

    def init(self, value: torch.Tensor) -> torch.Tensor:
        return torch.sqrt(torch.clamp(value + self.pedestal, min=float(self.pedestal)))

    def forward(self, stored: torch.Tensor) -> torch.Tensor:
        return self.lower_bound(stored) ** 2 - self.pedestal


GDN_CPU_ROWS = 8192   # pixels a block in GDN's CPU path: 3-6 MB of a 96-192 channel map


class GDN(nn.Module):
    """y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2); ``inverse`` multiplies instead."""

    def __init__(self, channels: int, inverse: bool = False, beta_min: float = 1e-6,
                 gamma_init: float = 0.1):
        super().__init__()
        self.inverse = inverse
        self.beta_reparam = NonNegative(beta_min)
        self.gamma_reparam = NonNegative()
        self.beta = nn.Parameter(self.beta_reparam.init(torch.ones(channels)))
        self.gamma = nn.Parameter(self.gamma_reparam.init(gamma_init * torch.eye(channels)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        if (x.device.type == "cpu" and not torch.is_grad_enabled() and x.dim() == 4
                and x.is_contiguous(memory_format=torch.channels_last)):
            return self._cpu_rows(x)
        gamma = self.gamma_reparam(self.gamma).reshape(c, c, 1, 1)
        norm = F.conv2d(x * x, gamma, self.beta_reparam(self.beta))
        return x * (torch.sqrt(norm) if self.inverse else torch.rsqrt(norm))

    def _cpu_rows(self, x: torch.Tensor) -> torch.Tensor:
        """The same sums for a channels-last tensor on a CPU, as matrix products over blocks
        of pixels: the square, the 1x1 sum, the root and the product of one block stay in
        cache instead of four passes over the whole map through memory (inverse GDN at
        720p: ~0.29 -> ~0.15 s on two AVX2 cores; tests/nets/test_entropy.py holds it to
        the convolution's result)."""
        n, c, h, w = x.shape
        rows = x.permute(0, 2, 3, 1).reshape(-1, c)          # a view: channels-last memory
        gamma_t = self.gamma_reparam(self.gamma).t().contiguous()
        beta = self.beta_reparam(self.beta)
        out = torch.empty_like(rows)
        root = torch.sqrt_ if self.inverse else torch.rsqrt_
        for start in range(0, rows.shape[0], GDN_CPU_ROWS):
            block = rows[start:start + GDN_CPU_ROWS]
            norm = root(torch.addmm(beta, block * block, gamma_t))
            torch.mul(block, norm, out=out[start:start + GDN_CPU_ROWS])
        return out.view(n, h, w, c).permute(0, 3, 1, 2)


def quantized_cdfs(pmfs: list[torch.Tensor], precision: int = CDF_PRECISION) -> torch.Tensor:
    """Rows of integer CDFs (int32, zero-padded) for the rANS coder, one per pmf (whose last
    entry is the tail mass), quantized by CompressAI's own routine."""
    from compressai._CXX import pmf_to_quantized_cdf  # slow import: only when tables are built

    width = max(len(p) for p in pmfs) + 1
    out = torch.zeros(len(pmfs), width, dtype=torch.int32)
    for i, p in enumerate(pmfs):
        cdf = pmf_to_quantized_cdf(p.double().tolist(), precision)
        out[i, :len(cdf)] = torch.tensor(cdf, dtype=torch.int32)
    return out


class _EntropyModel(nn.Module):
    """Likelihood floor and the frozen table buffers that ``update`` fills."""

    def __init__(self, likelihood_bound: float = 1e-9):
        super().__init__()
        self.likelihood_lower_bound = LowerBound(likelihood_bound)
        self.register_buffer("_offset", torch.IntTensor())
        self.register_buffer("_quantized_cdf", torch.IntTensor())
        self.register_buffer("_cdf_length", torch.IntTensor())

    @staticmethod
    def quantize(x: torch.Tensor, training: bool, means: torch.Tensor | None) -> torch.Tensor:
        """Uniform noise while training (a differentiable proxy), else rounding around means."""
        if training:
            return x + torch.empty_like(x).uniform_(-0.5, 0.5)
        if means is None:
            return torch.round(x)
        return torch.round(x - means) + means


class EntropyBottleneck(_EntropyModel):
    """Per-channel factorized density of z: a small monotone network models each channel's
    cumulative (in logits); ``quantiles`` track its tails and median (trained by ``loss``)."""

    def __init__(self, channels: int, tail_mass: float = 1e-9, init_scale: float = 10.0,
                 filters: tuple[int, ...] = (3, 3, 3, 3)):
        super().__init__()
        self.channels = channels
        self.tail_mass = tail_mass
        widths = (1, *filters, 1)
        scale = init_scale ** (1.0 / (len(filters) + 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for i in range(len(filters) + 1):
            fill = math.log(math.expm1(1.0 / scale / widths[i + 1]))
            self.matrices.append(nn.Parameter(
                torch.full((channels, widths[i + 1], widths[i]), fill)))
            self.biases.append(nn.Parameter(
                torch.empty(channels, widths[i + 1], 1).uniform_(-0.5, 0.5)))
            if i < len(filters):
                self.factors.append(nn.Parameter(torch.zeros(channels, widths[i + 1], 1)))
        self.quantiles = nn.Parameter(
            torch.tensor([-init_scale, 0.0, init_scale]).repeat(channels, 1, 1))
        t = math.log(2.0 / tail_mass - 1.0)
        self.register_buffer("target", torch.tensor([-t, 0.0, t]))

    def medians(self) -> torch.Tensor:
        return self.quantiles[:, :, 1:2]

    def _logits_cumulative(self, v: torch.Tensor, detach: bool) -> torch.Tensor:
        """The cumulative density in logits at v (C, 1, n); ``detach`` keeps the density's
        own parameters out of the graph (the aux loss trains only the quantiles)."""
        def p(t):
            return t.detach() if detach else t

        for i, matrix in enumerate(self.matrices):
            v = torch.matmul(F.softplus(p(matrix)), v) + p(self.biases[i])
            if i < len(self.factors):
                v = v + torch.tanh(p(self.factors[i])) * torch.tanh(v)
        return v

    def _likelihood(self, v: torch.Tensor, detach: bool = False):
        lower = self._logits_cumulative(v - 0.5, detach)
        upper = self._logits_cumulative(v + 0.5, detach)
        return torch.sigmoid(upper) - torch.sigmoid(lower), lower, upper

    def forward(self, z: torch.Tensor, training: bool | None = None):
        training = self.training if training is None else training
        zc = z.transpose(0, 1).contiguous()             # (C, B, ...): one density per channel
        v = zc.reshape(zc.shape[0], 1, -1)
        v = self.quantize(v, training, self.medians())
        lik = self.likelihood_lower_bound(self._likelihood(v)[0])
        return (v.reshape(zc.shape).transpose(0, 1).contiguous(),
                lik.reshape(zc.shape).transpose(0, 1).contiguous())

    def loss(self) -> torch.Tensor:
        """Aux loss: moves the quantiles to the density's tails (1e-9) and median."""
        return (self._logits_cumulative(self.quantiles, True) - self.target).abs().sum()

    @torch.no_grad()
    def update(self) -> None:
        """Freeze the density into per-channel integer CDFs over [median - lo, median + hi]."""
        q = self.quantiles[:, 0, :]
        med = q[:, 1]
        lo = torch.ceil(med - q[:, 0]).int().clamp(min=0)
        hi = torch.ceil(q[:, 2] - med).int().clamp(min=0)
        length = lo + hi + 1
        span = int(length.max())
        v = (torch.arange(span, device=q.device)[None, :] + (med - lo)[:, None])[:, None, :]
        pmf, lower, upper = self._likelihood(v, detach=True)
        tail = torch.sigmoid(lower[:, 0, :1]) + torch.sigmoid(-upper[:, 0, -1:])
        pmfs = [torch.cat([pmf[i, 0, :int(length[i])], tail[i]]).cpu()
                for i in range(self.channels)]
        self._quantized_cdf = quantized_cdfs(pmfs).to(q.device)
        self._offset = -lo
        self._cdf_length = length + 2


class GaussianConditional(_EntropyModel):
    """y ~ N(mean, scale) convolved with a unit box; scales floored at ``scale_bound``."""

    def __init__(self, scale_bound: float = 0.11, tail_mass: float = 1e-9):
        super().__init__()
        self.tail_mass = tail_mass
        self.lower_bound_scale = LowerBound(scale_bound)
        self.register_buffer("scale_table", torch.Tensor())
        self.register_buffer("scale_bound", torch.tensor([float(scale_bound)]))

    @staticmethod
    def _cumulative(v: torch.Tensor) -> torch.Tensor:
        return 0.5 * torch.erfc(v * -(2 ** -0.5))   # erfc keeps precision in the tails

    def _likelihood(self, v: torch.Tensor, scales: torch.Tensor,
                    means: torch.Tensor | None) -> torch.Tensor:
        d = (v - means if means is not None else v).abs()
        s = self.lower_bound_scale(scales)
        return self._cumulative((0.5 - d) / s) - self._cumulative((-0.5 - d) / s)

    def forward(self, y: torch.Tensor, scales: torch.Tensor, means: torch.Tensor | None = None,
                training: bool | None = None):
        training = self.training if training is None else training
        v = self.quantize(y, training, means)
        return v, self.likelihood_lower_bound(self._likelihood(v, scales, means))

    @torch.no_grad()
    def update_scale_table(self, table: torch.Tensor) -> None:
        """Freeze one integer CDF per scale of ``table``, each wide enough that only
        ``tail_mass`` falls outside it."""
        self.scale_table = torch.as_tensor(table, dtype=torch.float32).to(
            self.scale_bound.device)
        reach = -float(torch.special.ndtri(torch.tensor(self.tail_mass / 2, dtype=torch.float64)))
        center = torch.ceil(self.scale_table * reach).int()
        length = 2 * center + 1
        span = int(length.max())
        d = (torch.arange(span, device=center.device).int() - center[:, None]).abs().float()
        s = self.scale_table[:, None].float()
        upper = self._cumulative((0.5 - d) / s)
        lower = self._cumulative((-0.5 - d) / s)
        pmf = upper - lower
        tail = 2 * lower[:, :1]
        pmfs = [torch.cat([pmf[i, :int(length[i])], tail[i]]).cpu() for i in range(len(length))]
        self._quantized_cdf = quantized_cdfs(pmfs).to(center.device)
        self._offset = -center
        self._cdf_length = length + 2
