"""Where a training step's time goes: the codec step alone vs. the data loader alone.

    python3 tools/gpu/step_rate.py --init models/textcodec-base-v11.pt --pack .pack-lean

Prints one JSON line per measurement:
- ``step``: R+D steps/s on one fixed batch already on the device (no data loader), reading
  the loss terms back every step (``sync``, as the loop did up to session 23) or only once
  at the end (``lazy``), at each ``--batches`` size, and with ``--compile`` under
  torch.compile;
- ``data``: batches/s the DataLoader delivers with each ``--workers`` count (no model).
If ``data`` is well above ``step`` the GPU side sets the pace, and the reverse.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from textcodec import nets
from textcodec.checkpoint import load_weights, read_blob
from textcodec.losses import rate_distortion
from textcodec.train.data import MixedDataset, collate


def codec(init: Path, device: torch.device):
    blob = read_blob(init)
    model = nets.create(blob["arch"], lambdas=tuple(blob["config"]["lambdas"])).to(device)
    load_weights(model, blob["state"], lambdas=blob["config"]["lambdas"], fresh=True)
    model.straight_through = True
    model.train()
    return model


def step_rate(model, batch: int, seconds: float, lazy: bool, compiled: bool,
              device: torch.device) -> float:
    params = [p for n, p in model.named_parameters() if not n.endswith(".quantiles")]
    aux_params = [p for n, p in model.named_parameters() if n.endswith(".quantiles")]
    opt, aux_opt = torch.optim.Adam(params, lr=1e-6), torch.optim.Adam(aux_params, lr=1e-6)
    net = torch.compile(model) if compiled else model
    lambdas = torch.tensor(model.lambdas, device=device)
    x = torch.rand(batch, 3, 256, 256, device=device)
    total = torch.zeros((), device=device)

    def one():
        nonlocal total
        q = torch.randint(0, len(lambdas), (batch,), device=device)
        out = net(x, q)
        rd = rate_distortion(x, out.x_hat, out.likelihoods_y, out.likelihoods_z, lambdas[q])
        if lazy:
            total = total + rd["loss"].detach()
        else:
            _ = {k: float(v.detach()) for k, v in rd.items()}
        opt.zero_grad(set_to_none=True)
        rd["loss"].backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        aux = model.aux_loss()
        aux_opt.zero_grad(set_to_none=True)
        aux.backward()
        aux_opt.step()

    for _ in range(5):   # warm-up (and compilation)
        one()
    if device.type == "cuda":
        torch.cuda.synchronize()
    n, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        one()
        n += 1
    float(total)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return n / (time.time() - t0)


def data_rate(pack: Path, workers: int, batch: int, seconds: float) -> float:
    loader = torch.utils.data.DataLoader(MixedDataset(pack), batch_size=batch,
                                         collate_fn=collate, num_workers=workers)
    it = iter(loader)
    for _ in range(2 * max(workers, 1)):  # every worker has loaded its pack and pool
        next(it)
    n, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        next(it)
        n += 1
    return n / (time.time() - t0)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", type=Path, required=True)
    p.add_argument("--pack", type=Path)
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--batches", default="16,32")
    p.add_argument("--workers", default="4,12")
    p.add_argument("--compile", action="store_true", help="also time torch.compile")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    model = codec(args.init, device)
    for batch in (int(b) for b in args.batches.split(",")):
        for lazy in (False, True):
            r = step_rate(model, batch, args.seconds, lazy, False, device)
            print(json.dumps({"what": "step", "batch": batch,
                              "terms": "lazy" if lazy else "sync", "it_s": round(r, 2)}),
                  flush=True)
        if args.compile:
            r = step_rate(model, batch, args.seconds, True, True, device)
            print(json.dumps({"what": "step", "batch": batch, "terms": "lazy",
                              "compile": True, "it_s": round(r, 2)}), flush=True)
    if args.pack is not None:
        for workers in (int(w) for w in args.workers.split(",")):
            r = data_rate(args.pack, workers, 16, args.seconds)
            print(json.dumps({"what": "data", "batch": 16, "workers": workers,
                              "it_s": round(r, 2)}), flush=True)


if __name__ == "__main__":
    main()
