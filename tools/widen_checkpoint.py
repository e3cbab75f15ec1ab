"""Widen a trained codec's transforms, keeping what it computes (textcodec.nets.widen).

    python3 tools/widen_checkpoint.py models/textcodec-base-v11.pt runs/wide/wide0.pt \
        --enc 192 --dec 192 --last 96

The result is a release checkpoint (fp16 weights, the original's coding tables) that codes
and decodes as the original does, to train on with `--init` (the training loop takes its
sizes from it). Prints the weight count before and after and checks, on a random image, that
the widened model reconstructs what the original does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from textcodec.checkpoint import load_release, save_release
from textcodec.nets.hyperprior import pad_to_multiple
from textcodec.nets.widen import widen


def weights(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--enc", type=int, help="the analysis transform's channels (N_enc)")
    p.add_argument("--dec", type=int, help="the synthesis transform's channels (N_dec)")
    p.add_argument("--last", type=int, help="the synthesis transform's last channels (N_last)")
    p.add_argument("--name", help="the name the checkpoint carries (default: OUT's stem)")
    p.add_argument("--seed", type=int, default=0, help="for the new channels' weights")
    args = p.parse_args(argv)
    sizes = {k: v for k, v in (("N_enc", args.enc), ("N_dec", args.dec),
                               ("N_last", args.last)) if v is not None}
    if not sizes:
        raise SystemExit("nothing to widen: give --enc, --dec and/or --last")
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: not overwritten")
    model, blob = load_release(args.source)
    try:
        wide = widen(model, seed=args.seed, **sizes)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    x = pad_to_multiple(torch.rand(1, 3, 128, 192, generator=torch.Generator().manual_seed(0)))
    with torch.no_grad():
        q = torch.tensor([model.num_rates // 2])
        gap = float((wide(x, q).x_hat - model(x, q).x_hat).abs().max())
    if gap > 1e-3:
        raise SystemExit(f"the widened model reconstructs differently (max gap {gap:.3g})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    name = args.name or args.out.stem
    extra = {**blob.get("extra", {}), "widened_from": blob.get("name"), "widened": sizes}
    sha = save_release(wide, args.out, name, extra=extra)
    print(json.dumps({"out": str(args.out), "sha256": sha, "weights_before": weights(model),
                      "weights_after": weights(wide), "max_gap": gap,
                      "bytes": args.out.stat().st_size}))


if __name__ == "__main__":
    main()
