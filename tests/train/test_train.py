"""A CPU smoke run of the training command: a few steps, then the checkpoint codes."""

import json
import random

import numpy as np
import pytest
import torch
from PIL import Image

from textcodec.checkpoint import load_release
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.train import data as data_mod
from textcodec.train.data import MixedDataset, collate, crop_with_words, word_boxes
from textcodec.train.loop import main, parse_args, parse_logit_filter, small_glyph_boxes
from textcodec.train.synth import ScreenSynth
from textcodec.words import Word


def test_training_smoke_run_writes_a_codable_checkpoint(tmp_path):
    out = tmp_path / "run"
    main(["--out", str(out), "--steps", "3", "--batch", "2", "--workers", "0", "--crop", "128",
          "--mix", "1,0,0,0", "--log-every", "1", "--losses", "rd,logit,ocr", "--name", "smoke",
          "--device", "cpu"])
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2, 3]
    assert any("logit" in r and "ocr" in r for r in log)
    model, blob = load_release(out / "smoke.pt")
    assert blob["extra"]["steps"] == 3
    x = pad_to_multiple(torch.rand(1, 3, 40, 70))
    assert len(model.compress_latent(model.analysis(x), 1.0)) == 2


def test_text_loss_options_parse_and_reach_the_checkpoint(tmp_path):
    assert parse_logit_filter(None) == (None, None)
    assert parse_logit_filter("20") == (20.0, None)
    assert parse_logit_filter("20,8") == (20.0, 8.0)
    for bad in ("x", "1,2,3", "20,0"):
        with pytest.raises(ValueError):
            parse_logit_filter(bad)
        with pytest.raises(SystemExit):
            parse_args(["--logit-filter", bad])
    out = tmp_path / "run"
    main(["--out", str(out), "--steps", "2", "--batch", "2", "--workers", "0", "--crop", "128",
          "--mix", "1,0,0,0", "--log-every", "1", "--losses", "rd,logit", "--name", "opts",
          "--device", "cpu", "--kappa-by-rate", "--logit-filter", "5", "--text-max-char-area",
          "400", "--logit-distance", "kl", "--decoder-input", "round"])
    _, blob = load_release(out / "opts.pt")
    assert blob["extra"]["kappa_by_rate"] is True
    assert blob["extra"]["logit_filter"] == "5"
    assert blob["extra"]["text_max_char_area"] == 400
    assert blob["extra"]["logit_distance"] == "kl"
    assert blob["extra"]["decoder_input"] == "round"


def test_small_glyph_boxes_keeps_words_by_area_per_character():
    boxes = torch.tensor([[0, 0, 0, 40, 10],     # 400 px^2, 4 chars: 100 each
                          [0, 0, 0, 40, 20],     # 800 px^2, 2 chars: 400 each
                          [1, 5, 5, 25, 15]])    # 200 px^2, 1 char
    texts = ["abcd", "ab", "a"]
    assert small_glyph_boxes(boxes, texts, 0).tolist() == [0, 1, 2]
    assert small_glyph_boxes(boxes, texts, 150).tolist() == [0]
    assert small_glyph_boxes(boxes, texts, 400).tolist() == [0, 1, 2]
    assert small_glyph_boxes(boxes, texts, 99).tolist() == []


def test_resume_continues_from_the_last_step(tmp_path):
    out = tmp_path / "run"
    args = ["--out", str(out), "--batch", "1", "--workers", "0", "--crop", "64", "--device",
            "cpu", "--log-every", "1"]
    # a run with its own rate set resumes with those rates, though the flag is not repeated
    main(args + ["--steps", "2", "--lambdas", "0.001,0.002,0.004"])
    main(args + ["--steps", "3", "--resume"])
    steps = [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3]
    model, _ = load_release(out / "textcodec-model.pt")
    assert model.lambdas == (0.001, 0.002, 0.004)


def test_crops_keep_only_whole_boxes_shifted_into_the_crop():
    img = np.zeros((300, 300, 3), np.uint8)
    words = [Word("in", 150, 150, 20, 10), Word("edge", 5, 5, 30, 10)]
    s = crop_with_words(img, word_boxes(words), random.Random(0), 256)
    assert s.image.shape == (256, 256, 3)
    assert all((b >= 0).all() and (b <= 256).all() for b in s.boxes)
    assert s.texts in (["in"], [])


def test_synthetic_tiles_carry_exact_word_boxes():
    t = ScreenSynth().tile(random.Random(1), 256, 256)
    assert len(t.words) > 5
    for w in t.words:
        x0, y0, x1, y1 = w.axis_aligned_box()
        assert 0 <= x0 < x1 <= 256 and 0 <= y0 < y1 <= 256
        patch = t.image[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))]
        assert patch.std() > 0  # ink is really there


def test_mixed_dataset_batches_images_boxes_and_texts():
    it = iter(MixedDataset(None, seed=3, size=64))
    images, boxes, texts = collate([next(it) for _ in range(4)])
    assert images.shape == (4, 3, 64, 64) and boxes.shape[1] == 5 and len(texts) == len(boxes)


