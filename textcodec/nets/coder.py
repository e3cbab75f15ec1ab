"""Entropy coding of integer latents with frozen CDF tables.

Two coders read the same tables (CompressAI's 16-bit quantised CDFs, stored in every
checkpoint), so one model writes either stream:

- ``RANS16`` (the default since format 1.1): textcodec's rANS in C (``textcodec/_rans.c``),
  fed straight from int32 buffers. No Python object per symbol: a 720p latent
  (~700k symbols) codes in milliseconds.
- ``COMPRESSAI``: CompressAI's ``RansEncoder``/``RansDecoder`` with Python lists, kept to
  read 1.0 files.
"""

from __future__ import annotations

import array
import functools

import numpy as np
import torch

from textcodec import _rans
from textcodec.container import EntropyCoder


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
               coder: EntropyCoder = EntropyCoder.RANS16) -> bytes:
        sym = _int32_array(symbols)
        idx = _int32_array(indexes)
        if coder == EntropyCoder.RANS16:
            return _rans.encode(sym, idx, *self._tables())
        from compressai.ans import RansEncoder

        return RansEncoder().encode_with_indexes(sym.tolist(), idx.tolist(), *self._lists)

    def decode(self, data: bytes, indexes: torch.Tensor,
               coder: EntropyCoder = EntropyCoder.RANS16) -> torch.Tensor:
        """The symbols as a flat int32 CPU tensor. A damaged stream raises ValueError."""
        idx = _int32_array(indexes)
        if coder == EntropyCoder.RANS16:
            out = np.empty(idx.shape, np.int32)
            _rans.decode(data, idx, *self._tables(), out)
            return torch.from_numpy(out)
        from compressai.ans import RansDecoder

        values = RansDecoder().decode_with_indexes(data, idx.tolist(), *self._lists)
        if not values:
            return torch.zeros(0, dtype=torch.int32)
        return torch.frombuffer(array.array("i", values), dtype=torch.int32)


def _int32_array(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().cpu().reshape(-1).numpy(), np.int32)
