"""textcodec's compiled parts: the rANS entropy coder of the latents (textcodec/_rans.c) and
the context-mixing coder of the OCR side stream (textcodec/_sidecm.c). Everything else is
declared in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("textcodec._rans", ["textcodec/_rans.c"],
                             extra_compile_args=["-O3"]),
                   Extension("textcodec._sidecm", ["textcodec/_sidecm.c"],
                             extra_compile_args=["-O3"])])
