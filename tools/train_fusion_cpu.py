"""Train the fusion block (TextBoost stage 2) on this CPU, on pre-decoded crops, with the
recognizer's CTC loss on the fused output beside the guidance-consistent loss.

    python tools/train_fusion_cpu.py --init textcodec-text-v20 --out runs/s36/fcpu.pt \
        --rates 0,1,2 --ocr-weight 1 [--crops 300] [--steps 2000] [--alpha 10] \
        [--corrupt 0.3,0.05,1] [--pack .pack-lean] [--seed 0] [--cache runs/s36/fcache.pt]

Stage 2 keeps the encoder, entropy model and synthesis frozen, so every decode the block sees
is fixed in advance: this draws --crops 256-px crops that hold words from the training mix
(--mix, by default session 32's shares), decodes each at --rates once (the forward pass in eval
mode, as `--stage fusion` sees it) and then trains only --init's fusion block, batch --batch,
each crop at a random rate of --rates, its guidance rendered afresh every step from the crop's
true words with OCR errors (--corrupt p_drop,p_sub,max_shift, as training's --corrupt; the
decoder's own filter leaves out words holding a digit), on

    MSE(x, x_f) + alpha * MSE(m*x, m*x_f) + ocr_weight * CTC(english_g2(x_f crops), words)

(textcodec.losses.guidance_consistent and ocr_ctc_loss, TFIC's loss read through the block;
with --eot the recognizer reads the fused crops through a random blur, noise and box jitter).
Adam --lr with a cosine decay to a tenth. Why this exists: docs/benchmarks.md, "How well the
guidance lines up": no pixel loss can make a block paint the guidance's words, so the only
road for the block to TextBoost's reading gains is a reading loss, and the device was not to
be had (session 36). Writes a release checkpoint: --init's codec and coding tables, byte for
byte the same files, with the trained block (tools/compare_fusion.py measures it).
"""

from __future__ import annotations

import argparse
import copy
import math
import random
import time
from pathlib import Path

MIX = (0.25, 0.1, 0.2, 0.1, 0.15, 0.2)    # session 32's: screen, document, funsd, photo, ui, web


def _transformed(x, boxes, rng: random.Random):
    """--eot: x blurred by a random Gaussian and noised, the boxes jittered."""
    import torch
    import torch.nn.functional as F

    sigma = rng.uniform(0, 1.2)
    if sigma > 0.2:
        t = torch.arange(-3, 4, dtype=x.dtype)
        k = torch.exp(-t ** 2 / (2 * sigma ** 2))
        k = k / k.sum()
        c = x.shape[1]
        across, down = k.view(1, 1, 1, 7).repeat(c, 1, 1, 1), k.view(1, 1, 7, 1).repeat(c, 1, 1, 1)
        x = F.conv2d(F.pad(x, (3, 3, 0, 0), mode="replicate"), across, groups=c)
        x = F.conv2d(F.pad(x, (0, 0, 3, 3), mode="replicate"), down, groups=c)
    x = x + 0.03 * torch.randn_like(x)
    h = (boxes[:, 4] - boxes[:, 2]).clamp(min=1)
    jitter = (torch.rand(len(boxes), 4) * 2 - 1) * 0.15 * h[:, None]
    boxes = boxes.clone()
    boxes[:, 1:] += jitter
    return x, boxes


