"""The light OCR pipeline's reader without EasyOCR: english_g2's network, the student
detector's boxes grouped into lines as EasyOCR groups them, and the crops it reads.

``import easyocr`` costs a one-shot encode 1.6 s on 2 cores: its ``__init__`` imports every
model it knows, and torchvision, which imports torch._dynamo. The light pipeline (the default:
the student detector, textcodec/ocr/student.py) needs none of that. Its boxes, crops and
readings stay EasyOCR's to the bit: tests/test_ocr_reader.py holds each step to EasyOCR's own
(line grouping on random boxes, crops, contrast, the whole reading of real pages). CRAFT and
EasyOCR's ``readtext`` (``fast=False``) still go through EasyOCR.

Defaults are EasyOCR's ``Reader.detect``'s, which the engine has always used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn

from textcodec.ocr.models import RECOGNIZER_FILE, weight_path

# english_g2's classes after CTC's blank (EasyOCR's English character list, all of it kept)
CHARSET = ('0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ \u20ac'
           'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')

# Reader.detect's line grouping: a box is level if both its edges slope under SLOPE; boxes join
# a line whose mean centre is within YCENTER of its mean height, and a word whose height is
# within HEIGHT of theirs and whose gap is under WIDTH of its height; MARGIN of the smaller
# side pads each result. Boxes whose longer side is not over MIN_SIZE px are dropped.
SLOPE, YCENTER, HEIGHT, WIDTH, MARGIN, MIN_SIZE = 0.1, 0.5, 0.5, 0.5, 0.1, 20
# CRAFT's (and the student's) score maps come at half the input's resolution
MAP_SCALE = 2


class _Features(nn.Module):
    """english_g2's VGG feature extractor: 1 -> 32 -> 64 -> 128 -> 256 channels, the height
    divided by 16 and the width by 4 (each then one less, by the last 2x2 convolution).
    ``ConvNet`` is named and indexed as the weights file stores it (and as int8.py's
    calibration traced it)."""

    def __init__(self, width: int = 256):
        super().__init__()
        c1, c2, c3, c4 = width // 8, width // 4, width // 2, width

        def conv(cin, cout, bn=False):
            return [nn.Conv2d(cin, cout, 3, 1, 1, bias=not bn)] + \
                ([nn.BatchNorm2d(cout)] if bn else []) + [nn.ReLU(True)]

        self.ConvNet = nn.Sequential(
            *conv(1, c1), nn.MaxPool2d(2, 2), *conv(c1, c2), nn.MaxPool2d(2, 2),
            *conv(c2, c3), *conv(c3, c3), nn.MaxPool2d((2, 1), (2, 1)),
            *conv(c3, c4, bn=True), *conv(c4, c4, bn=True), nn.MaxPool2d((2, 1), (2, 1)),
            nn.Conv2d(c4, c4, 2, 1, 0), nn.ReLU(True))

    def forward(self, x):
        return self.ConvNet(x)


class _BiLstm(nn.Module):
    """A bidirectional LSTM over the frames, projected back to ``size`` features."""

    def __init__(self, size: int):
        super().__init__()
        self.rnn = nn.LSTM(size, size, bidirectional=True, batch_first=True)
        self.linear = nn.Linear(2 * size, size)

    def forward(self, x):
        if self.rnn.weight_ih_l0.is_cuda:
            self.rnn.flatten_parameters()
        return self.linear(self.rnn(x)[0])


class G2Network(nn.Module):
    """english_g2 (Baek et al. 2019's VGG + BiLSTM + CTC, as EasyOCR trained it): (B, 1, H, W)
    grey crops in -1..1 -> logits (B, W / 4 - 1, 97). Called as EasyOCR calls it,
    ``net(images, text)``, ``text`` unused."""

    def __init__(self, num_class: int = len(CHARSET) + 1, width: int = 256):
        super().__init__()
        self.FeatureExtraction = _Features(width)
        self.AdaptiveAvgPool = nn.AdaptiveAvgPool2d((None, 1))
        self.SequenceModeling = nn.Sequential(_BiLstm(width), _BiLstm(width))
        self.Prediction = nn.Linear(width, num_class)

    def forward(self, images: torch.Tensor, text: torch.Tensor | None = None) -> torch.Tensor:
        features = self.FeatureExtraction(images)                   # (B, C, 1, T)
        frames = self.AdaptiveAvgPool(features.permute(0, 3, 1, 2)).squeeze(3)   # (B, T, C)
        return self.Prediction(self.SequenceModeling(frames).contiguous())


def load_g2(weights=None, device="cpu") -> G2Network:
    """english_g2 with the offline package's weights (or ``weights``), on ``device``."""
    net = G2Network()
    state = torch.load(weights or weight_path(RECOGNIZER_FILE), map_location="cpu",
                       weights_only=True)
    net.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    return net.to(device)


@dataclass(frozen=True)
class Classes:
    """What the recognizer's decoding needs of EasyOCR's CTC converter: the classes (0 is the
    blank) and those never emitted."""

    character: tuple[str, ...] = ("[blank]",) + tuple(CHARSET)
    ignore_idx: tuple[int, ...] = (0,)


def page_of(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the 3-channel page the detector sees, the grey page the crops are cut from), as EasyOCR
    makes them from an array: a 3-channel page is taken in OpenCV's BGR order (so an RGB
    page's grey weights fall on the swapped channels, as english_g2 has always been fed here),
    a 4-channel one as RGB, its alpha dropped."""
    import cv2

    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), image
    colour = cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2BGR) if image.shape[2] == 4 else image
    return colour, cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)


def _padded(x0, x1, y0, y1, margin: float) -> list:
    """A box [x0, x1, y0, y1] grown on every side by ``margin`` of its smaller side (whole px,
    rounded toward zero)."""
    m = int(margin * min(x1 - x0, y1 - y0))
    return [x0 - m, x1 + m, y0 - m, y1 + m]


def _slanted(quad: np.ndarray, margin: float) -> list[list[float]]:
    """A sloping box's corners pushed outward along its diagonals' angles by ``margin`` x 1.44
    of its smaller side, as EasyOCR pads a free (non-level) box."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad
    side = min(np.linalg.norm([dx - ax, dy - ay]), np.linalg.norm([bx - ax, by - ay]))
    m = int(1.44 * margin * side)
    t13 = abs(np.arctan((ay - cy) / np.maximum(10, ax - cx)))
    t24 = abs(np.arctan((by - dy) / np.maximum(10, bx - dx)))
    c13, s13, c24, s24 = np.cos(t13) * m, np.sin(t13) * m, np.cos(t24) * m, np.sin(t24) * m
    return [[ax - c13, ay - s13], [bx + c24, by - s24], [cx + c13, cy + s13],
            [dx - c24, dy + s24]]


def group_lines(quads: np.ndarray, slope: float = SLOPE, ycenter: float = YCENTER,
                height: float = HEIGHT, width: float = WIDTH,
                margin: float = MARGIN) -> tuple[list, list]:
    """(level boxes [x0, x1, y0, y1], sloping quads) from word quads (N, 4, 2) of int px,
    clockwise from the top-left, as EasyOCR's ``group_text_box`` gives them.

    Level boxes are sorted by their centre's height and cut into lines where a box's centre
    leaves the line's mean centre by ``ycenter`` of its mean height; within a line, left to
    right, a box joins the run before it when its height is near the run's mean and its gap to
    the run's last box is under ``width`` of its own height. Each run becomes one padded box."""
    level, free = [], []
    for q in np.asarray(quads).reshape(-1, 4, 2):
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = q
        up = (by - ay) / np.maximum(10, bx - ax)
        down = (cy - dy) / np.maximum(10, cx - dx)
        if max(abs(up), abs(down)) < slope:
            x0, x1, y0, y1 = q[:, 0].min(), q[:, 0].max(), q[:, 1].min(), q[:, 1].max()
            level.append((x0, x1, y0, y1, 0.5 * (y0 + y1), y1 - y0))
        else:
            free.append(_slanted(q, margin))
    level.sort(key=lambda b: b[4])
    lines: list[list[tuple]] = []
    for box in level:
        line = lines[-1] if lines else None
        if line and abs(np.mean([b[4] for b in line]) - box[4]) < \
                ycenter * np.mean([b[5] for b in line]):
            line.append(box)
        else:
            lines.append([box])
    boxes = []
    for line in lines:
        runs: list[list[tuple]] = []
        for box in sorted(line, key=lambda b: b[0]):
            run = runs[-1] if runs else None
            if run and abs(np.mean([b[5] for b in run]) - box[5]) < \
                    height * np.mean([b[5] for b in run]) and \
                    box[0] - run[-1][1] < width * (box[3] - box[2]):
                run.append(box)
            else:
                runs.append([box])
        for run in runs:
            boxes.append(_padded(min(b[0] for b in run), max(b[1] for b in run),
                                 min(b[2] for b in run), max(b[3] for b in run), margin))
    return boxes, free


def big_enough(level: list, free: list, min_size: float = MIN_SIZE) -> tuple[list, list]:
    """The boxes whose longer side (of the extent, for quads) is over ``min_size`` px."""
    def extent(values):
        return max(values) - min(values)

    return ([b for b in level if max(b[1] - b[0], b[3] - b[2]) > min_size],
            [q for q in free if max(extent([p[0] for p in q]), extent([p[1] for p in q]))
             > min_size])


def _aspect(width, height) -> float:
    """A crop's aspect, long side over short."""
    ratio = width / height
    return 1.0 / ratio if ratio < 1.0 else ratio


def _to_height(crop: np.ndarray, height: int) -> tuple[np.ndarray, float]:
    """A crop resized (bilinear) so that its short side is ``height``, and its aspect."""
    import cv2

    h, w = crop.shape[:2]
    ratio = _aspect(w, h)
    size = (height, int(height * ratio)) if w < h else (int(height * ratio), height)
    return cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR), ratio


