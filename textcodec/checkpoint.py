"""Checkpoint files: weights (fp16 where lossless enough) + the frozen entropy-coding state.

A release checkpoint is a plain dict of tensors and strings saved with ``torch.save`` and
loaded with ``weights_only=True``, so loading can never run code. The coding state (integer
CDF tables, the integer hyper-synthesis, z medians) is stored exactly, never recomputed, so
every machine codes with identical tables.

A text model whose codec is a released baseline's, untouched (stage 2 trains only the fusion
block), ships as that block alone (version 2): its file names the baseline's file and sha256
and holds only ``fusion.*`` weights, tens of KB instead of a second codec. Loading it
loads the verified baseline and adds the block, so the two read exactly as one full
checkpoint would.
"""

from __future__ import annotations

from pathlib import Path

import torch

from textcodec import nets
from textcodec.errors import ModelError
from textcodec.zoo import sha256_file

FORMAT = "textcodec-checkpoint"
VERSION = 1
BLOCK_VERSION = 2   # a fusion block over a named baseline's codec
_BLOCK_PREFIX = "fusion."
# entropy-model buffers whose sizes change at update(); they live in "coding" instead
_CODING_BUFFERS = ("_quantized_cdf", "_offset", "_cdf_length", "scale_table")


def _is_coding_buffer(key: str) -> bool:
    return key.rsplit(".", 1)[-1] in _CODING_BUFFERS


def model_state(model: torch.nn.Module, half: bool) -> dict:
    out = {}
    for k, v in model.state_dict().items():
        if _is_coding_buffer(k):
            continue
        # entropy-bottleneck parameters stay fp32: they shape the z tables' training
        keep32 = "entropy_bottleneck" in k or "gain" in k  # h_s is made fp16-exact by update()
        out[k] = v.detach().cpu().half() if half and v.is_floating_point() and not keep32 \
            else v.detach().cpu()
    return out


def save_release(model, path: Path, name: str, extra: dict | None = None) -> str:
    """Write a release checkpoint (runs ``update()``); returns its sha256."""
    coding = model.update()
    blob = {"format": FORMAT, "version": VERSION, "name": name,
            "arch": model.ARCH, "config": {k: (list(v) if isinstance(v, tuple) else v)
                                                 for k, v in model.config.items()},
            "state": model_state(model, half=True), "coding": coding, "extra": extra or {}}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)
    return sha256_file(path)


def read_blob(path: Path, with_base: bool = True) -> dict:
    """A release checkpoint's contents, a block file's merged with its baseline's (or, with
    ``with_base`` False, the block's own weights alone, for which no baseline is needed)."""
    blob = _read(path)
    if blob["version"] == BLOCK_VERSION and with_base:
        blob = _with_base(blob, path)
    return blob


def _read(path: Path) -> dict:
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise ModelError(f"cannot read checkpoint {path}: {e}") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ModelError(f"{path} is not a textcodec checkpoint")
    if blob.get("version") not in (VERSION, BLOCK_VERSION):
        raise ModelError(f"{path} has checkpoint version {blob.get('version')}, "
                         f"this textcodec reads {VERSION} and {BLOCK_VERSION}")
    return blob


def _with_base(block: dict, path: Path) -> dict:
    base_path = _base_path(block["base"], path)
    base = _read(base_path)
    if not _same_codec_shape(base, block):
        raise ModelError(f"{path}: its baseline {base_path} is not the codec it was "
                         f"trained on")
    return {**block, "version": VERSION, "state": {**base["state"], **block["state"]},
            "coding": base["coding"]}


def _base_path(ref: dict, path: Path) -> Path:
    """The baseline a block names: beside the block, else through the zoo (which fetches
    it if it may); either way its sha256 must be the one the block recorded."""
    from textcodec import zoo

    beside = path.parent / Path(ref["file"]).name   # a file name, never a path elsewhere
    if zoo.file_matches(beside, ref["sha256"]):
        return beside
    try:
        found, _ = zoo.resolve(ref["name"])
    except ModelError as e:
        raise ModelError(f"{path} is the fusion block of {ref['name']}, which is not "
                         f"available: {e}") from None
    if not zoo.file_matches(found, ref["sha256"]):
        raise ModelError(f"{path} is the fusion block of {ref['name']} with sha256 "
                         f"{ref['sha256'][:12]}..., but the {ref['name']} found ({found}) "
                         f"is another checkpoint")
    return found


def _same_codec_shape(base: dict, text: dict) -> bool:
    """A full baseline checkpoint of the text model's architecture and codec config."""
    def codec_config(blob):
        return {k: v for k, v in blob["config"].items() if not k.startswith("fusion")}
    return base["version"] == VERSION and base["arch"] == text["arch"] and \
        codec_config(base) == codec_config(text)


