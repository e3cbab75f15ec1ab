"""Encode / decode seconds for a 1280x720 screenshot (docs/benchmarks.md).

    python tools/bench_speed.py --device cpu [--ocr] [--repeat 3] [--glyphs-only]

Times are medians of --repeat runs after one warm-up; OCR is timed on its own. The plain
decode is also timed on the same latent written as a format-1.1 file (rANS in one lane), to
show what the lanes of format 1.2 buy on this machine's cores."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

SAMPLE = Path(__file__).resolve().parent.parent / "textcodec" / "samples" / "screenshot.png"


def timed(fn, repeat: int, sync) -> float:
    fn()
    sync()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _as_one_lane_file(data: bytes, img: np.ndarray, device: str, model) -> bytes:
    """The same latent, coded by coder 1 (one lane) in a format-1.1 file."""
    import zlib

    import torch

    from textcodec import codec, container
    from textcodec.nets.hyperprior import pad_to_multiple

    f = container.read(data)
    net = codec._model_for_header(f.header, torch.device(device), model).model
    x = torch.from_numpy(img.copy()).permute(2, 0, 1)[None].float().to(device) / 255
    with torch.no_grad():
        streams = net.compress_latent(net.analysis(pad_to_multiple(x)), f.header.quality,
                                      container.EntropyCoder.RANS16)
    out = bytearray(container.write(container.TlcFile(f.header, tuple(streams), f.text,
                                                      container.EntropyCoder.RANS16)))
    out[5] = 1
    out[-4:] = zlib.crc32(bytes(out[:-4])).to_bytes(4, "little")
    return bytes(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--ocr", action="store_true")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--model", default=None)
    p.add_argument("--glyphs-only", action="store_true",
                   help="time only the fitted glyphs (the sample's side stream, quality 0)")
    args = p.parse_args()
    import torch

    from textcodec import codec
    from textcodec.render import render

    from textcodec.words import Word

    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    img = np.asarray(Image.open(SAMPLE).convert("RGB"))
    res = {"device": args.device, "image": f"{img.shape[1]}x{img.shape[0]}",
           "torch_threads": torch.get_num_threads()}
    if args.device == "cuda":
        res["gpu"] = torch.cuda.get_device_name()
    if args.glyphs_only:
        from textcodec.ocr.engine import default_engine, filter_words, get_engine

        words = filter_words(get_engine(default_engine()).read(img))
        res.update(_glyph_times(img, words, "zstd", args, args.repeat, sync))
        print(json.dumps(res))
        return
    data = codec.encode(img, ocr=False, device=args.device, model=args.model)
    res["encode_s_no_ocr"] = timed(lambda: codec.encode(img, ocr=False, device=args.device,
                                                        model=args.model), args.repeat, sync)
    res["decode_s"] = timed(lambda: codec.decode_array(data, device=args.device),
                            args.repeat, sync)
    res["bytes"] = len(data)
    one_lane = _as_one_lane_file(data, img, args.device, args.model)
    res["decode_s_one_lane"] = timed(lambda: codec.decode_array(one_lane, device=args.device),
                                     args.repeat, sync)
    res["bytes_one_lane"] = len(one_lane)
    # words of letters only: the fusion block never draws a word holding a digit
    page = [Word(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}", 20 + (i % 15) * 80,
                 12 + (i // 15) * 34, 60, 14, angle=15 if i % 10 == 0 else 0)
            for i in range(300)]
    res["render_300_words_s"] = timed(lambda: render(page, 1280, 720), 5, lambda: None)
    # decode with the fusion block: the same image with a 300-word side stream (gzip, so the
    # device machine needs no zstandard)
    fused = codec.encode(img, words=page, side_codec="gzip", device=args.device,
                         model=args.model)
    # (forced: by default the block runs only up to quality 4, and this file is quality 6)
    res["decode_fused_300_words_s"] = timed(
        lambda: codec.decode_array(fused, device=args.device, fusion="always"), args.repeat, sync)
    if args.ocr:
        from easyocr import craft_utils
        from easyocr.utils import reformat_input

        from textcodec.ocr.craftboxes import installed, word_boxes
        from textcodec.ocr.engine import (EasyOcrEngine, filter_words, int8_by_default,
                                          recognize_batched)

        reps = min(args.repeat, 3)
        try:
            import zstandard  # noqa: F401
            side = "zstd"
        except ImportError:   # the device machine carries no zstandard wheel: a few hundred
            side = "gzip"     # bytes either way, microseconds apart
        res["side_codec"] = side
        # the whole encode as a user's process runs it (default engine, built once, warm),
        # without the cross-check (Tesseract, timed on its own below where it is installed)
        def encode_with_ocr(overlap=None, ocr_engine=None):
            return codec.encode(img, device=args.device, model=args.model, side_codec=side,
                                cross_check="off", overlap=overlap, ocr_engine=ocr_engine)

        def encode_full():   # CRAFT and 64-px reads (`--ocr full`)
            return encode_with_ocr(ocr_engine="easyocr")

        def readings(ocr):
            return {(w.text, w.cx, w.cy) for w in ocr.read(img)}

        encode_with_ocr()
        res["encode_s_with_ocr"] = timed(encode_with_ocr, reps, sync)
        from textcodec.ocr.engine import default_engine

        res["ocr_default_engine"] = default_engine()   # the pipeline that encode used
        from textcodec import crosscheck

        if crosscheck.available():
            from textcodec.ocr.engine import get_engine

            tess = get_engine("tesseract")
            res["cross_check_s"] = timed(lambda: tess.read(img), reps, lambda: None)
        engine = EasyOcrEngine(int8=False)   # the float fast path: EasyOCR's weights
        res["ocr_s"] = timed(lambda: engine.read(img), reps, sync)
        if args.device == "cuda":
            # each way of calling the recognizer (GPU_MERGE, GPU_FOLD_RETRY) timed in the
            # same run as the default (which is one of them; "again" repeats it after):
            # the whole encode and the OCR alone, and how many words read differently
            from textcodec.ocr import engine as engine_module

            saved = engine_module.GPU_MERGE, engine_module.GPU_FOLD_RETRY
            variants = {}
            # one call per bucket, merged buckets, the retry folded into the first pass, both
            for suffix, merge, fold in [("unmerged", False, False), ("merged", True, False),
                                        ("folded", False, True), ("merged_folded", True, True)]:
                engine_module.GPU_MERGE, engine_module.GPU_FOLD_RETRY = merge, fold
                try:
                    encode_with_ocr()
                    res[f"encode_s_with_ocr_{suffix}"] = timed(encode_with_ocr, args.repeat,
                                                               sync)
                    res[f"ocr_s_{suffix}"] = timed(lambda: engine.read(img), args.repeat, sync)
                    variants[suffix] = readings(engine)
                finally:
                    engine_module.GPU_MERGE, engine_module.GPU_FOLD_RETRY = saved
            # the codec's half beside the OCR (codec.OVERLAP_DEVICES) against one after the
            # other, alternating rounds so that the machine's drift falls on both alike
            rounds = {"overlapped": [], "sequential": []}
            for _ in range(3):
                for name, overlap in (("overlapped", True), ("sequential", False)):
                    rounds[name].append(timed(lambda: encode_with_ocr(overlap), args.repeat,
                                              sync))
            for name, medians in rounds.items():
                res[f"encode_s_with_ocr_{name}_rounds"] = medians
                res[f"encode_s_with_ocr_{name}"] = statistics.median(medians)
            res["encode_overlap_default"] = args.device in codec.OVERLAP_DEVICES
            # the default (light) pipeline against CRAFT's (`--ocr full`), in alternating
            # rounds; session 21 measured light against the then-default CRAFT the same way
            from textcodec.ocr.engine import get_engine

            light = get_engine("easyocr-light")
            encode_full()   # its recognizer's graphs recorded
            rounds = {"default": [], "full": []}
            for _ in range(3):
                rounds["default"].append(timed(encode_with_ocr, args.repeat, sync))
                rounds["full"].append(timed(encode_full, args.repeat, sync))
            for name, medians in rounds.items():
                res[f"encode_s_with_ocr_{name}_vs_full_rounds"] = medians
            res["encode_s_with_ocr_full"] = statistics.median(rounds["full"])
            res["ocr_light_s"] = timed(lambda: light.read(img), args.repeat, sync)
            res["words_kept_light"] = len(filter_words(light.read(img)))
            # the default's figures again, as many times, right after (same machine, warmth)
            res["encode_s_with_ocr_again"] = timed(encode_with_ocr, args.repeat, sync)
            res["ocr_s_again"] = timed(lambda: engine.read(img), args.repeat, sync)
            own = readings(engine)
            res["ocr_words"] = len(own)
            res["gpu_merge_default"] = engine_module.GPU_MERGE
            res["gpu_fold_retry_default"] = engine_module.GPU_FOLD_RETRY
            for suffix, found in variants.items():
                res[f"ocr_words_read_differently_{suffix}"] = len(own ^ found) // 2
        # where the time goes: CRAFT over the page, then the recognizer on its boxes
        reader = engine._reader
        colour, grey = reformat_input(img)
        # one detect that also keeps CRAFT's maps (EasyOCR's own box extraction gives the
        # same boxes as the windowed one, tests/test_ocr.py), then the engine's timed
        maps = []
        original = craft_utils.getDetBoxes_core
        craft_utils.getDetBoxes_core = lambda *a, **k: maps.append(a[:5]) or original(*a, **k)
        try:
            found = reader.detect(colour, canvas_size=engine.canvas_size, reformat=False)
        finally:
            craft_utils.getDetBoxes_core = original
        with installed():
            res["ocr_detect_s"] = timed(lambda: reader.detect(
                colour, canvas_size=engine.canvas_size, reformat=False), reps, sync)
        res["ocr_boxes"] = len(found[0][0]) + len(found[1][0])
        res["ocr_recognize_s"] = timed(
            lambda: recognize_batched(reader, grey, found[0][0], found[1][0]), reps, sync)
        res["ocr_recognize_buckets_s"] = timed(
            lambda: recognize_batched(reader, grey, found[0][0], found[1][0], buckets=True),
            reps, sync)
        # CRAFT's maps -> boxes: EasyOCR's per-component full-page scans against the windows
        res["ocr_components"] = int(original(*maps[0])[1].max())
        res["ocr_box_extraction_easyocr_s"] = timed(lambda: original(*maps[0]), reps, sync)
        res["ocr_box_extraction_s"] = timed(lambda: word_boxes(*maps[0]), reps, sync)
        if args.device == "cpu":
            # int8 convolutions (the default where the CPU has VNNI): per image, and the
            # one-off cost of building them
            res["ocr_int8_by_default"] = int8_by_default()
            t0 = time.perf_counter()
            quant = EasyOcrEngine(int8=True)
            res["ocr_int8_build_s"] = time.perf_counter() - t0
            res["ocr_int8_s"] = timed(lambda: quant.read(img), reps, sync)
            quant.buckets = not quant.buckets
            res["ocr_int8_other_buckets_s"] = timed(lambda: quant.read(img), reps, sync)
            quant.buckets = not quant.buckets
            # the light pipeline (`--ocr light`): the detector distilled from CRAFT, short
            # boxes not read, crops read at 48 px; the engine the encode below uses
            from textcodec.ocr.engine import get_engine

            light = get_engine("easyocr-light")
            res["ocr_light_s"] = timed(lambda: light.read(img), reps, sync)
            with installed():
                res["ocr_light_detect_s"] = timed(lambda: light._reader.detect(
                    colour, canvas_size=light.canvas_size, reformat=False), reps, sync)
            res["words_kept_light"] = len(filter_words(light.read(img)))
            res["encode_s_with_ocr_full"] = timed(encode_full, reps, sync)
            from textcodec.ocr.int8 import int8_kind, vnni_available

            res["cpu_vnni"] = vnni_available()
            res["ocr_int8_kind"] = int8_kind()
        t0 = time.perf_counter()
        EasyOcrEngine(int8=False)
        res["ocr_build_s"] = time.perf_counter() - t0
        # EasyOCR's own readtext, as the encoder ran it before (the reference)
        plain = EasyOcrEngine(fast=False)
        res["ocr_easyocr_s"] = timed(lambda: plain.read(img), 1, sync)
        words = filter_words(engine.read(img))
        res["words_kept"] = len(words)
        # the sample's own side stream at quality 3, where the block runs by default
        own = codec.encode(img, quality=3.0, words=words, side_codec=side, device=args.device,
                           model=args.model)
        res["sample_words"] = len(words)
        res["decode_sample_fused_s"] = timed(lambda: codec.decode_array(own, device=args.device),
                                             args.repeat, sync)
        res["decode_sample_plain_s"] = timed(
            lambda: codec.decode_array(own, device=args.device, fusion="off"), args.repeat, sync)
        res["render_s"] = timed(lambda: render(words, img.shape[1], img.shape[0]), 5, sync)
        res.update(_glyph_times(img, words, side, args, reps, sync))
    print(json.dumps(res))


def _glyph_times(img, words, side, args, reps, sync) -> dict:
    """The fitted glyphs' cost (textcodec.glyphs) at quality 0, where they are fitted: the
    encode with and without them (the fit, and the encoder's own decode for the paint flags)
    and the decode with the marked words painted and without fusion; the sample's side stream
    without the cross-check, so every word is fitted (since session 39 those holding a digit
    too, then checked; since session 40 only those of up to glyphs.NUMBER_MAX_WORDS words:
    glyph_candidates; since session 41 the rest as spans, glyph_spans). Each run starts with the
    glyph caches empty, as a fresh process does."""
    from textcodec import codec, glyphs

    def cold(fn):
        def run():
            glyphs._token.cache_clear()
            glyphs._face.cache_clear()
            return fn()
        return run

    def low(with_glyphs):
        return codec.encode_image(img, quality=0.0, words=words, side_codec=side,
                                  device=args.device, model=args.model, cross_check="off",
                                  glyphs=with_glyphs)

    r = low(True)
    return {"glyph_words": len(codec.guidance_words(words)),
            "glyph_candidates": len(codec.glyph_candidates(words)), "glyphs_fitted": r.fitted,
            "glyphs_painted": r.painted, "glyph_numbers": r.numbers,
            "glyph_spans": r.spans, "glyph_bytes": r.glyph_bytes,
            "encode_s_q0_glyphs": timed(cold(lambda: low(True)), reps, sync),
            "encode_s_q0_no_glyphs": timed(lambda: low(False), reps, sync),
            "decode_s_q0_painted": timed(cold(lambda: codec.decode_array(
                r.data, device=args.device)), args.repeat, sync),
            "decode_s_q0_no_fusion": timed(lambda: codec.decode_array(
                r.data, device=args.device, fusion="off"), args.repeat, sync)}


if __name__ == "__main__":
    main()
