"""Training data: synthetic screen/document tiles, FUNSD form crops, Kodak photo crops, real
UI screenshots (GIMP's manual) and web pages rendered by a headless browser.

Every sample is a 256x256 crop with the word boxes (and text) that fall wholly inside it,
as the text losses need. Held-out splits never enter training: FUNSD files are split by
sorted name (the last ``FUNSD_HELD_OUT`` are evaluation), Kodak by number (13-24 held out),
GIMP's screenshots by folder (the benchmark's gimp set comes from dialogs/, never packed).
UI screenshots carry no words (there is no ground truth for them): they train R+D only;
rendered web pages carry every word's box (``textcodec.train.webpage``).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from textcodec.train import webpage
from textcodec.train.synth import ScreenSynth, document_tile
from textcodec.words import Word

FUNSD_HELD_OUT = 30
KODAK_TRAIN = [f"kodim{i:02d}.png" for i in range(1, 13)]
MIN_BOX_HEIGHT = 6
POOL_SIZE = 64
# real GTK screenshots of `apt-get install gimp-help-en`: the folders packed for training
# (dialogs/ is the benchmark's held-out set), and the smallest side a packed image may have
GIMP_IMAGES = Path("/usr/share/gimp/2.0/help/en/images")
UI_FOLDERS = ("menus", "toolbox", "tool-options", "preferences")
UI_MIN_SIDE = 128
MIX_KINDS = ("screen", "document", "funsd", "photo", "ui", "web")
# the pack's files behind each kind that is read from it (the others are rendered)
PACK_FILES = {"funsd": "funsd/images/*.png", "photo": "photos/*.png", "ui": "ui/*.png",
              "web": "web/*.png"}
REUSE = 32   # crops per rendered page on average (12 up to session 23)


@dataclass
class Sample:
    image: np.ndarray            # (256, 256, 3) uint8
    boxes: np.ndarray            # (K, 4) float32 x0, y0, x1, y1
    texts: list[str]
    guide: np.ndarray | None = None   # (256, 256) rendered (possibly corrupted) side stream
    mask: np.ndarray | None = None    # (256, 256) box mask of the rendered words
    rate: int | None = None           # the rate index the guidance's errors were drawn for
    fits: list | None = None          # glyph fits of the words (None each where none), if known


# Characters OCR confuses with each other (the misreadings that fool a reader because the
# wrong word looks like the right one: "rn" read as "m", "cl" as "d", "e" as "c" or "o").
CONFUSABLE = {k: tuple(v.split()) for k, v in {
    "a": "o e", "b": "h", "c": "e o", "d": "cl", "e": "c o", "f": "t", "g": "q", "h": "b n",
    "i": "l j", "j": "i", "l": "i", "m": "rn", "n": "h r", "o": "a c e", "q": "g", "r": "n",
    "t": "f l", "u": "v", "v": "u y", "w": "vv", "y": "v", "rn": "m", "cl": "d", "vv": "w",
    "C": "G", "E": "F", "F": "E", "G": "C", "I": "l", "O": "Q", "P": "R", "Q": "O", "R": "P",
}.items()}
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def misread(text: str, rng: random.Random, p_confusable: float = 0.5) -> str:
    """One OCR misreading of ``text``: with probability ``p_confusable`` a look-alike swap
    (one character or pair from ``CONFUSABLE``), else a random character replaced, inserted
    or dropped."""
    if p_confusable and rng.random() < p_confusable:
        spots = [(i, n) for n in (2, 1) for i in range(len(text) - n + 1)
                 if text[i:i + n] in CONFUSABLE]
        if spots:
            i, n = rng.choice(spots)
            return text[:i] + rng.choice(CONFUSABLE[text[i:i + n]]) + text[i + n:]
    i = rng.randrange(len(text))
    kind = rng.random()
    if kind < 0.15 and len(text) > 2:
        return text[:i] + text[i + 1:]
    if kind < 0.3:
        return text[:i] + rng.choice(ALPHABET) + text[i:]
    return text[:i] + rng.choice(ALPHABET) + text[i + 1:]


def corrupt_words(words: list[Word], rng: random.Random, p_drop: float = 0.15,
                  p_sub: float = 0.15, max_shift: float = 2.0,
                  p_confusable: float = 0.5) -> list[Word]:
    """OCR as it really errs (TextBoost stage 2 must learn not to trust it blindly):
    drop words, misread them (``misread``: look-alike swaps, random replacements, insertions
    and deletions), shift boxes by a few pixels."""
    return [w for _, w in corrupt_indexed(words, rng, p_drop, p_sub, max_shift, p_confusable)]


def corrupt_indexed(words: list[Word], rng: random.Random, p_drop: float = 0.15,
                    p_sub: float = 0.15, max_shift: float = 2.0, p_confusable: float = 0.5,
                    placed: frozenset[int] = frozenset()) -> list[tuple[int, Word]]:
    """``corrupt_words`` with each kept word's index in ``words``; the words of ``placed``
    (indices, fitted words) keep their boxes, since a fit's glyphs land on the original's ink
    whatever the OCR's box (its place is measured from the box the file sends), and are
    misread FITTED_MISREAD as often: a misreading fits the original's pixels worse (MIN_R2
    refuses many) and the encoder's cross-check flags more."""
    out = []
    for i, w in enumerate(words):
        if rng.random() < p_drop:
            continue
        text = w.text
        if rng.random() < p_sub * (FITTED_MISREAD if i in placed else 1) and text:
            text = misread(text, rng, p_confusable)
        dx, dy = rng.uniform(-max_shift, max_shift), rng.uniform(-max_shift, max_shift)
        if i in placed:
            dx = dy = 0.0
        out.append((i, Word(text, w.cx + dx, w.cy + dy, w.width, w.height, w.angle)))
    return out


