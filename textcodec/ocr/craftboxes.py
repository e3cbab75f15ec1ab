"""CRAFT's word boxes from its text and link maps, computed per component window.

EasyOCR turns CRAFT's two score maps into boxes one connected component at a time, and for
each one allocates, fills and scans a map the size of the whole page: on a 1280x720
screenshot with a few hundred components that bookkeeping, not the network, is the largest
share of the encoder's OCR time (0.56 s of 1.45 s on the H100's host, docs/benchmarks.md).

``word_boxes`` gives the same boxes from windows around each component: a component's pixels
lie inside its bounding box, the dilation that grows it is clipped to a margin around that
box, and the point set handed to ``cv2.minAreaRect`` is the same in the same order, so the
result is equal to EasyOCR's, box for box (tests/test_ocr.py checks it on real maps).
EasyOCR's detector uses it inside ``with installed():``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import partial

import numpy as np

# the smallest component (pixels of the score map) that can become a box, as in EasyOCR
MIN_COMPONENT = 10


def word_boxes(textmap: np.ndarray, linkmap: np.ndarray, text_threshold: float,
               link_threshold: float, low_text: float) -> tuple[list[np.ndarray], np.ndarray,
                                                                list[int]]:
    """(boxes as 4x2 float32 clockwise from the top-left, the component labels, the label of
    each box) from CRAFT's score maps; the signature of EasyOCR's ``getDetBoxes_core``
    without its character-count estimate."""
    import cv2

    text_on = textmap > low_text
    link_on = linkmap > link_threshold
    joined = (text_on | link_on).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=4)
    link_only = link_on & ~text_on
    height, width = textmap.shape
    boxes: list[np.ndarray] = []
    kept: list[int] = []
    for k in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[k])
        if area < MIN_COMPONENT:
            continue
        window = (slice(y, y + h), slice(x, x + w))
        mine = labels[window] == k
        if textmap[window][mine].max() < text_threshold:
            continue
        kept.append(k)
        grow = int(math.sqrt(area * min(w, h) / (w * h)) * 2)
        x0, y0 = max(x - grow, 0), max(y - grow, 0)
        x1, y1 = min(x + w + grow + 1, width), min(y + h + grow + 1, height)
        seg = np.zeros((y1 - y0, x1 - x0), np.uint8)
        inner = seg[y - y0:y - y0 + h, x - x0:x - x0 + w]
        inner[mine & ~link_only[window]] = 255
        seg = cv2.dilate(seg, cv2.getStructuringElement(cv2.MORPH_RECT, (1 + grow, 1 + grow)))
        rows, cols = np.nonzero(seg)
        points = np.stack([cols + x0, rows + y0], axis=1)
        box = cv2.boxPoints(cv2.minAreaRect(points))
        side_a = np.linalg.norm(box[0] - box[1])
        side_b = np.linalg.norm(box[1] - box[2])
        if abs(1 - max(side_a, side_b) / (min(side_a, side_b) + 1e-5)) <= 0.1:
            # a near-square rotated box: take the axis-aligned extent instead
            left, right = points[:, 0].min(), points[:, 0].max()
            top, bottom = points[:, 1].min(), points[:, 1].max()
            box = np.array([[left, top], [right, top], [right, bottom], [left, bottom]],
                           dtype=np.float32)
        start = int(box.sum(axis=1).argmin())
        boxes.append(np.roll(box, 4 - start, 0))
    return boxes, labels, kept


def _core(textmap, linkmap, text_threshold, link_threshold, low_text,
          estimate_num_chars=False, _original=None):
    if estimate_num_chars:   # EasyOCR's character-count mode: its own code
        return _original(textmap, linkmap, text_threshold, link_threshold, low_text, True)
    return word_boxes(textmap, linkmap, text_threshold, link_threshold, low_text)


# CRAFT's input normalisation (ImageNet's), in 0..255 units
_MEAN = (0.485 * 255.0, 0.456 * 255.0, 0.406 * 255.0)
_STD = (0.229 * 255.0, 0.224 * 255.0, 0.225 * 255.0)


def craft_input(image: np.ndarray, canvas_size: int, mag_ratio: float, device):
    """(CRAFT's input tensor on ``device``, the resize ratio) for an (H, W, 3) uint8 image:
    EasyOCR's resize, zero padding to multiples of 32 and normalisation, with the padding done
    on uint8 and the float arithmetic on ``device`` (on a GPU's host the float copies of the
    page were 16 ms of the encoder's OCR; tools/gpu/profile_ocr.py)."""
    import cv2
    import torch

    height, width = image.shape[:2]
    ratio = min(mag_ratio * max(height, width), canvas_size) / max(height, width)
    h, w = int(height * ratio), int(width * ratio)
    canvas = np.zeros((-(-h // 32) * 32, -(-w // 32) * 32, 3), np.uint8)
    canvas[:h, :w] = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
    x = torch.from_numpy(canvas).to(device).float()
    x = (x - torch.tensor(_MEAN, device=x.device)) / torch.tensor(_STD, device=x.device)
    return x.permute(2, 0, 1).unsqueeze(0).contiguous(), ratio


def _test_net(canvas_size, mag_ratio, net, image, text_threshold, link_threshold, low_text,
              poly, device, estimate_num_chars=False, _original=None):
    """EasyOCR's ``test_net`` (CRAFT on one page, then its boxes) with ``craft_input`` on a
    GPU; EasyOCR's own on the CPU and for batches of pages."""
    if str(device).startswith("cpu") or not (isinstance(image, np.ndarray) and image.ndim == 3):
        return _original(canvas_size, mag_ratio, net, image, text_threshold, link_threshold,
                         low_text, poly, device, estimate_num_chars)
    return craft_page(canvas_size, mag_ratio, net, image, text_threshold, link_threshold,
                      low_text, poly, device, estimate_num_chars)


def craft_page(canvas_size, mag_ratio, net, image, text_threshold, link_threshold, low_text,
               poly, device, estimate_num_chars=False):
    """``test_net``'s result for one page, its input made by ``craft_input`` on ``device``."""
    import torch
    from easyocr import craft_utils

    x, ratio = craft_input(image, canvas_size, mag_ratio, device)
    with torch.no_grad():
        y, _ = net(x)
    maps = y[0].float().cpu().numpy()
    boxes, polys, mapper = craft_utils.getDetBoxes(maps[:, :, 0], maps[:, :, 1], text_threshold,
                                                   link_threshold, low_text, poly,
                                                   estimate_num_chars)
    boxes = craft_utils.adjustResultCoordinates(boxes, 1 / ratio, 1 / ratio)
    polys = craft_utils.adjustResultCoordinates(polys, 1 / ratio, 1 / ratio)
    if estimate_num_chars:
        boxes, polys = list(boxes), list(polys)
    for k in range(len(polys)):
        if estimate_num_chars:
            boxes[k] = (boxes[k], mapper[k])
        if polys[k] is None:
            polys[k] = boxes[k]
    return [boxes], [polys]


@contextmanager
def installed():
    """Inside the ``with`` block EasyOCR's box extraction goes through ``word_boxes`` and, on
    a GPU, CRAFT's input is prepared there (``craft_input``)."""
    from easyocr import craft_utils, detection

    original_core, original_net = craft_utils.getDetBoxes_core, detection.test_net
    craft_utils.getDetBoxes_core = partial(_core, _original=original_core)
    detection.test_net = partial(_test_net, _original=original_net)
    try:
        yield
    finally:
        craft_utils.getDetBoxes_core, detection.test_net = original_core, original_net
