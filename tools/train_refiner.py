"""Train the refinement stage (textcodec.nets.refine) on this CPU, on pre-decoded crops.

    python tools/train_refiner.py --base textcodec-base-v18 --out runs/s34/refcpu.pt \
        [--refine 32,4] [--crops 400] [--steps 12000] [--pack .pack-lean] [--seed 0] \
        [--mix 0.3,0.05,0.1,0.05,0.25,0.25] [--train-rates 0,1,...,10,10] [--loss mse]

`--stage refine` trains the stage with the codec frozen, so every decode it learns from is
fixed in advance: this draws --crops 256-px crops from the training mix (--mix, by default
session 32's shares of the pack's sources), decodes each at every rate of --base once (the
model's forward pass in eval mode: the latent rounded around its means, as `--stage refine`
sees it), and then trains the stage alone on 96-px windows of those pairs, batch 16, each
window at a random rate (of --train-rates), on minus its PSNR
(textcodec.losses.decoder_distortion; --loss mse: the batch's MSE; --loss rate-mse: each
window's squared error over its rate's mean), Adam 1e-3 with a cosine decay to 5e-5. No
backbone pass per step: ~10 steps/s on two cores. Writes a release checkpoint: --base's
weights and coding tables with the stage added (its files are --base's, byte for byte;
tools/refine_study.py measures what the stage adds). --cache keeps the decoded crops for
another run with the same --base, --mix and --seed.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

MIX = (0.25, 0.1, 0.2, 0.1, 0.15, 0.2)    # session 32's: screen, document, funsd, photo, ui, web


def main() -> None:
    import torch

    from textcodec import nets, zoo
    from textcodec.checkpoint import load_weights, read_blob, save_release
    from textcodec.losses import decoder_distortion
    from textcodec.train.data import MixedDataset
    from textcodec.train.loop import parse_rates

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", default="textcodec-base-v18")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--name", help="the checkpoint's model name (default: --out's stem)")
    p.add_argument("--refine", default="32,4", help="CHANNELS,LAYERS")
    p.add_argument("--crops", type=int, default=400)
    p.add_argument("--steps", type=int, default=12000)
    p.add_argument("--window", type=int, default=96)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--pack", type=Path, default=Path(".pack-lean"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--loss", choices=("psnr", "mse", "rate-mse"), default="psnr",
                   help="psnr: minus each sample's PSNR (--stage refine's loss); mse: the "
                        "batch's mean squared error (the post-filter study's); rate-mse: each "
                        "window's squared error over its rate's mean one in --base's decodes "
                        "(every rate weighs alike, and within a rate the edges weigh most)")
    p.add_argument("--mix", default=",".join(map(str, MIX)),
                   help="the sources' shares, as --mix of training (default session 32's)")
    p.add_argument("--train-rates", metavar="I,J,...",
                   help="the rate indices the windows are drawn at, one named twice drawn twice "
                        "as often (default: every rate, evenly)")
    p.add_argument("--cache", type=Path,
                   help="keep the decoded crops in this file (made if missing, read if there)")
    args = p.parse_args()
    channels, layers = (int(v) for v in args.refine.split(","))
    torch.manual_seed(args.seed)
    blob = read_blob(zoo.resolve(args.base)[0])
    config = dict(blob["config"], lambdas=tuple(blob["config"]["lambdas"]),
                  refine_channels=channels, refine_layers=layers)
    model = nets.create(blob["arch"], **config)
    load_weights(model, blob["state"], fresh=True)
    model.load_coding(blob["coding"])
    model.eval()
    K = model.num_rates
    rates = parse_rates(args.train_rates, K) or tuple(range(K))
    mix = tuple(float(v) for v in args.mix.split(","))

    start = time.time()
    data = iter(MixedDataset(args.pack, mix, seed=args.seed, size=256))
    originals, decodes = [], []
    if args.cache and args.cache.exists():
        originals, decodes, made = torch.load(args.cache, weights_only=True)
        if made != [args.base, args.mix, args.seed]:
            raise SystemExit(f"{args.cache} holds crops of --base/--mix/--seed {made}, not "
                             f"{[args.base, args.mix, args.seed]}")
    originals, decodes = originals[:args.crops], decodes[:args.crops]
    cached = len(originals)
    for _ in range(cached if cached < args.crops else 0):   # the stream's first crops are
        next(data)                                           # the cached ones: draw new ones
    with torch.no_grad():
        for i in range(cached, args.crops):
            x = torch.from_numpy(next(data).image.copy()).permute(2, 0, 1).float()[None] / 255
            # the fresh stage is the identity: these are --base's decodes
            out = model(x.expand(K, -1, -1, -1), torch.arange(K)).x_hat
            originals.append(x[0].half())
            decodes.append(out.half())
            if (i + 1) % 50 == 0:
                print(f"decoded {i + 1} crops at {K} rates ({time.time() - start:.0f} s)",
                      flush=True)
    if args.cache and len(originals) > cached:
        torch.save((originals, decodes, [args.base, args.mix, args.seed]), args.cache)
    # rate-mse's unit per rate: --base's mean squared error at that rate over all crops
    rate_mse = torch.stack([((d.float() - o.float()) ** 2).flatten(1).mean(1)
                            for o, d in zip(originals, decodes)]).mean(0)
    refiner = model.refine.train()
    opt = torch.optim.Adam(refiner.parameters(), 1e-3)
    rng = random.Random(args.seed)
    w = args.window
    start = time.time()
    for step in range(args.steps):
        for group in opt.param_groups:
            t = step / args.steps
            group["lr"] = 5e-5 + (1e-3 - 5e-5) * 0.5 * (1 + math.cos(math.pi * t))
        xs, hats, qs = [], [], []
        for _ in range(args.batch):
            i, q = rng.randrange(len(originals)), rng.choice(rates)
            a, b = rng.randrange(256 - w + 1) // 2 * 2, rng.randrange(256 - w + 1) // 2 * 2
            xs.append(originals[i][:, a:a + w, b:b + w])
            hats.append(decodes[i][q, :, a:a + w, b:b + w])
            qs.append(q)
        x, x_hat = torch.stack(xs).float(), torch.stack(hats).float()
        out = refiner(x_hat, torch.tensor(qs))
        if args.loss == "psnr":
            loss = decoder_distortion(x, out)
        elif args.loss == "mse":
            loss = ((out - x) ** 2).mean()
        else:
            loss = (((out - x) ** 2).flatten(1).mean(1) / rate_mse[qs]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0 or step == args.steps - 1:
            with torch.no_grad():
                gain = decoder_distortion(x, x_hat).item() - decoder_distortion(x, out).item()
            print(f"step {step} ({time.time() - start:.0f} s): loss {loss.item():.5f}, "
                  f"{gain:+.3f} dB on this batch", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    name = args.name or args.out.stem
    sha = save_release(model.eval(), args.out, name,
                       extra={"base": blob["name"], "refine_training": {
                           k: str(v) if isinstance(v, Path) else v
                           for k, v in vars(args).items()}})
    print(f"wrote {args.out} ({name}, sha256 {sha[:12]})")


if __name__ == "__main__":
    main()
