"""What this CPU computes fast."""

from __future__ import annotations

from functools import lru_cache

import torch


@lru_cache(maxsize=1)
def has_bf16() -> bool:
    """Whether oneDNN runs bfloat16 natively here (else autocast would emulate it, slowly)."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
