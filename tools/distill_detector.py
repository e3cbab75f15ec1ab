"""Distil CRAFT into textcodec's small detector (textcodec/ocr/student.py), on the GPU.

    python3 tools/distill_detector.py --pack runs/.pack --minutes 7 --out runs/detector.pt

CRAFT (the teacher, frozen, EasyOCR's weights from TEXTCODEC_OCR_MODELS or the offline
package) reads the training stream's crops (synthetic screens and documents, FUNSD forms,
photos: textcodec.train.data.MixedDataset); the student learns its two maps, region and
affinity, under a squared error weighted towards text (where CRAFT's thresholds, 0.4 and 0.7,
cut the boxes). Logs a JSONL line every --log-every steps beside --out and saves the weights
(with their widths) every --save-every steps and at the end. A CPU run of a few steps on tiny
crops is part of the tests (tests/test_student.py).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from textcodec.ocr.models import DETECTOR_FILE, weight_path
from textcodec.ocr.student import WIDTHS, StudentDetector
from textcodec.train.data import MixedDataset

# EasyOCR's normalizeMeanVariance, as (x / 255 - mean) / std on the device
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
# pixels where CRAFT's maps pass this count TEXT_WEIGHT times as much in the loss
TEXT_LEVEL = 0.2
TEXT_WEIGHT = 8.0


def normalise(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> CRAFT's input (N, 3, H, W)."""
    x = images.permute(0, 3, 1, 2).float() / 255
    mean = torch.tensor(MEAN, device=x.device)[None, :, None, None]
    std = torch.tensor(STD, device=x.device)[None, :, None, None]
    return (x - mean) / std


def teacher(device: str) -> torch.nn.Module:
    from easyocr.detection import get_detector

    net = get_detector(str(weight_path(DETECTOR_FILE)), device=device, quantize=False)
    net = net.module if isinstance(net, torch.nn.DataParallel) else net
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def distil_loss(student_maps: torch.Tensor, teacher_maps: torch.Tensor) -> torch.Tensor:
    """Squared error of the two maps, text pixels weighted TEXT_WEIGHT times."""
    target = teacher_maps.clamp(0, 1)
    weight = 1 + (TEXT_WEIGHT - 1) * (target > TEXT_LEVEL).float()
    return (weight * (student_maps - target) ** 2).sum() / weight.sum()


def stack_images(samples) -> torch.Tensor:
    """The crops alone, uint8 (N, H, W, 3): the teacher makes the targets."""
    return torch.from_numpy(np.stack([s.image for s in samples]))


def batches(pack: Path | None, size: int, batch: int, workers: int, seed: int):
    data = MixedDataset(pack, seed=seed, size=size)
    return iter(torch.utils.data.DataLoader(data, batch_size=batch, num_workers=workers,
                                            collate_fn=stack_images,
                                            persistent_workers=workers > 0))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pack", type=Path, default=None)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--steps", type=int, default=10_000_000)
    ap.add_argument("--size", type=int, default=384, help="crop side, a multiple of 32")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--save-every", type=int, default=1000)
    ap.add_argument("--init", type=Path, default=None,
                    help="start from these student weights (e.g. the shipped "
                         "textcodec/data/detector-student.pt) instead of from zero")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args(argv)
    if args.size % 32:
        ap.error("--size must be a multiple of 32")
    torch.manual_seed(args.seed)
    dev = args.device
    craft = teacher(dev)
    student = StudentDetector()
    done = 0
    if args.init is not None:
        state = torch.load(args.init, map_location="cpu", weights_only=True)
        student = StudentDetector(tuple(state.get("widths", WIDTHS)))
        student.load_state_dict(state["weights"])
        done = int(state.get("steps", 0))
    student = student.to(dev).train()
    opt = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=1e-4)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    log = args.out.with_suffix(".jsonl").open("w")
    stream = batches(args.pack, args.size, args.batch, args.workers, args.seed)
    start = time.perf_counter()
    budget = args.minutes * 60
    step = 0
    total = torch.zeros((), device=dev)   # the losses since the last log line, on the device

    def save():
        state = {"weights": {k: v.detach().cpu() for k, v in student.state_dict().items()},
                 "widths": list(student.widths),
                 "steps": done + step, "size": args.size}
        tmp = args.out.with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(args.out)

    while step < args.steps:
        elapsed = time.perf_counter() - start
        if elapsed > budget:
            break
        # a cosine over the time budget (steps are unknown in advance)
        for g in opt.param_groups:
            g["lr"] = args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * elapsed / budget)))
        x = normalise(next(stream).to(dev, non_blocking=True))
        with torch.no_grad():
            target, _ = craft(x)
        maps, _ = student(x)
        loss = distil_loss(maps, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        total += loss.detach()
        if step % args.log_every == 0:
            with torch.no_grad():
                mae = F.l1_loss(maps, target.clamp(0, 1)).item()
            line = {"step": step, "time": round(time.perf_counter() - start, 1),
                    "loss": round(total.item() / args.log_every, 6), "mae": round(mae, 5),
                    "lr": round(opt.param_groups[0]["lr"], 7)}
            total.zero_()
            log.write(json.dumps(line) + "\n")
            log.flush()
            print(json.dumps(line), flush=True)
        if step % args.save_every == 0:
            save()
    save()
    end = {"steps": step, "minutes": round((time.perf_counter() - start) / 60, 2),
           "out": str(args.out)}
    log.write(json.dumps(end) + "\n")
    log.close()
    print(json.dumps(end), flush=True)
    return end


if __name__ == "__main__":
    main()
