import pytest
from hypothesis import given
from hypothesis import strategies as st

from textcodec.errors import ContainerError
from textcodec.varint import read_uvarint, unzigzag, write_uvarint, zigzag


@given(st.integers(min_value=0, max_value=2**63))
def test_uvarint_round_trips(v):
    data = write_uvarint(v)
    assert read_uvarint(data, 0) == (v, len(data))


def test_uvarint_small_values_take_one_byte():
    assert write_uvarint(0) == b"\x00" and write_uvarint(127) == b"\x7f"
    assert write_uvarint(128) == b"\x80\x01"


@given(st.integers(min_value=-2**40, max_value=2**40))
def test_zigzag_round_trips(v):
    assert unzigzag(zigzag(v)) == v and zigzag(v) >= 0


def test_overlong_varint_is_a_container_error():
    with pytest.raises(ContainerError, match="longer than"):
        read_uvarint(b"\xff" * 11, 0)


def test_truncated_varint_names_its_offset():
    with pytest.raises(ContainerError, match="at byte 2"):
        read_uvarint(b"\x00\x00\x80", 2)
