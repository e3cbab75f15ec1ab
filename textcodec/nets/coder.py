"""Entropy coding of integer latents with frozen CDF tables.

Two coders read the same tables (CompressAI's 16-bit quantised CDFs, stored in every
checkpoint), so one model writes either stream:

- ``RANS16`` (the default since format 1.1): textcodec's rANS in C (``textcodec/_rans.c``),
  fed straight from int32 buffers. No Python object per symbol: a 720p latent
  (~700k symbols) codes in milliseconds.
- ``RANS16_LANES`` (the default since format 1.2): the same coder over consecutive slices of
  the symbols ("lanes"), each its own stream, so that several cores decode one latent side by
  side (the C coder runs without the GIL). Lanes cost ~7 bytes each, so only streams of some
  size are cut (``lane_count``).
- ``COMPRESSAI``: CompressAI's ``RansEncoder``/``RansDecoder`` with Python lists, kept to
  read 1.0 files.
"""

from __future__ import annotations

import array
import concurrent.futures
import functools
import os

import numpy as np
import torch

from textcodec import _rans
from textcodec.container import EntropyCoder
from textcodec.errors import ContainerError
from textcodec.varint import read_uvarint, write_uvarint

MAX_LANES = 8               # the most lanes a writer makes and a reader accepts
MIN_LANE_SYMBOLS = 32768    # a lane codes at least this many symbols ...
MIN_LANE_BYTES = 2048       # ... and at least this many bytes: lanes add <= 0.35 % to a stream


def lane_count(symbols: int, single_lane_bytes: int) -> int:
    """How many lanes a writer cuts a stream into: as many as the cores can use (up to
    MAX_LANES) while each lane keeps MIN_LANE_SYMBOLS symbols and MIN_LANE_BYTES bytes.
    Ultra-low-rate files stay one lane: there, every byte counts more than a millisecond."""
    return max(1, min(MAX_LANES, symbols // MIN_LANE_SYMBOLS,
                      single_lane_bytes // MIN_LANE_BYTES))


def lane_bounds(symbols: int, lanes: int) -> list[tuple[int, int]]:
    """Lane i codes symbols [i * n // L, (i + 1) * n // L) of the flat (C, H, W) order."""
    cuts = [i * symbols // lanes for i in range(lanes + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


@functools.cache
def _pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(
        max_workers=min(MAX_LANES, os.cpu_count() or 1), thread_name_prefix="textcodec-rans")


def _run_all(jobs: list) -> list:
    """Runs the zero-argument callables, on the pool when there are several and several cores."""
    if len(jobs) == 1 or (os.cpu_count() or 1) == 1:
        return [job() for job in jobs]
    return [f.result() for f in [_pool().submit(job) for job in jobs]]


class TableCoder:
    """One set of tables: ``cdf`` (T, L) int32 rows of 16-bit CDFs, ``cdf_len`` (T,) the used
    length of each row (the last symbol is the escape), ``offset`` (T,) the value of symbol 0."""

    def __init__(self, cdf: torch.Tensor, cdf_len: torch.Tensor, offset: torch.Tensor):
        self.cdf = np.ascontiguousarray(cdf.cpu().numpy(), np.int32)
        self.cdf_len = np.ascontiguousarray(cdf_len.cpu().numpy().reshape(-1), np.int32)
        self.offset = np.ascontiguousarray(offset.cpu().numpy().reshape(-1), np.int32)
        self.stride = self.cdf.shape[1]

    def _tables(self) -> tuple:
        return self.cdf, self.cdf_len, self.offset, self.stride

    @functools.cached_property
    def _lists(self) -> tuple:
        """The tables as CompressAI's coder takes them (only 1.0 files need it)."""
        return self.cdf.tolist(), self.cdf_len.tolist(), self.offset.tolist()

    def encode(self, symbols: torch.Tensor, indexes: torch.Tensor,
               coder: EntropyCoder = EntropyCoder.RANS16_LANES) -> bytes:
        sym = _int32_array(symbols)
        idx = _int32_array(indexes)
        if coder == EntropyCoder.RANS16:
            return _rans.encode(sym, idx, *self._tables())
        if coder == EntropyCoder.RANS16_LANES:
            return self._encode_lanes(sym, idx)
        from compressai.ans import RansEncoder

        return RansEncoder().encode_with_indexes(sym.tolist(), idx.tolist(), *self._lists)

    def decode(self, data: bytes, indexes: torch.Tensor,
               coder: EntropyCoder = EntropyCoder.RANS16_LANES) -> torch.Tensor:
        """The symbols as a flat int32 CPU tensor. A damaged stream raises ValueError."""
        idx = _int32_array(indexes)
        if coder == EntropyCoder.RANS16:
            out = np.empty(idx.shape, np.int32)
            _rans.decode(data, idx, *self._tables(), out)
            return torch.from_numpy(out)
        if coder == EntropyCoder.RANS16_LANES:
            return torch.from_numpy(self._decode_lanes(data, idx))
        from compressai.ans import RansDecoder

        values = RansDecoder().decode_with_indexes(data, idx.tolist(), *self._lists)
        if not values:
            return torch.zeros(0, dtype=torch.int32)
        return torch.frombuffer(array.array("i", values), dtype=torch.int32)

    def _encode_lanes(self, sym: np.ndarray, idx: np.ndarray) -> bytes:
        """uvarint L | L-1 uvarint lane sizes (the last lane takes the rest) | the lanes, each
        a coder-1 stream of its slice of the symbols (docs/format.md). The one-lane stream is
        coded first: its size decides the lane count (and it is the answer for one lane)."""
        single = _rans.encode(sym, idx, *self._tables())
        lanes = lane_count(len(sym), len(single))
        if lanes == 1:
            return write_uvarint(1) + single
        parts = _run_all([functools.partial(_rans.encode, sym[a:b], idx[a:b], *self._tables())
                          for a, b in lane_bounds(len(sym), lanes)])
        return b"".join([write_uvarint(lanes), *(write_uvarint(len(q)) for q in parts[:-1]),
                         *parts])

    def _decode_lanes(self, data: bytes, idx: np.ndarray) -> np.ndarray:
        view = memoryview(data)
        lanes, pos = _lane_uvarint(view, 0)
        if not 1 <= lanes <= min(MAX_LANES, max(1, len(idx))):
            raise _rans.StreamError(f"latent stream claims {lanes} lanes "
                                    f"(1 to {min(MAX_LANES, max(1, len(idx)))} allowed)")
        sizes = []
        for _ in range(lanes - 1):
            size, pos = _lane_uvarint(view, pos)
            sizes.append(size)
        if sum(sizes) > len(view) - pos:
            raise _rans.StreamError("latent stream truncated (lane sizes exceed the stream)")
        sizes.append(len(view) - pos - sum(sizes))
        out = np.empty(idx.shape, np.int32)
        jobs, start = [], pos
        for (a, b), size in zip(lane_bounds(len(idx), lanes), sizes):
            jobs.append(functools.partial(_rans.decode, view[start:start + size], idx[a:b],
                                          *self._tables(), out[a:b]))
            start += size
        _run_all(jobs)
        return out


def _lane_uvarint(view: memoryview, pos: int) -> tuple[int, int]:
    try:
        return read_uvarint(view, pos, "lane header")
    except ContainerError as e:
        raise _rans.StreamError(f"latent stream: {e}") from None


def _int32_array(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().cpu().reshape(-1).numpy(), np.int32)
