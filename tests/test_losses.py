"""Each loss on a tiny example (the frozen recognizer is the real english_g2)."""

import random

import pytest
import torch

from textcodec.losses import (RateNormalisedMSE, decoder_distortion, guidance_consistent,
                             ocr_ctc_loss, rate_distortion, text_logit_loss)
from textcodec.ocr.recognizer import TextRecognizer, crop_words, encode_text, greedy_decode
from textcodec.train.synth import ScreenSynth


@pytest.fixture(scope="module")
def recognizer():
    return TextRecognizer()


@pytest.fixture(scope="module")
def page():
    t = ScreenSynth().tile(random.Random(5), 320, 160)
    words = [w for w in t.words if w.height >= 9][:8]
    x = torch.from_numpy(t.image.copy()).permute(2, 0, 1)[None].float() / 255
    boxes = torch.tensor([[0, *w.axis_aligned_box()] for w in words], dtype=torch.float32)
    boxes[:, 1:3] -= 1
    boxes[:, 3:] += 1
    return x, boxes, [w.text for w in words]


def test_recognizer_reads_clean_synthetic_words(recognizer, page):
    x, boxes, texts = page
    read = greedy_decode(recognizer(crop_words(x, boxes)))
    assert sum(a == b for a, b in zip(read, texts)) >= len(texts) // 2


def test_text_logit_loss_is_zero_for_identical_images_and_grows_with_damage(recognizer, page):
    x, boxes, _ = page
    assert text_logit_loss(recognizer, x, x.clone(), boxes).item() == pytest.approx(0, abs=1e-6)
    g = torch.Generator().manual_seed(0)
    mild = text_logit_loss(recognizer, x, (x + 0.05 * torch.randn(x.shape, generator=g)).clamp(0, 1), boxes)
    heavy = text_logit_loss(recognizer, x, (x + 0.4 * torch.randn(x.shape, generator=g)).clamp(0, 1), boxes)
    assert 0 < mild < heavy


def test_text_logit_loss_sends_gradients_to_the_reconstruction_only(recognizer, page):
    x, boxes, _ = page
    x_hat = (x * 0.8).requires_grad_()
    text_logit_loss(recognizer, x, x_hat, boxes).backward()
    assert x_hat.grad.abs().sum() > 0
    assert all(p.grad is None for p in recognizer.parameters())


def test_logit_filter_can_drop_every_region(recognizer, page):
    x, boxes, _ = page
    assert text_logit_loss(recognizer, x, x * 0.5, boxes, m_min=1e9).item() == 0


def test_logit_weights_scale_each_box_term(recognizer, page):
    x, boxes, _ = page
    x_hat = (x * 0.6).clamp(0, 1)
    plain = text_logit_loss(recognizer, x, x_hat, boxes)
    doubled = text_logit_loss(recognizer, x, x_hat, boxes, weights=torch.full((len(boxes),), 2.0))
    assert doubled.item() == pytest.approx(2 * plain.item(), rel=1e-5)
    # weight only the first box: the loss is that box's term over the box count
    only = torch.zeros(len(boxes))
    only[0] = len(boxes)
    first = text_logit_loss(recognizer, x, x_hat, boxes[:1])
    assert text_logit_loss(recognizer, x, x_hat, boxes, weights=only).item() == pytest.approx(
        first.item(), rel=1e-4)


def test_ocr_loss_prefers_the_true_text(recognizer, page):
    x, boxes, texts = page
    right = ocr_ctc_loss(recognizer, x, boxes, texts)
    wrong = ocr_ctc_loss(recognizer, x, boxes, ["qqqqzz"] * len(texts))
    assert right < wrong


def test_ctc_targets_drop_unknown_characters():
    flat, lengths = encode_text(["ab", "a\u4e2db"])
    assert lengths.tolist() == [2, 2] and flat.tolist()[:2] == flat.tolist()[2:]


def test_rate_distortion_weights_distortion_per_sample():
    x = torch.zeros(2, 3, 8, 8)
    x_hat = torch.full_like(x, 0.1)
    lik = torch.full((2, 4, 2, 2), 0.5)
    lo = rate_distortion(x, x_hat, lik, lik, torch.tensor([0.001, 0.001]))
    hi = rate_distortion(x, x_hat, lik, lik, torch.tensor([0.01, 0.01]))
    assert lo["bpp"].item() == pytest.approx(2 * 16 / 64)
    assert hi["loss"] > lo["loss"] and lo["psnr"].item() == pytest.approx(20)


