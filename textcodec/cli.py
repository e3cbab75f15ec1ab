"""The ``textcodec`` command: a thin Typer layer over the library.

Heavy imports (torch, EasyOCR) happen inside command bodies so ``--help`` is instant. Every
``TextcodecError`` becomes one line on stderr and exit code 1; nothing is written unless the
whole output is ready (temporary file + rename).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from textcodec.errors import TextcodecError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Learned image compression that keeps small text readable at ultra-low "
                       "bitrates.")
models_app = typer.Typer(no_args_is_help=True, help="List, fetch and verify checkpoints.")
app.add_typer(models_app, name="models")


class OcrMode(str, Enum):
    on = "on"        # the default pipeline (ocr.engine.default_engine: light)
    full = "full"    # EasyOCR's CRAFT detector and english_g2 at 64 px
    light = "light"  # the detector distilled from CRAFT, english_g2 at 48 px
    off = "off"


OCR_ENGINES = {OcrMode.on: None, OcrMode.full: "easyocr", OcrMode.light: "easyocr-light",
               OcrMode.off: None}


class SideCodecName(str, Enum):
    auto = "auto"            # the smallest of cm, zstd-dict and zstd
    cm = "cm"
    zstd = "zstd"
    zstd_dict = "zstd-dict"
    gzip = "gzip"
    none = "none"


class CrossCheck(str, Enum):
    auto = "auto"
    tesseract = "tesseract"
    off = "off"


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class FusionMode(str, Enum):
    auto = "auto"
    always = "always"
    draw = "draw"
    off = "off"


def _fail(e: Exception) -> None:
    typer.echo(f"textcodec: error: {e}", err=True)
    raise typer.Exit(1)


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _check_output(out: Path, source: Path, force: bool) -> None:
    """Refuse before any work: overwriting the input, or an existing file without --force."""
    if out.resolve() == source.resolve():
        raise TextcodecError(f"output {out} would overwrite the input")
    if out.exists() and not force:
        raise TextcodecError(f"{out} exists (use --force to overwrite)")


InPath = Annotated[Path, typer.Argument(help="input file", show_default=False)]
InPaths = Annotated[list[Path], typer.Argument(help="input file(s)", show_default=False)]


def _targets(inputs: list[Path], output: Optional[Path], suffix: str,
             force: bool) -> list[tuple[Path, Path]]:
    """(input, output) pairs, all refused before any work: one input writes ``output`` (or
    the input with ``suffix``); several write into the folder ``output`` (or beside each
    input). No output may be an input, exist without --force, or be written twice."""
    if len(inputs) > 1 and output is not None and not output.is_dir():
        raise TextcodecError(f"with {len(inputs)} inputs, -o names a folder to write them in; "
                             f"{output} is not one")
    pairs = []
    for src in inputs:
        if output is None:
            out = src.with_suffix(suffix)
        else:
            out = output / src.with_suffix(suffix).name if len(inputs) > 1 else output
        _check_output(out, src, force)
        pairs.append((src, out))
    sources = {src.resolve() for src in inputs}
    seen: dict[Path, Path] = {}
    for src, out in pairs:
        key = out.resolve()
        if key in sources:
            raise TextcodecError(f"output {out} would overwrite an input")
        if key in seen:
            raise TextcodecError(f"{seen[key]} and {src} would both be written to {out}")
        seen[key] = src
    return pairs


def _each(pairs: list[tuple[Path, Path]], verb: str, work) -> None:
    """Run ``work(src, out)`` on every pair: one at a time under a spinner, several under a
    progress bar; a file that fails is reported and the rest go on; exit 1 if any failed."""
    if len(pairs) == 1:
        with _console().status(f"{verb}..."):
            line = work(*pairs[0])
        typer.echo(line)
        return
    import sys

    from rich.progress import Progress

    failed = 0
    # the bar is on stderr; results go to stdout as a single file's do (through the bar's
    # console when stdout is the same terminal, so the two do not overwrite each other)
    with Progress(console=_console(), transient=True, redirect_stdout=False) as progress:
        task = progress.add_task(verb, total=len(pairs))
        for src, out in pairs:
            try:
                line = work(src, out)
            except TextcodecError as e:
                failed += 1
                progress.console.print(f"textcodec: error: {e}", markup=False, highlight=False,
                                       soft_wrap=True)
            else:
                if sys.stdout.isatty():
                    progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
                else:
                    typer.echo(line)
            progress.advance(task)
    if failed:
        raise TextcodecError(f"{failed} of {len(pairs)} files failed (the others were written)")


@app.command()
def encode(
    images: InPaths,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="the .tlc to write "
                                                   "(default: IMAGE with .tlc); with several "
                                                   "images, the folder to write them in")] = None,
    quality: Annotated[Optional[float], typer.Option(help="rate setting, 0 (smallest) .. the "
                                                     "model's top (10 for the shipped models); "
                                                     "default: the rate trained for lambda "
                                                     "0.0016")] = None,
    target_bpp: Annotated[Optional[float], typer.Option(help="largest bits per pixel, whole "
                                                        "file included")] = None,
    max_bytes: Annotated[Optional[int], typer.Option(help="largest file size in bytes")] = None,
    ocr: Annotated[OcrMode, typer.Option(
        help="send the OCR side stream, read by the light pipeline (a small detector "
             "distilled from EasyOCR's, crops read at 48 px: ~2.5x faster on a CPU, ~1.6x "
             "on a GPU, as many right words); full: EasyOCR's own detector")] = OcrMode.on,
    side_codec: Annotated[SideCodecName, typer.Option(
        help="side-stream compressor; auto: the smallest of cm (textcodec's context-mixing "
             "coder, primed on side streams that ship with textcodec), zstd-dict and zstd")
    ] = SideCodecName.auto,
    cross_check: Annotated[CrossCheck, typer.Option(
        help="a second OCR engine reads the original; words it does not confirm are sent but "
             "flagged not to be drawn by the decoder's fusion block. auto = Tesseract where "
             "installed (apt-get install tesseract-ocr); off saves its time")] = CrossCheck.auto,
    glyphs: Annotated[bool, typer.Option(
        "--glyphs/--no-glyphs",
        help="fit each drawable word's glyphs to the original (one of 12 bundled fonts, its "
             "size and place, a few bytes a word) and mark the words whose painting brings "
             "the decode nearer the original: the decoder paints those")] = True,
    numbers: Annotated[bool, typer.Option(
        "--numbers/--no-numbers",
        help="let --glyphs paint words holding a digit too, each only where every digit, "
             "swapped for any other, would explain the original worse (a misread digit is "
             "another number); --no-numbers never paints a digit")] = True,
    model: Annotated[Optional[str], typer.Option(help="model name or checkpoint path")] = None,
    device: Annotated[Device, typer.Option(help="where to run the networks")] = Device.auto,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing output")] = False,
):
    """Compress images into .tlc files (learned latent + OCR side stream)."""
    try:
        from textcodec.codec import encode_image, save_atomic

        def one(image: Path, out: Path) -> str:
            r = encode_image(image, model=model, quality=quality, target_bpp=target_bpp,
                             max_bytes=max_bytes, ocr=ocr is not OcrMode.off,
                             side_codec=side_codec.value, device=device.value,
                             cross_check=cross_check.value, ocr_engine=OCR_ENGINES[ocr],
                             glyphs=glyphs, numbers=numbers)
            save_atomic(out, lambda f: f.write(r.data), force=force)
            held = sum(not w.draw for w in r.words)
            return (f"{out}: {len(r.data)} bytes, {r.bpp:.4f} bpp, quality "
                    f"{r.header.quality:g}, {len(r.words)} words in a {r.side_bytes}-byte "
                    "side stream"
                    + (f" ({held} unconfirmed by the cross-check, not drawn)" if held else "")
                    + (f"; {r.painted} of {r.fitted} fitted words painted"
                       + (f", {r.graded} of them lightly" if r.graded else "")
                       + (f", {r.numbers} holding digits" if r.numbers else "")
                       + (f", {r.spans} parts of phrases" if r.spans else "")
                       + f" ({r.glyph_bytes} bytes)" if r.fitted else ""))

        _each(_targets(images, output, ".tlc", force), "encoding", one)
    except TextcodecError as e:
        _fail(e)


@app.command()
def decode(
    tlcs: InPaths,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="image to write "
                                                   "(format from its suffix; default PNG); with "
                                                   "several files, the folder to write PNGs "
                                                   "in")] = None,
    device: Annotated[Device, typer.Option(help="where to run the networks")] = Device.auto,
    fusion: Annotated[FusionMode, typer.Option(
        help="the fusion block: auto = at low rates only (quality <= 4: where it was "
             "measured to paint no more misread words than the plain decode), always, or off; "
             "auto and always also paint the words whose fitted glyphs the encoder marked "
             "(encode --glyphs), off paints none; "
             "draw = no block: the side stream's words drawn over the decode in one font "
             "(legible at any rate, but the OCR's reading, not the original's pixels); "
             "neither the block nor draw draws a word holding a digit (the painted glyphs "
             "paint a number only where the encoder checked its every digit: encode "
             "--numbers)")]
        = FusionMode.auto,
    no_fusion: Annotated[bool, typer.Option("--no-fusion", help="same as --fusion off")]
        = False,
    force: Annotated[bool, typer.Option("--force", help="overwrite an existing output")] = False,
    model: Annotated[Optional[str], typer.Option(
        help="the checkpoint to decode with, by name or path, for a file written by one the "
             "model list does not name (its hash must match the file's)")] = None,
):
    """Decode .tlc files into images."""
    try:
        from textcodec.codec import decode as decode_fn
        from textcodec.codec import save_atomic

        def one(tlc: Path, out: Path) -> str:
            fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP",
                   ".tif": "TIFF", ".tiff": "TIFF"}.get(out.suffix.lower(), "PNG")
            img = decode_fn(tlc, device=device.value,
                            fusion="off" if no_fusion else fusion.value, model=model)
            save_atomic(out, lambda f: img.save(f, format=fmt), force=force)
            return f"{out}: {img.width}x{img.height} {img.mode}"

        _each(_targets(tlcs, output, ".png", force), "decoding", one)
    except TextcodecError as e:
        _fail(e)


@app.command()
def info(tlc: InPath, as_json: Annotated[bool, typer.Option("--json")] = False):
    """Show a .tlc file's header and the size of every section."""
    try:
        from textcodec.codec import read_file

        f = read_file(tlc)
        h = f.header
        total = sum(f.section_sizes.values())
        # compressor names as --side-codec spells them (zstd-dict)
        side = None if f.text is None else f.text.codec.name.lower().replace("_", "-")
        d = {"file": str(tlc), "width": h.width, "height": h.height, "mode": h.mode.name,
             "model": h.model_id, "checkpoint": h.model_hash.hex(), "quality": h.quality,
             "bytes": total, "bpp": round(total * 8 / (h.width * h.height), 5),
             "sections": f.section_sizes, "latent_streams": [len(s) for s in f.latent],
             "side_stream": None if f.text is None else
             {"codec": side, "bytes": len(f.text.payload),
              "raw_bytes": f.text.raw_size}}
        if as_json:
            typer.echo(json.dumps(d, indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        typer.echo(f"{tlc}: {h.width}x{h.height} {h.mode.name}, {total} bytes, {d['bpp']} bpp")
        t = Table(show_header=True)
        t.add_column("section")
        t.add_column("bytes", justify="right")
        for k, v in f.section_sizes.items():
            t.add_row(k, str(v))
        Console().print(t)
        typer.echo(f"model {h.model_id} (checkpoint {h.model_hash.hex()}), quality {h.quality:g}")
        if f.text is not None:
            typer.echo(f"side stream: {side}, {len(f.text.payload)} bytes "
                       f"({f.text.raw_size} raw)")
    except TextcodecError as e:
        _fail(e)


@app.command()
def text(tlc: InPath, as_json: Annotated[bool, typer.Option("--json")] = False):
    """Print the text layer (words + boxes) carried in a .tlc file; no OCR runs."""
    try:
        from textcodec.codec import text_layer

        words = text_layer(tlc)
        if as_json:
            typer.echo(json.dumps([{"text": w.text, "cx": w.cx, "cy": w.cy, "width": w.width,
                                    "height": w.height, "angle": w.angle, "draw": w.draw}
                                   for w in words],
                                  indent=1))
        else:
            lines: list[list] = []
            for w in words:  # words arrive in reading order; break lines on vertical jumps
                if lines and abs(w.cy - lines[-1][-1].cy) <= max(w.height, 4) / 2:
                    lines[-1].append(w)
                else:
                    lines.append([w])
            for line in lines:
                typer.echo(" ".join(w.text for w in line))
    except TextcodecError as e:
        _fail(e)


@models_app.command("list")
def models_list():
    """Known checkpoints and whether each is available locally."""
    try:
        from textcodec import zoo

        for name, e in zoo.entries().items():
            local = next((p for p in zoo.local_candidates(e) if zoo.verify(p, e)), None)
            tag = " (default)" if name == zoo.default_model() else (
                " (baseline)" if name == zoo.baseline_model() else "")
            size = f"{e.size / 1e6:.1f} MB" if e.size >= 1e6 else f"{e.size / 1e3:.0f} KB"
            if e.base:
                size += f" (a fusion block; loads {e.base})"
            typer.echo(f"{name}{tag}: {e.description}\n    {size}, sha256 "
                       f"{e.sha256[:12]}..., {'at ' + str(local) if local else 'not fetched'}")
    except TextcodecError as e:
        _fail(e)


@models_app.command("fetch")
def models_fetch(names: Annotated[Optional[list[str]], typer.Argument()] = None):
    """Download checkpoints into the cache (all when none are named), verified."""
    try:
        from textcodec import zoo

        for name in names or list(zoo.entries()):
            path, _ = zoo.resolve(name)
            typer.echo(f"{name}: {path}")
    except TextcodecError as e:
        _fail(e)


@models_app.command("verify")
def models_verify():
    """Check the sha256 of every local checkpoint against the manifest."""
    try:
        from textcodec import zoo

        bad = 0
        for name, e in zoo.entries().items():
            for p in zoo.local_candidates(e):
                if p.is_file():
                    ok = zoo.verify(p, e)
                    bad += not ok
                    typer.echo(f"{'ok ' if ok else 'BAD'} {name}: {p}")
        if bad:
            raise TextcodecError(f"{bad} checkpoint file(s) fail verification")
    except TextcodecError as e:
        _fail(e)


@app.command()
def bench(
    dataset: Annotated[str, typer.Option(help="folder of images, or one of: samples, "
                                         "synthetic, kodak, funsd, gimp, web, qt")] = "samples",
    codecs: Annotated[str, typer.Option(help="comma list (textcodec, textcodec-noside, "
                                        "textcodec-baseline, jpeg, webp, avif, jxl, "
                                        "textcodec:MODEL)")] =
        "textcodec,textcodec-baseline,jpeg,webp,avif,jxl",
    points: Annotated[Optional[int], typer.Option(help="settings per codec (default all 8)")]
        = None,
    limit: Annotated[Optional[int], typer.Option(help="at most this many images")] = None,
    out: Annotated[Path, typer.Option(help="folder for results.jsonl, plots, report")] =
        Path("results"),
    anchor: Annotated[str, typer.Option(help="codec the BD figures compare against")] =
        "textcodec-baseline",
    html_report: Annotated[bool, typer.Option("--html", help="write report.html")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    ocr: Annotated[str, typer.Option(
        help="engine that finds and reads the scored text: easyocr (boxes read by "
             "english_g2) or tesseract (needs tesseract-ocr installed)")] = "easyocr",
    device: Annotated[Device, typer.Option(help="where the recognizer runs")] = Device.cpu,
    max_boxes: Annotated[int, typer.Option(help="text boxes scored per image (0 = all)")] = 120,
    side_ocr: Annotated[Optional[str], typer.Option(
        help="engine that reads textcodec's side stream; default: the one `encode` uses "
             "(easyocr-light, the light pipeline); easyocr-float: CRAFT's, as the main "
             "bench's rows before session 46")] = None,
):
    """Rate vs PSNR and vs OCR error against JPEG, WebP, AVIF and JPEG XL (resumable)."""
    try:
        from dataclasses import asdict

        from textcodec.bench import report, runner
        from textcodec.ocr.engine import ENGINES

        for engine in (ocr, side_ocr):
            if engine is not None and engine not in ENGINES:
                raise TextcodecError(f"unknown OCR engine {engine!r}; known: "
                                     f"{', '.join(ENGINES)}")
        names = [c.strip() for c in codecs.split(",") if c.strip()]
        crops = out / "crops" if html_report else None
        results = runner.run(dataset, names, out, points, limit, device.value,
                             progress=not as_json, crops_dir=crops,
                             max_boxes=max_boxes or None, ocr_engine=ocr,
                             side_ocr=side_ocr)
        rows = report.load(results, dataset)
        pts = report.aggregate(rows)
        bd = report.bjontegaard(pts, anchor)
        plots = report.plot(pts, out, f"{dataset}")
        summary = {"dataset": dataset, "points": [asdict(p) for p in pts], "bd": bd,
                   "anchor": anchor, "plots": [str(p) for p in plots]}
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
        if html_report:
            summary["html"] = str(report.write_html(pts, bd, plots, crops, out,
                                                    f"textcodec bench: {dataset}", anchor, rows))
        if as_json:
            typer.echo(json.dumps(summary, indent=1))
        else:
            report.print_table(pts, f"{dataset}: {len(pts)} points")
            for name, v in bd.items():
                typer.echo(f"{name} vs {anchor}: BD-rate(PSNR) {v['bd_rate_psnr']:+.1f}%, "
                           f"BD-PSNR {v['bd_psnr']:+.2f} dB, BD-CER {v['bd_cer']:+.1f} pts, "
                           f"BD-WER {v['bd_wer']:+.1f} pts")
            if not bd:
                typer.echo(f"no BD figures: they need {anchor} among the codecs (--anchor) "
                           "and at least 4 settings of each (--points 4 or more)")
            typer.echo(f"results: {results}; plots: {', '.join(str(p) for p in plots)}")
    except TextcodecError as e:
        _fail(e)


DEMO_LOW_QUALITY = 1.0


@app.command()
def demo(out: Annotated[Path, typer.Option(help="folder for the demo's outputs")] =
         Path("textcodec-demo")):
    """Encode, decode and bench the bundled sample images: the one-command tour."""
    try:
        import shutil

        from textcodec.bench.datasets import SAMPLES
        from textcodec.codec import decode as decode_fn
        from textcodec.codec import encode_image

        out.mkdir(parents=True, exist_ok=True)
        for src in sorted(SAMPLES.glob("*.png")):
            shutil.copy2(src, out / src.name)
            with _console().status(f"encoding {src.name} (OCR: a few seconds on a CPU)..."):
                r = encode_image(src)   # the default rate
            tlc = out / (src.stem + ".tlc")
            tlc.write_bytes(r.data)
            img = decode_fn(r.data)
            img.save(out / (src.stem + ".decoded.png"))
            typer.echo(f"{src.name} -> {tlc}: {len(r.data)} bytes ({r.bpp:.3f} bpp), "
                       f"{len(r.words)} words in the side stream; decoded to "
                       f"{out / (src.stem + '.decoded.png')}")
            if r.words:   # the ultra-low rate, decoded plain and with the words drawn in
                low = encode_image(src, quality=DEMO_LOW_QUALITY, words=r.words)
                stem = out / f"{src.stem}.q{DEMO_LOW_QUALITY:g}"   # no suffix of its own
                Path(f"{stem}.tlc").write_bytes(low.data)
                decode_fn(low.data).save(f"{stem}.decoded.png")
                decode_fn(low.data, fusion="draw").save(f"{stem}.drawn.png")
                painted = (f" (fitted glyphs painted for {low.painted} "
                           f"word{'' if low.painted == 1 else 's'})" if low.painted else "")
                typer.echo(f"  at quality {DEMO_LOW_QUALITY:g}: {len(low.data)} bytes "
                           f"({low.bpp:.3f} bpp); {stem}.decoded.png{painted}, and "
                           f"{stem}.drawn.png with the side stream's words drawn in "
                           f"(--fusion draw)")
        typer.echo("small bench on the samples (4 settings per codec):")
        bench(dataset="samples", codecs="textcodec,textcodec-baseline,jpeg,webp", points=4,
              limit=None, out=out / "bench", anchor="textcodec-baseline", html_report=True,
              as_json=False, ocr="easyocr", device=Device.cpu, max_boxes=60)
    except TextcodecError as e:
        _fail(e)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def train(ctx: typer.Context):
    """Train a checkpoint (all options: textcodec train --help-train)."""
    from textcodec.train.loop import main

    args = ctx.args
    main(["--help"] if "--help-train" in args else args)


def main() -> None:
    import warnings

    # deprecation and device notes from torch / EasyOCR internals are not the user's business
    warnings.filterwarnings("ignore", module=r"(torch|torchvision|easyocr)(\.|$)")
    try:
        app()
    except TextcodecError as e:  # pragma: no cover - commands already catch their own
        typer.echo(f"textcodec: error: {e}", err=True)
        sys.exit(1)
