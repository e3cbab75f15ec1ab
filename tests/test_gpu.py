"""GPU -> CPU: a file encoded on a GPU must decode on a CPU to the very same latent.

Skipped on machines without CUDA (CI); run on the device machine (docs/training.md)."""

import numpy as np
import pytest
import torch
from PIL import Image

from textcodec import codec, container, zoo
from textcodec.bench.metrics import psnr
from textcodec.errors import ModelError
from textcodec.words import Word

cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                          reason="needs a CUDA GPU: run on the device machine")


def _no_weights(error: ModelError):
    pytest.skip(f"EasyOCR's weights are not here ({error}): TEXTCODEC_OCR_MODELS, "
                "docs/training.md")


@cuda
@pytest.mark.parametrize("role", ["default", "baseline"])
def test_gpu_encoded_file_decodes_on_cpu(small_image, screenshot, role):
    model = zoo.default_model() if role == "default" else zoo.baseline_model()
    # a side stream too, so the default model's fusion block runs on both devices
    words = [Word("Settings", 60, 40, 70, 14), Word("Cancel", 200, 120, 52, 12)]
    for image in (small_image, screenshot[:300, :500]):
        data = codec.encode(image, quality=5.0, model=model, words=words, side_codec="gzip",
                            device="cuda", cross_check="off")
        f = container.read(data)
        lm_cpu = codec.load_model(f.header.model_id, "cpu")
        lm_gpu = codec.load_model(f.header.model_id, "cuda")
        shape = (-(-image.shape[0] // 64), -(-image.shape[1] // 64))
        y_cpu = lm_cpu.model.decompress_latent(list(f.latent), shape, f.header.quality, f.coder)
        y_gpu = lm_gpu.model.decompress_latent(list(f.latent), shape, f.header.quality, f.coder)
        assert y_gpu.is_cuda and torch.equal(y_cpu, y_gpu.cpu())
        out_cpu, _ = codec.decode_array(data, device="cpu")
        out_gpu, _ = codec.decode_array(data, device="cuda")
        assert np.abs(out_cpu.astype(int) - out_gpu.astype(int)).max() <= 2
        again = codec.encode(image, quality=5.0, model=model, words=words, side_codec="gzip",
                             device="cpu", cross_check="off")
        ref, _ = codec.decode_array(again, device="cpu")
        assert abs(psnr(image, out_cpu) - psnr(image, ref)) < 0.5


@cuda
def test_integer_hyper_synthesis_matches_between_devices():
    lm = codec.load_model(zoo.baseline_model(), "cpu")
    g = torch.Generator().manual_seed(0)
    z = torch.randint(-6, 7, (1, 128, 5, 9), generator=g, dtype=torch.int32)
    _, idx_cpu, mean_cpu = lm.model.entropy_parameters(z)
    lm_gpu = codec.load_model(zoo.baseline_model(), "cuda")
    _, idx_gpu, mean_gpu = lm_gpu.model.entropy_parameters(z.cuda())
    assert torch.equal(idx_cpu, idx_gpu.cpu()) and torch.equal(mean_cpu, mean_gpu.cpu())


class _TinyReader(torch.nn.Module):
    """english_g2's shape of computation in miniature: convolutions, then a BiLSTM over the
    width, called as EasyOCR calls it, net(images, text)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1),
                                        torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                                        torch.nn.AdaptiveAvgPool2d((1, None)))
        self.lstm = torch.nn.LSTM(8, 16, bidirectional=True, batch_first=True)
        self.head = torch.nn.Linear(32, 5)

    def forward(self, images, text):
        self.lstm.flatten_parameters()     # as EasyOCR's BidirectionalLSTM does, every call
        f = self.conv(images).squeeze(2).transpose(1, 2)
        return self.head(self.lstm(f)[0])


@cuda
def test_graphed_recognizer_replays_what_the_network_computes():
    from textcodec.ocr.cudagraph import BATCHES, GraphedRecognizer

    torch.manual_seed(0)
    net = _TinyReader().cuda().eval()
    graphed = GraphedRecognizer(torch.nn.DataParallel(net)).eval()
    assert graphed.net is net
    text = torch.zeros(1, 1, dtype=torch.long)
    with torch.no_grad():
        for rows, width in [(3, 64), (20, 128), (3, 64), (20, 128), (3, 64), (7, 64)]:
            x = torch.randn(rows, 1, 16, width, device="cuda")
            got, want = graphed(x, text.cuda()), net(x, text.cuda())
            assert got.shape == want.shape
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
        assert graphed.recorded == 2     # (8, 64) and (32, 128): met twice each, then replayed
        wide = torch.randn(BATCHES[-1] + 1, 1, 16, 64, device="cuda")
        torch.testing.assert_close(graphed(wide, text.cuda()), net(wide, text.cuda()))


@cuda
@pytest.mark.parametrize("detector", ["craft", "student"])
def test_engine_reads_a_page_the_same_with_and_without_cuda_graphs(screenshot, detector):
    from textcodec.ocr.engine import EasyOcrEngine

    try:
        plain = EasyOcrEngine(cuda_graphs=False, detector=detector)
    except ModelError as e:
        _no_weights(e)
    graphed = EasyOcrEngine(detector=detector)
    want = [(w.text, w.cx, w.cy) for w in plain.read(screenshot)]
    for _ in range(3):    # eager, then recorded, then replayed
        got = [(w.text, w.cx, w.cy) for w in graphed.read(screenshot)]
        assert got == want
    assert graphed._reader.recognizer.recorded > 0


@cuda
def test_codec_beside_the_ocr_on_the_gpu_makes_the_same_file(screenshot):
    """The codec's half runs in a second thread while a fresh engine reads, records and
    replays its CUDA graphs (the capture lock keeps the two apart): the same bytes."""
    from textcodec.ocr.engine import default_engine, get_engine

    get_engine.cache_clear()   # a fresh engine: its graphs are recorded beside the codec
    try:
        get_engine(default_engine())
    except ModelError as e:
        _no_weights(e)
    kwargs = dict(quality=3.0, device="cuda", side_codec="gzip", cross_check="off")
    together = [codec.encode(screenshot, overlap=True, **kwargs) for _ in range(3)]
    apart = codec.encode(screenshot, overlap=False, **kwargs)
    assert get_engine(default_engine())._reader.recognizer.recorded > 0
    assert all(data == apart for data in together)
    assert codec.text_layer(apart)


@cuda
def test_craft_on_the_gpu_finds_easyocrs_boxes(screenshot):
    from textcodec.ocr.craftboxes import installed
    from textcodec.ocr.engine import EasyOcrEngine

    try:
        reader = EasyOcrEngine()._reader
    except ModelError as e:
        _no_weights(e)
    want = reader.detect(screenshot)
    with installed():      # input made on the GPU, boxes per component window
        got = reader.detect(screenshot)
    assert len(got[0][0]) > 20
    assert [list(map(int, b)) for b in got[0][0]] == [list(map(int, b)) for b in want[0][0]]
    assert len(got[1][0]) == len(want[1][0])


@cuda
def test_recognizer_output_reduced_on_the_gpu_reads_as_on_the_host(screenshot):
    """read_greedy reduces the class probabilities on the GPU and copies back each frame's
    best class and share; the same logits decoded on the host give the same text and, up to
    float rounding, the same confidence; collate_crops scales on the GPU as on the host."""
    from textcodec.ocr.engine import EasyOcrEngine, collate_crops, frames_for, read_greedy

    try:
        reader = EasyOcrEngine(cuda_graphs=False)._reader
    except ModelError as e:
        _no_weights(e)
    rng = np.random.default_rng(0)
    grey = np.asarray(Image.fromarray(screenshot).convert("L"))
    crops = [grey[y:y + 24, x:x + 160] for x, y in rng.integers(0, 600, (12, 2))]
    tensors = collate_crops(crops, 320, 64, 0.0, "cuda")
    assert torch.equal(tensors.cpu(), collate_crops(crops, 320, 64, 0.0, "cpu"))
    ignore = set(reader.character) - set(reader.lang_char)
    ignore_idx = [reader.character.index(c) + 1 for c in ignore]
    frames = [frames_for(320)] * len(crops)
    on_gpu = read_greedy(reader, tensors, frames, ignore_idx)

    class OnHost(torch.nn.Module):     # the same network, its logits handed over on the CPU
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, *args):
            return self.net(*args).cpu()

    net = reader.recognizer
    reader.recognizer = OnHost(net)
    try:
        on_host = read_greedy(reader, tensors, frames, ignore_idx)
    finally:
        reader.recognizer = net
    assert [t for t, _ in on_gpu] == [t for t, _ in on_host]
    np.testing.assert_allclose([c for _, c in on_gpu], [c for _, c in on_host], rtol=1e-5)


@cuda
def test_checkerboard_latent_encoded_on_the_gpu_decodes_on_the_cpu():
    """The context network's parameters depend on decoded anchors: they must come out the
    same on both devices, else the second pass decodes garbage."""
    from textcodec.nets.checkerboard import CheckerboardHyperprior
    from textcodec.nets.hyperprior import pad_to_multiple

    torch.manual_seed(0)
    m = CheckerboardHyperprior(N=64, M=96, N_dec=32, N_last=16).eval()
    with torch.no_grad():  # the context starts at zero: give it weights that matter
        for conv in (m.context[0], m.context[2]):
            conv.weight.normal_(0, 0.05)
            conv.bias.normal_(0, 0.05)
        m.log_gain.copy_(torch.linspace(-1, 3, m.num_rates)[:, None].repeat(1, 96))
    m.update()
    x = pad_to_multiple(torch.rand(1, 3, 200, 330))
    gpu = m.to("cuda")
    for q in (1.0, 4.5, m.num_rates - 1.0):
        strings = gpu.compress_latent(gpu.analysis(x.cuda()), q)
        y_gpu = gpu.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
        cpu = m.to("cpu")
        y_cpu = cpu.decompress_latent(strings, (x.shape[-2] // 64, x.shape[-1] // 64), q)
        assert y_gpu.is_cuda and torch.equal(y_gpu.cpu(), y_cpu)
        gpu = m.to("cuda")


@cuda
def test_fitted_glyphs_encoded_on_the_gpu_paint_on_the_cpu(screenshot):
    """The encoder's paint marks come from its own decode on the GPU; a CPU decoder paints
    the same words, within rounding of the GPU's decode."""
    from textcodec.ocr.engine import default_engine, filter_words, get_engine

    crop = screenshot[:360, :640]
    try:
        words = filter_words(get_engine(default_engine()).read(crop))
    except ModelError as e:
        _no_weights(e)
    data = codec.encode(crop, quality=0.0, words=words, device="cuda", cross_check="off")
    assert container.read(data).glyphs is not None   # on the CPU: 8 of 24 words painted
    out_cpu, _ = codec.decode_array(data, device="cpu")
    out_gpu, _ = codec.decode_array(data, device="cuda")
    plain, _ = codec.decode_array(data, device="cpu", fusion="off")
    assert np.abs(out_cpu.astype(int) - out_gpu.astype(int)).max() <= 4
    assert psnr(crop, out_cpu) > psnr(crop, plain)
