"""Narrowing the synthesis transform's last hidden layer of a trained codec (channel pruning).

The wide codec's synthesis spends most of its CPU time in its third layer (``N_dec`` channels
to ``4 * N_last`` at a quarter of the image's size), and that cost grows with ``N_last``.
``narrow_last`` keeps the ``N_last`` channels of that layer that carry the most of the output
and repairs what the dropped ones did, from activations measured on sample images:

- a channel's weight is the energy it sends to the image: the mean square of its activation
  (after the inverse GDN) times the squared norm of the last convolution's weights from it;
- the inverse GDN of a kept channel also read the dropped channels' squares: their mean
  contribution moves into its beta, so the kept channels' scale stays where it was;
- the last convolution (``N_last`` channels, 3x3, to 12 sub-pixel outputs) is refitted by
  least squares to the original model's outputs on the sample images.

The analysis, the entropy model and the latent are untouched, so the narrowed model codes the
same bits; its reconstruction is close to the original's and training (``--init``) closes the
rest of the gap. ``tools/narrow_checkpoint.py`` writes the checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from textcodec import nets

# g_s = [up, IGDN, up, IGDN, up(N_dec -> N_last), IGDN(N_last), up(N_last -> 3)]
_LAST_UP, _LAST_GDN, _OUT_UP = 4, 5, 6
SAMPLES_PER_MAP = 4096  # pixel positions per activation map that enter the least squares


@dataclass
class Calibration:
    """What ``narrow_last`` measures on the sample images, for the caller to report."""
    importance: torch.Tensor  # per channel of the original's last hidden layer
    kept: torch.Tensor        # the kept channels' indices, ascending
    fit_rmse: float           # the refitted last convolution's error on its samples
    drop_rmse: float          # the same without the refit and the beta repair (plain drop)


def _observe(model: torch.nn.Module, images: list[torch.Tensor], rates: list[int]):
    """Per image and rate: the inverse GDN's input (u), its output (a) and the last
    convolution's output before the pixel shuffle (t), from the model in eval mode."""
    seen: dict[str, torch.Tensor] = {}
    g_s = model.g_s
    hooks = [g_s[_LAST_GDN].register_forward_hook(
                 lambda m, i, o: seen.update(u=i[0].detach(), a=o.detach())),
             g_s[_OUT_UP][0].register_forward_hook(
                 lambda m, i, o: seen.update(t=o.detach()))]
    try:
        with torch.no_grad():
            for x in images:
                for q in rates:
                    model(x[None], torch.tensor([q]))
                    yield seen["u"][0], seen["a"][0], seen["t"][0]
    finally:
        for h in hooks:
            h.remove()


