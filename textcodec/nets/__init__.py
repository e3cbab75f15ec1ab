"""Architectures, each joining one registry by name. Importing this package imports no torch:
the table maps names to "module:Class" so the CLI stays fast."""

from __future__ import annotations

import importlib

from textcodec.errors import ModelError

ARCHITECTURES: dict[str, str] = {
    "vr-hyperprior": "textcodec.nets.hyperprior:VariableRateHyperprior",
    "vr-checkerboard": "textcodec.nets.checkerboard:CheckerboardHyperprior",
}


def create(arch: str, **config):
    """Build an architecture by registry name with its hyper-parameters."""
    try:
        target = ARCHITECTURES[arch]
    except KeyError:
        raise ModelError(f"unknown architecture {arch!r}; known: {', '.join(ARCHITECTURES)}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(**config)
