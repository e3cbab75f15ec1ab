"""The frozen, differentiable english_g2 recognizer (VGG + BiLSTM + CTC, 97 classes).

It is the ``Recognize()`` of the text logit loss (Lai et al. 2024) and the OCR model of the
OCR loss (TFIC, Della Fiore et al. 2025). Gradients flow to the image, never to its weights.
cuDNN computes an LSTM backward only in training mode, so the module stays in train mode
with its BatchNorm and Dropout layers switched to eval.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from textcodec.ocr.reader import CHARSET, load_g2

NUM_CLASSES = len(CHARSET) + 1   # class 0 is the CTC blank
CROP_HEIGHT = 64
MAX_CROP_WIDTH = 512


class TextRecognizer(nn.Module):
    def __init__(self, weights: str | None = None):
        super().__init__()
        self.net = load_g2(weights)
        for p in self.parameters():
            p.requires_grad_(False)
        self.train()

    def train(self, mode: bool = True):
        super().train(mode)
        for m in self.modules():  # LSTMs stay trainable-mode for cuDNN; the rest is frozen
            if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d, nn.Dropout)):
                m.eval()
        return self

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        """(B, 1, 64, W) greyscale in [0, 1] -> logits (B, T, 97)."""
        return self.net((crops - 0.5) / 0.5, None)


def crop_words(images: torch.Tensor, boxes: torch.Tensor,
               max_width: int = MAX_CROP_WIDTH) -> torch.Tensor:
    """Differentiable crops of axis-aligned boxes, resized to 64 px high, greyscale.

    ``boxes`` is (K, 5): batch index, x0, y0, x1, y1 in pixels. All crops share the widest
    crop's width (aspect kept, capped); narrower ones repeat their last column, as EasyOCR
    pads. Bilinear sampling keeps gradients flowing to ``images``."""
    n, _, h, w = images.shape
    grey = (images * images.new_tensor([0.299, 0.587, 0.114])[None, :, None, None]).sum(1, True)
    bw = (boxes[:, 3] - boxes[:, 1]).clamp(min=1)
    bh = (boxes[:, 4] - boxes[:, 2]).clamp(min=1)
    widths = (CROP_HEIGHT * bw / bh).round().clamp(8, max_width)
    W = int(widths.max().item())
    j = torch.arange(W, device=images.device, dtype=images.dtype)[None, :] + 0.5
    i = torch.arange(CROP_HEIGHT, device=images.device, dtype=images.dtype)[None, :] + 0.5
    xs = boxes[:, 1:2] + torch.minimum(j / widths[:, None], torch.ones_like(j)) * bw[:, None]
    ys = boxes[:, 2:3] + i / CROP_HEIGHT * bh[:, None]
    gx = (xs / w) * 2 - 1                                   # (K, W)
    gy = (ys / h) * 2 - 1                                   # (K, 64)
    grid = torch.stack([gx[:, None, :].expand(-1, CROP_HEIGHT, -1),
                        gy[:, :, None].expand(-1, -1, W)], -1)
    src = grey[boxes[:, 0].long()]
    return F.grid_sample(src, grid, mode="bilinear", padding_mode="border", align_corners=False)


def encode_text(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """CTC targets: concatenated class indices and lengths; unknown characters are dropped."""
    index = {c: i + 1 for i, c in enumerate(CHARSET)}
    seqs = [[index[c] for c in t if c in index] for t in texts]
    return (torch.tensor([c for s in seqs for c in s], dtype=torch.long),
            torch.tensor([len(s) for s in seqs], dtype=torch.long))


def greedy_decode(logits: torch.Tensor) -> list[str]:
    """Best-path CTC decoding: collapse repeats, drop blanks."""
    out = []
    for seq in logits.argmax(-1).tolist():
        chars, prev = [], 0
        for k in seq:
            if k != prev and k != 0:
                chars.append(CHARSET[k - 1])
            prev = k
        out.append("".join(chars))
    return out
