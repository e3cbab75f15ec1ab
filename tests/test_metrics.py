import math

import numpy as np
import pytest

from textcodec.bench.metrics import (bd_quality, bd_rate, cer, corpus_error, levenshtein,
                                     ms_ssim, psnr, wer, word_f1)


def test_levenshtein_hand_computed():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3 and levenshtein("abc", "abc") == 0


def test_cer_and_wer_hand_computed():
    assert cer("hello", "hallo") == pytest.approx(1 / 5)
    assert wer("the cat sat", "the bat sat down") == pytest.approx(2 / 3)
    assert cer("", "") == 0 and cer("", "x") == 1


def test_corpus_error_weights_by_reference_length():
    assert corpus_error([("ab", "ab"), ("abcdefgh", "abcdefgx")]) == pytest.approx(1 / 10)


def test_word_f1_counts_multiplicity():
    assert word_f1(["a", "a", "b"], ["a", "b", "c"]) == pytest.approx(2 / 3)
    assert word_f1([], []) == 1 and word_f1(["a"], ["b"]) == 0


def test_psnr_of_a_known_error():
    a = np.zeros((4, 4), np.uint8)
    assert psnr(a, a + 1) == pytest.approx(20 * math.log10(255))


RATES = [0.1, 0.2, 0.4, 0.8]
PSNRS = [28.0, 31.0, 34.0, 37.0]


def test_bd_rate_of_identical_curves_is_zero():
    assert bd_rate(RATES, PSNRS, RATES, PSNRS) == pytest.approx(0, abs=1e-9)


def test_bd_rate_of_a_curve_needing_half_the_rate_is_minus_50_percent():
    assert bd_rate(RATES, PSNRS, [r / 2 for r in RATES], PSNRS) == pytest.approx(-50, abs=1e-6)


def test_bd_psnr_of_a_curve_one_db_higher_is_one():
    assert bd_quality(RATES, PSNRS, RATES, [p + 1 for p in PSNRS]) == pytest.approx(1)


def test_bd_rate_worked_example():
    """Linear PSNR in log-rate: PSNR = 10*log2(r) + c. Shifting by +2 dB at equal rate means
    the same quality at rate * 2^(-0.2): BD-rate = 2^-0.2 - 1 = -12.94 %."""
    p_a = [10 * math.log2(r) + 40 for r in RATES]
    p_b = [p + 2 for p in p_a]
    assert bd_rate(RATES, p_a, RATES, p_b) == pytest.approx((2 ** -0.2 - 1) * 100, abs=1e-6)


def test_non_overlapping_curves_give_nan():
    assert math.isnan(bd_rate([1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [10, 11, 12, 13]))


def test_ms_ssim_is_one_for_identical_images_and_drops_with_noise():
    rng = np.random.default_rng(0)
    a = (rng.random((180, 200, 3)) * 255).astype(np.uint8)
    noisy = np.clip(a + rng.normal(0, 40, a.shape), 0, 255).astype(np.uint8)
    assert ms_ssim(a, a) == pytest.approx(1, abs=1e-5)
    assert ms_ssim(a, noisy) < 0.9
    assert math.isnan(ms_ssim(a[:100], a[:100]))


def test_pchip_bd_rate_follows_a_curve_at_its_floor():
    """Two codecs on one CER curve that flattens at a floor, sampled at other rates: no rate
    difference. A single cubic through log-rate overshoots on the flat part; PCHIP does not."""
    rates = np.array([0.08, 0.12, 0.17, 0.23, 0.29])

    def curve(r):
        return 0.18 + 3 * np.exp(-r / 0.03)

    shifted = rates * 1.1
    assert bd_rate(rates, -curve(rates), shifted, -curve(shifted), "pchip") == pytest.approx(
        0, abs=1.0)
    assert bd_quality(rates, curve(rates), shifted, curve(shifted), "pchip") == pytest.approx(
        0, abs=1e-3)
    # and where one codec truly needs 10 % less rate, both methods say so
    assert bd_rate(rates, -curve(rates), rates * 0.9, -curve(rates), "pchip") == pytest.approx(
        -10, abs=1e-6)


def test_unknown_bd_method_is_an_error():
    with pytest.raises(ValueError, match="pchip"):
        bd_rate(RATES, PSNRS, RATES, PSNRS, "spline")
