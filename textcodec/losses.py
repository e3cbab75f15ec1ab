"""Training losses, each selectable by name.

- rate-distortion: R(y) + R(z) + lambda * 255^2 * MSE  (the text-unaware baseline)
- text logit loss (Lai, Tran, Koishida 2024): kappa * mean ||v - v_hat||^2 of a frozen
  recognizer's logits on the same boxes cropped from x and x_hat
- OCR loss (TFIC, Della Fiore et al. 2025): CTC loss of the frozen recognizer on x_hat crops
  against the ground-truth text
- guidance-consistent loss (TextBoost, Wang et al. 2026): MSE(x, x_hat) + alpha * MSE(m*x, m*x_hat)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from textcodec.ocr.recognizer import TextRecognizer, crop_words, encode_text


def bits_per_pixel(likelihoods: torch.Tensor, num_pixels: int) -> torch.Tensor:
    """Per-sample bpp of a likelihood tensor (B, ...)."""
    return -torch.log2(likelihoods.clamp_min(1e-9)).flatten(1).sum(1) / num_pixels


def rate_distortion(x: torch.Tensor, x_hat: torch.Tensor, lik_y: torch.Tensor,
                    lik_z: torch.Tensor, lambdas: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per-sample lambdas (B,): loss = mean_b(bpp_b + lambda_b * 255^2 * mse_b)."""
    n_px = x.shape[-2] * x.shape[-1]
    bpp = bits_per_pixel(lik_y, n_px) + bits_per_pixel(lik_z, n_px)
    mse = ((x - x_hat) ** 2).flatten(1).mean(1)
    loss = (bpp + lambdas * 255 ** 2 * mse).mean()
    return {"loss": loss, "bpp": bpp.mean(), "mse": mse.mean(),
            "psnr": (10 * torch.log10(1 / mse.clamp_min(1e-10))).mean()}