def _ui_pack(tmp_path):
    """A pack holding only UI screenshots: two flat-coloured 'windows', one smaller than a crop."""
    root = tmp_path / "gimp"
    for name, size, colour in (("menus/a.png", (300, 280), (200, 30, 30)),
                               ("toolbox/b.png", (160, 140), (30, 30, 200)),
                               ("menus/tiny.png", (100, 300), (0, 200, 0))):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, colour).save(root / name)
    shots = data_mod.ui_screenshots(root, ("menus", "toolbox"))
    pack = tmp_path / "pack"
    (pack / "photos").mkdir(parents=True)
    for name in data_mod.KODAK_TRAIN:   # build_pack's other sources, from a fake shared/
        (tmp_path / "shared" / "kodak").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 64)).save(tmp_path / "shared" / "kodak" / name)
    (tmp_path / "shared" / "funsd_train" / "images").mkdir(parents=True)
    data_mod.build_pack(pack, tmp_path / "shared", [], ui=shots, ui_root=root)
    return pack, shots


def test_ui_screenshots_are_packed_and_drawn_as_wordless_crops(tmp_path):
    pack, shots = _ui_pack(tmp_path)
    assert sorted(p.name for p in shots) == ["a.png", "b.png"]   # under 128 px: left out
    assert sorted(p.name for p in (pack / "ui").iterdir()) == ["menus_a.png", "toolbox_b.png"]
    it = iter(MixedDataset(pack, (0, 0, 0, 0, 1), seed=2, size=128))
    samples = [next(it) for _ in range(40)]
    colours = {tuple(s.image[64, 64]) for s in samples}
    assert colours == {(200, 30, 30), (30, 30, 200)}   # both screenshots, nothing else
    assert all(len(s.boxes) == 0 and s.texts == [] for s in samples)
    # a four-value mix draws no screenshots even from a pack that holds them
    it = iter(MixedDataset(pack, (0, 0, 0, 1), seed=2, size=128))
    assert {tuple(next(it).image[64, 64]) for _ in range(10)} == {(0, 0, 0)}


def test_a_mix_the_pack_cannot_serve_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not hold"):
        MixedDataset(tmp_path, (0, 0, 0, 0, 1))
    with pytest.raises(ValueError, match="4 to 6"):
        MixedDataset(None, (1, 0, 0))
    with pytest.raises(SystemExit, match="--mix"):
        main(["--out", str(tmp_path / "r"), "--steps", "1", "--mix", "0,0,0,0,1",
              "--pack", str(tmp_path)])


def test_a_block_carries_over_to_a_model_with_one_more_rate(tmp_path):
    """--fusion-from onto a codec whose rate range was extended (--lambdas): the trained
    rates keep their per-rate rows, the new top rate takes its nearest trained rate's."""
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu", "--lambdas", "0.001,0.002,0.004"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    main(["--out", str(tmp_path / "f"), "--steps", "2", "--name", "f", "--stage", "fusion",
          "--init", str(tmp_path / "b" / "b.pt"), "--lr", "1e-2"] + args)
    wider = [a if a != "0.001,0.002,0.004" else "0.001,0.002,0.004,0.008" for a in args]
    main(["--out", str(tmp_path / "w"), "--steps", "1", "--name", "w",
          "--init", str(tmp_path / "b" / "b.pt"), "--lr", "0"] + wider)
    main(["--out", str(tmp_path / "g"), "--steps", "1", "--name", "g", "--stage", "fusion",
          "--init", str(tmp_path / "w" / "w.pt"), "--fusion-from", str(tmp_path / "f" / "f.pt"),
          "--lr", "0"] + wider)
    block, _ = load_release(tmp_path / "f" / "f.pt")
    grown, blob = load_release(tmp_path / "g" / "g.pt")
    assert blob["config"]["lambdas"] == [0.001, 0.002, 0.004, 0.008]
    for key in ("rate_bias", "rate_log_gain"):
        old, new = getattr(block.fusion, key).detach(), getattr(grown.fusion, key).detach()
        assert old.abs().sum() > 0 and new.shape[0] == 4
        assert torch.allclose(new[:3], old) and torch.allclose(new[3], old[2])


def test_fusion_stage_trains_only_the_fusion_block(tmp_path):
    """Stage 2 from a backbone checkpoint: backbone weights and the rate do not move."""
    base = tmp_path / "base"
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu", "--log-every", "1"]
    main(["--out", str(base), "--steps", "1", "--name", "b"] + args)
    fused = tmp_path / "fused"
    main(["--out", str(fused), "--steps", "3", "--name", "f", "--stage", "fusion",
          "--init", str(base / "b.pt"), "--lr", "1e-2"] + args)
    before, _ = load_release(base / "b.pt")
    after, blob = load_release(fused / "f.pt")
    assert blob["config"]["fusion"] and after.fusion is not None
    for name, p in before.state_dict().items():
        if "entropy_bottleneck._" not in name and "gaussian_conditional" not in name:
            assert torch.equal(p, after.state_dict()[name]), name
    assert any(p.abs().sum() > 0 for p in after.fusion.project.parameters())
    assert after.fusion.rate_log_gain.abs().sum() > 0   # the per-rate trust level trains too
    log = [json.loads(line) for line in (fused / "log.jsonl").read_text().splitlines()]
    assert "psnr_fused" in log[0] and "box_mse_gain" in log[0]
    # the backbone can train on from the fused checkpoint (the block is left out, kept apart)
    main(["--out", str(tmp_path / "again"), "--steps", "1", "--name", "a",
          "--init", str(fused / "f.pt")] + args)
    again, blob = load_release(tmp_path / "again" / "a.pt")
    assert again.fusion is None and not blob["config"]["fusion"]
    # --fresh-fusion: an ablation run starts its own block though the init carries one
    main(["--out", str(tmp_path / "fresh"), "--steps", "1", "--name", "n", "--stage", "fusion",
          "--init", str(fused / "f.pt"), "--fresh-fusion", "--lr", "0"] + args)
    fresh, _ = load_release(tmp_path / "fresh" / "n.pt")
    assert not any(p.abs().sum() > 0 for p in fresh.fusion.project.parameters())