def test_guidance_consistent_loss_weights_the_boxes():
    x = torch.zeros(1, 3, 4, 4)
    x_hat = torch.ones_like(x)
    m = torch.zeros(1, 1, 4, 4)
    assert guidance_consistent(x, x_hat, m).item() == pytest.approx(1)
    m[..., :2, :] = 1
    assert guidance_consistent(x, x_hat, m, alpha=10).item() == pytest.approx(1 + 10 * 0.5)


def test_kl_logit_distance_is_zero_for_identical_images_and_grows_with_damage(recognizer, page):
    x, boxes, _ = page
    assert text_logit_loss(recognizer, x, x.clone(), boxes,
                           distance="kl").item() == pytest.approx(0, abs=1e-5)
    g = torch.Generator().manual_seed(0)
    mild = text_logit_loss(recognizer, x, (x + 0.05 * torch.randn(x.shape, generator=g)).clamp(0, 1),
                           boxes, distance="kl")
    heavy = text_logit_loss(recognizer, x, (x + 0.4 * torch.randn(x.shape, generator=g)).clamp(0, 1),
                            boxes, distance="kl")
    assert 0 < mild < heavy


def test_kl_logit_distance_ignores_a_shift_of_every_logit(recognizer, page):
    """KL compares the class distributions: adding one constant to all of a frame's logits
    changes nothing, where the paper's MSE counts it in full."""
    x, boxes, _ = page
    v = recognizer(crop_words(x, boxes))

    calls = []

    def rec(crops):   # the original's crops come first: leave them, shift the reconstruction's
        calls.append(1)
        return recognizer(crops) + (3.0 if len(calls) > 1 else 0.0)

    assert text_logit_loss(rec, x, x.clone(), boxes, distance="kl").item() == pytest.approx(
        0, abs=1e-4)
    calls.clear()
    assert text_logit_loss(rec, x, x.clone(), boxes).item() == pytest.approx(9.0, rel=1e-4)
    assert v.shape[-1] == 97


def test_unknown_logit_distance_is_refused(recognizer, page):
    x, boxes, _ = page
    with pytest.raises(ValueError, match="logit distance"):
        text_logit_loss(recognizer, x, x, boxes, distance="l1")


def test_decoder_distortion_is_minus_psnr_and_eps_sets_how_much_good_crops_weigh():
    x = torch.zeros(2, 3, 8, 8)
    x_hat = torch.cat([torch.full((1, 3, 8, 8), 0.1), torch.full((1, 3, 8, 8), 0.01)])
    # crops at 20 dB and 40 dB: the loss is minus their mean PSNR (eps small against both)
    assert decoder_distortion(x, x_hat, eps=1e-12).item() == pytest.approx(-30, abs=1e-3)

    def weights(eps):   # each crop's share of the gradient, per unit of its squared error
        xh = x_hat.clone().requires_grad_()
        decoder_distortion(x, xh, eps).backward()
        g = xh.grad.flatten(1).abs().mean(1) / (x_hat - x).abs().flatten(1).mean(1)
        return (g[1] / g[0]).item()
    # minus PSNR weighs the well-drawn crop 100x (1/mse); eps = 1e-3 cuts that to ~10x
    assert weights(1e-12) == pytest.approx(100, rel=1e-3)
    assert weights(1e-3) == pytest.approx((1e-2 + 1e-3) / (1e-4 + 1e-3), rel=1e-3)


def test_rate_normalised_mse_weighs_every_rate_alike_and_edges_within_a_rate():
    loss = RateNormalisedMSE(num_rates=3, momentum=0.5)
    x = torch.zeros(4, 1, 2, 2)
    # rate 0 errs 10x more than rate 2; within rate 0 one crop errs 3x the other
    err = torch.tensor([0.3, 0.1, 0.02, 0.02]).sqrt()[:, None, None, None]
    q = torch.tensor([0, 0, 2, 2])
    x_hat = (x + err).requires_grad_()
    value = loss(x, x_hat, q)
    assert value.item() == pytest.approx(1.0)     # each sample over its rate's mean (first call)
    assert loss.mean[0].item() == pytest.approx(0.2) and loss.mean[1].isnan()
    value.backward()
    g = x_hat.grad.flatten(1)[:, 0] / err.flatten()     # weight per unit of squared error
    assert g[0].item() == pytest.approx(g[1].item())    # within a rate: by the error itself
    assert g[2].item() == pytest.approx(10 * g[0].item())   # the low-error rate is lifted
    loss(x, x + 0 * err, q)                          # a perfect batch halves the running means
    assert loss.mean[0].item() == pytest.approx(0.1) and loss.mean[2].item() == pytest.approx(0.01)
