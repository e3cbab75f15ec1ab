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


class _LeastSquares:
    """Normal equations of a linear map with a bias, accumulated sample by sample (no rows
    kept): the solution and its error, |Ax - b|^2 = x'A'Ax - 2x'A'b + b'b."""

    def __init__(self, inputs: int, outputs: int):
        self.ata = torch.zeros(inputs + 1, inputs + 1, dtype=torch.float64)
        self.atb = torch.zeros(inputs + 1, outputs, dtype=torch.float64)
        self.btb = 0.0
        self.count = 0

    def add(self, rows: torch.Tensor, target: torch.Tensor) -> None:
        """``rows`` (n, inputs) -> ``target`` (n, outputs), float64."""
        rows = torch.cat([rows, torch.ones(len(rows), 1, dtype=torch.float64)], 1)
        self.ata += rows.t() @ rows
        self.atb += rows.t() @ target
        self.btb += float(target.pow(2).sum())
        self.count += target.numel()

    def solve(self, ridge: float) -> tuple[torch.Tensor, float]:
        """(weights (inputs, outputs), bias (outputs)) as one (inputs + 1, outputs) tensor, the
        bias last, and the fit's root mean square error on the samples."""
        ata = self.ata
        reg = ridge * ata.diagonal().mean() * torch.eye(len(ata), dtype=torch.float64)
        x = torch.linalg.solve(ata + reg, self.atb)
        err = float((x * (ata @ x)).sum() - 2 * (x * self.atb).sum()) + self.btb
        return x, (max(err, 0.0) / self.count) ** 0.5


def _check_size(name: str, n: int, old: int, images: list) -> None:
    """Refuse a size that does not narrow, and a narrowing without sample images."""
    if not 0 < n <= old:
        raise ValueError(f"{name} {n} must lie in 1..{old}")
    if not images:
        raise ValueError("narrowing needs sample images")


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
    _check_size("N_last", n_last, old, images)
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

    # pass 2: the last convolution refitted to the original's outputs from the repaired
    # activations, beside the plain drop's error on the same samples
    gen = torch.Generator().manual_seed(seed)
    fit = _LeastSquares(n_last * 9, w.shape[0])
    drop = 0.0
    for u, a, t in _observe(model, images, rates):
        uk = u[kept].double()
        norm = beta_new[:, None, None] + torch.einsum("ij,jhw->ihw", gamma_new, uk * uk)
        a_new = uk * norm.sqrt()
        patches = F.unfold(a_new[None], 3, padding=1)[0]           # (K*9, H*W)
        pick = torch.randint(patches.shape[1], (SAMPLES_PER_MAP,), generator=gen)
        target = t.double().reshape(t.shape[0], -1)[:, pick].t()
        fit.add(patches[:, pick].t(), target)
        plain = F.conv2d(a[kept][None].double(), w[:, kept], out_conv.bias.double(),
                         padding=1)[0].reshape(t.shape[0], -1)[:, pick].t()
        drop += float((plain - target).pow(2).sum())
    solution, fit_rmse = fit.solve(ridge)                          # (K*9+1, 12)

    config["N_last"] = n_last
    up = model.g_s[_LAST_UP][0]
    rows_kept = (kept[:, None] * 4 + torch.arange(4)).reshape(-1)  # PixelShuffle's groups
    convs = {f"g_s.{_LAST_UP}.0": [up.weight.detach()[rows_kept], up.bias.detach()[rows_kept]],
             f"g_s.{_OUT_UP}.0": [solution[:-1].t().reshape(w.shape[0], n_last, 3, 3),
                                  solution[-1]]}
    narrow = _rebuild(model, config, seed, convs, {f"g_s.{_LAST_GDN}": [gamma_new, beta_new]})
    model.train(was_training)
    return narrow, Calibration(importance.float(), kept, fit_rmse, (drop / fit.count) ** 0.5)