def test_fusion_stage_text_loss_reads_the_fused_output(tmp_path, monkeypatch):
    """--losses rd,ocr in the fusion stage: the recognizer's CTC loss reads the block's output
    (the only part with a gradient: the backbone is frozen) and joins the logged terms."""
    from textcodec.train import loop

    read = []
    ctc = loop.ocr_ctc_loss
    monkeypatch.setattr(loop, "ocr_ctc_loss",
                        lambda rec, x_hat, *a: read.append(x_hat.requires_grad) or
                        ctc(rec, x_hat, *a))
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu", "--log-every", "1"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    main(["--out", str(tmp_path / "f"), "--steps", "2", "--name", "f", "--stage", "fusion",
          "--init", str(tmp_path / "b" / "b.pt"), "--losses", "rd,ocr",
          "--text-max-char-area", "0"] + args)
    assert read and all(read)
    log = [json.loads(line) for line in (tmp_path / "f" / "log.jsonl").read_text().splitlines()]
    assert "ocr" in log[0] and "box_mse_gain" in log[0]


def test_fusion_size_trains_a_block_of_that_size_that_loads_back(tmp_path):
    """--fusion-size CHANNELS,UNITS: a fresh block of that size, kept in the checkpoint's
    config, so a decoder builds the same block; bad sizes and a warm start are refused."""
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    fused = ["--stage", "fusion", "--init", str(tmp_path / "b" / "b.pt")] + args
    main(["--out", str(tmp_path / "f"), "--steps", "3", "--name", "f", "--lr", "1e-2",
          "--fusion-size", "8,2"] + fused)
    model, blob = load_release(tmp_path / "f" / "f.pt")
    assert blob["config"]["fusion_channels"] == 8 and blob["config"]["fusion_units"] == 2
    assert model.fusion.expand.out_channels == 5 and model.fusion.receptive_radius == 2
    assert any(p.abs().sum() > 0 for p in model.fusion.project.parameters())
    x = torch.rand(1, 3, 32, 32)
    mask = torch.zeros(1, 1, 32, 32)
    assert torch.equal(model.fusion(x, torch.rand(1, 1, 32, 32), mask, 1), x)  # no guidance
    for bad in (["--fusion-size", "7,2"], ["--fusion-size", "8"],
                ["--fusion-size", "8,2", "--fusion-from", str(tmp_path / "f" / "f.pt")]):
        with pytest.raises(SystemExit):
            main(["--out", str(tmp_path / "x"), "--steps", "1", "--name", "x"] + bad + fused)


def test_corrupted_guidance_drops_and_alters_words():
    from textcodec.train.data import corrupt_words

    words = [Word(f"word{i}", i * 50, 20, 40, 12) for i in range(200)]
    bad = corrupt_words(words, random.Random(0))
    assert 140 < len(bad) < 200
    assert sum(w.text not in {f"word{i}" for i in range(200)} for w in bad) > 10


def test_misreadings_are_look_alikes_or_single_character_edits():
    """Half the substitutions swap a character (or pair) for one OCR confuses it with, so
    the block meets wrong words that look right; the rest replace, insert or drop one."""
    from textcodec.train.data import CONFUSABLE, misread

    rng = random.Random(1)
    word = "modern"
    look_alikes = {word[:i] + c + word[i + n:] for n in (1, 2) for i in range(len(word))
                   if word[i:i + n] in CONFUSABLE for c in CONFUSABLE[word[i:i + n]]}
    swaps = {misread(word, rng, p_confusable=1.0) for _ in range(300)}
    assert swaps <= look_alikes and len(swaps) > 8
    assert {"modem", "rnodern"} <= swaps                 # pairs both ways
    edits = [misread("window", rng, p_confusable=0.0) for _ in range(300)]
    assert {len(e) for e in edits} == {5, 6, 7}          # dropped, replaced, inserted
    # a word without look-alikes still gets misread, by an edit
    assert all(len(misread("zzz", rng, p_confusable=1.0)) in (2, 3, 4) for _ in range(20))


