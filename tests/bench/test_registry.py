"""Named datasets fetched for real from a loopback HTTP server, verified, cached."""

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from textcodec.bench import datasets, registry
from textcodec.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def _png(value: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 12, 3), value, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def served(server, tmp_path, monkeypatch):
    """A one-entry registry named 'kodak' whose archive the loopback server holds; no local
    copy, so loading it must go through the registry."""
    root, url = server

    def install(archive: bytes, sha256: str | None = None):
        (root / "set.zip").write_bytes(archive)
        entry = registry.DatasetEntry(
            name="kodak", file="set.zip", sha256=sha256 or hashlib.sha256(archive).hexdigest(),
            size=len(archive), urls=(f"{url}/set.zip",), licence="test", source="test",
            description="test", local="kodak")
        monkeypatch.setattr(registry, "registry", lambda: {"kodak": entry})
        return entry

    monkeypatch.setattr(datasets, "data_root", lambda: tmp_path / "no-local-data")
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "0")
    return root, install


def test_named_dataset_is_fetched_verified_cached_and_then_used_offline(served, monkeypatch):
    root, install = served
    entry = install(_zip({"images/a.png": _png(10), "images/b.png": _png(200)}))
    items = list(datasets.load("kodak"))
    assert [i.id for i in items] == ["a", "b"] and items[1].image[0, 0, 0] == 200
    assert (entry.cache_folder / ".complete").is_file()
    (root / "set.zip").unlink()                      # the server no longer has it
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "1")
    assert [i.id for i in datasets.load("kodak")] == ["a", "b"]


def test_hash_mismatch_is_refused_and_nothing_is_cached(served):
    _, install = served
    entry = install(_zip({"images/a.png": _png(1)}), sha256="0" * 64)
    with pytest.raises(InputError, match="sha256"):
        list(datasets.load("kodak"))
    assert not entry.cache_folder.exists()
    assert not any(registry.cache_dir().iterdir())   # no temporary leftovers either


def test_offline_mode_forbids_the_download_and_names_the_local_copy_way_out(served,
                                                                           monkeypatch):
    _, install = served
    install(_zip({"images/a.png": _png(1)}))
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "1")
    with pytest.raises(InputError, match="TEXTCODEC_OFFLINE") as e:
        list(datasets.load("kodak"))
    assert "set TEXTCODEC_DATA to a folder that holds" in str(e.value)


def test_archive_members_escaping_the_folder_are_refused(served, tmp_path):
    _, install = served
    entry = install(_zip({"images/a.png": _png(1), "../../evil.png": _png(2)}))
    with pytest.raises(InputError, match="unsafe member"):
        list(datasets.load("kodak"))
    assert not entry.cache_folder.exists()
    assert not list(tmp_path.rglob("evil.png"))


def test_shipped_registry_names_sources_licences_and_pinned_hashes():
    raw = json.loads(registry.REGISTRY_FILE.read_text())["datasets"]
    assert {"kodak", "funsd"} <= set(raw)
    for name, e in raw.items():
        assert len(e["sha256"]) == 64 and int(e["sha256"], 16) >= 0, name
        assert e["size"] > 0 and e["licence"] and e["source"].startswith("https://")
        assert all(u.startswith("https://") and u.endswith(e["file"]) for u in e["urls"])


def test_dataset_archives_are_reproducible(tmp_path):
    """The registry pins sha256 of archives we build: the same files must give the same bytes."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_dataset_archive as mk
    finally:
        sys.path.pop(0)
    kodak = tmp_path / "data" / "kodak"
    kodak.mkdir(parents=True)
    for i in range(1, 15):
        (kodak / f"kodim{i:02d}.png").write_bytes(_png(i))
    a = mk.build("kodak", tmp_path / "data", tmp_path / "one")
    b = mk.build("kodak", tmp_path / "data", tmp_path / "two")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert z.namelist() == ["images/kodim13.png", "images/kodim14.png"]