# g_a = [conv(3 -> N_enc), GDN, conv, GDN, conv, GDN, conv(N_enc -> M)], every conv 5x5 stride 2
_ANALYSIS_HIDDEN = (0, 2, 4)          # the convolutions whose outputs narrowing shrinks


@dataclass
class AnalysisCalibration:
    """What ``narrow_analysis`` measures, per hidden layer of the analysis (three)."""
    kept: list[torch.Tensor]          # each layer's kept channels, ascending
    fit_rmse: list[float]             # the refitted next convolution's error on its samples
    y_rmse: float                     # the narrowed analysis's latent against the original's
    y_rms: float                      # the original latent's own size, for scale


def _gdn(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """GDN with explicit (reparametrised) parameters: x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)."""
    return x * torch.rsqrt(beta[:, None, None] + torch.einsum("ij,jhw->ihw", gamma, x * x))


def _narrow_layer(us: list[torch.Tensor], gamma: torch.Tensor, beta: torch.Tensor,
                  w_next: torch.Tensor, n: int, act, patches, targets: list[torch.Tensor],
                  gen: torch.Generator, ridge: float):
    """One hidden layer of a chain (convolution, (inverse) GDN ``act``, next convolution)
    narrowed to ``n`` channels: from the GDN's inputs ``us``, keep the channels whose output
    sends the most energy on (mean square times the squared norm of ``w_next``'s weights from
    it), move the dropped ones' mean share of GDN's sum into the kept ones' beta, and refit
    the next convolution (``patches``: its unfold) by least squares to ``targets``, the
    original's values after it. Returns the kept channels, the new (gamma, beta), the refit
    (inputs + 1, outputs; the bias last) and its error."""
    u2 = torch.stack([u.pow(2).mean((1, 2)) for u in us]).mean(0)
    a2 = torch.stack([act(u, gamma, beta).pow(2).mean((1, 2)) for u in us]).mean(0)
    importance = a2 * w_next.pow(2).sum((0, 2, 3))
    kept = importance.argsort(descending=True)[:n].sort().values
    dropped = torch.ones(len(importance), dtype=torch.bool)
    dropped[kept] = False
    gdn = [gamma[kept][:, kept], beta[kept] + gamma[kept][:, dropped] @ u2[dropped]]
    fit = _LeastSquares(n * w_next.shape[2] * w_next.shape[3], w_next.shape[0])
    for u, target in zip(us, targets):
        cols = patches(act(u[kept], *gdn)[None])[0]
        pick = torch.randint(cols.shape[1], (min(SAMPLES_PER_MAP, cols.shape[1]),),
                             generator=gen)
        fit.add(cols[:, pick].t(), target.reshape(target.shape[0], -1)[:, pick].t())
    solution, rmse = fit.solve(ridge)
    return kept, gdn, solution, rmse


def _rebuild(model: torch.nn.Module, config: dict, seed: int, convs: dict, gdns: dict):
    """A model of ``config`` with ``model``'s weights but for ``convs`` (state-dict prefix ->
    [weight, bias]) and ``gdns`` (the GDN module's prefix -> [gamma, beta], reparametrised
    values), in eval mode with ``model``'s coding tables."""
    torch.manual_seed(seed)
    narrow = nets.create(model.ARCH, **config)
    state = model.state_dict()
    for key, (w, b) in convs.items():
        state[f"{key}.weight"], state[f"{key}.bias"] = w.float(), b.float()
    modules = dict(model.named_modules())
    for key, (gamma, beta) in gdns.items():
        gdn = modules[key]
        state[f"{key}.gamma"] = gdn.gamma_reparam.init(gamma.float())
        state[f"{key}.beta"] = gdn.beta_reparam.init(beta.float())
    from textcodec.checkpoint import _is_coding_buffer
    from textcodec.nets.widen import adopt

    adopt(narrow, model, {k: v for k, v in state.items() if not _is_coding_buffer(k)})
    return narrow.eval()


def narrow_analysis(model: torch.nn.Module, n_enc: int, images: list[torch.Tensor],
                    seed: int = 0, ridge: float = 1e-4
                    ) -> tuple[torch.nn.Module, AnalysisCalibration]:
    """A copy of ``model`` (eval mode, coding tables kept) whose analysis transform has
    ``n_enc`` hidden channels: the encode's cost, most of it in the analysis's second
    convolution, falls with their square. The synthesis, the hyper transforms and the entropy
    model are the original's, so every file the narrowed model writes decodes with the
    original; only the encoder's choice of latent moves (training the analysis alone,
    ``--stage analysis``, closes the rest of the gap).

    Layer by layer, on the analysis narrowed so far: keep the ``n_enc`` channels whose GDN
    output sends the most energy on (mean square times the squared norm of the next
    convolution's weights from it), move the dropped channels' mean share of GDN's sum into the
    kept ones' beta, and refit the next convolution by least squares to the original
    analysis's values at that point. ``images``: (3, H, W) tensors in [0, 1], sides a
    multiple of 64. The analysis is rate-independent, so no rates are involved."""
    config = dict(model.config)
    old = config.get("N_enc", config["N"])
    _check_size("N_enc", n_enc, old, images)
    was_training = model.training
    model.eval()
    g_a = model.g_a
    convs = {i: [g_a[i].weight.detach().double(), g_a[i].bias.detach().double()]
             for i in (*_ANALYSIS_HIDDEN, 6)}
    gdns = {i: [g_a[i + 1].gamma_reparam(g_a[i + 1].gamma).detach().double(),
                g_a[i + 1].beta_reparam(g_a[i + 1].beta).detach().double()]
            for i in _ANALYSIS_HIDDEN}
    xs = [x[None].double() for x in images]
    with torch.no_grad():    # the original's value after each convolution, per image
        ref = {i: [] for i in (*_ANALYSIS_HIDDEN, 6)}
        for x in xs:
            h = x.float()
            for i, layer in enumerate(g_a):
                h = layer(h)
                if i in ref:
                    ref[i].append(h[0].double())

    def upto(x: torch.Tensor, last: int) -> torch.Tensor:
        """The narrowed-so-far analysis's GDN input after convolution ``last``."""
        h = x
        for i in _ANALYSIS_HIDDEN:
            h = F.conv2d(h, *convs[i], stride=2, padding=2)
            if i == last:
                return h[0]
            h = _gdn(h[0], *gdns[i])[None]
        raise AssertionError(last)

    gen = torch.Generator().manual_seed(seed)
    kept_all, fits = [], []
    with torch.no_grad():
        for i in _ANALYSIS_HIDDEN:
            nxt = i + 2 if i < 4 else 6
            w_next = convs[nxt][0]
            kept, gdns[i], solution, rmse = _narrow_layer(
                [upto(x, i) for x in xs], *gdns[i], w_next, n_enc, _gdn,
                lambda a: F.unfold(a, 5, padding=2, stride=2), ref[nxt], gen, ridge)
            convs[i] = [convs[i][0][kept], convs[i][1][kept]]
            convs[nxt] = [solution[:-1].t().reshape(w_next.shape[0], n_enc, 5, 5),
                          solution[-1]]
            kept_all.append(kept)
            fits.append(rmse)

    config["N_enc"] = n_enc
    narrow = _rebuild(model, config, seed, {f"g_a.{i}": wb for i, wb in convs.items()},
                      {f"g_a.{i + 1}": gb for i, gb in gdns.items()})
    with torch.no_grad():
        err = sq = count = 0.0
        for x, y in zip(xs, ref[6]):
            y_new = narrow.g_a(x.float())[0].double()
            err += float((y_new - y).pow(2).sum())
            sq += float(y.pow(2).sum())
            count += y.numel()
    model.train(was_training)
    return narrow, AnalysisCalibration(kept_all, fits, (err / count) ** 0.5, (sq / count) ** 0.5)


def _synthesis_inputs(model: torch.nn.Module, images: list[torch.Tensor], rates: list[int]):
    """The synthesis transform's input (the latent after the rate's inverse gain) per image and
    rate, from the model in eval mode."""
    seen: list[torch.Tensor] = []
    hook = model.g_s.register_forward_pre_hook(lambda m, i: seen.append(i[0].detach()))
    try:
        with torch.no_grad():
            for x in images:
                for q in rates:
                    model(x[None], torch.tensor([q]))
    finally:
        hook.remove()
    return [z.double() for z in seen]


def _igdn(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
    """Inverse GDN with explicit parameters: x_i * sqrt(beta_i + sum_j gamma_ij x_j^2)."""
    return x * torch.sqrt(beta[:, None, None] + torch.einsum("ij,jhw->ihw", gamma, x * x))


def narrow_dec(model: torch.nn.Module, n_dec: int, images: list[torch.Tensor],
               rates: list[int] | None = None, seed: int = 0, ridge: float = 1e-4
               ) -> tuple[torch.nn.Module, list[torch.Tensor]]:
    """A copy of ``model`` (eval mode, coding tables kept) whose synthesis has ``n_dec``
    channels in its first two hidden layers (``N_dec``), narrowed one after the other as
    ``narrow_analysis`` does the analysis's: keep the channels whose inverse GDN output sends
    the most energy on, move the dropped ones' mean share of the sum into the kept ones' beta,
    and refit the next sub-pixel convolution by least squares to the original synthesis's
    values there. The latent and the entropy model are untouched (the same bits). Returns the
    model and each layer's kept channels."""
    config = dict(model.config)
    old = config["N_dec"]
    _check_size("N_dec", n_dec, old, images)
    was_training = model.training
    model.eval()
    g_s = model.g_s
    rates = list(range(model.num_rates)) if rates is None else rates
    zs = _synthesis_inputs(model, images, rates)
    convs = {i: [g_s[i][0].weight.detach().double(), g_s[i][0].bias.detach().double()]
             for i in (0, 2, 4)}
    gdns = {i: [g_s[i + 1].gamma_reparam(g_s[i + 1].gamma).detach().double(),
                g_s[i + 1].beta_reparam(g_s[i + 1].beta).detach().double()] for i in (0, 2)}
    with torch.no_grad():   # the original's sub-pixel convolution outputs, before the shuffle
        ref = {2: [], 4: []}
        for z in zs:
            h = z.float()
            for i, layer in enumerate(g_s[:5]):
                if i in ref:
                    ref[i].append(layer[0](h)[0].double())
                h = layer(h)

    def gdn_input(z: torch.Tensor, last: int) -> torch.Tensor:
        """The narrowed-so-far synthesis's inverse GDN input after layer ``last``."""
        h = z
        for i in (0, 2):
            h = F.pixel_shuffle(F.conv2d(h, *convs[i], padding=1), 2)
            if i == last:
                return h[0]
            h = _igdn(h[0], *gdns[i])[None]
        raise AssertionError(last)

    gen = torch.Generator().manual_seed(seed)
    kept_all = []
    with torch.no_grad():
        for i in (0, 2):
            w_next = convs[i + 2][0]
            kept, gdns[i], solution, _ = _narrow_layer(
                [gdn_input(z, i) for z in zs], *gdns[i], w_next, n_dec, _igdn,
                lambda a: F.unfold(a, 3, padding=1), ref[i + 2], gen, ridge)
            rows = (kept[:, None] * 4 + torch.arange(4)).reshape(-1)  # PixelShuffle's groups
            convs[i] = [convs[i][0][rows], convs[i][1][rows]]
            convs[i + 2] = [solution[:-1].t().reshape(w_next.shape[0], n_dec, 3, 3),
                            solution[-1]]
            kept_all.append(kept)

    config["N_dec"] = n_dec
    narrow = _rebuild(model, config, seed, {f"g_s.{i}.0": wb for i, wb in convs.items()},
                      {f"g_s.{i + 1}": gb for i, gb in gdns.items()})
    model.train(was_training)
    return narrow, kept_all