def test_train_rates_limit_the_rates_drawn(tmp_path, monkeypatch):
    """--train-rates: the backbone step and the guided data draw only the named rate indices;
    bad lists are refused before any work."""
    from textcodec.train import loop
    from textcodec.train.loop import parse_rates

    assert parse_rates(None) is None and parse_rates("4,3,4") == (3, 4, 4)   # weights
    for bad in ("a", "-1", "1,,2"):
        with pytest.raises(ValueError):
            parse_rates(bad)
    with pytest.raises(ValueError):
        parse_rates("3", num_rates=3)
    with pytest.raises(SystemExit):
        parse_args(["--train-rates", "x"])
    data = MixedDataset(None, (1, 0, 0, 0), seed=2, size=64, guidance=True, corrupt=(0, 0, 0),
                        num_rates=5, rates=(1, 3))
    it = iter(data)
    assert {next(it).rate for _ in range(30)} == {1, 3}
    weighted = iter(MixedDataset(None, (1, 0, 0, 0), seed=2, size=64, guidance=True,
                                 corrupt=(0, 0, 0), num_rates=5, rates=(1, 3, 3, 3)))
    drawn = [next(weighted).rate for _ in range(200)]
    assert 0.6 < drawn.count(3) / len(drawn) < 0.9
    seen = []
    rd = loop.rate_distortion
    monkeypatch.setattr(loop, "rate_distortion",
                        lambda x, xh, ly, lz, lam: seen.append(lam.tolist()) or rd(x, xh, ly, lz, lam))
    out = tmp_path / "r"
    main(["--out", str(out), "--steps", "3", "--batch", "4", "--workers", "0", "--crop", "64",
          "--mix", "1,0,0,0", "--device", "cpu", "--lambdas", "0.001,0.002,0.004",
          "--train-rates", "2", "--name", "r"])
    assert seen and all(lam == pytest.approx([0.004] * 4) for lam in seen)
    _, blob = load_release(out / "r.pt")
    assert blob["extra"]["train_rates"] == [2]
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "bad"), "--steps", "1", "--workers", "0", "--crop", "64",
              "--device", "cpu", "--lambdas", "0.001,0.002", "--train-rates", "2"])


def test_guidance_corruption_is_set_by_its_parameters():
    """--corrupt reaches the renderer: no corruption renders every ground-truth word, dropping
    every word renders nothing."""
    from textcodec.train.data import Sample, with_guidance

    img = np.zeros((64, 64, 3), np.uint8)
    boxes = np.array([[4, 4, 40, 20], [4, 30, 50, 50]], np.float32)
    clean = with_guidance(Sample(img, boxes, ["hello", "world"]), random.Random(0), None)
    assert clean.mask[10, 20] > 0 and clean.mask[40, 20] > 0
    gone = with_guidance(Sample(img, boxes, ["hello", "world"]), random.Random(0), (1.0, 0, 0))
    assert not gone.mask.any() and not gone.guide.any()
    # as the decoder does, a word holding a digit is not drawn
    number = with_guidance(Sample(img, boxes, ["hello", "19.50"]), random.Random(0), None)
    assert number.mask[10, 20] > 0 and not number.mask[40, 20]


def test_rate_dependent_corruption_grows_from_the_low_to_the_high_rate():
    """LOW:HIGH: each guided sample carries the rate it was corrupted for, collate hands the
    rates to the training step, and the errors follow the rate (here: every word kept at the
    lowest rate, every word dropped at the highest)."""
    from textcodec.train.data import corruption_at, parse_corruption

    low, high = parse_corruption("0,0,0:1,0.3,3")
    assert low == (0, 0, 0) and high == (1, 0.3, 3)
    assert corruption_at(low, high, 2, 5) == (0.5, 0.15, 1.5)
    assert parse_corruption("0.1,0.2,2") == ((0.1, 0.2, 2), (0.1, 0.2, 2))
    for bad in ("0.1,0.2", "2,0,0", "0,0,0:0,0,0:0,0,0", "a,b,c"):
        with pytest.raises(ValueError):
            parse_corruption(bad)
    data = MixedDataset(None, (1, 0, 0, 0), seed=5, size=96, guidance=True, corrupt=low,
                        corrupt_high=high, num_rates=3)
    it = iter(data)
    samples = [next(it) for _ in range(40)]
    batch = collate(samples)
    assert len(batch) == 6 and batch[5].tolist() == [s.rate for s in samples]
    assert set(batch[5].tolist()) == {0, 1, 2}
    # (samples with a word the guidance may draw: words holding a digit never are)
    drawable = [s for s in samples if any(not any(c.isdigit() for c in t) for t in s.texts)]
    lowest = [s for s in drawable if s.rate == 0]
    highest = [s for s in drawable if s.rate == 2]
    assert lowest and highest
    assert all(s.mask.any() for s in lowest) and not any(s.mask.any() for s in highest)