def save_block(source: dict, base_path: Path, path: Path, name: str) -> None:
    """Write ``source`` (a full text checkpoint) as its fusion block over ``base_path``,
    refusing unless the source's codec (weights and coding state) is the baseline's, bit
    for bit: the block file must load as exactly the model it was cut from."""
    base = _read(base_path)
    if not _same_codec_shape(base, source):
        raise ModelError(f"{base_path} is not the codec of {source.get('name')}")
    codec = {k: v for k, v in source["state"].items() if not k.startswith(_BLOCK_PREFIX)}
    if not _same(codec, base["state"]) or not _same(source["coding"], base["coding"]):
        raise ModelError(f"the codec of {source.get('name')} differs from {base_path}'s: "
                         f"a block file needs the baseline's codec untouched")
    block = {k: v for k, v in source["state"].items() if k.startswith(_BLOCK_PREFIX)}
    if not block:
        raise ModelError(f"{source.get('name')} has no fusion block")
    blob = {**source, "version": BLOCK_VERSION, "name": name, "state": block,
            "base": {"name": base["name"], "file": base_path.name,
                     "sha256": sha256_file(base_path)}}
    blob.pop("coding", None)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)


def _same(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    return all(torch.equal(a[k], b[k]) if torch.is_tensor(a[k]) else a[k] == b[k] for k in a)


def load_release(path: Path, device: str = "cpu"):
    """Build the model a release checkpoint describes, with its coding state, in eval mode."""
    blob = read_blob(path)
    config = dict(blob["config"])
    if "lambdas" in config:
        config["lambdas"] = tuple(config["lambdas"])
    model = nets.create(blob["arch"], **config)
    load_weights(model, blob["state"])
    model.load_coding(blob["coding"])
    return model.to(device).eval(), blob


def load_weights(model: torch.nn.Module, state: dict, new_fusion: bool = False,
                 lambdas: tuple[float, ...] | None = None, fresh: bool = False) -> None:
    """Load weights; ``new_fusion`` allows a fresh fusion block on a backbone checkpoint,
    ``fresh`` the model's ``FRESH_KEYS`` (its own layers) left as initialised, so that a
    checkerboard model can start from a plain hyperprior.

    ``lambdas`` are the rates the checkpoint was trained for; where the model has other rates
    (more operating points, say), its gain vectors are carried over by lambda and the new ones
    extrapolated, so training can extend a model's rate range."""
    # a backbone trained on from a checkpoint that carries a fusion block leaves the block out
    drop_fusion = getattr(model, "fusion", None) is None
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()
             if not _is_coding_buffer(k) and not (drop_fusion and k.startswith("fusion."))}
    if lambdas is not None and tuple(lambdas) != tuple(model.lambdas):
        for key in ("log_gain", "log_inv_gain"):
            if key in state:
                state[key] = remap_gains(state[key], lambdas, model.lambdas)
        for prefix in ("fusion.", "refine."):   # the blocks' per-rate rows
            state.update(remap_block_rates(state, lambdas, model.lambdas, prefix=prefix))
    missing, unexpected = model.load_state_dict(state, strict=False)
    # blocks trained before rate conditioning lack its terms: zeros, i.e. unconditioned
    missing = [k for k in missing if not _is_coding_buffer(k)
               and not (new_fusion and k.startswith("fusion."))
               and k not in ("fusion.rate_bias", "fusion.rate_log_gain")
               and not (fresh and k.startswith(tuple(getattr(model, "FRESH_KEYS", ()))))]
    if missing or unexpected:
        raise ModelError(f"checkpoint does not fit the architecture: missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}")


BLOCK_RATE_KEYS = ("rate_bias", "rate_log_gain")   # the fusion block's per-rate rows


def remap_block_rates(state: dict, old: tuple[float, ...], new: tuple[float, ...],
                      prefix: str = "") -> dict:
    """The fusion block's per-rate terms (``prefix`` + BLOCK_RATE_KEYS) for ``new`` lambdas
    from a block trained for ``old`` ones: interpolated between trained rates, and beyond
    them the nearest trained rate's row (how far to trust the guidance is learned, not a
    trend to extrapolate)."""
    out = {}
    for key in BLOCK_RATE_KEYS:
        if prefix + key in state:
            table = state[prefix + key]
            rows = table if table.dim() == 2 else table[:, None]
            mapped = remap_gains(rows, old, new, extrapolate=False)
            out[prefix + key] = mapped if table.dim() == 2 else mapped[:, 0]
    return out


def remap_gains(table: torch.Tensor, old: tuple[float, ...],
                new: tuple[float, ...], extrapolate: bool = True) -> torch.Tensor:
    """Per-rate gain rows for ``new`` lambdas from rows trained for ``old`` ones.

    Log-gains are close to linear in log(lambda) (they start as log sqrt(lambda)), so a new
    rate gets the row interpolated, or extrapolated from the nearest two trained rates
    (``extrapolate`` False: the nearest trained rate's row instead)."""
    if len(old) < 2 or table.shape[0] != len(old):
        raise ModelError(f"cannot remap {table.shape[0]} gain rows for {len(old)} rates")
    lo = torch.tensor([float(v) for v in old]).log()
    rows = []
    for lam in new:
        x = torch.tensor(float(lam)).log()
        i = int(torch.searchsorted(lo, x).clamp(1, len(old) - 1))
        t = (x - lo[i - 1]) / (lo[i] - lo[i - 1])
        if not extrapolate:
            t = t.clamp(0, 1)
        rows.append(table[i - 1] + (table[i] - table[i - 1]) * t)
    return torch.stack(rows)
