"""Benchmark datasets behind one registry: bundled samples, generated screenshots with exact
ground truth, local copies of standard sets, or any folder of images (with optional
annotations: FUNSD JSON, ICDAR ``x1,y1,...,x4,y4,text`` lines, or a JSON list of
``{"box": [x0, y0, x1, y1], "text": ...}``)."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PIL import Image

from textcodec.errors import InputError
from textcodec.words import Word

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass
class Item:
    id: str
    image: np.ndarray                   # (H, W, 3) uint8
    truth: list[Word] | None = None     # ground-truth words, if the dataset has them


def data_root() -> Path:
    """Where local copies of standard sets live: $TEXTCODEC_DATA, else ../shared/data."""
    env = os.environ.get("TEXTCODEC_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def _load_rgb(p: Path) -> np.ndarray:
    with Image.open(p) as im:
        return np.asarray(im.convert("RGB"))


def _annotations(img: Path) -> list[Word] | None:
    for cand in (img.parent.parent / "annotations" / (img.stem + ".json"),
                 img.with_suffix(".json")):
        if cand.is_file():
            d = json.loads(cand.read_text())
            if isinstance(d, dict) and "form" in d:  # FUNSD
                items = [w for e in d["form"] for w in e["words"]]
            else:
                items = d
            return [Word(w["text"], (w["box"][0] + w["box"][2]) / 2,
                         (w["box"][1] + w["box"][3]) / 2, w["box"][2] - w["box"][0],
                         w["box"][3] - w["box"][1])
                    for w in items if w["text"].strip()]
    txt = img.with_suffix(".txt")
    if txt.is_file():  # ICDAR 2015: x1,y1,x2,y2,x3,y3,x4,y4,transcription
        words = []
        for line in txt.read_text(encoding="utf-8-sig").splitlines():
            parts = line.split(",", 8)
            if len(parts) == 9 and parts[8].strip() not in ("", "###"):
                pts = [float(v) for v in parts[:8]]
                quad = tuple(zip(pts[0::2], pts[1::2]))
                words.append(Word.from_quad(parts[8].strip(), quad))  # type: ignore[arg-type]
        return words
    return None


def folder(path: Path, limit: int | None = None) -> Iterator[Item]:
    files = sorted(p for p in Path(path).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES
                   and "annotations" not in p.parts)
    if not files:
        raise InputError(f"{path}: no images found")
    for p in files[:limit]:
        yield Item(str(p.relative_to(path)), _load_rgb(p), _annotations(p))


def synthetic(limit: int | None = None, seed: int = 1_000_003) -> Iterator[Item]:
    """Generated 1280x720 screenshots with exact word boxes. Seeds from 1,000,003 up never
    occur in training (training seeds are small), and rendering uses only the bundled font,
    a template family apart from the training fonts."""
    from textcodec.train.synth import ScreenSynth

    synth = ScreenSynth()
    for i in range(limit or 8):
        t = synth.tile(random.Random(seed + i), 1280, 720)
        yield Item(f"synthetic-{i:03d}", t.image, [w for w in t.words if w.height >= 6])


# render_pages.py's seeds for training are small; the bench's pages use this one alone
WEB_BENCH_SEED = 1_000_003


def web(limit: int | None = None, seed: int = WEB_BENCH_SEED) -> Iterator[Item]:
    """1280x720 web pages rendered by headless Chromium with the browser's word boxes as the
    truth (textcodec.train.webpage): real browser text, a template family apart from the
    PIL screens. Needs `apt-get install chromium`; the same pages wherever the browser and
    fonts are the same (the page families' fonts: fonts-croscore, fonts-liberation2,
    fonts-dejavu, fonts-noto-core, fonts-firacode, fonts-inconsolata and
    fonts-crosextra-carlito; a missing one renders in another face)."""
    from textcodec.train import webpage

    if webpage.browser() is None:
        raise InputError("the web set renders pages with a headless browser: "
                         "apt-get install chromium")
    for i in range(limit or 3):
        image, words = webpage.render(
            webpage.page_html(webpage.page_rng(seed, i), 1280, 720), 1280, 720)
        yield Item(f"web-{i:03d}", image, [w for w in words if w.height >= 6])


def _named_folder(name: str, pick: Callable[[list[Path]], list[Path]], truth: bool):
    """A registry dataset: the held-out ``pick`` of a full local copy under the data root,
    else the registry's archive (which holds only that held-out part), fetched and verified."""
    def gen(limit: int | None = None) -> Iterator[Item]:
        from textcodec.bench import registry

        entry = registry.registry()[name]
        base = data_root()
        root = registry.resolve(entry, base)
        images = root / "images" if (root / "images").is_dir() else root
        files = sorted(images.glob("*.png"))
        imgs = pick(files) if root == base / entry.local else files
        for p in imgs[:limit]:
            yield Item(p.stem, _load_rgb(p), _annotations(p) if truth else None)
    return gen


