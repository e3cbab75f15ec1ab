"""GPU -> CPU: a file encoded on a GPU must decode on a CPU to the very same latent.

Skipped on machines without CUDA (CI); run on the device machine (docs/training.md)."""

import numpy as np
import pytest
import torch

from textcodec import codec, container, zoo
from textcodec.bench.metrics import psnr
from textcodec.words import Word

cuda = pytest.mark.skipif(not torch.cuda.is_available(),
                          reason="needs a CUDA GPU: run on the device machine")


@cuda
@pytest.mark.parametrize("role", ["default", "baseline"])
def test_gpu_encoded_file_decodes_on_cpu(small_image, screenshot, role):
    model = zoo.default_model() if role == "default" else zoo.baseline_model()
    # a side stream too, so the default model's fusion block runs on both devices
    words = [Word("Settings", 60, 40, 70, 14), Word("Cancel", 200, 120, 52, 12)]
    for image in (small_image, screenshot[:300, :500]):
        data = codec.encode(image, quality=5.0, model=model, words=words, side_codec="gzip",
                            device="cuda")
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
                             device="cpu")
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
