"""Metrics: PSNR, CER/WER (Levenshtein), word F1, and Bjontegaard deltas.

Bjontegaard (VCEG-M33, 2001): fit a cubic polynomial through the (log-rate, quality) points of
each codec, integrate both over the overlapping interval, and compare the averages. BD-rate is
the average rate change at equal quality (percent); BD-quality (BD-PSNR, and the papers'
BD-CER / BD-WER) is the average quality change at equal rate.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter

import numpy as np


def levenshtein(a, b) -> int:
    """Edit distance between two sequences (strings or lists of words)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edits / reference characters (1.0 for a missing non-empty ref)."""
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return levenshtein(reference, hypothesis) / len(reference)


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = reference.split(), hypothesis.split()
    if not ref:
        return 0.0 if not hyp else 1.0
    return levenshtein(ref, hyp) / len(ref)


def corpus_error(pairs: list[tuple[str, str]], words: bool = False) -> float:
    """Total edits over total reference length across many (reference, hypothesis) pairs."""
    edits = total = 0
    for ref, hyp in pairs:
        r, h = (ref.split(), hyp.split()) if words else (ref, hyp)
        edits += levenshtein(r, h)
        total += len(r)
    return edits / total if total else 0.0


def word_f1(reference: list[str], hypothesis: list[str]) -> float:
    """Bag-of-words F1 (TextBoost's word-level F1): matched words counted with multiplicity."""
    if not reference and not hypothesis:
        return 1.0
    matched = sum((Counter(reference) & Counter(hypothesis)).values())
    if matched == 0:
        return 0.0
    p, r = matched / len(hypothesis), matched / len(reference)
    return 2 * p * r / (p + r)


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 255.0) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(peak ** 2 / mse)


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """MS-SSIM (Wang et al. 2003, 5 scales) of two uint8 RGB images; NaN below 161 px a side,
    where the five scales do not fit."""
    if min(a.shape[:2]) < 161:
        return float("nan")
    import torch
    from pytorch_msssim import ms_ssim as _ms_ssim

    def t(x):
        return torch.from_numpy(np.array(x, np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        return float(_ms_ssim(t(a), t(b), data_range=255))


def _integral(x: np.ndarray, y: np.ndarray, lo: float, hi: float,
              method: str = "cubic") -> float:
    """Integral of y(x) over [lo, hi]: Bjontegaard's cubic fit through every point, or the
    piecewise cubic Hermite (PCHIP) interpolant, which follows curves that flatten (CER at
    its floor) without the overshoot a single cubic makes there."""
    if method == "pchip":
        from scipy.interpolate import PchipInterpolator

        xs, inverse = np.unique(x, return_inverse=True)    # tied x (CER 1.0 at the lowest
        ys = np.bincount(inverse, weights=y) / np.bincount(inverse)   # rates): their mean y
        if len(xs) < 2:
            return float("nan")
        return float(PchipInterpolator(xs, ys).integrate(lo, hi))
    if method != "cubic":
        raise ValueError(f"unknown BD method {method!r} (cubic, pchip)")
    with warnings.catch_warnings():   # 4-6 points make a cubic fit "poorly conditioned" by
        warnings.filterwarnings("ignore", message="Polyfit may be poorly conditioned")
        poly = np.polyint(np.polyfit(x, y, 3))   # design; that is Bjontegaard's method as is
    return float(np.polyval(poly, hi) - np.polyval(poly, lo))


def bd_rate(rate_a, quality_a, rate_b, quality_b, method: str = "cubic") -> float:
    """Average % rate change of B against anchor A at equal quality (negative = B saves).

    For a quality where lower is better (CER), pass its negative."""
    la, lb = np.log(np.asarray(rate_a, float)), np.log(np.asarray(rate_b, float))
    qa, qb = np.asarray(quality_a, float), np.asarray(quality_b, float)
    lo, hi = max(qa.min(), qb.min()), min(qa.max(), qb.max())
    if hi <= lo:
        return float("nan")
    avg_a = _integral(qa, la, lo, hi, method) / (hi - lo)
    avg_b = _integral(qb, lb, lo, hi, method) / (hi - lo)
    return (math.exp(avg_b - avg_a) - 1) * 100


def bd_quality(rate_a, quality_a, rate_b, quality_b, method: str = "cubic") -> float:
    """Average quality change of B against anchor A at equal rate (BD-PSNR, BD-CER...)."""
    la, lb = np.log(np.asarray(rate_a, float)), np.log(np.asarray(rate_b, float))
    qa, qb = np.asarray(quality_a, float), np.asarray(quality_b, float)
    lo, hi = max(la.min(), lb.min()), min(la.max(), lb.max())
    if hi <= lo:
        return float("nan")
    return (_integral(lb, qb, lo, hi, method) - _integral(la, qa, lo, hi, method)) / (hi - lo)
