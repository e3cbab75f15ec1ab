"""Unsigned LEB128 and zigzag integers, the variable-length integers of the .tlc format."""

from __future__ import annotations

from textcodec.errors import ContainerError

MAX_VARINT_BYTES = 10  # enough for any 64-bit value; a longer run is a corrupt file


def write_uvarint(value: int) -> bytes:
    """Encode a non-negative integer as ULEB128 (7 bits a byte, high bit = more)."""
    if value < 0:
        raise ValueError(f"uvarint needs a non-negative value, got {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_uvarint(data: bytes | memoryview, pos: int, what: str = "integer") -> tuple[int, int]:
    """Decode a ULEB128 integer at ``pos``; return (value, next position)."""
    value = 0
    shift = 0
    start = pos
    for _ in range(MAX_VARINT_BYTES):
        if pos >= len(data):
            raise ContainerError(f"truncated file: {what} runs past the end", start)
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ContainerError(f"malformed {what}: variable-length integer longer than "
                         f"{MAX_VARINT_BYTES} bytes", start)


def zigzag(value: int) -> int:
    """Map signed to unsigned so small magnitudes stay short: 0,-1,1,-2 -> 0,1,2,3."""
    return (value << 1) if value >= 0 else ((-value << 1) - 1)


def unzigzag(value: int) -> int:
    return (value >> 1) if not value & 1 else -((value + 1) >> 1)
