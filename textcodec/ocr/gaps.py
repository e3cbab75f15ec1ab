"""Words the light pipeline's detector missed in a line it found.

The student detector (textcodec/ocr/student.py) misses some words that CRAFT finds, nearly all
of them in lines it did find: in a web page's code block, a monospaced word between two it
boxed, or the first or last of its line (tools/detector_recall.py: on the bench's web pages 15
of 445 words 12-16 px tall; CRAFT missed none). A word no box holds is never sent. Here the
page's ink decides: along each line of level boxes, the runs of ink in the gaps between them
and just past their ends, of a word's height, become boxes of their own, read as any other
(and filtered and cross-checked by what follows the reading, as any other).
"""

from __future__ import annotations

import numpy as np

LINE_Y = 0.3       # of a box's height: boxes whose centres lie closer share a line ...
LINE_H = 1.4       # ... where their heights differ by at most this factor
CORE = 0.3         # of the band's height, cut off above and below: a neighbour line's slivers
INK = 0.35         # of the band's range (paper to darkest ink): a pixel that far from paper
MIN_CONTRAST = 40  # grey levels: a band whose pixels lie all nearer its paper is blank
WORD_GAP = 1.0     # of the line's height: blank columns that part two phrases
REACH = 1.5        # ... and the most a line's end may lie from the ink past it
MIN_WIDTH = 0.5    # of the line's height: the least width of an ink run kept
MIN_INK = 0.35     # ... and the least height of its ink (a rule or a dot is not a word)
PAD = 0.15         # of the line's height: each new box's margin left and right
END_SPAN = 12      # of the line's height: how far past a line's ends to look (a long phrase)


def _lines(level: list) -> list[list[int]]:
    """The indices of the level boxes ([x0, x1, y0, y1]), grouped into lines, each by x."""
    order = sorted(range(len(level)), key=lambda i: (level[i][2] + level[i][3]) / 2)
    lines: list[list[int]] = []
    for i in order:
        x0, x1, y0, y1 = level[i]
        h, cy = y1 - y0, (y0 + y1) / 2
        for line in lines:
            j = line[-1]
            hj, cj = level[j][3] - level[j][2], (level[j][2] + level[j][3]) / 2
            if abs(cy - cj) < LINE_Y * max(h, hj) and max(h, hj) <= LINE_H * max(1, min(h, hj)):
                line.append(i)
                break
        else:
            lines.append([i])
    return [sorted(line, key=lambda i: level[i][0]) for line in lines]


def _runs(ink_cols: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True columns, runs parted by fewer than ``gap`` blank
    columns joined."""
    cols = np.flatnonzero(ink_cols)
    if not len(cols):
        return []
    runs = [[int(cols[0]), int(cols[0]) + 1]]
    for c in cols[1:]:
        if c - runs[-1][1] < gap:
            runs[-1][1] = int(c) + 1
        else:
            runs.append([int(c), int(c) + 1])
    return [(a, b) for a, b in runs]


def _ink(grey: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> tuple[np.ndarray, np.ndarray]:
    """(ink mask of the band rows y0:y1, columns x0:x1, its core rows' ink columns)."""
    band = grey[y0:y1, x0:x1].astype(np.float32)
    paper = float(np.median(band))
    spread = float(np.abs(band - paper).max()) if band.size else 0.0
    if spread < MIN_CONTRAST:
        return np.zeros(band.shape, bool), np.zeros(band.shape[1], bool)
    ink = np.abs(band - paper) > INK * spread
    cut = int(CORE * (y1 - y0))
    return ink, ink[cut:max(cut + 1, (y1 - y0) - cut)].any(0)


def fill_gaps(grey: np.ndarray, level: list, free: list) -> list:
    """The level boxes ([x0, x1, y0, y1], EasyOCR's order of sides) with boxes added for the
    ink runs of a word's size in the gaps of each line and just past its ends; ``free``
    (sloping quads) boxes are left as they are but no new box overlaps one. ``grey``: the
    page's grey (H, W) uint8."""
    H, W = grey.shape
    taken = [(b[0], b[1], b[2], b[3]) for b in level]
    for q in free:
        xs, ys = [p[0] for p in q], [p[1] for p in q]
        taken.append((min(xs), max(xs), min(ys), max(ys)))
    added = []
    for line in _lines(level):
        boxes = [level[i] for i in line]
        y0 = int(round(np.median([b[2] for b in boxes])))
        y1 = int(round(np.median([b[3] for b in boxes])))
        y0, y1 = max(0, y0), min(H, y1)
        h = y1 - y0
        if h < 6:
            continue
        # the spans to look in: before the first box, between boxes, after the last
        far = int(END_SPAN * h)
        spans = [(boxes[0][0] - far, boxes[0][0], "left")]
        spans += [(a[1], b[0], "between") for a, b in zip(boxes, boxes[1:])]
        spans.append((boxes[-1][1], boxes[-1][1] + far, "right"))
        for s0, s1, where in spans:
            s0, s1 = max(0, int(s0)), min(W, int(s1))
            if s1 - s0 < MIN_WIDTH * h:
                continue
            ink, cols = _ink(grey, y0, y1, s0, s1)
            runs = _runs(cols, WORD_GAP * h)
            if where == "left":       # only the runs that reach the line: none far off
                runs = _chain(runs[::-1], s1 - s0, h, reverse=True)[::-1]
            elif where == "right":
                runs = _chain(runs, 0, h)
            for a, b in runs:
                rows = np.flatnonzero(ink[:, a:b].any(1))
                if b - a < MIN_WIDTH * h or not len(rows) or \
                        rows[-1] + 1 - rows[0] < MIN_INK * h:
                    continue
                pad = max(1, int(round(PAD * h)))
                box = [s0 + a - pad, s0 + b + pad, y0, y1]
                box[0], box[1] = max(0, box[0]), min(W, box[1])
                if not any(_overlap(box, t) for t in taken):
                    added.append(box)
                    taken.append(tuple(box))
    return list(level) + added


def _chain(runs: list[tuple[int, int]], edge: int, h: int,
           reverse: bool = False) -> list[tuple[int, int]]:
    """The runs that follow one another from the line's end at ``edge`` (columns of the
    span) with no blank wider than REACH of the line's height between them."""
    out, at = [], edge
    for a, b in runs:
        blank = (at - b) if reverse else (a - at)
        if blank > REACH * h:
            break
        out.append((a, b))
        at = a if reverse else b
    return out


def _overlap(box, other) -> bool:
    """Whether two [x0, x1, y0, y1] boxes overlap by more than a fifth of the smaller's
    width (across the same rows)."""
    ox = min(box[1], other[1]) - max(box[0], other[0])
    oy = min(box[3], other[3]) - max(box[2], other[2])
    if ox <= 0 or oy <= 0:
        return False
    return ox > 0.2 * min(box[1] - box[0], other[1] - other[0])
