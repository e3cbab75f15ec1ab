"""The one compiled part of textcodec: the rANS entropy coder (textcodec/_rans.c).
Everything else is declared in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("textcodec._rans", ["textcodec/_rans.c"],
                             extra_compile_args=["-O3"])])