def main() -> None:
    import torch

    from textcodec import nets, zoo
    from textcodec.checkpoint import load_weights, read_blob, save_release
    from textcodec.losses import guidance_consistent, ocr_ctc_loss
    from textcodec.ocr.recognizer import TextRecognizer
    from textcodec.train.data import MixedDataset, parse_corruption, with_guidance

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", default="textcodec-text-v20",
                   help="a model with a fusion block (name or file): its block is trained on")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--name", help="the checkpoint's model name (default: --out's stem)")
    p.add_argument("--rates", default="0,1,2", help="rate indices the crops are decoded at")
    p.add_argument("--crops", type=int, default=300)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--alpha", type=float, default=10.0)
    p.add_argument("--ocr-weight", type=float, default=1.0)
    p.add_argument("--words", type=int, default=12,
                   help="recognizer crops per step, drawn from the batch's words (the CPU's "
                        "cost: ~0.15 s a word)")
    p.add_argument("--corrupt", default="0.3,0.05,1")
    p.add_argument("--eot", action="store_true",
                   help="the recognizer reads each step's fused crops through a random blur "
                        "(sigma 0-1.2 px), noise (sd 0.03) and box jitter (up to 15 %% of the "
                        "height): a painting that one recognizer reads only as painted (an "
                        "adversarial one) should not survive them")
    p.add_argument("--pack", type=Path, default=Path(".pack-lean"))
    p.add_argument("--mix", default=",".join(map(str, MIX)))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", type=Path,
                   help="keep the decoded crops in this file (made if missing, read if there)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    blob = read_blob(zoo.resolve(args.init)[0])
    if "fusion" not in {k.split(".")[0] for k in blob["state"]}:
        raise SystemExit(f"{args.init} has no fusion block to train")
    config = dict(blob["config"], lambdas=tuple(blob["config"]["lambdas"]))
    model = nets.create(blob["arch"], **config)
    load_weights(model, blob["state"])
    model.load_coding(blob["coding"])
    model.eval()
    rates = [int(v) for v in args.rates.split(",")]
    if not all(0 <= q < model.num_rates for q in rates):
        raise SystemExit(f"--rates must be in 0..{model.num_rates - 1}")
    corrupt = parse_corruption(args.corrupt)[0]
    mix = tuple(float(v) for v in args.mix.split(","))
    made = [str(args.init), args.mix, args.seed, args.rates]

    samples, decodes = [], []
    if args.cache and args.cache.exists():
        samples, decodes, was = torch.load(args.cache, weights_only=False)
        if was != made:
            raise SystemExit(f"{args.cache} holds crops of --init/--mix/--seed/--rates {was}")
    samples, decodes = samples[:args.crops], decodes[:args.crops]
    cached = len(samples)
    if cached < args.crops:
        data = iter(MixedDataset(args.pack, mix, seed=args.seed, size=256))
        seen, start = 0, time.time()
        with torch.no_grad():
            while len(samples) < args.crops:
                s = next(data)
                if len(s.texts) == 0:
                    continue
                seen += 1
                if seen <= cached:          # the cached ones: the stream draws them first
                    continue
                x = torch.from_numpy(s.image.copy()).permute(2, 0, 1).float()[None] / 255
                out = model(x.expand(len(rates), -1, -1, -1), torch.tensor(rates)).x_hat
                samples.append(s)
                decodes.append(out.clamp(0, 1).half())
                if len(samples) % 50 == 0:
                    print(f"decoded {len(samples)} crops at rates {rates} "
                          f"({time.time() - start:.0f} s)", flush=True)
        if args.cache:
            torch.save((samples, decodes, made), args.cache)

    block = model.fusion.train()
    for prm in model.parameters():
        prm.requires_grad_(False)
    for prm in block.parameters():
        prm.requires_grad_(True)
    recognizer = TextRecognizer()
    before = copy.deepcopy(block.state_dict())
    opt = torch.optim.Adam(block.parameters(), args.lr)
    rng = random.Random(args.seed)
    start = time.time()
    for step in range(args.steps):
        t = step / max(1, args.steps)
        for group in opt.param_groups:
            group["lr"] = args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))
        xs, hats, guides, masks, qs, boxes, texts = [], [], [], [], [], [], []
        for b in range(args.batch):
            i, k = rng.randrange(len(samples)), rng.randrange(len(rates))
            s = with_guidance(copy.copy(samples[i]), rng, corrupt)
            xs.append(torch.from_numpy(s.image.copy()).permute(2, 0, 1).float() / 255)
            hats.append(decodes[i][k].float())
            guides.append(torch.from_numpy(s.guide)[None])
            masks.append(torch.from_numpy(s.mask)[None])
            qs.append(rates[k])
            for box, text in zip(s.boxes, s.texts):
                boxes.append([b, *box.tolist()])
                texts.append(text)
        x, x_hat = torch.stack(xs), torch.stack(hats)
        guide, mask = torch.stack(guides), torch.stack(masks)
        x_f = block(x_hat, guide, mask, torch.tensor(qs, dtype=torch.float32))
        loss = guidance_consistent(x, x_f, mask, args.alpha)
        ctc = torch.zeros(())
        if boxes and args.ocr_weight > 0:
            pick = rng.sample(range(len(boxes)), min(args.words, len(boxes)))
            read = x_f
            picked = torch.tensor([boxes[j] for j in pick], dtype=torch.float32)
            if args.eot:
                read, picked = _transformed(read, picked, rng)
            ctc = ocr_ctc_loss(recognizer, read.clamp(0, 1), picked, [texts[j] for j in pick])
            loss = loss + args.ocr_weight * ctc
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == args.steps - 1:
            with torch.no_grad():
                m = mask.expand_as(x)
                gain = (((x_hat - x) * m) ** 2).sum() - (((x_f - x) * m) ** 2).sum()
                gain = gain / m.sum().clamp_min(1)
            print(f"step {step} ({time.time() - start:.0f} s): loss {loss.item():.4f}, "
                  f"ctc {ctc.item():.3f}, box mse gain {gain.item():+.5f}", flush=True)
    moved = max((block.state_dict()[k].float() - v.float()).abs().max().item()
                for k, v in before.items())
    print(f"largest weight change {moved:.3g}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    name = args.name or args.out.stem
    sha = save_release(model.eval(), args.out, name, extra={
        "base": blob["name"], "fusion_training": {
            k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}})
    print(f"wrote {args.out} ({name}, sha256 {sha[:12]})")


if __name__ == "__main__":
    main()