def _straightened(grey: np.ndarray, quad) -> np.ndarray:
    """A sloping box's pixels warped upright to its longer opposite sides' lengths."""
    import cv2

    rect = np.asarray(quad, np.float32)
    tl, tr, br, bl = rect

    def length(p, q):
        d = p - q
        return int(np.sqrt(d[0] ** 2 + d[1] ** 2))

    w = max(length(br, bl), length(tr, tl))
    h = max(length(tr, br), length(tl, bl))
    target = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    return cv2.warpPerspective(grey, cv2.getPerspectiveTransform(rect, target), (w, h))


def box_crop(grey: np.ndarray, box=None, quad=None, height: int = 64):
    """((corners, crop resized to ``height``), the width EasyOCR reads it at) for one level
    ``box`` [x0, x1, y0, y1] (clipped to the page) or one sloping ``quad``: EasyOCR's
    ``get_image_list`` for a single box. The width is ``height`` x the crop's aspect, rounded
    up to a whole multiple of ``height`` (at least one)."""
    if quad is not None:
        crop, ratio = _to_height(_straightened(grey, quad), height)
        corners = quad
    else:
        rows, cols = grey.shape[:2]
        x0, x1 = max(0, box[0]), min(box[1], cols)
        y0, y1 = max(0, box[2]), min(box[3], rows)
        crop, ratio = _to_height(grey[y0:y1, x0:x1], height)
        corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    return (corners, crop), math.ceil(max(1, math.ceil(ratio))) * height


