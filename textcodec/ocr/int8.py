"""int8 versions of EasyOCR's convolutions for x86 CPUs, from stored calibration.

CRAFT (the detector) and the recognizer's VGG feature extractor are quantised statically
(PyTorch FX graph mode, oneDNN backend): int8 weights per channel, int8 activations whose
ranges were measured once on training images by ``tools/calibrate_ocr_int8.py`` and stored in
``textcodec/data/ocr-int8.pt`` (the observers' histograms, not weights: the weights stay
EasyOCR's and are quantised when the engine is built). The recognizer's BiLSTM stays in
floating point. The engine's default where int8 pays (``int8_kind``, reported by
tools/bench_speed.py): with VNNI, int8 activations over their full range; on AVX2 without VNNI,
over 7 bits (``reduce_range``), because AVX2's u8 x s8 multiply-add sums pairs into saturating
16-bit integers: at full range CRAFT found other boxes and the page read worse (session 17,
docs/benchmarks.md). ``TEXTCODEC_OCR_INT8=0`` or ``EasyOcrEngine(int8=False)`` turns it off.
Building the graphs takes ~2-3 s once per engine.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

import torch

STATS = Path(__file__).resolve().parent.parent / "data" / "ocr-int8.pt"
OBSERVED = "activation_post_process"


@lru_cache(maxsize=1)
def _cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (/proc/cpuinfo), or none where it cannot be read."""
    try:
        return frozenset(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return frozenset()


def _onednn() -> bool:
    return "onednn" in torch.backends.quantized.supported_engines


def vnni_available() -> bool:
    """Whether int8 pays here: VNNI dot products, and PyTorch's oneDNN quantised engine."""
    return _onednn() and bool({"avx512_vnni", "avx_vnni", "amx_int8"} & _cpu_flags())


def int8_kind() -> str | None:
    """"vnni" (full-range activations), "avx2" (7-bit activations), or None where int8 does
    not pay (no oneDNN quantised engine, or an x86 CPU without AVX2, or not x86)."""
    if vnni_available():
        return "vnni"
    return "avx2" if _onednn() and "avx2" in _cpu_flags() else None


def _prepare(net: torch.nn.Module, example: torch.Tensor,
             reduce_range: bool = False) -> torch.fx.GraphModule:
    """Observers on ``net``: oneDNN's default int8 configuration, or with ``reduce_range`` its
    x86 one (activations over 7 bits; the same histogram observers, so the same stored
    calibration fits both)."""
    import copy

    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import prepare_fx

    torch.backends.quantized.engine = "onednn"
    mapping = get_default_qconfig_mapping("x86" if reduce_range else "onednn")
    # the tracer's stack traces (debugging metadata of the graph's nodes) are left out: their
    # filter imports torch._dynamo and the inductor, 1.2 s of a one-shot encode's 1.5 s here
    quiet = torch.fx.config.do_not_emit_stack_traces
    torch.fx.config.do_not_emit_stack_traces = True
    try:
        with warnings.catch_warnings():       # FX quantisation warns of its move to torchao
            warnings.simplefilter("ignore")
            return prepare_fx(copy.deepcopy(net).eval(), mapping, (example,))
    finally:
        torch.fx.config.do_not_emit_stack_traces = quiet


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


def quantise(net: torch.nn.Module, stats: dict[str, torch.Tensor], example: torch.Tensor,
             reduce_range: bool = False) -> torch.fx.GraphModule:
    """``net`` as an int8 graph with the activation ranges of ``stats`` (from calibrate),
    over 7 bits with ``reduce_range``."""
    prepared = _prepare(net, example, reduce_range)
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


def quantise_reader(reader, stats: dict[str, dict[str, torch.Tensor]],
                    reduce_range: bool | None = None, detector: bool = True) -> None:
    """Swaps an EasyOCR reader's CRAFT (unless ``detector`` is False) and recognizer feature
    extractor for int8 graphs, with 7-bit activations where the CPU has no VNNI
    (``reduce_range`` None: decided here).

    ``reader.recognizer`` may be wrapped (engine.FastCpu): its ``net`` is used then."""
    if reduce_range is None:
        reduce_range = not vnni_available()
    if detector:
        reader.detector = Int8(quantise(reader.detector, stats["craft"],
                                        torch.zeros(CRAFT_EXAMPLE), reduce_range))
    recognizer = getattr(reader.recognizer, "net", reader.recognizer)
    recognizer.FeatureExtraction = Int8(quantise(recognizer.FeatureExtraction,
                                                 stats["recognizer"],
                                                 torch.zeros(RECOGNIZER_EXAMPLE), reduce_range))