CORRUPTION = (0.15, 0.15, 2.0)   # p_drop, p_sub, max_shift: the default OCR error model
FITTED_MISREAD = 0.25   # how much less often a fitted word is misread (``corrupt_indexed``)


def corruption_at(low: tuple[float, float, float], high: tuple[float, float, float],
                  rate: int, num_rates: int) -> tuple[float, float, float]:
    """The OCR error model for rate index ``rate``: ``low`` at the lowest rate, ``high`` at the
    highest, linear in the index between. Low rates leave little legible text, so the block
    should lean on the guidance there; high rates decode text well, so it must learn to
    distrust guidance that disagrees with the pixels."""
    t = rate / max(1, num_rates - 1)
    return tuple(a + (b - a) * t for a, b in zip(low, high))


def parse_corruption(spec: str) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """``"p_drop,p_sub,max_shift"`` (one model for every rate) or ``"LOW:HIGH"`` (two such
    triples, interpolated over the rates) -> (low, high)."""
    parts = spec.split(":")
    if len(parts) > 2:
        raise ValueError(f"--corrupt takes one or two triples, got {spec!r}")
    triples = []
    for part in parts:
        values = tuple(float(v) for v in part.split(","))
        if len(values) != 3 or not (0 <= values[0] <= 1 and 0 <= values[1] <= 1
                                    and values[2] >= 0):
            raise ValueError(f"--corrupt triple must be p_drop,p_sub,max_shift with "
                             f"probabilities in [0, 1], got {part!r}")
        triples.append(values)
    return triples[0], triples[-1]


def with_guidance(sample: Sample, rng: random.Random,
                  corrupt: tuple[float, float, float] | None = CORRUPTION,
                  fitted: bool = False) -> Sample:
    """Render the sample's words as the decoder would render a side stream, with OCR errors
    (``corrupt`` = p_drop, p_sub, max_shift; None renders the ground truth), leaving out the
    words the decoder leaves out (``codec.guidance_words``: those holding a digit).
    ``fitted``: the words with a fit (``Sample.fits``) drawn by it, as the decoder draws them
    for a block trained on fitted guidance (textcodec.glyphs.guidance); a misread word is
    drawn in its fit's font, size and place, as the encoder would have fitted the misreading."""
    from textcodec.codec import guidance_words
    from textcodec.render import render

    words = [Word(t, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1])
             for b, t in zip(sample.boxes, sample.texts)]
    fits = sample.fits if fitted and sample.fits is not None else [None] * len(words)
    pairs = list(enumerate(words))
    if corrupt is not None:
        placed = frozenset(i for i, f in enumerate(fits) if f is not None)
        pairs = corrupt_indexed(words, rng, *corrupt, placed=placed)
    keep = {id(w) for w in guidance_words([w for _, w in pairs])}
    pairs = [(i, w) for i, w in pairs if id(w) in keep]
    height, width = sample.image.shape[:2]
    kept = [w for _, w in pairs]
    if fitted:
        from textcodec.glyphs import guidance

        sample.guide, sample.mask = guidance(kept, [fits[i] for i, _ in pairs], width, height)
    else:
        sample.guide, sample.mask = render(kept, width, height)
    return sample


def funsd_split(folder: Path) -> tuple[list[Path], list[Path]]:
    names = sorted((folder / "images").glob("*.png"))
    return names[:-FUNSD_HELD_OUT], names[-FUNSD_HELD_OUT:]