def narrow_last(model: torch.nn.Module, n_last: int, images: list[torch.Tensor],
                rates: list[int] | None = None, seed: int = 0, ridge: float = 1e-4
                ) -> tuple[torch.nn.Module, Calibration]:
    """A copy of ``model`` (eval mode, coding tables kept) whose synthesis has ``n_last``
    channels in its last hidden layer. ``images``: (3, H, W) tensors in [0, 1], sides a
    multiple of 64; ``rates``: the rate indices to measure at (default: all)."""
    config = dict(model.config)
    old = config["N_last"]
    if not 0 < n_last <= old:
        raise ValueError(f"N_last {n_last} must lie in 1..{old}")
    if not images:
        raise ValueError("narrowing needs sample images")
    was_training = model.training
    model.eval()                                # measured as it decodes
    rates = list(range(model.num_rates)) if rates is None else rates
    gdn, out_conv = model.g_s[_LAST_GDN], model.g_s[_OUT_UP][0]
    gamma = gdn.gamma_reparam(gdn.gamma).detach().double()      # (C, C), row i: x_i's norm
    beta = gdn.beta_reparam(gdn.beta).detach().double()
    w = out_conv.weight.detach().double()                       # (12, C, 3, 3)

    # pass 1: mean squares of u and a per channel
    u2 = torch.zeros(old, dtype=torch.float64)
    a2 = torch.zeros(old, dtype=torch.float64)
    count = 0
    for u, a, _ in _observe(model, images, rates):
        u2 += u.double().pow(2).mean((1, 2))
        a2 += a.double().pow(2).mean((1, 2))
        count += 1
    u2, a2 = u2 / count, a2 / count
    importance = a2 * w.pow(2).sum((0, 2, 3))
    kept = importance.argsort(descending=True)[:n_last].sort().values
    dropped = torch.ones(old, dtype=torch.bool)
    dropped[kept] = False
    beta_new = beta[kept] + gamma[kept][:, dropped] @ u2[dropped]
    gamma_new = gamma[kept][:, kept]

    # pass 2: normal equations of the last convolution on the repaired activations (the
    # refit's error comes from them too: |Ax - b|^2 = x'A'Ax - 2x'A'b + b'b, no rows kept)
    gen = torch.Generator().manual_seed(seed)
    cols = n_last * 9 + 1
    ata = torch.zeros(cols, cols, dtype=torch.float64)
    atb = torch.zeros(cols, w.shape[0], dtype=torch.float64)
    btb = drop = 0.0
    n = 0
    for u, a, t in _observe(model, images, rates):
        uk = u[kept].double()
        norm = beta_new[:, None, None] + torch.einsum("ij,jhw->ihw", gamma_new, uk * uk)
        a_new = uk * norm.sqrt()
        patches = F.unfold(a_new[None], 3, padding=1)[0]           # (K*9, H*W)
        pick = torch.randint(patches.shape[1], (SAMPLES_PER_MAP,), generator=gen)
        rows = torch.cat([patches[:, pick].t(), torch.ones(SAMPLES_PER_MAP, 1,
                                                           dtype=torch.float64)], 1)
        target = t.double().reshape(t.shape[0], -1)[:, pick].t()
        ata += rows.t() @ rows
        atb += rows.t() @ target
        btb += float(target.pow(2).sum())
        plain = F.conv2d(a[kept][None].double(), w[:, kept], out_conv.bias.double(),
                         padding=1)[0].reshape(t.shape[0], -1)[:, pick].t()
        drop += float((plain - target).pow(2).sum())
        n += target.numel()
    reg = ridge * ata.diagonal().mean() * torch.eye(cols, dtype=torch.float64)
    solution = torch.linalg.solve(ata + reg, atb)                  # (K*9+1, 12)
    fit = float((solution * (ata @ solution)).sum() - 2 * (solution * atb).sum()) + btb

    config["N_last"] = n_last
    torch.manual_seed(seed)
    narrow = nets.create(model.ARCH, **config)
    state = model.state_dict()
    up = f"g_s.{_LAST_UP}.0"
    rows_kept = (kept[:, None] * 4 + torch.arange(4)).reshape(-1)  # PixelShuffle's groups
    state[f"{up}.weight"] = state[f"{up}.weight"][rows_kept]
    state[f"{up}.bias"] = state[f"{up}.bias"][rows_kept]
    g = f"g_s.{_LAST_GDN}"
    state[f"{g}.beta"] = gdn.beta_reparam.init(beta_new.float())
    state[f"{g}.gamma"] = gdn.gamma_reparam.init(gamma_new.float())
    o = f"g_s.{_OUT_UP}.0"
    state[f"{o}.weight"] = solution[:-1].t().reshape(w.shape[0], n_last, 3, 3).float()
    state[f"{o}.bias"] = solution[-1].float()
    from textcodec.checkpoint import _is_coding_buffer
    from textcodec.nets.widen import adopt

    adopt(narrow, model, {k: v for k, v in state.items() if not _is_coding_buffer(k)})
    model.train(was_training)
    return narrow, Calibration(importance.float(), kept, (max(fit, 0.0) / n) ** 0.5,
                               (drop / n) ** 0.5)