def test_fusion_stage_codes_each_sample_at_the_rate_its_guidance_was_drawn_for(tmp_path,
                                                                             monkeypatch):
    from textcodec.train import loop

    seen = []
    step = loop._fusion_step
    monkeypatch.setattr(loop, "_fusion_step",
                        lambda model, x, q, *a: seen.append(q.tolist()) or step(model, x, q, *a))
    args = ["--batch", "4", "--workers", "0", "--crop", "64", "--mix", "1,0,0,0",
            "--device", "cpu", "--lambdas", "0.001,0.002,0.004"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    main(["--out", str(tmp_path / "f"), "--steps", "2", "--name", "f", "--stage", "fusion",
          "--init", str(tmp_path / "b" / "b.pt"), "--corrupt", "0,0,0:1,0,0"] + args)
    data = MixedDataset(None, (1, 0, 0, 0), seed=0, size=64, guidance=True, corrupt=(0, 0, 0),
                        corrupt_high=(1, 0, 0), num_rates=3)
    it = iter(data)
    assert seen == [[next(it).rate for _ in range(4)] for _ in range(2)]
    with pytest.raises(SystemExit):
        loop.parse_args(["--corrupt", "0.5,0.5"])


def test_init_with_more_rates_keeps_the_trained_gains_and_extrapolates_new_ones(tmp_path):
    """--lambdas extends a checkpoint's rate range: shared rates keep their gain rows exactly,
    a new lower rate continues the trained log-gain trend."""
    args = ["--batch", "1", "--workers", "0", "--crop", "64", "--device", "cpu",
            "--mix", "1,0,0,0", "--lr", "0"]
    main(["--out", str(tmp_path / "a"), "--steps", "1", "--name", "a",
          "--lambdas", "0.001,0.002,0.004"] + args)
    small, _ = load_release(tmp_path / "a" / "a.pt")
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b",
          "--lambdas", "0.0005,0.001,0.002,0.004", "--init", str(tmp_path / "a" / "a.pt")] + args)
    big, blob = load_release(tmp_path / "b" / "b.pt")
    assert big.num_rates == 4 and blob["config"]["lambdas"] == [0.0005, 0.001, 0.002, 0.004]
    # lr 0: the weights are those of the init checkpoint, up to fp16 storage
    assert torch.allclose(big.log_gain[1:], small.log_gain)
    step = small.log_gain[1] - small.log_gain[0]
    assert torch.allclose(big.log_gain[0], small.log_gain[0] - step, atol=1e-5)


def test_remap_gains_interpolates_between_trained_rates():
    from textcodec.checkpoint import remap_gains

    table = torch.tensor([[0.0, 1.0], [2.0, 5.0]])
    out = remap_gains(table, (0.001, 0.004), (0.002, 0.004, 0.008))
    assert torch.allclose(out, torch.tensor([[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]]))


def test_fusion_stage_can_warm_start_the_block_from_another_checkpoint(tmp_path):
    args = ["--batch", "1", "--workers", "0", "--crop", "64", "--mix", "1,0,0,0",
            "--device", "cpu", "--stage", "fusion"]
    main(["--out", str(tmp_path / "f1"), "--steps", "2", "--name", "f1", "--lr", "1e-2"] + args)
    first, _ = load_release(tmp_path / "f1" / "f1.pt")
    main(["--out", str(tmp_path / "f2"), "--steps", "1", "--name", "f2", "--lr", "0",
          "--fusion-from", str(tmp_path / "f1" / "f1.pt")] + args)
    second, _ = load_release(tmp_path / "f2" / "f2.pt")
    for (name, a), b in zip(first.fusion.state_dict().items(), second.fusion.state_dict().values()):
        assert torch.equal(a, b), name
    # a block file (a release's text model) warm-starts without its baseline at hand: only
    # the block's weights are needed (a device machine carries the block, not the codec)
    from textcodec.checkpoint import read_blob, save_block

    full = read_blob(tmp_path / "f1" / "f1.pt")
    base = tmp_path / "f1" / "base.pt"      # f1's codec alone: the block's baseline
    torch.save({**full, "state": {k: v for k, v in full["state"].items()
                                  if not k.startswith("fusion.")}}, base)
    (tmp_path / "blocks").mkdir()
    block = tmp_path / "blocks" / "f1-block.pt"
    save_block(full, base, block, "f1b")
    base.unlink()
    main(["--out", str(tmp_path / "f3"), "--steps", "1", "--name", "f3", "--lr", "0",
          "--fusion-from", str(block)] + args)
    third, _ = load_release(tmp_path / "f3" / "f3.pt")
    for (name, a), b in zip(first.fusion.state_dict().items(), third.fusion.state_dict().values()):
        assert torch.equal(a, b), name


def test_ddp_run_of_two_processes_keeps_every_rank_in_sync(tmp_path):
    """torchrun with two CPU processes (gloo): gradients are averaged, rank 0's fp16 rounding
    at a save is broadcast, all ranks stop at the same step and end with the same weights."""
    import subprocess
    import sys

    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
           "2", "-m", "textcodec.train", "--out", str(out), "--name", "d", "--steps", "3",
           "--batch", "1", "--workers", "0", "--crop", "64", "--device", "cpu",
           "--mix", "1,0,0,0", "--log-every", "1", "--save-every", "2"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    errors = [line for line in done.stderr.splitlines() if "Error" in line or "what()" in line]
    assert done.returncode == 0, "\n".join(errors[:10]) + done.stderr[-1500:]
    result = json.loads((out / "result.json").read_text())
    assert result["world_size"] == 2 and result["steps"] == 3
    assert result["ranks_in_sync"] is True
    model, blob = load_release(out / "d.pt")
    assert blob["extra"]["steps"] == 3