def load_funsd_words(image_path: Path) -> list[Word]:
    ann = image_path.parent.parent / "annotations" / (image_path.stem + ".json")
    words = []
    for entity in json.loads(ann.read_text())["form"]:
        for w in entity["words"]:
            x0, y0, x1, y1 = w["box"]
            if w["text"].strip() and x1 > x0 and y1 > y0:
                words.append(Word(w["text"], (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0))
    return words


# a page's words as crops take them: boxes, texts, and their glyph fits where the pack has them
PageWords = tuple[np.ndarray, list[str], "list | None"]


def page_fits_path(pack: Path, kind: str, page: Path) -> Path:
    """Where tools/fit_pack.py stores the glyph fits of a pack's page (funsd or web)."""
    return pack / "fits" / kind / (page.stem + ".json")


def save_page_fits(path: Path, fits: list) -> None:
    """One page's fits, one per word of its loader's list (``load_funsd_words``,
    ``webpage.load``): null, or [font, size, x, y, moves] as textcodec.glyphs.Fit holds them."""
    from textcodec.glyphs import FONTS

    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [None if f is None else [f.font, f.size, f.x, f.y, list(f.moves)] for f in fits]
    path.write_text(json.dumps({"fonts": len(FONTS), "fits": rows}))


def load_page_fits(path: Path, words: list[Word]) -> list | None:
    """A page's stored fits for its ``words``, or None where the pack has none for it; a
    file that does not match the words (another count, a font past the table) is an error:
    the pack was fitted for other pages."""
    if not path.exists():
        return None
    from textcodec.glyphs import FONTS, Fit

    blob = json.loads(path.read_text())
    rows = blob["fits"]
    if len(rows) != len(words) or blob.get("fonts", 0) > len(FONTS):
        raise ValueError(f"{path}: {len(rows)} fits for {len(words)} words, or fonts this "
                         f"textcodec lacks: make them again (tools/fit_pack.py)")
    return [None if r is None else Fit(r[0], r[1], r[2], r[3], tuple(r[4])) for r in rows]


def word_boxes(words: list[Word], fits: list | None = None) -> PageWords:
    """(K, 4) axis-aligned boxes, texts and the words' fits (None where the pack has none),
    computed once per page."""
    boxes = np.array([w.axis_aligned_box() for w in words], np.float32).reshape(-1, 4)
    return boxes, [w.text for w in words], fits


def crop_with_words(image: np.ndarray, words: PageWords | tuple[np.ndarray, list[str]],
                    rng: random.Random, size: int = 256) -> Sample:
    h, w = image.shape[:2]
    if h < size or w < size:  # pad small images by edge replication
        image = np.pad(image, ((0, max(0, size - h)), (0, max(0, size - w)), (0, 0)), mode="edge")
        h, w = image.shape[:2]
    y0, x0 = rng.randint(0, h - size), rng.randint(0, w - size)
    crop = image[y0:y0 + size, x0:x0 + size]
    all_boxes, texts = words[:2]
    fits = words[2] if len(words) > 2 else None
    b = all_boxes - np.array([x0, y0, x0, y0], np.float32)
    keep = ((b[:, 0] >= 0) & (b[:, 1] >= 0) & (b[:, 2] <= size) & (b[:, 3] <= size)
            & (b[:, 3] - b[:, 1] >= MIN_BOX_HEIGHT))
    idx = np.flatnonzero(keep)
    return Sample(np.ascontiguousarray(crop), b[idx], [texts[i] for i in idx],
                  fits=None if fits is None else [fits[i] for i in idx])


class MixedDataset(torch.utils.data.IterableDataset):
    """An endless stream of samples: synthetic, FUNSD, photo, UI-screenshot and web-page crops
    in fixed proportions (``mix``, in ``MIX_KINDS`` order; missing trailing shares are 0, so a
    4-value mix draws neither UI screenshots nor web pages)."""

    def __init__(self, pack: Path | None = None, mix: tuple[float, ...] =
                 (0.5, 0.15, 0.2, 0.15), seed: int = 0, size: int = 256,
                 guidance: bool = False,
                 corrupt: tuple[float, float, float] | None = CORRUPTION,
                 corrupt_high: tuple[float, float, float] | None = None, num_rates: int = 1,
                 rates: tuple[int, ...] | None = None, fitted: bool = False):
        """``corrupt_high`` or ``rates`` given: each guided sample draws its own rate index
        (``Sample.rate``, from ``rates`` if given, else from all ``num_rates``; the training
        step then codes it at that rate) and its OCR errors from
        ``corruption_at(corrupt, corrupt_high or corrupt, rate, num_rates)``. ``fitted``: the
        guidance draws the words the pack holds fits for by their fits (``with_guidance``);
        the pack must hold them (tools/fit_pack.py)."""
        if not 4 <= len(mix) <= len(MIX_KINDS) or min(mix) < 0 or not sum(mix) > 0:
            raise ValueError(f"mix {mix}: 4 to {len(MIX_KINDS)} non-negative weights "
                             f"({', '.join(MIX_KINDS)}), not all zero")
        mix = tuple(mix) + (0.0,) * (len(MIX_KINDS) - len(mix))
        missing = [k for k, w in zip(MIX_KINDS, mix) if w and k in PACK_FILES
                   and (pack is None or not any(pack.glob(PACK_FILES[k])))]
        if missing and all(not w or k in missing for k, w in zip(MIX_KINDS, mix)):
            raise ValueError(f"the mix {mix} draws only from sources the pack {pack} does not "
                             f"hold ({', '.join(missing)})")
        self.pack, self.mix, self.seed, self.size = pack, mix, seed, size
        self.guidance, self.corrupt = guidance, corrupt
        self.corrupt_high, self.num_rates = corrupt_high, num_rates
        self.rates = tuple(rates) if rates else tuple(range(num_rates))
        self.draw_rate = corrupt_high is not None or rates is not None
        self.fitted = fitted
        if fitted and (pack is None or not (pack / "fits").is_dir()):
            raise ValueError(f"fitted guidance needs the pages' fits in {pack}/fits "
                             f"(python tools/fit_pack.py --pack {pack})")

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = random.Random((self.seed * 1000 + (info.id if info else 0)) * 7 + 1)
        for sample in self._samples():
            if not self.guidance:
                yield sample
            elif not self.draw_rate or self.corrupt is None:
                yield with_guidance(sample, rng, self.corrupt, self.fitted)
            else:
                sample.rate = rng.choice(self.rates)
                yield with_guidance(sample, rng, corruption_at(
                    self.corrupt, self.corrupt_high or self.corrupt, sample.rate,
                    self.num_rates), self.fitted)

    def _load(self):
        fonts = mono = None
        self.funsd: list[tuple[np.ndarray, list[Word]]] = []
        self.photos: list[np.ndarray] = []
        self.ui: list[np.ndarray] = []
        self.web: list[tuple[np.ndarray, tuple[np.ndarray, list[str]]]] = []
        if self.pack is not None:
            fonts = sorted((self.pack / "fonts").glob("*.[ot]tf")) or None
            mono = [f for f in fonts or [] if any(k in f.name for k in ("Mono", "Cousine", "Code"))]
            for p in sorted(self.pack.glob(PACK_FILES["funsd"])):  # train split only
                img = np.asarray(Image.open(p).convert("RGB"))
                words = load_funsd_words(p)
                self.funsd.append((img, word_boxes(words, self._fits("funsd", p, words))))
            for p in sorted(self.pack.glob(PACK_FILES["photo"])):
                self.photos.append(np.asarray(Image.open(p).convert("RGB")))
            for p in sorted(self.pack.glob(PACK_FILES["ui"])):
                self.ui.append(np.asarray(Image.open(p).convert("RGB")))
            for p in sorted(self.pack.glob(PACK_FILES["web"])):
                image, words = webpage.load(p)
                self.web.append((image, word_boxes(words, self._fits("web", p, words))))
        self.synth = ScreenSynth(fonts, mono or None, photos=self.photos)

    def _fits(self, kind: str, page: Path, words: list[Word]) -> list | None:
        return load_page_fits(page_fits_path(self.pack, kind, page), words) \
            if self.fitted else None

    def _samples(self):
        torch.set_num_threads(1)  # workers render with PIL; torch threads only contend
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        rng = random.Random(self.seed * 1000 + wid)
        self._load()
        kinds = list(MIX_KINDS)
        weights = list(self.mix)
        # a kind the pack lacks is not drawn (__init__ refused a mix left with none)
        for i, found in ((2, self.funsd), (3, self.photos), (4, self.ui), (5, self.web)):
            if not found:
                weights[i] = 0
        s = self.size
        # rendering a page costs 45-85 ms, nearly all of a worker's time: a pool of pages,
        # one page replaced every REUSE samples, lets 14 workers feed ~1,000 crops/s
        # (tools/gpu/step_rate.py; REUSE 12 fed half that, the GPU then waited on them)
        pool: list = []
        while True:
            kind = rng.choices(kinds, weights)[0]
            if kind in ("screen", "document"):
                if len(pool) < POOL_SIZE or rng.random() < 1 / REUSE:
                    w, h = rng.choice([(2 * s, 2 * s), (3 * s, 2 * s), (2 * s, 3 * s)])
                    page = (self.synth.tile(rng, w, h) if kind == "screen"
                            else document_tile(rng, self.synth, w, h))
                    page = (page.image, word_boxes(page.words))
                    if len(pool) < POOL_SIZE:
                        pool.append(page)
                    else:
                        pool[rng.randrange(POOL_SIZE)] = page
                image, boxes = rng.choice(pool)
                yield crop_with_words(image, boxes, rng, s)
            elif kind in ("funsd", "web"):
                img, words = rng.choice(self.funsd if kind == "funsd" else self.web)
                yield crop_with_words(img, words, rng, s)
            else:   # photos and UI screenshots: no words
                img = rng.choice(self.photos if kind == "photo" else self.ui)
                yield crop_with_words(img, (np.zeros((0, 4), np.float32), []), rng, s)


def collate(samples: list[Sample]):
    """Images (B, 3, H, W) float in [0, 1]; boxes (K, 5) with the batch index first; texts."""
    images = torch.from_numpy(np.stack([s.image for s in samples])).permute(0, 3, 1, 2)
    rows, texts = [], []
    for i, s in enumerate(samples):
        if len(s.boxes):
            rows.append(np.concatenate([np.full((len(s.boxes), 1), i, np.float32), s.boxes], 1))
            texts.extend(s.texts)
    boxes = torch.from_numpy(np.concatenate(rows)) if rows else torch.zeros(0, 5)
    if samples[0].guide is not None:
        guide = torch.from_numpy(np.stack([s.guide for s in samples]))[:, None]
        mask = torch.from_numpy(np.stack([s.mask for s in samples]))[:, None]
        if samples[0].rate is not None:
            rates = torch.tensor([s.rate for s in samples], dtype=torch.long)
            return images.float() / 255, boxes, texts, guide, mask, rates
        return images.float() / 255, boxes, texts, guide, mask
    return images.float() / 255, boxes, texts


def ui_screenshots(root: Path = GIMP_IMAGES, folders: tuple[str, ...] = UI_FOLDERS) -> list[Path]:
    """The UI screenshots a pack takes: PNGs under ``folders`` of ``root`` whose smaller side
    is at least ``UI_MIN_SIDE`` (smaller ones would be mostly edge padding in a crop);
    none where gimp-help-en is not installed."""
    return [p for f in folders for p in sorted((root / f).rglob("*.png"))
            if min(Image.open(p).size) >= UI_MIN_SIDE]


def build_pack(out: Path, shared: Path, font_globs: list[str],
               ui: list[Path] | None = None, ui_root: Path = GIMP_IMAGES,
               web: Path | None = None) -> None:
    """Gathers what the GPU machine needs into one folder to carry (see docs/training.md);
    ``ui``: screenshots to copy into ui/ (named by their path under ``ui_root``); ``web``: a
    folder of rendered pages (tools/render_pages.py) to copy into web/."""
    import shutil

    out.mkdir(parents=True, exist_ok=True)
    (out / "fonts").mkdir(exist_ok=True)
    for pattern in font_globs:
        for f in sorted(Path("/").glob(pattern.lstrip("/"))):
            shutil.copy2(f, out / "fonts" / f.name)
    funsd_out = out / "funsd"
    for sub in ("images", "annotations"):
        (funsd_out / sub).mkdir(parents=True, exist_ok=True)
    train, _ = funsd_split(shared / "funsd_train")
    for p in train:
        shutil.copy2(p, funsd_out / "images" / p.name)
        shutil.copy2(p.parent.parent / "annotations" / (p.stem + ".json"),
                     funsd_out / "annotations" / (p.stem + ".json"))
    (out / "photos").mkdir(exist_ok=True)
    for name in KODAK_TRAIN:
        shutil.copy2(shared / "kodak" / name, out / "photos" / name)
    if ui:
        (out / "ui").mkdir(exist_ok=True)
        for p in ui:
            shutil.copy2(p, out / "ui" / str(p.relative_to(ui_root)).replace("/", "_"))
    if web is not None:
        (out / "web").mkdir(exist_ok=True)
        for p in sorted(web.glob("*.png")):
            shutil.copy2(p, out / "web" / p.name)
            shutil.copy2(p.with_suffix(".json"), out / "web" / (p.stem + ".json"))
