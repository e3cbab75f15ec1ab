"""A small text detector distilled from CRAFT, for CPUs where CRAFT is the encode's cost.

CRAFT (EasyOCR's detector) is a VGG16 U-Net: 0.67 TFLOP over a 1280x736 page, 2.3 s in int8
on an AVX2-only 2-core CPU, most of the 3 s the encode may take there (docs/benchmarks.md).
``StudentDetector`` computes the same two maps (CRAFT's character region score and its
affinity score, at half the input's resolution) with a U-Net of a few depthwise-separable
layers, ~1/50 of CRAFT's work. It is trained on CRAFT's own maps of the training pages
(tools/distill_detector.py, on the GPU), so EasyOCR's thresholds and box extraction
(textcodec/ocr/craftboxes.py) apply to its maps unchanged. It is called as EasyOCR calls
CRAFT: ``net(x) -> (maps, None)``, ``x`` the normalised image (N, 3, H, W), H and W multiples
of 32, ``maps`` (N, H/2, W/2, 2).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from textcodec.errors import ModelError

WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "detector-student.pt"
# (channels at 1/2, 1/4, 1/8, 1/16, 1/32 of the input)
WIDTHS = (16, 32, 64, 96, 128)


def _separable(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """3x3 depthwise then 1x1 pointwise, each with BatchNorm and ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
        nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class StudentDetector(nn.Module):
    """Encoder to 1/32, decoder back to 1/2 with skips; two sigmoid maps out (as CRAFT's
    scores lie in [0, 1])."""

    def __init__(self, widths: tuple[int, ...] = WIDTHS):
        super().__init__()
        w = widths
        self.stem = nn.Sequential(nn.Conv2d(3, w[0], 3, 2, 1, bias=False),
                                  nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True),
                                  _separable(w[0], w[0]))
        self.down = nn.ModuleList(
            nn.Sequential(_separable(w[i], w[i + 1], 2), _separable(w[i + 1], w[i + 1]))
            for i in range(len(w) - 1))
        self.up = nn.ModuleList(
            _separable(w[i + 1] + w[i], w[i]) for i in reversed(range(len(w) - 1)))
        self.head = nn.Sequential(_separable(w[0], w[0]), nn.Conv2d(w[0], 2, 1))
        self.widths = tuple(widths)

    def forward(self, x: torch.Tensor):
        skips = [self.stem(x)]
        for block in self.down:
            skips.append(block(skips[-1]))
        y = skips.pop()
        for block in self.up:
            skip = skips.pop()
            y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = block(torch.cat([y, skip], 1))
        return torch.sigmoid(self.head(y)).permute(0, 2, 3, 1), None


def load(path: Path | str = WEIGHTS, device: str = "cpu") -> StudentDetector:
    """The shipped (or given) student, in eval mode."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no distilled detector at {path} (tools/distill_detector.py)")
    state = torch.load(path, map_location="cpu", weights_only=True)
    net = StudentDetector(tuple(state.get("widths", WIDTHS)))
    net.load_state_dict(state["weights"])
    return net.to(device).eval()
