"""CRAFT's word boxes from its text and link maps, for all components at once.

EasyOCR turns CRAFT's two score maps into boxes one connected component at a time, and for
each one allocates, fills and scans a map the size of the whole page: on a 1280x720
screenshot with a few hundred components that bookkeeping, not the network, is the largest
share of the encoder's OCR time (0.56 s of 1.45 s on the H100's host, docs/benchmarks.md).

``word_boxes`` gives the same boxes, box for box (tests/test_ocr.py checks it on real maps
and on random ones cut by the page's edge): the per-component filters and extents are array
operations over all components, and ``cv2.minAreaRect`` gets a handful of hull points per
component instead of every pixel of its dilated mask (457 components on this 2-core CPU:
EasyOCR 240 ms, the earlier per-window version 17 ms, this one 4 ms). EasyOCR's detector
uses it inside ``with installed():``.
"""

from __future__ import annotations

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
    without its character-count estimate.

    EasyOCR dilates each component's text pixels with a square kernel and hands every pixel
    of the result to ``cv2.minAreaRect``, which keeps only their convex hull. That hull is the
    hull of the row ends of the text pixels moved by the kernel's four corners, so the work is
    done on those few points, for all components at once, with one ``minAreaRect`` per box.
    Where the kernel would reach past the page (the dilation is clipped there) a component
    takes the window path (``_window_box``) instead."""
    import cv2

    text_on = textmap > low_text
    link_on = linkmap > link_threshold
    joined = (text_on | link_on).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=4)
    height, width = textmap.shape
    # every component's pixels (flat indices), grouped by label in raster order
    flat = labels.ravel()
    on = np.flatnonzero(flat)
    lab = flat[on]
    order = np.argsort(lab, kind="stable")
    on, lab = on[order], lab[order]
    starts = np.searchsorted(lab, np.arange(1, count + 1))
    peak = np.full(count, -np.inf, np.float32)        # text score's maximum per component
    present = starts[:-1] < starts[1:]
    if present.any():
        peak[1:][present] = np.maximum.reduceat(textmap.ravel()[on], starts[:-1][present])
    x, y, w, h, area = (stats[:, i].astype(np.int64) for i in range(5))
    good = (area >= MIN_COMPONENT) & (peak >= text_threshold)
    good[0] = False                                   # the background
    kept = np.flatnonzero(good)
    if not len(kept):
        return [], labels, []
    grow = (np.sqrt(area[kept] * np.minimum(w[kept], h[kept]) / (w[kept] * h[kept])) * 2)
    size = 1 + grow.astype(np.int64)
    # cv2.dilate's centred anchor grows a set by size-1-size//2 up / left, size//2 down / right
    after = size // 2
    before = size - 1 - after
    # the text (not link-only) pixels of kept components; their row ends, per (label, row)
    mine = text_on.ravel()[on] & good[lab]
    pix, plab = on[mine], lab[mine]
    rows, cols = pix // width, pix % width
    key = plab * height + rows
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    last = np.r_[first[1:] - 1, len(key) - 1]
    slot = np.searchsorted(kept, plab[first])        # which kept component each row is of
    seg = np.searchsorted(slot, np.arange(len(kept)))
    seg_end = np.r_[seg[1:], len(slot)]
    x0 = np.minimum.reduceat(cols[first], seg) - before
    x1 = np.maximum.reduceat(cols[last], seg) + after
    y0 = rows[first][seg] - before
    y1 = rows[first][seg_end - 1] + after
    # each row end moved by the kernel's corners: the dilated component's hull points
    ends = np.concatenate([np.stack([cols[first], rows[first]], 1),
                           np.stack([cols[last], rows[last]], 1)])
    owner = np.concatenate([slot, slot])
    by_owner = np.argsort(owner, kind="stable")
    ends, owner = ends[by_owner], owner[by_owner]
    lo, hi = -before[owner][:, None], after[owner][:, None]
    points = np.stack([ends[:, :1] + np.concatenate([lo, hi, hi, lo], 1),
                       ends[:, 1:] + np.concatenate([lo, lo, hi, hi], 1)], -1)
    points = points.reshape(-1, 2).astype(np.int32)
    bounds = np.r_[0, np.cumsum(np.bincount(owner, minlength=len(kept)) * 4)]
    clipped = (x0 < 0) | (y0 < 0) | (x1 >= width) | (y1 >= height)
    boxes = np.empty((len(kept), 4, 2), np.float32)
    for i in range(len(kept)):
        if clipped[i]:
            boxes[i] = _window_box(int(kept[i]), stats, labels, text_on, int(size[i] - 1))
        else:
            boxes[i] = cv2.boxPoints(cv2.minAreaRect(points[bounds[i]:bounds[i + 1]]))
    # a near-square rotated box: take the axis-aligned extent instead (of the dilated
    # component as the page clips it)
    x0, y0 = np.maximum(x0, 0), np.maximum(y0, 0)
    x1, y1 = np.minimum(x1, width - 1), np.minimum(y1, height - 1)
    side_a = np.sqrt(((boxes[:, 0] - boxes[:, 1]) ** 2).sum(1))
    side_b = np.sqrt(((boxes[:, 1] - boxes[:, 2]) ** 2).sum(1))
    square = np.abs(1 - np.maximum(side_a, side_b) / (np.minimum(side_a, side_b) + 1e-5)) <= 0.1
    upright = np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1),
                        np.stack([x1, y1], 1), np.stack([x0, y1], 1)], 1)
    boxes[square] = upright[square]
    # clockwise from the corner nearest the origin
    first_corner = boxes.sum(axis=2).argmin(axis=1)
    turn = (np.arange(4)[None, :] + first_corner[:, None]) % 4
    boxes = np.take_along_axis(boxes, turn[..., None], axis=1)
    return list(boxes), labels, kept.tolist()


def _window_box(k: int, stats: np.ndarray, labels: np.ndarray, text_on: np.ndarray,
                grow: int) -> np.ndarray:
    """Component ``k``'s rotated box as EasyOCR computes it, on a window around the component:
    its text pixels, dilated (clipped by the page's edge), every pixel to ``cv2.minAreaRect``
    (the caller applies the near-square rule and the corner order)."""
    import cv2

    height, width = labels.shape
    x, y, w, h = (int(v) for v in stats[k, :4])
    window = (slice(y, y + h), slice(x, x + w))
    x0, y0 = max(x - grow, 0), max(y - grow, 0)
    x1, y1 = min(x + w + grow + 1, width), min(y + h + grow + 1, height)
    seg = np.zeros((y1 - y0, x1 - x0), np.uint8)
    inner = seg[y - y0:y - y0 + h, x - x0:x - x0 + w]
    inner[(labels[window] == k) & text_on[window]] = 255
    seg = cv2.dilate(seg, cv2.getStructuringElement(cv2.MORPH_RECT, (1 + grow, 1 + grow)))
    rows, cols = np.nonzero(seg)
    return cv2.boxPoints(cv2.minAreaRect(np.stack([cols + x0, rows + y0], axis=1)))


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