def test_learning_rate_decays_from_start_to_end_and_stays_there():
    from textcodec.train.loop import learning_rate

    values = [learning_rate(s, 1e-4, 1e-5, 100) for s in (0, 25, 50, 75, 100, 500)]
    assert values[0] == pytest.approx(1e-4)
    assert values[2] == pytest.approx(5.5e-5)
    assert values[4] == values[5] == pytest.approx(1e-5)
    assert all(a > b for a, b in zip(values[:4], values[1:5]))


def test_lr_schedule_reaches_the_optimizer_and_the_log_and_survives_resume(tmp_path):
    out = tmp_path / "sched"
    args = ["--out", str(out), "--batch", "2", "--workers", "0", "--crop", "128",
            "--log-every", "1", "--lr", "1e-3", "--lr-end", "1e-4", "--lr-decay-steps", "4"]
    main(args + ["--steps", "2"])
    main(args + ["--steps", "4", "--resume"])
    lrs = [json.loads(line)["lr"] for line in (out / "log.jsonl").read_text().splitlines()]
    # the rate each step trained at: step 0..3 of the 4-step cosine, resumed at step 2
    assert lrs == pytest.approx([1e-3, 0.000868, 0.00055, 0.000232], rel=1e-2)


def test_lr_offset_starts_the_schedule_part_way_in(tmp_path):
    out = tmp_path / "offset"
    main(["--out", str(out), "--batch", "2", "--workers", "0", "--crop", "128",
          "--log-every", "1", "--lr", "1e-3", "--lr-end", "1e-4", "--lr-decay-steps", "4",
          "--lr-offset", "2", "--steps", "2"])
    lrs = [json.loads(line)["lr"] for line in (out / "log.jsonl").read_text().splitlines()]
    # steps 2 and 3 of the same 4-step cosine as a run that never stopped
    assert lrs == pytest.approx([0.00055, 0.000232], rel=1e-2)


def test_checkerboard_run_starts_from_a_hyperprior_checkpoint(tmp_path):
    """--arch vr-checkerboard --init <plain hyperprior>: the context network starts fresh,
    everything else from the checkpoint; the result codes in three streams."""
    base = tmp_path / "base"
    main(["--out", str(base), "--steps", "1", "--batch", "2", "--workers", "0", "--crop", "128",
          "--mix", "1,0,0,0", "--name", "base", "--device", "cpu"])
    out = tmp_path / "cb"
    main(["--out", str(out), "--steps", "2", "--batch", "2", "--workers", "0", "--crop", "128",
          "--mix", "1,0,0,0", "--name", "cb", "--device", "cpu", "--arch", "vr-checkerboard",
          "--init", str(base / "base.pt")])
    model, blob = load_release(out / "cb.pt")
    plain, _ = load_release(base / "base.pt")
    # a run from a checkerboard checkpoint keeps its architecture without being told
    again = tmp_path / "again"
    main(["--out", str(again), "--steps", "1", "--batch", "2", "--workers", "0", "--crop", "128",
          "--mix", "1,0,0,0", "--name", "again", "--device", "cpu", "--init", str(out / "cb.pt")])
    assert load_release(again / "again.pt")[1]["arch"] == "vr-checkerboard"
    assert blob["arch"] == "vr-checkerboard"
    assert not torch.equal(model.g_s[0][0].weight, plain.g_s[0][0].weight)  # it trained
    x = pad_to_multiple(torch.rand(1, 3, 40, 70))
    assert len(model.compress_latent(model.analysis(x), 1.0)) == 3


def test_compile_runs_the_forward_pass_through_torch_compile(tmp_path, monkeypatch):
    """--compile hands the model to torch.compile and trains what it returns (compiling for
    real takes minutes on a CPU; the device machine runs it: docs/training.md, session 24);
    the logged terms are the step's own, read back only at log time."""
    compiled = []

    def fake_compile(module):
        compiled.append(module)

        def forward(*args):
            compiled.append("called")
            return module(*args)
        return forward

    monkeypatch.setattr(torch, "compile", fake_compile)
    out = tmp_path / "c"
    main(["--out", str(out), "--steps", "2", "--batch", "2", "--workers", "0", "--crop", "64",
          "--mix", "1,0,0,0", "--device", "cpu", "--log-every", "1", "--name", "c",
          "--compile"])
    assert isinstance(compiled[0], torch.nn.Module) and compiled.count("called") == 2
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [1, 2]
    assert all(isinstance(r["loss"], float) and r["loss"] > 0 and r["bpp"] > 0 for r in log)


def test_page_pool_reuses_each_rendered_page_for_several_crops(monkeypatch):
    """Synthetic pages are rendered once and cropped REUSE times on average."""
    from textcodec.train import data as data_mod

    renders = []
    tile = ScreenSynth.tile
    monkeypatch.setattr(ScreenSynth, "tile",
                        lambda self, *a, **k: renders.append(1) or tile(self, *a, **k))
    monkeypatch.setattr(data_mod, "POOL_SIZE", 4)
    it = iter(MixedDataset(None, (1, 0, 0, 0), seed=5, size=64))
    for _ in range(4 + 20 * data_mod.REUSE):
        next(it)
    assert 4 + 5 <= len(renders) <= 4 + 40   # ~20 pages rendered after the pool filled