def decoder_distortion(x: torch.Tensor, x_hat: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """The decoder-only stages' loss: mean_b 10*log10(mse_b + eps), i.e. minus each sample's
    PSNR (capped near 50 dB by ``eps``, so flat crops do not dominate). With the encoder
    frozen the rate cannot move, and R + lambda*D would weight the top rate's error 1000x the
    bottom one's (session 34: a refiner trained so lost 0.15-0.4 dB at the low rates); this
    asks for the same decibels at every rate."""
    mse = ((x - x_hat) ** 2).flatten(1).mean(1)
    return (10 * torch.log10(mse + eps)).mean()


class RateNormalisedMSE:
    """The decoder-only stages' other loss: each sample's squared error over a running mean
    of its rate's (momentum ``momentum``, per rate, detached). Every rate weighs alike, as in
    ``decoder_distortion``, but within a rate a crop weighs by its error, not by its inverse:
    the edges the codec misses steer the update, not the flat crops it already draws (minus
    PSNR weighs a crop by the inverse of its error)."""

    def __init__(self, num_rates: int, momentum: float = 0.99):
        self.num_rates, self.momentum = num_rates, momentum
        self.mean: torch.Tensor | None = None

    def __call__(self, x: torch.Tensor, x_hat: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        mse = ((x - x_hat) ** 2).flatten(1).mean(1)
        q = q.long()
        with torch.no_grad():   # no host sync: this runs every training step
            if self.mean is None:
                self.mean = torch.full((self.num_rates,), float("nan"), device=mse.device)
            counts = torch.bincount(q, minlength=self.num_rates)
            batch = torch.zeros_like(self.mean).index_add_(0, q, mse.detach()) \
                / counts.clamp_min(1)
            moved = torch.where(self.mean.isnan(), batch,
                                self.momentum * self.mean + (1 - self.momentum) * batch)
            self.mean = torch.where(counts > 0, moved, self.mean)
        return (mse / self.mean[q].clamp_min(1e-8)).mean()


LOGIT_DISTANCES = ("mse", "kl")


def text_logit_loss(recognizer: TextRecognizer, x: torch.Tensor, x_hat: torch.Tensor,
                    boxes: torch.Tensor, m_min: float | None = None,
                    sigma_max: float | None = None,
                    weights: torch.Tensor | None = None,
                    distance: str = "mse") -> torch.Tensor:
    """mean (v - v_hat)^2 over kept boxes, time steps and classes (Lai et al. 2024).

    v are the frozen recognizer's logits on crops of the original, v_hat on the same crops
    of the reconstruction. The paper's filter keeps a region only where the original's logits
    are confident (median(v) >= m_min) and consistent (stdev(v) <= sigma_max); None skips it.
    ``weights`` (K,) scale each box's term (e.g. by its sample's rate), averaged over the
    kept boxes.

    ``distance="kl"`` replaces the squared logit difference by KL(softmax v || softmax v_hat)
    per frame, summed over classes and averaged over frames: the same frozen recognizer and
    crops, but a distance that weighs the classes the original's reading puts its mass on
    (the paper's MSE over all 97 logits is mostly spent on classes no reading picks)."""
    if distance not in LOGIT_DISTANCES:
        raise ValueError(f"unknown logit distance {distance!r}: one of {LOGIT_DISTANCES}")
    if boxes.numel() == 0:
        return x_hat.new_zeros(())
    with torch.no_grad():
        v = recognizer(crop_words(x, boxes))
    v_hat = recognizer(crop_words(x_hat, boxes))
    keep = torch.ones(v.shape[0], dtype=torch.bool, device=v.device)
    if m_min is not None:
        keep &= v.max(-1).values.median(-1).values >= m_min
    if sigma_max is not None:
        keep &= v.flatten(1).std(1) <= sigma_max
    if not keep.any():
        return x_hat.new_zeros(())
    per_box = logit_distances(v[keep], v_hat[keep], distance)
    if weights is not None:
        per_box = per_box * weights[keep]
    return per_box.mean()


def logit_distances(v: torch.Tensor, v_hat: torch.Tensor, distance: str = "mse") -> torch.Tensor:
    """Each box's term of the text logit loss, (K, T, C) logits -> (K,): the mean squared
    difference over frames and classes, or the per-frame KL(softmax v || softmax v_hat)
    averaged over frames."""
    if distance == "kl":
        log_p = v.float().log_softmax(-1)
        return (log_p.exp() * (log_p - v_hat.float().log_softmax(-1))).sum(-1).mean(1)
    return ((v - v_hat) ** 2).flatten(1).mean(1)


def ocr_ctc_loss(recognizer: TextRecognizer, x_hat: torch.Tensor, boxes: torch.Tensor,
                 texts: list[str]) -> torch.Tensor:
    """CTC loss of the recognizer reading x_hat's crops against the true text (TFIC)."""
    targets, lengths = encode_text(texts)
    keep = lengths > 0
    if boxes.numel() == 0 or not keep.any():
        return x_hat.new_zeros(())
    logits = recognizer(crop_words(x_hat, boxes[keep]))
    log_probs = logits.log_softmax(-1).permute(1, 0, 2)            # (T, K, C)
    T = log_probs.shape[0]
    kept_lengths = lengths[keep]
    starts = torch.cumsum(lengths, 0) - lengths
    flat = torch.cat([targets[s:s + n] for s, n in zip(starts[keep].tolist(),
                                                        kept_lengths.tolist())])
    return F.ctc_loss(log_probs.float(), flat.to(logits.device),
                      torch.full((log_probs.shape[1],), T, dtype=torch.long),
                      kept_lengths, blank=0, reduction="mean", zero_infinity=True)


def guidance_consistent(x: torch.Tensor, x_hat: torch.Tensor, mask: torch.Tensor,
                        alpha: float = 10.0) -> torch.Tensor:
    """MSE(x, x_hat) + alpha * MSE(m*x, m*x_hat) (TextBoost stage 2)."""
    return F.mse_loss(x_hat, x) + alpha * F.mse_loss(mask * x_hat, mask * x)
