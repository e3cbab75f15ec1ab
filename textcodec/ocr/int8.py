"""int8 versions of EasyOCR's convolutions for CPUs with VNNI, from stored calibration.

CRAFT (the detector) and the recognizer's VGG feature extractor are quantised statically
(PyTorch FX graph mode, oneDNN backend): int8 weights per channel, int8 activations whose
ranges were measured once on training images by ``tools/calibrate_ocr_int8.py`` and stored in
``textcodec/data/ocr-int8.pt`` (the observers' histograms, not weights: the weights stay
EasyOCR's and are quantised when the engine is built). The recognizer's BiLSTM stays in
floating point. The engine's default where the CPU has VNNI (``vnni_available``, reported by
tools/bench_speed.py); ``TEXTCODEC_OCR_INT8=0`` or ``EasyOcrEngine(int8=False)`` turns it off.
Building the graphs takes ~2-3 s once per engine.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import torch

STATS = Path(__file__).resolve().parent.parent / "data" / "ocr-int8.pt"
OBSERVED = "activation_post_process"


def vnni_available() -> bool:
    """Whether int8 pays here: VNNI dot products, and PyTorch's oneDNN quantised engine."""
    if "onednn" not in torch.backends.quantized.supported_engines:
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags or "amx_int8" in flags


def _prepare(net: torch.nn.Module, example: torch.Tensor) -> torch.fx.GraphModule:
    import copy

    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import prepare_fx

    torch.backends.quantized.engine = "onednn"
    with warnings.catch_warnings():       # FX quantisation warns of its move to torchao
        warnings.simplefilter("ignore")
        return prepare_fx(copy.deepcopy(net).eval(), get_default_qconfig_mapping("onednn"),
                          (example,))


def _convert(prepared: torch.fx.GraphModule) -> torch.fx.GraphModule:
    from torch.ao.quantization.quantize_fx import convert_fx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return convert_fx(prepared)


def calibrate(net: torch.nn.Module, batches, example: torch.Tensor) -> dict[str, torch.Tensor]:
    """Runs ``batches`` (inputs of ``net``) through observers; returns their state."""
    prepared = _prepare(net, example)
    with torch.no_grad():
        for x in batches:
            prepared(x)
    return {k: v.clone() for k, v in prepared.state_dict().items() if OBSERVED in k}


def quantise(net: torch.nn.Module, stats: dict[str, torch.Tensor],
             example: torch.Tensor) -> torch.fx.GraphModule:
    """``net`` as an int8 graph with the activation ranges of ``stats`` (from calibrate)."""
    prepared = _prepare(net, example)
    missing = [k for k, _ in prepared.state_dict().items() if OBSERVED in k and k not in stats]
    if missing:
        raise ValueError(f"int8 calibration does not fit this network (no {missing[0]})")
    prepared.load_state_dict(stats, strict=False)
    return _convert(prepared)


class Int8(torch.nn.Module):
    """A quantised graph called as the float network was: float in, float out, no autocast."""

    def __init__(self, graph: torch.fx.GraphModule):
        super().__init__()
        self.graph = graph

    def forward(self, x):
        with torch.autocast("cpu", enabled=False):
            out = self.graph(x.float().contiguous())
        if isinstance(out, tuple):
            return tuple(t.contiguous() for t in out)
        return out


def load_stats(path: Path = STATS) -> dict[str, dict[str, torch.Tensor]] | None:
    """{"craft": ..., "recognizer": ...} observer states, or None where none are stored."""
    if not path.exists():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)


CRAFT_EXAMPLE = (1, 3, 64, 64)
RECOGNIZER_EXAMPLE = (1, 1, 64, 128)


def quantise_reader(reader, stats: dict[str, dict[str, torch.Tensor]]) -> None:
    """Swaps an EasyOCR reader's CRAFT and recognizer feature extractor for int8 graphs.

    ``reader.recognizer`` may be wrapped (engine.FastCpu): its ``net`` is used then."""
    reader.detector = Int8(quantise(reader.detector, stats["craft"],
                                    torch.zeros(CRAFT_EXAMPLE)))
    recognizer = getattr(reader.recognizer, "net", reader.recognizer)
    recognizer.FeatureExtraction = Int8(quantise(recognizer.FeatureExtraction,
                                                 stats["recognizer"],
                                                 torch.zeros(RECOGNIZER_EXAMPLE)))