def test_training_from_a_widened_checkpoint_keeps_its_width(tmp_path):
    """--init with a widened codec (tools/widen_checkpoint.py) trains at that width."""
    from textcodec.checkpoint import save_release
    from textcodec.nets.widen import widen

    args = ["--steps", "1", "--batch", "2", "--workers", "0", "--crop", "64", "--mix",
            "1,0,0,0", "--device", "cpu", "--arch", "vr-checkerboard", "--lambdas",
            "0.001,0.004"]
    main(["--out", str(tmp_path / "n"), "--name", "n"] + args)
    narrow, _ = load_release(tmp_path / "n" / "n.pt")
    save_release(widen(narrow, N_enc=160, N_dec=144, N_last=64), tmp_path / "w.pt", "w")
    main(["--out", str(tmp_path / "t"), "--name", "t", "--init", str(tmp_path / "w.pt")] + args)
    trained, blob = load_release(tmp_path / "t" / "t.pt")
    assert blob["config"]["N_enc"] == 160 and blob["config"]["N_dec"] == 144
    assert trained.g_s[4][0].weight.shape[0] == 4 * 64


def test_analysis_stage_trains_only_the_analysis_transform(tmp_path):
    """--stage analysis (after narrowing the analysis): g_a moves, every other weight and the
    entropy model's quantiles stay the checkpoint's, so its files decode with the original."""
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu", "--log-every", "1"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    main(["--out", str(tmp_path / "a"), "--steps", "3", "--name", "a", "--stage", "analysis",
          "--init", str(tmp_path / "b" / "b.pt"), "--lr", "1e-3"] + args)
    before, _ = load_release(tmp_path / "b" / "b.pt")
    after, _ = load_release(tmp_path / "a" / "a.pt")
    moved = [n for n, p in before.state_dict().items()
             if not torch.equal(p, after.state_dict()[n])]
    assert moved and all(n.startswith("g_a.") for n in moved), moved


@pytest.mark.parametrize("stage, trained, loss", [
    ("refine", ("refine.",), "psnr"), ("refine", ("refine.",), "rate-mse"),
    ("decoder", ("refine.", "g_s.", "log_inv_gain"), "psnr")])
def test_refine_and_decoder_stages_leave_the_files_as_they_were(tmp_path, stage, trained, loss):
    """--refine adds the refinement stage to a plain checkpoint; --stage refine trains only it,
    --stage decoder the decoding side too. The encoder and the entropy model stay the
    checkpoint's, so the files the new model writes are the old one's, byte for byte."""
    args = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "1,0,0,0",
            "--device", "cpu", "--log-every", "1", "--arch", "vr-checkerboard"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    with pytest.raises(SystemExit, match="needs a refinement stage"):
        main(["--out", str(tmp_path / "x"), "--steps", "1", "--stage", stage,
              "--init", str(tmp_path / "b" / "b.pt")] + args)
    main(["--out", str(tmp_path / "r"), "--steps", "3", "--name", "r", "--stage", stage,
          "--refine", "8,1", "--init", str(tmp_path / "b" / "b.pt"), "--lr", "1e-3",
          "--decoder-loss", loss] + args)
    before, _ = load_release(tmp_path / "b" / "b.pt")
    after, blob = load_release(tmp_path / "r" / "r.pt")
    assert blob["config"]["refine_channels"] == 8 and blob["config"]["refine_layers"] == 1
    old = before.state_dict()
    moved = {n for n, p in after.state_dict().items()
             if n not in old or not torch.equal(p, old[n])}
    assert any(n.startswith("refine.") for n in moved)
    assert all(n.startswith(trained) for n in moved), moved
    x = pad_to_multiple(torch.rand(1, 3, 40, 70))
    assert after.compress_latent(after.analysis(x), 1.0) == \
        before.compress_latent(before.analysis(x), 1.0)
    with torch.no_grad():
        y = torch.randn(1, 192, 2, 3)
        assert not torch.equal(after.synthesis(y, 1.0), before.synthesis(y, 1.0))


@pytest.mark.parametrize("stage, training", [("refine", False), ("backbone", True)])
def test_stages_keep_their_mode_across_saves(tmp_path, monkeypatch, stage, training):
    """The frozen-encoder stages see rounded latents (eval mode) at every step, also after a
    save (which once put the model back in train mode); the backbone trains in train mode."""
    from textcodec.nets.checkerboard import CheckerboardHyperprior

    modes = []
    forward = CheckerboardHyperprior.forward

    def spy(self, x, q):
        modes.append(self.training)
        return forward(self, x, q)

    args = ["--batch", "2", "--workers", "0", "--crop", "64", "--mix", "1,0,0,0",
            "--device", "cpu", "--arch", "vr-checkerboard", "--lambdas", "0.001,0.004"]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    monkeypatch.setattr(CheckerboardHyperprior, "forward", spy)
    main(["--out", str(tmp_path / "r"), "--steps", "4", "--save-every", "1", "--name", "r",
          "--stage", stage, "--refine", "4,1", "--init", str(tmp_path / "b" / "b.pt")] + args)
    assert modes == [training] * 4


