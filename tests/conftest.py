from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "textcodec" / "samples"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own model cache and never reaches the network."""
    monkeypatch.setenv("TEXTCODEC_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "1")
    monkeypatch.delenv("TEXTCODEC_MIRROR", raising=False)


@pytest.fixture
def screenshot() -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(SAMPLES / "screenshot.png").convert("RGB"))


@pytest.fixture
def small_image() -> np.ndarray:
    """An odd-sized crop of the sample screenshot (65 x 257, like NeuralCompression's tests)."""
    from PIL import Image

    return np.asarray(Image.open(SAMPLES / "screenshot.png").convert("RGB"))[100:165, 300:557]
