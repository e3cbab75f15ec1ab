"""Narrow a trained codec's last synthesis layer, for a faster CPU decode, or its analysis
transform, for a faster encode (textcodec.nets.narrow).

    python3 tools/narrow_checkpoint.py runs/s28/textcodec-wide7.pt runs/s28/narrow64.pt \
        --last 64 --pack .pack-lean
    python3 tools/narrow_checkpoint.py models/textcodec-base-v15.pt runs/enc128.pt --enc 128

--enc keeps that many of the analysis's hidden channels in each of its three hidden layers and
refits each layer's next convolution to the original analysis (the synthesis and the entropy
model untouched: the files decode with the original's decoder); train it on with `--stage
analysis`. --dec does the same for the synthesis's first two hidden layers (N_dec), keeping
the latent and the entropy model (the same bits); train it on as a whole (R+D).

Keeps the --last channels of the synthesis transform's last hidden layer that carry the most
of the output, measured on --samples crops of the training mix (the pack's screens,
documents, FUNSD forms and photos), and refits the layer after them by least squares. The
result is a release checkpoint with the original's coding tables (the same bits), to train on
with `--init`. Prints the weight counts and the refit's error against a plain drop.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import torch

from textcodec.checkpoint import load_release, save_release
from textcodec.nets.narrow import narrow_analysis, narrow_dec, narrow_last
from widen_checkpoint import weights


def calibration_crops(pack: Path, count: int, seed: int) -> list[torch.Tensor]:
    """``count`` 256x256 crops of the training mix, (3, H, W) in [0, 1]."""
    from textcodec.train.data import MixedDataset

    threads = torch.get_num_threads()  # the stream sets one thread, as its workers want
    stream = MixedDataset(pack=pack, seed=seed)
    crops = [torch.from_numpy(s.image.copy()).permute(2, 0, 1).float() / 255
             for s in itertools.islice(iter(stream), count)]
    torch.set_num_threads(threads)
    return crops


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--last", type=int,
                   help="channels of the synthesis transform's last hidden layer (N_last)")
    p.add_argument("--enc", type=int,
                   help="hidden channels of the analysis transform (N_enc)")
    p.add_argument("--dec", type=int,
                   help="channels of the synthesis transform's first two hidden layers (N_dec)")
    p.add_argument("--pack", type=Path, default=Path(".pack-lean"),
                   help="the training data pack (fonts, funsd, photos) the crops come from")
    p.add_argument("--samples", type=int, default=32, help="calibration crops")
    p.add_argument("--name", help="the name the checkpoint carries (default: OUT's stem)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if sum(v is not None for v in (args.last, args.enc, args.dec)) != 1:
        raise SystemExit("give one of --last, --enc and --dec")
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: not overwritten")
    if not args.pack.is_dir():
        raise SystemExit(f"{args.pack}: no such data pack (tools/make_pack.py --lean builds one)")
    model, blob = load_release(args.source)
    crops = calibration_crops(args.pack, args.samples, args.seed)
    try:
        if args.last is not None:
            narrow, cal = narrow_last(model, args.last, crops, seed=args.seed)
            done = {"N_last": args.last, "kept": cal.kept.tolist()}
            report = {"refit_rmse": round(cal.fit_rmse, 5), "drop_rmse": round(cal.drop_rmse, 5)}
        elif args.dec is not None:
            narrow, kept = narrow_dec(model, args.dec, crops, seed=args.seed)
            done = {"N_dec": args.dec, "kept": [k.tolist() for k in kept]}
            report = {}
        else:
            narrow, cal = narrow_analysis(model, args.enc, crops, seed=args.seed)
            done = {"N_enc": args.enc, "kept": [k.tolist() for k in cal.kept]}
            report = {"refit_rmse": [round(f, 5) for f in cal.fit_rmse],
                      "y_rmse": round(cal.y_rmse, 5), "y_rms": round(cal.y_rms, 5)}
    except ValueError as e:
        raise SystemExit(str(e)) from None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    name = args.name or args.out.stem
    extra = {**blob.get("extra", {}), "narrowed_from": blob.get("name"), "narrowed": done}
    sha = save_release(narrow, args.out, name, extra=extra)
    print(json.dumps({"out": str(args.out), "sha256": sha, "weights_before": weights(model),
                      "weights_after": weights(narrow), **report,
                      "bytes": args.out.stat().st_size}))


if __name__ == "__main__":
    main()
