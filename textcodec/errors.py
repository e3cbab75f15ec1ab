"""One error family for everything a user can get wrong or a file can have wrong.

Every error carries a message a person can act on; container errors also carry the byte
offset where the problem was found. The CLI turns any ``TextcodecError`` into one line on
stderr and exit code 1.
"""

from __future__ import annotations


class TextcodecError(Exception):
    """Base class of every error textcodec raises on purpose."""


class InputError(TextcodecError):
    """An input path or image that cannot be used (missing, unreadable, not an image)."""


class OutputError(TextcodecError):
    """An output that cannot be written (exists without --force, unwritable folder)."""


class ContainerError(TextcodecError):
    """A .tlc file that is truncated, corrupted, foreign or of an unsupported version."""

    def __init__(self, message: str, offset: int | None = None):
        self.offset = offset
        where = f" (at byte {offset})" if offset is not None else ""
        super().__init__(f"{message}{where}")


class SideStreamError(ContainerError):
    """An OCR side stream that does not decode or exceeds its size bound."""


class ModelError(TextcodecError):
    """An unknown model, a checkpoint that fails verification, or a failed download."""


class RateControlError(TextcodecError):
    """A target size or bpp that no rate setting of the model can meet."""
