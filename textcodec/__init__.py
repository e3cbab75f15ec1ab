"""textcodec: learned image compression that keeps small text readable at ultra-low bitrates.

    import textcodec
    data = textcodec.encode("shot.png", quality=2)      # -> .tlc bytes
    image = textcodec.decode(data)                       # -> PIL.Image
    words = textcodec.text_layer(data)                   # the OCR side stream

Importing textcodec imports no torch; the first encode/decode does.
"""

from __future__ import annotations

from textcodec.errors import (ContainerError, InputError, ModelError, OutputError,
                              RateControlError, SideStreamError, TextcodecError)

__version__ = "0.1.0"

__all__ = ["encode", "decode", "text_layer", "encode_image", "TextcodecError", "InputError",
           "OutputError", "ContainerError", "SideStreamError", "ModelError", "RateControlError"]


def encode(image, **kwargs) -> bytes:
    """Encode an image (path, PIL image or uint8 array) to .tlc bytes. See codec.encode_image."""
    from textcodec.codec import encode as _encode

    return _encode(image, **kwargs)


def encode_image(image, **kwargs):
    from textcodec.codec import encode_image as _encode_image

    return _encode_image(image, **kwargs)


def decode(data_or_path, **kwargs):
    """Decode .tlc bytes or a path to a PIL image."""
    from textcodec.codec import decode as _decode

    return _decode(data_or_path, **kwargs)


def text_layer(data_or_path):
    """The words (with boxes) a .tlc file carries; no OCR runs."""
    from textcodec.codec import text_layer as _text_layer

    return _text_layer(data_or_path)
