"""Variable-rate mean-scale hyperprior with an exact integer hyper-synthesis.

Data flow (Minnen et al. 2018 mean-scale hyperprior, without the autoregressive context;
rate control by gain units after Cui et al. 2021, "Asymmetric gained deep image compression"):

    x --g_a--> y --* gain[q]--> y_g --h_a--> z --Q--> z_hat --int h_s--> (scale, mean)
                                  |                                          |
                                  +------------- Q(y_g - mean) ---> y_hat <--+
    y_hat --* inv_gain[q]--> g_s --> x_hat  [--fusion(guidance)--> x_hat']

One set of weights covers every rate: ``quality`` q in [0, K-1] picks (and between integers
log-linearly interpolates) a per-channel gain vector, trained against lambda_k.

The encoder is heavy (5x5 GDN convs); the decoder is light (3x3 convs + pixel shuffle) so a
720p screenshot decodes in well under a second on two CPU cores. The hyper-synthesis that
produces the entropy parameters is evaluated in integers after ``update()`` (see intmath),
so files encoded on a GPU decode on a CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from textcodec.container import EntropyCoder
from textcodec.cpu import has_bf16
from textcodec.errors import ModelError
from textcodec.nets.coder import TableCoder
from textcodec.nets.entropy import GDN, EntropyBottleneck, GaussianConditional
from textcodec.nets.intmath import IntConv, from_fixed, to_fixed

SCALE_MIN, SCALE_MAX, SCALE_LEVELS = 0.11, 256.0, 64
PAD_MULTIPLE = 64  # g_a downsamples by 16, h_a by 4 more


def _conv(cin: int, cout: int, k: int = 5, stride: int = 2) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)


def _up(cin: int, cout: int, k: int = 3) -> nn.Sequential:
    """Sub-pixel upsampling by 2: cheaper on CPUs than a transposed conv of the same reach."""
    return nn.Sequential(nn.Conv2d(cin, cout * 4, k, padding=k // 2), nn.PixelShuffle(2))


@dataclass
class RDOutput:
    x_hat: torch.Tensor
    likelihoods_y: torch.Tensor
    likelihoods_z: torch.Tensor
    y_hat: torch.Tensor


def _scale_table() -> torch.Tensor:
    return torch.exp(torch.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), SCALE_LEVELS))


FUSION_GUIDANCE = ("rendered", "fitted")


class VariableRateHyperprior(nn.Module):
    ARCH = "vr-hyperprior"    # its name in nets.ARCHITECTURES and in checkpoints
    # weights training may start fresh (not in a parent): the refinement stage's
    FRESH_KEYS: tuple[str, ...] = ("refine.",)

    def __init__(self, N: int = 128, M: int = 192, N_dec: int = 128, N_last: int = 48,
                 lambdas: tuple[float, ...] = (0.0002, 0.0004, 0.0008, 0.0016, 0.0032,
                                               0.0064, 0.0128, 0.0256),
                 fusion: bool = False, fusion_channels: int | None = None,
                 fusion_units: int | None = None, N_enc: int | None = None,
                 refine_channels: int = 0, refine_layers: int = 4,
                 fusion_guidance: str = "rendered"):
        """N: the hyper transforms' channels and, unless ``N_enc`` is given, the analysis
        transform's; N_dec and N_last: the synthesis transform's (textcodec.nets.widen
        grows N_enc, N_dec and N_last of a trained model without changing what it computes).
        refine_channels > 0 adds the rate-conditioned refinement stage after g_s
        (textcodec.nets.refine) with refine_layers hidden layers. ``fusion_guidance``: the
        guidance the block was trained on, "rendered" (every word in the guidance font over
        its box, textcodec.render) or "fitted" (the words the file's GLYPHS section fits drawn
        by their fits, textcodec.glyphs.guidance); the decoder draws what the block knows."""
        super().__init__()
        self.config = dict(N=N, M=M, N_dec=N_dec, N_last=N_last, lambdas=tuple(lambdas),
                           fusion=fusion)
        if N_enc is not None and N_enc != N:  # absent from every checkpoint before session 24
            self.config["N_enc"] = N_enc
        if refine_channels:   # absent from every checkpoint before session 34
            self.config.update(refine_channels=refine_channels, refine_layers=refine_layers)
        Ne = N_enc or N
        # a block of another size than FusionBlock's own (the paper's) is kept in the config
        block_size = {k: v for k, v in (("channels", fusion_channels), ("units", fusion_units))
                      if v is not None}
        if fusion_guidance not in FUSION_GUIDANCE:
            raise ValueError(f"fusion_guidance must be one of {FUSION_GUIDANCE}, "
                             f"got {fusion_guidance!r}")
        self.fusion_guidance = fusion_guidance if fusion else "rendered"
        if fusion:
            self.config.update({f"fusion_{k}": v for k, v in block_size.items()})
            if fusion_guidance != "rendered":   # absent from every checkpoint before session 42
                self.config["fusion_guidance"] = fusion_guidance
        self.lambdas = tuple(lambdas)
        K = len(lambdas)
        self.g_a = nn.Sequential(_conv(3, Ne), GDN(Ne), _conv(Ne, Ne), GDN(Ne), _conv(Ne, Ne),
                                 GDN(Ne), _conv(Ne, M))
        self.g_s = nn.Sequential(_up(M, N_dec), GDN(N_dec, inverse=True),
                                 _up(N_dec, N_dec), GDN(N_dec, inverse=True),
                                 _up(N_dec, N_last), GDN(N_last, inverse=True),
                                 _up(N_last, 3))
        self.h_a = nn.Sequential(_conv(M, N, 3, 1), nn.ReLU(inplace=True), _conv(N, N),
                                 nn.ReLU(inplace=True), _conv(N, N))
        # h_s: conv -> shuffle -> ReLU, twice, then a 1x1 conv to (scale, mean)
        self.h_s = nn.Sequential(nn.Conv2d(N, 4 * N, 3, padding=1), nn.PixelShuffle(2), nn.ReLU(),
                                 nn.Conv2d(N, 4 * M, 3, padding=1), nn.PixelShuffle(2), nn.ReLU(),
                                 nn.Conv2d(M, 2 * M, 1))
        # gains start spread like sqrt(lambda) so every rate starts near its operating point
        ref = math.sqrt(lambdas[K // 2])
        init = torch.tensor([math.log(math.sqrt(l) / ref) for l in lambdas])[:, None].repeat(1, M)
        self.log_gain = nn.Parameter(init.clone())
        self.log_inv_gain = nn.Parameter(-init.clone())
        self.entropy_bottleneck = EntropyBottleneck(N)
        self.gaussian_conditional = GaussianConditional()
        if fusion:
            from textcodec.nets.fusion import FusionBlock

            self.fusion = FusionBlock(**block_size, num_rates=K)
        else:
            self.fusion = None
        if refine_channels:
            from textcodec.nets.refine import Refiner

            self.refine = Refiner(refine_channels, refine_layers, num_rates=K)
        else:
            self.refine = None
        self._coding: dict | None = None
        self._int_hs: list[IntConv] | None = None
        # training only: the synthesis sees y rounded around its means, as when decoding, with
        # the gradient passed straight through (the rate still uses the noisy proxy); off, it
        # sees the noisy y that the rate term sees (CompressAI's default)
        self.straight_through = False

    # ---- rate selection -------------------------------------------------------------
    @property
    def num_rates(self) -> int:
        return len(self.lambdas)

    def _gains(self, quality: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-sample (B, M, 1, 1) gain and inverse gain for integer or fractional quality."""
        g = rate_rows(self.log_gain, quality)
        ig = rate_rows(self.log_inv_gain, quality)
        return g.exp()[:, :, None, None], ig.exp()[:, :, None, None]

    def _gain_maps(self, quality: float, region: "Region | None"
                   ) -> tuple[torch.Tensor, torch.Tensor]:
        """Gains for one image: (1, M, 1, 1), or (1, M, h, w) where ``region`` raises the
        quality of some latent cells (text): those cells take the gains of the higher
        quality, the rest keep ``quality``'s."""
        gain, inv_gain = self._gains(quality)
        if region is None:
            return gain, inv_gain
        g2, ig2 = self._gains(region.quality)
        m = region.cells.to(gain.device)[None, None]
        return torch.where(m, g2, gain), torch.where(m, ig2, inv_gain)

    # ---- training -------------------------------------------------------------------
    def forward(self, x: torch.Tensor, quality: torch.Tensor) -> RDOutput:
        gain, inv_gain = self._gains(quality)
        y = self.g_a(x) * gain
        z = self.h_a(y)
        z_hat, z_lik = self.entropy_bottleneck(z)
        scales, means = self.h_s(z_hat).chunk(2, 1)
        y_hat, y_lik = self.gaussian_conditional(y, scales, means)
        if self.training and self.straight_through:
            y_hat = y + (self.gaussian_conditional.quantize(y, False, means) - y).detach()
        x_hat = self.decoded(y_hat * inv_gain, quality)
        return RDOutput(x_hat, y_lik, z_lik, y_hat)

    def decoded(self, y: torch.Tensor, quality: torch.Tensor | float) -> torch.Tensor:
        """The synthesis of an un-gained latent: g_s, then the refinement stage if any."""
        x_hat = self.g_s(y)
        return x_hat if self.refine is None else self.refine(x_hat, quality)

    def aux_loss(self) -> torch.Tensor:
        return self.entropy_bottleneck.loss()

    # ---- entropy coding -------------------------------------------------------------
    @torch.no_grad()
    def update(self) -> dict:
        """Freeze the entropy model into integer tables and the integer h_s.

        Must run (or ``load_coding`` must) before ``compress``/``decompress``; the result is
        stored in checkpoints so every machine codes with the very same tables."""
        eb, gc = self.entropy_bottleneck, self.gaussian_conditional
        eb.update()
        table = _scale_table()
        gc.update_scale_table(table)
        for conv in self._exact_convs():
            # checkpoints store weights in fp16: make fp16 exact here, so the integers
            # rebuilt from a checkpoint equal the ones this encoder would use
            conv.weight.copy_(conv.weight.half().float())
            conv.bias.copy_(conv.bias.half().float())
        int_hs = self._int_hs_from_float()
        coding = {
            "z_cdf": eb._quantized_cdf.cpu().clone(), "z_cdf_len": eb._cdf_length.cpu().clone(),
            "z_offset": eb._offset.cpu().clone(),
            "z_medians": eb.medians().detach().float().cpu().reshape(-1).clone(),
            "y_cdf": gc._quantized_cdf.cpu().clone(), "y_cdf_len": gc._cdf_length.cpu().clone(),
            "y_offset": gc._offset.cpu().clone(),
            "scale_table_fixed": to_fixed(table.float()).to(torch.int64),
            "hs_w_bits": torch.tensor([layer.w_bits for layer in int_hs]),
            **self._extra_coding(),
        }
        self.load_coding(coding)
        return coding

    def _exact_convs(self) -> list[nn.Conv2d]:
        """The convolutions that run in integers at coding time (made fp16-exact)."""
        return self._hs_convs()

    def _extra_coding(self) -> dict:
        """Coding state of a subclass's own integer layers (after ``_exact_convs``)."""
        return {}

    def _hs_convs(self) -> list[nn.Conv2d]:
        return [m for m in self.h_s if isinstance(m, nn.Conv2d)]

    def _int_hs_from_float(self, w_bits=(None, None, None)) -> list[IntConv]:
        c = self._hs_convs()
        return [IntConv.from_float(c[0], 2, True, w_bits[0]),
                IntConv.from_float(c[1], 2, True, w_bits[1]),
                IntConv.from_float(c[2], 1, False, w_bits[2])]

    def load_coding(self, coding: dict) -> None:
        """Install frozen coding state; h_s weights must already be loaded."""
        self._coding = coding
        self._int_hs = self._int_hs_from_float([int(b) for b in coding["hs_w_bits"]])
        self._coders = {k: TableCoder(coding[f"{k}_cdf"], coding[f"{k}_cdf_len"],
                                      coding[f"{k}_offset"])
                        for k in ("z", "y")}

    def _require_coding(self) -> dict:
        if self._coding is None:
            raise ModelError("entropy coding tables are missing: run update() or load a "
                             "checkpoint that has them")
        return self._coding

    def entropy_parameters(self, z_sym: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor,
                                                                torch.Tensor]:
        """(z_hat, scale indexes, means) from z symbols, exactly, on whatever device z is."""
        z_hat, params = self._hyper_fixed(z_sym)
        idx, means = self._index_and_means(params)
        return z_hat, idx, means

    def _hyper_fixed(self, z_sym: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(z_hat, the integer h_s's output in fixed point: scales then means)."""
        c = self._require_coding()
        medians = c["z_medians"].to(z_sym.device)[None, :, None, None]
        z_hat = z_sym.float() + medians
        a = to_fixed(z_hat)
        for layer in self._int_hs:
            a = layer(a)
        return z_hat, a

    def _index_and_means(self, params: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Fixed-point (scale, mean) parameters -> (scale-table indexes, float64 means)."""
        scales, means = params.chunk(2, 1)
        table = self._require_coding()["scale_table_fixed"].to(params.device).double()
        idx = torch.searchsorted(table, scales.contiguous().reshape(-1))
        idx = idx.clamp(max=table.numel() - 1).reshape(scales.shape)
        return idx.to(torch.int32), from_fixed(means)

    def _z_indexes(self, shape) -> torch.Tensor:
        n, c, h, w = shape
        return torch.arange(c, dtype=torch.int32)[None, :, None, None].expand(n, c, h, w)

    @torch.no_grad()
    def analysis(self, x: torch.Tensor) -> torch.Tensor:
        """g_a(x): the rate-independent part of encoding, reusable across rate searches.

        On a CPU g_a runs channels-last, under bfloat16 autocast where the CPU computes
        bfloat16 natively: 2-3x faster at 720p, and the files are as good (on 8 images at 3 rates
        0.2 % fewer bytes and +0.02 dB against float g_a; tests/nets/test_hyperprior.py bounds
        both). Only the encoder's choice of y changes; the entropy parameters stay exact
        integers, so every decoder decodes the file identically."""
        if x.device.type != "cpu":
            return self.g_a(x)
        x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=has_bf16()):
            return self.g_a(x).float().contiguous()

    def _gained_hyper(self, y: torch.Tensor, quality: float, region: "Region | None"
                      ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The encoder's first steps: (gained y, z symbols, h_s's fixed-point parameters)."""
        c = self._require_coding()
        gain, _ = self._gain_maps(quality, region)
        y = y * gain
        z = self.h_a(y)
        medians = c["z_medians"].to(z.device)[None, :, None, None]
        z_sym = torch.round(z - medians).to(torch.int32)
        return y, z_sym, self._hyper_fixed(z_sym)[1]

    @torch.no_grad()
    def compress_latent(self, y: torch.Tensor, quality: float,
                        coder: EntropyCoder = EntropyCoder.RANS16_LANES,
                        region: "Region | None" = None) -> list[bytes]:
        y, z_sym, hyper = self._gained_hyper(y, quality, region)
        idx, means = self._index_and_means(hyper)
        y_sym = torch.round(y.double() - means).to(torch.int32)
        return [self._coders["z"].encode(z_sym, self._z_indexes(z_sym.shape), coder),
                self._coders["y"].encode(y_sym, idx, coder)]

    @torch.no_grad()
    def decompress_latent(self, strings: list[bytes], z_shape: tuple[int, int],
                          quality: float,
                          coder: EntropyCoder = EntropyCoder.RANS16_LANES) -> torch.Tensor:
        """Entropy-decode y_hat (before the inverse gain): rANS on the CPU, the entropy
        parameters on the model's device; y_hat comes back on that device."""
        if len(strings) != 2:
            raise ModelError(f"this model writes 2 latent streams, the file has {len(strings)}")
        M = self.config["M"]
        N = self.config["N"]
        shape = (1, N, *z_shape)
        z_sym = self._coders["z"].decode(strings[0], self._z_indexes(shape),
                                         coder).reshape(shape)
        # the integer hyper-synthesis gives the same integers on any device: run it where
        # the synthesis runs (float64 matrix products are ~4x faster on a GPU)
        _, idx, means = self.entropy_parameters(z_sym.to(self.log_gain.device))
        y_sym = self._coders["y"].decode(strings[1], idx, coder)
        return (y_sym.reshape(1, M, *idx.shape[-2:]).to(means.device).double() + means).float()

    @torch.no_grad()
    def synthesis(self, y_hat: torch.Tensor, quality: float,
                  region: "Region | None" = None) -> torch.Tensor:
        """g_s of the un-gained latent. On a CPU it runs channels-last (oneDNN's faster
        convolution layout: 0.56 -> 0.47 s at 720p on an AVX2-only core pair, the same image
        to float rounding; tests/nets/test_hyperprior.py); the result is contiguous."""
        _, inv_gain = self._gain_maps(quality, region)
        y = y_hat.to(inv_gain.device) * inv_gain
        if y.device.type != "cpu":
            return self.decoded(y, quality)
        return self.decoded(y.contiguous(memory_format=torch.channels_last),
                            quality).contiguous()


@dataclass(frozen=True)
class Region:
    """Latent cells coded at a higher quality: ``cells`` is a (h, w) bool tensor on the latent
    grid (one cell per 16x16 pixels of the padded image), ``quality`` their rate setting.
    An experiment hook (tools/text_boost_sweep.py: text cells at a higher quality did not
    beat a higher quality everywhere on forms), not used by the file format."""
    cells: torch.Tensor
    quality: float


def rate_rows(table: torch.Tensor, quality: torch.Tensor | float,
              batch: int = 1) -> torch.Tensor:
    """Rows of a per-rate table (K, C) for integer or fractional qualities: (B, C), each row
    interpolated linearly between its two neighbouring rates. One quality serves a batch."""
    k = table.shape[0]
    q = torch.as_tensor(quality, dtype=torch.float32, device=table.device).reshape(-1)
    q = q.clamp(0, k - 1)
    if q.numel() == 1:
        q = q.expand(batch)
    lo = q.floor().long().clamp(max=max(k - 2, 0))
    hi = (lo + 1).clamp(max=k - 1)
    t = (q - lo.float())[:, None]
    return table[lo] * (1 - t) + table[hi] * t


def pad_to_multiple(x: torch.Tensor, multiple: int = PAD_MULTIPLE) -> torch.Tensor:
    """Replicate-pad the bottom/right edges to a multiple (cheaper to code than zeros)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return x
    return F.pad(x, (0, pw, 0, ph), mode="replicate")  # any pad size, unlike reflect
