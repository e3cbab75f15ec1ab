"""Where the encoder's OCR spends its time on a GPU, stage by stage, and what half precision
or channels-last would save (with how many of the page's readings each leaves unchanged).

    source tools/gpu/env.sh; export TEXTCODEC_OCR_MODELS=/tmp/ocr
    python3 tools/gpu/profile_ocr.py [--image PNG] [--repeat 9]

Prints one JSON object of seconds (medians). Runs on the CPU too (slowly), for a check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_speed import SAMPLE, timed as median_time  # noqa: E402  (medians after a warm-up)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--image", type=Path, default=SAMPLE)
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    from easyocr import imgproc
    from easyocr.recognition import AlignCollate
    from easyocr.utils import get_image_list, reformat_input

    from textcodec.ocr.craftboxes import installed
    from textcodec.ocr.engine import (GPU_BATCH, GPU_CALL_COST, RECOGNIZER_BATCH, EasyOcrEngine,
                                      collate_crops, frames_for, read_greedy, recognize_batched,
                                      width_bucket)

    cuda = torch.cuda.is_available()
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    engine = EasyOcrEngine(int8=False)
    reader = engine._reader
    img = np.asarray(Image.open(args.image).convert("RGB"))
    colour, grey = reformat_input(img)
    r = args.repeat
    res: dict = {"device": torch.cuda.get_device_name() if cuda else "cpu",
                 "image": f"{img.shape[1]}x{img.shape[0]}"}
    res["read_s"] = median_time(lambda: engine.read(img), r, sync)
    if cuda:    # the recognizer run eagerly, as before the CUDA graphs
        eager = EasyOcrEngine(int8=False, cuda_graphs=False)
        res["read_no_graphs_s"] = median_time(lambda: eager.read(img), r, sync)
        res["same_words_as_no_graphs"] = ([(w.text, w.cx, w.cy) for w in eager.read(img)]
                                          == [(w.text, w.cx, w.cy) for w in engine.read(img)])
    with installed():
        found = reader.detect(colour, canvas_size=engine.canvas_size, reformat=False)
        res["detect_s"] = median_time(lambda: reader.detect(
            colour, canvas_size=engine.canvas_size, reformat=False), r, sync)
    horizontal, free = found[0][0], found[1][0]
    res["boxes"] = len(horizontal) + len(free)
    res["recognize_s"] = median_time(
        lambda: recognize_batched(reader, grey, horizontal, free, buckets=True), r, sync)

    # merged width buckets (merge_widths): time, calls and readings against one call a bucket
    calls = []
    rec = reader.recognizer

    class Counting(torch.nn.Module):
        def forward(self, x, text):
            calls.append(x.shape[-1])
            return rec(x, text)
    batch = GPU_BATCH if cuda else RECOGNIZER_BATCH
    reference = None
    res["merge"] = {}
    for cost, pad in ((0, 1), (GPU_CALL_COST, 1.5), (GPU_CALL_COST, 2),
                      (GPU_CALL_COST, 3), (GPU_CALL_COST, 6), (10 ** 6, 10 ** 6)):
        def run(cost=cost, pad=pad):
            return recognize_batched(reader, grey, horizontal, free, buckets=True, merge=cost,
                                     max_pad=pad, batch=batch if cost else RECOGNIZER_BATCH)
        seconds = median_time(run, r, sync)
        reader.recognizer, calls[:] = Counting(), []
        texts = [t for _, t, _ in run()]
        reader.recognizer = rec
        reference = reference or texts
        res["merge"][f"{cost}/{pad}"] = {"recognize_s": seconds, "calls": len(calls),
                                   "widths": sorted(set(calls)),
                                   "same_text": f"{sum(a == b for a, b in zip(texts, reference))}"
                                                f"/{len(texts)}"}
    # the page read with merging on, against read_s (the engine as it ships), on one machine
    merged = EasyOcrEngine(int8=False, merge=GPU_CALL_COST)
    res["read_merged_s"] = median_time(lambda: merged.read(img), r, sync)

    # CRAFT, stage by stage
    def prepare():
        resized, ratio, _ = imgproc.resize_aspect_ratio(colour, engine.canvas_size,
                                                        interpolation=1, mag_ratio=1.0)
        x = np.transpose(imgproc.normalizeMeanVariance(resized), (2, 0, 1))[None]
        return torch.from_numpy(np.ascontiguousarray(x))
    res["craft_prepare_s"] = median_time(prepare, r, lambda: None)
    x = prepare()
    res["craft_input"] = list(x.shape)
    res["craft_upload_s"] = median_time(lambda: x.to(reader.device), r, sync)
    xd = x.to(reader.device)
    net = reader.detector
    with torch.no_grad():
        res["craft_net_s"] = median_time(lambda: net(xd), r, sync)
        y, _ = net(xd)
        res["craft_download_s"] = median_time(lambda: y[0].cpu().numpy(), r, sync)
        if cuda:
            with torch.autocast("cuda", dtype=torch.float16):
                res["craft_net_fp16_s"] = median_time(lambda: net(xd), r, sync)
                y16, _ = net(xd)
            res["craft_fp16_max_abs_diff"] = float((y16.float() - y).abs().max())
            net_cl = net.to(memory_format=torch.channels_last)
            xcl = xd.contiguous(memory_format=torch.channels_last)
            with torch.autocast("cuda", dtype=torch.float16):
                res["craft_net_fp16_channels_last_s"] = median_time(lambda: net_cl(xcl), r, sync)
            net.to(memory_format=torch.contiguous_format)

        # CRAFT's maps -> boxes (textcodec/ocr/craftboxes.py), on the host
        from textcodec.ocr.craftboxes import word_boxes

        score_text = y[0, :, :, 0].cpu().numpy()
        score_link = y[0, :, :, 1].cpu().numpy()
        res["craft_boxes_s"] = median_time(
            lambda: word_boxes(score_text, score_link, 0.7, 0.4, 0.4), r, lambda: None)

    # the recognizer, stage by stage (the bucketed reader's steps)
    height = 64
    ignore = set(reader.character) - set(reader.lang_char)
    ignore_idx = [reader.character.index(c) + 1 for c in ignore]

    def crops():
        items = []
        for h_list, f_list in [([b], []) for b in horizontal] + [([], [b]) for b in free]:
            cr, width = get_image_list(h_list, f_list, grey, model_height=height)
            items += [(c, width_bucket(int(width), height), int(width)) for _, c in cr]
        return items
    res["rec_crops_s"] = median_time(crops, r, lambda: None)
    items = crops()
    groups: dict[int, list[int]] = {}
    for i, (_, w, _) in enumerate(items):
        groups.setdefault(w, []).append(i)
    res["rec_calls"] = sum(-(-len(g) // 32) for g in groups.values())

    def collate(easyocrs: bool = False):
        out = []
        for w, g in groups.items():
            c = AlignCollate(imgH=height, imgW=w, keep_ratio_with_pad=True)
            for k in range(0, len(g), 32):
                chunk = g[k:k + 32]
                if easyocrs:
                    tensors = c([Image.fromarray(items[i][0], "L") for i in chunk])
                else:
                    tensors = collate_crops([items[i][0] for i in chunk], w, height, 0.0,
                                            reader.device)
                out.append((tensors, [frames_for(items[i][2]) for i in chunk]))
        return out
    res["rec_collate_s"] = median_time(collate, r, sync)
    res["rec_collate_easyocr_s"] = median_time(lambda: collate(True), r, sync)
    batches = collate()
    on_device = [(t.to(reader.device), f) for t, f in batches]
    rec = reader.recognizer
    rec.eval()

    def network(autocast: bool = False, net=rec):
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.float16, enabled=autocast):
            for t, _ in on_device:
                net(t, torch.zeros(len(t), 1, dtype=torch.long, device=reader.device))
    res["rec_network_s"] = median_time(network, r, sync)
    if hasattr(rec, "net"):      # the graphed recognizer's own network, eagerly
        res["rec_network_eager_s"] = median_time(lambda: network(net=rec.net), r, sync)
    if cuda:
        res["rec_network_fp16_s"] = median_time(lambda: network(True, getattr(rec, "net", rec)),
                                                r, sync)
    res["rec_network_and_decode_s"] = median_time(
        lambda: [read_greedy(reader, t, f, ignore_idx) for t, f in on_device], r, sync)
    texts32 = [read_greedy(reader, t, f, ignore_idx) for t, f in on_device]
    if cuda:
        reader.recognizer = getattr(rec, "net", rec)   # autocast: eager (graphs are fp32)
        with torch.autocast("cuda", dtype=torch.float16):
            texts16 = [read_greedy(reader, t, f, ignore_idx) for t, f in on_device]
        reader.recognizer = rec
        a = [t for batch in texts32 for t, _ in batch]
        b = [t for batch in texts16 for t, _ in batch]
        res["rec_fp16_same_text"] = f"{sum(x == y for x, y in zip(a, b))}/{len(a)}"
    print(json.dumps(res))


if __name__ == "__main__":
    main()
