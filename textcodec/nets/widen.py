"""Widening a trained codec without changing what it computes (after Net2Net, Chen et al. 2016).

The analysis transform's hidden channels (``N_enc``) and the synthesis transform's (``N_dec``,
``N_last``) grow; the latent, the hyper transforms, the context model and the entropy model
stay as they are, so the coding tables and the bitstream of the widened model are the
original's. Each weight of the wider model holds the original's in its leading slice; what is
new is set so that the old channels never see the new ones:

- a convolution's weights from a new input channel are zero (so the new channels do not reach
  the output until training moves those weights, which their non-zero activations let it do);
- a convolution's weights into a new output channel keep the wider model's fresh
  initialisation (the new channels compute something from the first step);
- GDN's new beta entries are its initial 1 and gamma's new entries its initial 0.1 on the
  diagonal and 0 elsewhere, so an old channel's normalisation reads old channels only.

The sub-pixel convolutions (conv to 4C channels, then PixelShuffle) keep old channel c in conv
outputs 4c..4c+3, so the leading slice is right for them too. Training then starts from
exactly the trained model's rate and distortion, with room to use the new channels.
"""

from __future__ import annotations

import torch

from textcodec import nets

WIDENED = ("N_enc", "N_dec", "N_last")


def widen(model: torch.nn.Module, seed: int = 0, **sizes: int) -> torch.nn.Module:
    """A wider copy of ``model`` (sizes among N_enc, N_dec, N_last; none may shrink), in the
    original's train/eval mode, computing the same function and coding with the original's
    tables (those of a model that has them; ``update()`` rebuilds the same)."""
    unknown = set(sizes) - set(WIDENED)
    if unknown:
        raise ValueError(f"cannot widen {sorted(unknown)}: only {', '.join(WIDENED)}")
    config = dict(model.config)
    old = {"N_enc": config.get("N_enc", config["N"]), "N_dec": config["N_dec"],
           "N_last": config["N_last"]}
    for k, v in sizes.items():
        if v < old[k]:
            raise ValueError(f"{k} {v} is narrower than the model's {old[k]}")
    config.update(sizes)
    torch.manual_seed(seed)
    wide = nets.create(model.ARCH, **config)
    from textcodec.checkpoint import _is_coding_buffer

    source = model.state_dict()
    state = {k: v for k, v in wide.state_dict().items() if not _is_coding_buffer(k)}
    for key, new in state.items():
        src = source[key]
        if src.shape == new.shape:
            state[key] = src.clone()
            continue
        if src.dim() != new.dim() or any(a > b for a, b in zip(src.shape, new.shape)):
            raise ValueError(f"{key}: {tuple(src.shape)} does not fit in {tuple(new.shape)}")
        grown = new.clone()
        if grown.dim() == 4 and grown.shape[1] > src.shape[1]:  # conv: inputs that are new
            grown[:, src.shape[1]:] = 0
        grown[tuple(slice(0, n) for n in src.shape)] = src
        state[key] = grown
    adopt(wide, model, state)
    return wide


def adopt(new: torch.nn.Module, model: torch.nn.Module, state: dict) -> None:
    """Give ``new`` (a resized copy of ``model``) the weights ``state`` and the original's
    training flags, coding tables (the entropy model is the original's) and train/eval mode."""
    from textcodec.checkpoint import load_weights

    load_weights(new, state)
    new.straight_through = model.straight_through
    if getattr(model, "_coding", None) is not None:
        new.load_coding(model._coding)
    new.train(model.training)