def _gimp(limit: int | None = None) -> Iterator[Item]:
    root = Path("/usr/share/gimp/2.0/help/en/images")
    if not root.is_dir():
        raise InputError("gimp-help-en is not installed (apt-get install gimp-help-en)")
    files = sorted(p for p in root.rglob("*.png") if "dialogs" in p.parts)
    rng = random.Random(0)
    picked = [p for p in rng.sample(files, min(len(files), 400))
              if 200 <= Image.open(p).width <= 1400][:limit or 12]
    for p in picked:
        yield Item(str(p.relative_to(root)), _load_rgb(p), None)


QT_DOCS = Path("/usr/share/qt5/doc")


def _qt(limit: int | None = None) -> Iterator[Item]:
    """Screenshots of Qt 5's example programs from its documentation (`apt-get install
    qtbase5-doc-html`): real widgets in the Fusion, Windows and macOS styles, a toolkit no
    training image comes from. The pick: every ``*-example.png`` / ``*-demo.png`` under a
    module's images/ at least 300x200 and at most 1400 wide, 12 drawn with a fixed seed.
    Transparent pixels are laid on white, as a page shows them. No ground truth."""
    if not QT_DOCS.is_dir():
        raise InputError("the qt set reads Qt's documentation: apt-get install qtbase5-doc-html")
    files = sorted(p for p in QT_DOCS.glob("*/images/*.png")
                   if p.stem.endswith(("-example", "-demo")))
    sizes = {}
    for p in files:
        with Image.open(p) as im:
            sizes[p] = im.size
    fit = [p for p in files if 300 <= sizes[p][0] <= 1400 and sizes[p][1] >= 200]
    for p in random.Random(0).sample(fit, min(len(fit), limit or 12)):
        with Image.open(p) as im:
            rgba = im.convert("RGBA")
        page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        yield Item(str(p.relative_to(QT_DOCS)),
                   np.asarray(Image.alpha_composite(page, rgba).convert("RGB")), None)


DATASETS: dict[str, Callable[..., Iterator[Item]]] = {
    "samples": lambda limit=None: folder(SAMPLES, limit),
    "synthetic": synthetic,
    # held-out halves: training never sees Kodak 13-24 or the last 30 FUNSD forms
    "kodak": _named_folder("kodak", lambda ps: ps[12:], truth=False),
    "funsd": _named_folder("funsd", lambda ps: ps[-30:], truth=True),
    "gimp": _gimp,
    "web": web,
    "qt": _qt,
}


def load(name_or_path: str, limit: int | None = None) -> Iterator[Item]:
    if name_or_path in DATASETS:
        return DATASETS[name_or_path](limit=limit)
    p = Path(name_or_path)
    if p.is_dir():
        return folder(p, limit)
    raise InputError(f"unknown dataset {name_or_path!r}: not a folder, and not one of "
                     f"{', '.join(DATASETS)}")
