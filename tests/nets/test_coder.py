"""textcodec's rANS coder (textcodec/_rans.c) against the shipped checkpoint's tables."""

import json
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textcodec.checkpoint import load_release
from textcodec.container import EntropyCoder
from textcodec.nets.coder import MAX_LANES, TableCoder, lane_count

MODELS = Path(__file__).parents[2] / "models"
# the shipped baseline's real tables (any shipped checkpoint would do)
_MANIFEST = json.loads((MODELS / "manifest.json").read_text())
MODEL = MODELS / _MANIFEST["models"][_MANIFEST["baseline"]]["file"]


@pytest.fixture(scope="module")
def coders():
    model, _ = load_release(MODEL)
    return model._coders


def latent_like(coder: TableCoder, n: int, seed: int, spread: float = 1.0):
    """Symbols as a latent looks: mostly near 0 for small-scale tables, some far outside
    every table (escapes, both signs)."""
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, len(coder.cdf_len), (n,), generator=g, dtype=torch.int32)
    sym = (torch.randn(n, generator=g) * spread * (1 + idx.float() / 8)).round().int()
    far = torch.rand(n, generator=g) < 0.002
    sym[far] = torch.randint(-40000, 40000, (int(far.sum()),), generator=g, dtype=torch.int32)
    return sym, idx


@pytest.mark.parametrize("which", ["z", "y"])
@pytest.mark.parametrize("n", [0, 1, 7, 20000])
def test_round_trip_is_exact_with_escapes(coders, which, n):
    c = coders[which]
    sym, idx = latent_like(c, n, seed=n)
    if which == "z":   # the hyper-latent: one table per channel
        idx = torch.arange(n, dtype=torch.int32) % len(c.cdf_len)
    data = c.encode(sym, idx)
    assert torch.equal(c.decode(data, idx), sym)


def test_size_matches_compressai_on_the_same_symbols(coders):
    """Same tables, same information: within 0.5 % + a few bytes of CompressAI's stream."""
    y = coders["y"]
    sym, idx = latent_like(y, 50000, seed=1, spread=0.7)
    ours = len(y.encode(sym, idx))
    theirs = len(y.encode(sym, idx, EntropyCoder.COMPRESSAI))
    assert abs(ours - theirs) <= 0.005 * theirs + 8, (ours, theirs)
    assert torch.equal(y.decode(y.encode(sym, idx, EntropyCoder.COMPRESSAI), idx,
                                EntropyCoder.COMPRESSAI), sym)


def test_damaged_streams_are_errors_not_wrong_numbers(coders):
    y = coders["y"]
    sym, idx = latent_like(y, 3000, seed=2)
    data = y.encode(sym, idx)
    for bad in (data[:-2], data[:-1], data + b"\0\0", data[:3]):
        with pytest.raises(ValueError):
            y.decode(bad, idx)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    with pytest.raises(ValueError):
        y.decode(bytes(flipped), idx)
    with pytest.raises(ValueError, match="table index"):
        y.decode(data, torch.full_like(idx, 10_000))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200), st.integers(0, 300))
def test_decoding_arbitrary_bytes_raises_only_value_error(coders, junk, n):
    y = coders["y"]
    idx = torch.arange(n, dtype=torch.int32) % len(y.cdf_len)
    try:
        y.decode(junk, idx)
    except ValueError:
        pass


def test_tables_that_are_not_16_bit_cdfs_are_refused():
    cdf = torch.tensor([[0, 100, 65536, 0]], dtype=torch.int32)
    good = TableCoder(cdf, torch.tensor([3]), torch.tensor([0]))
    assert torch.equal(good.decode(good.encode(torch.tensor([0, 5, -3]),
                                               torch.zeros(3, dtype=torch.int32)),
                                   torch.zeros(3, dtype=torch.int32)), torch.tensor([0, 5, -3]))
    for rows, length in (([[0, 100, 60000, 0]], 3), ([[0, 0, 65536, 0]], 3),
                         ([[0, 100, 65536, 0]], 5), ([[1, 100, 65536, 0]], 3)):
        bad = TableCoder(torch.tensor(rows, dtype=torch.int32), torch.tensor([length]),
                         torch.tensor([0]))
        with pytest.raises(ValueError, match="rANS table"):
            bad.encode(torch.tensor([0]), torch.zeros(1, dtype=torch.int32))


def test_lane_count_keeps_small_and_ultra_low_rate_streams_in_one_lane():
    assert lane_count(737_280, 66_000) == MAX_LANES   # a 720p latent at a middle rate
    assert lane_count(737_280, 1_200) == 1            # the same latent at ~0.01 bpp
    assert lane_count(737_280, 5_000) == 2
    assert lane_count(20_000, 100_000) == 1           # too few symbols to share out


def test_long_streams_code_in_lanes_that_decode_to_the_same_symbols(coders):
    y = coders["y"]
    sym, idx = latent_like(y, 300_000, seed=3, spread=3.0)
    one = y.encode(sym, idx, EntropyCoder.RANS16)
    laned = y.encode(sym, idx, EntropyCoder.RANS16_LANES)
    lanes = laned[0]
    assert lanes == lane_count(len(sym), len(one)) > 1
    assert len(one) < len(laned) <= len(one) + 8 * lanes     # a few bytes a lane
    assert torch.equal(y.decode(laned, idx, EntropyCoder.RANS16_LANES), sym)
    assert torch.equal(y.decode(one, idx, EntropyCoder.RANS16), sym)


def test_damaged_lane_headers_are_errors(coders):
    y = coders["y"]
    sym, idx = latent_like(y, 300_000, seed=4, spread=3.0)
    data = y.encode(sym, idx)
    lanes = data[0]
    assert lanes > 1
    body = data[1:]
    first, n = _rans_uvarint(body)
    bad = [bytes([0]) + body,                                  # no lanes
           bytes([MAX_LANES + 1]) + body,                      # more lanes than allowed
           data[:1 + n // 2] if n > 1 else data[:1],           # sizes cut off
           bytes([lanes, 0xff, 0xff, 0xff, 0x7f]) + body[n:],  # first lane past the end
           bytes([lanes]) + _uvarint(first + 1) + body[n:],    # lanes shifted by a byte
           bytes([1]) + body]                                  # the lane sizes read as words
    for b in bad:
        with pytest.raises(ValueError):
            y.decode(b, idx)
    with pytest.raises(ValueError, match="lanes"):
        y.decode(bytes([2]), torch.zeros(1, dtype=torch.int32))   # 2 lanes for 1 symbol


def _uvarint(v: int) -> bytes:
    from textcodec.varint import write_uvarint

    return write_uvarint(v)


def _rans_uvarint(b: bytes) -> tuple[int, int]:
    from textcodec.varint import read_uvarint

    return read_uvarint(b, 0)