def adjust_contrast(crop: np.ndarray, target: float = 0.4) -> np.ndarray:
    """A low-contrast crop stretched so that its 10th..90th percentiles span ~200 levels, as
    EasyOCR's retry reads it; a crop with ``target`` contrast or more is returned as is."""
    high, low = np.percentile(crop, 90), np.percentile(crop, 10)
    if (high - low) / np.maximum(10, high + low) >= target:
        return crop
    stretched = (crop.astype(int) - low + 25) * (200.0 / np.maximum(10, high - low))
    return np.clip(stretched, 0, 255).astype(np.uint8)


@dataclass
class LightReader:
    """The parts of an ``easyocr.Reader`` that the light pipeline calls (``detect``, the
    recognizer, its classes), with the student detector and no EasyOCR import."""

    device: str = "cpu"
    detector: torch.nn.Module | None = None    # the student, set by the engine
    recognizer: torch.nn.Module = field(init=False)
    converter: Classes = field(default_factory=Classes)

    def __post_init__(self):
        self.recognizer = load_g2(device=self.device)
        self.character = CHARSET
        self.lang_char = CHARSET

    def detect(self, image: np.ndarray, canvas_size: int = 2560, mag_ratio: float = 1.0,
               text_threshold: float = 0.7, low_text: float = 0.4,
               link_threshold: float = 0.4, reformat: bool = True) -> tuple[list, list]:
        """([level boxes], [sloping quads]) of one page, each list wrapped in a list as
        EasyOCR's ``Reader.detect`` returns them."""
        from textcodec.ocr.craftboxes import craft_input, word_boxes

        page = page_of(image)[0] if reformat else image
        x, ratio = craft_input(page, canvas_size, mag_ratio, self.device)
        with torch.no_grad():
            maps = self.detector(x)[0][0].float().cpu().numpy()
        quads, _, _ = word_boxes(maps[:, :, 0], maps[:, :, 1], text_threshold,
                                 link_threshold, low_text)
        scale = MAP_SCALE / ratio
        quads = [(q * (scale, scale)).astype(np.float32).astype(np.int32) for q in quads]
        level, free = group_lines(np.array(quads, np.int32).reshape(-1, 4, 2))
        level, free = big_enough(level, free)
        return [level], [free]