def _fitted_funsd_pack(tmp_path):
    """A pack of one FUNSD-style form whose words are drawn by known fits, with those fits
    stored as tools/fit_pack.py stores them (one word left unfitted)."""
    from textcodec import glyphs

    pack = tmp_path / "pack"
    for sub in ("images", "annotations"):
        (pack / "funsd" / sub).mkdir(parents=True)
    rng = random.Random(0)
    cover = np.zeros((300, 300), np.float32)
    entries, fits = [], []
    for row in range(8):
        text = "".join(rng.choice("abcdefghkmnoprstuvwxz") for _ in range(rng.randint(3, 7)))
        fit = glyphs.Fit(font=4, size=56, x=8, y=4)
        word = Word(text, 70 + 150 * (row % 2), 30 + 60 * (row // 2), 90, 22)
        region, g = glyphs.glyph_map(word, fit, 300, 300)
        np.maximum(cover[region], g, out=cover[region])
        x0, y0, x1, y1 = word.axis_aligned_box()
        entries.append({"words": [{"text": text, "box": [x0, y0, x1, y1]}]})
        fits.append(fit if row else None)
    page = pack / "funsd" / "images" / "form.png"
    Image.fromarray(((1 - cover) * 255).round().astype(np.uint8)).convert("RGB").save(page)
    (pack / "funsd" / "annotations" / "form.json").write_text(json.dumps({"form": entries}))
    words = data_mod.load_funsd_words(page)
    data_mod.save_page_fits(data_mod.page_fits_path(pack, "funsd", page), fits)
    return pack, page, words, fits


def test_page_fits_round_trip_and_fits_for_other_words_are_refused(tmp_path):
    pack, page, words, fits = _fitted_funsd_pack(tmp_path)
    path = data_mod.page_fits_path(pack, "funsd", page)
    assert data_mod.load_page_fits(path, words) == fits
    assert data_mod.load_page_fits(tmp_path / "none.json", words) is None
    with pytest.raises(ValueError, match="fit_pack"):
        data_mod.load_page_fits(path, words[:-1])
    (pack / "fits").rename(tmp_path / "away")
    with pytest.raises(ValueError, match="fit_pack"):
        MixedDataset(pack, (0, 0, 1, 0), guidance=True, fitted=True)


def test_fitted_guidance_draws_the_packs_fits_and_keeps_them_in_place_under_ocr_errors(
        tmp_path):
    """Crops of a pack with fits: the fitted words are drawn by their fits (glyphs.guidance),
    and the OCR errors' box shifts move only the unfitted words (a fit is placed on the
    original's ink, whatever box the OCR gave)."""
    from textcodec import glyphs

    pack, *_ = _fitted_funsd_pack(tmp_path)
    it = iter(MixedDataset(pack, (0, 0, 1, 0), seed=1, size=128, guidance=True, corrupt=None,
                           fitted=True))
    samples = [next(it) for _ in range(20)]
    with_fits = [s for s in samples if s.fits and any(s.fits)]
    assert with_fits
    for s in with_fits:
        words = [Word(t, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1])
                 for b, t in zip(s.boxes, s.texts)]
        guide, mask = glyphs.guidance(words, s.fits, 128, 128)
        assert np.array_equal(s.guide, guide) and np.array_equal(s.mask, mask)
    s = with_fits[0]
    fitted = [i for i, f in enumerate(s.fits) if f is not None]
    b = s.boxes[fitted[0]].astype(int)
    inside = (slice(b[1], b[3]), slice(b[0], b[2]))
    still = data_mod.with_guidance(replace_sample(s), random.Random(5), (0, 0, 0), True)
    for seed in range(4):
        moved = data_mod.with_guidance(replace_sample(s), random.Random(seed), (0, 0, 3), True)
        assert np.array_equal(moved.guide[inside], still.guide[inside])


def replace_sample(s):
    return data_mod.Sample(s.image, s.boxes, list(s.texts), fits=s.fits)


def test_fusion_stage_on_fitted_guidance_records_it_in_the_checkpoint(tmp_path):
    pack, *_ = _fitted_funsd_pack(tmp_path)
    common = ["--batch", "2", "--workers", "0", "--crop", "128", "--mix", "0,0,1,0",
              "--device", "cpu", "--lambdas", "0.001,0.002"]
    args = common + ["--pack", str(pack)]
    main(["--out", str(tmp_path / "b"), "--steps", "1", "--name", "b"] + args)
    main(["--out", str(tmp_path / "f"), "--steps", "2", "--name", "f", "--stage", "fusion",
          "--guidance", "fitted", "--init", str(tmp_path / "b" / "b.pt")] + args)
    model, blob = load_release(tmp_path / "f" / "f.pt")
    assert blob["config"]["fusion_guidance"] == "fitted" and model.fusion_guidance == "fitted"
    with pytest.raises(SystemExit, match="--stage fusion"):
        main(["--out", str(tmp_path / "x"), "--steps", "1", "--guidance", "fitted"] + args)
    bare = tmp_path / "bare"
    (bare / "funsd").mkdir(parents=True)
    for sub in ("images", "annotations"):
        (bare / "funsd" / sub).symlink_to(pack / "funsd" / sub)
    with pytest.raises(SystemExit, match="fit_pack"):
        main(["--out", str(tmp_path / "y"), "--steps", "1", "--name", "y", "--stage", "fusion",
              "--guidance", "fitted", "--init", str(tmp_path / "b" / "b.pt"),
              "--pack", str(bare)] + common)
