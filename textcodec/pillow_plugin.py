"""``PIL.Image.open("x.tlc")`` after ``import textcodec.pillow_plugin``.

Opening reads only the header (size and mode, no torch); pixels are decoded on ``load()``.
"""

from __future__ import annotations

from PIL import Image, ImageFile

from textcodec import container
from textcodec.container import ImageMode


class TlcImageFile(ImageFile.ImageFile):
    format = "TLC"
    format_description = "textcodec learned image file"

    def _open(self):
        data = self.fp.read()
        if not container.looks_like_tlc(data):
            raise SyntaxError("not a .tlc file")
        f = container.read(data)
        self._tlc_data = data
        self._size = (f.header.width, f.header.height)
        self._mode = "L" if f.header.mode is ImageMode.L else "RGB"
        self.tile = []
        self.info["model"] = f.header.model_id
        self.info["quality"] = f.header.quality

    def load(self):
        if self._im is None:
            from textcodec.codec import decode

            img = decode(self._tlc_data)
            self.im = img.im
        return Image.Image.load(self)


def _accept(prefix: bytes) -> bool:
    return container.looks_like_tlc(prefix)


Image.register_open(TlcImageFile.format, TlcImageFile, _accept)
Image.register_extension(TlcImageFile.format, ".tlc")
