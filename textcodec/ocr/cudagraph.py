"""english_g2 replayed from CUDA graphs on a GPU.

On the H100 the recognizer's cost is not arithmetic: its BiLSTM runs one small step per output
frame, each a few kernel launches, so a 768-px-wide batch launches ~1,500 kernels, and the
host spends ~3x longer launching them than the GPU spends running them (tools/gpu/
profile_ocr.py, docs/benchmarks.md). A CUDA graph records the launches of one input shape
once and replays them in one call. Shapes are few: the bucketed reader pads widths to a
handful of ``width_bucket`` values, and batches are padded here to one of ``BATCHES`` rows
(rows are independent in eval mode: BatchNorm uses its running statistics, and every row
has its own LSTM state).

A shape is recorded the ``RECORD_AFTER``-th time it is met and replayed after that, so a
process that reads one page (the CLI) pays no recording; one that reads many (a bench, a
server) records each shape once.
"""

from __future__ import annotations

import threading

import torch

BATCHES = (8, 32, 64, 128)
RECORD_AFTER = 2
# Held while a shape is recorded. A capture forbids CUDA calls that could break it
# (allocations, synchronisations) from every thread of the process, so GPU work that runs
# beside the OCR in another thread (the codec's half of an encode, codec.encode_image) holds
# it too, and the two never overlap.
CAPTURE_LOCK = threading.Lock()


def _weights_stay() -> None:
    """flatten_parameters for an LSTM whose weights are already one flat buffer."""


class GraphedRecognizer(torch.nn.Module):
    """A recognizer called as EasyOCR calls it, ``net(images, text)``, that replays a CUDA
    graph per (rows, height, width) where it can and runs ``net`` itself otherwise (on the
    CPU, in training, for batches wider than ``BATCHES``)."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        # EasyOCR wraps its networks in DataParallel on a GPU: one device needs none of it
        self.net = net.module if isinstance(net, torch.nn.DataParallel) else net
        # EasyOCR's BiLSTM calls flatten_parameters() in every forward, which copies the LSTM's
        # weights into a new buffer: a recorded graph would then read the freed old one. The
        # weights are flattened once here and stay where they are.
        for m in self.net.modules():
            if isinstance(m, torch.nn.RNNBase):
                m.flatten_parameters()
                m.flatten_parameters = _weights_stay
        self._seen: dict[tuple, int] = {}
        self._graphs: dict[tuple, tuple] = {}
        self._pool = None

    def forward(self, images: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        rows = images.shape[0]
        if (self.training or not images.is_cuda or torch.is_grad_enabled()
                or rows > BATCHES[-1]):
            return self.net(images, text)
        padded = next(b for b in BATCHES if b >= rows)
        key = (padded, *images.shape[1:], images.dtype)
        entry = self._graphs.get(key)
        if entry is None:
            self._seen[key] = self._seen.get(key, 0) + 1
            if self._seen[key] < RECORD_AFTER:
                return self.net(images, text)
            with CAPTURE_LOCK:
                entry = self._graphs[key] = self._record(key, images.device)
        static_in, static_out, graph = entry
        static_in[:rows].copy_(images)
        if rows < padded:
            static_in[rows:].zero_()
        graph.replay()
        return static_out[:rows].clone()

    def _record(self, key: tuple, device: torch.device) -> tuple:
        padded, *shape, dtype = key
        static_in = torch.zeros(padded, *shape, dtype=dtype, device=device)
        text = torch.zeros(padded, 1, dtype=torch.long, device=device)
        side = torch.cuda.Stream(device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):      # warm-up off the default stream, as capture wants
            for _ in range(2):
                self.net(static_in, text)
        torch.cuda.current_stream(device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph, pool=self._pool):
            static_out = self.net(static_in, text)
        self._pool = graph.pool()
        return static_in, static_out, graph

    @property
    def recorded(self) -> int:
        """How many shapes replay from a graph."""
        return len(self._graphs)
