import functools
import http.server
import threading
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


class LoopbackHandler(http.server.SimpleHTTPRequestHandler):
    cut_after: int | None = None

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        if self.cut_after is None:
            return super().copyfile(source, outputfile)
        outputfile.write(source.read(self.cut_after))  # then hang up mid-transfer


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server: (folder it serves, base URL). Set
    ``LoopbackHandler.cut_after`` to hang up mid-transfer."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(LoopbackHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    LoopbackHandler.cut_after = None
