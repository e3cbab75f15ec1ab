"""The download path, for real, against a loopback HTTP server serving models/."""

from pathlib import Path

import pytest

from textcodec import zoo
from textcodec.errors import ModelError

from conftest import LoopbackHandler

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.fixture
def entry():
    return zoo.get_entry(zoo.baseline_model())


@pytest.fixture
def no_local(monkeypatch, entry):
    """Pretend the checkout ships no checkpoint, so resolution must download."""
    monkeypatch.setattr(zoo, "local_candidates", lambda e: [zoo.cache_dir() / e.file])


def _serve(root: Path, entry, data: bytes | None = None):
    (root / entry.file).write_bytes(data if data is not None else (MODELS / entry.file).read_bytes())


def test_download_fetches_verifies_and_caches(server, entry, no_local, monkeypatch):
    root, url = server
    _serve(root, entry)
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "0")
    monkeypatch.setenv("TEXTCODEC_MIRROR", url)
    path, got = zoo.resolve(entry.name, progress=False)
    assert path == zoo.cache_dir() / entry.file and got == entry
    assert zoo.sha256_file(path) == entry.sha256
    (root / entry.file).unlink()  # second time comes from the cache, no server needed
    assert zoo.resolve(entry.name, progress=False)[0] == path


def test_hash_mismatch_is_refused_and_nothing_is_cached(server, entry, no_local, monkeypatch):
    root, url = server
    bad = bytearray((MODELS / entry.file).read_bytes())
    bad[1000] ^= 1
    _serve(root, entry, bytes(bad))
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "0")
    monkeypatch.setenv("TEXTCODEC_MIRROR", url)
    with pytest.raises(ModelError, match="does not match"):
        zoo.resolve(entry.name, progress=False)
    assert not any(zoo.cache_dir().iterdir())


def test_interrupted_transfer_is_refused_and_nothing_is_cached(server, entry, no_local,
                                                               monkeypatch):
    root, url = server
    _serve(root, entry)
    LoopbackHandler.cut_after = 4096
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "0")
    monkeypatch.setenv("TEXTCODEC_MIRROR", url)
    with pytest.raises(ModelError, match="interrupted|failed"):
        zoo.resolve(entry.name, progress=False)
    assert not any(zoo.cache_dir().iterdir())


def test_offline_mode_forbids_downloads(entry, no_local):
    with pytest.raises(ModelError, match="TEXTCODEC_OFFLINE") as e:
        zoo.resolve(entry.name, progress=False)
    # and says where to put the file by hand
    assert entry.file in str(e.value) and str(zoo.cache_dir()) in str(e.value)
    assert not zoo.cache_dir().exists() or not any(zoo.cache_dir().iterdir())


def test_corrupted_cached_file_is_not_used(entry, no_local):
    zoo.cache_dir().mkdir(parents=True)
    (zoo.cache_dir() / entry.file).write_bytes(b"garbage")
    with pytest.raises(ModelError, match="TEXTCODEC_OFFLINE"):
        zoo.resolve(entry.name, progress=False)


def test_manifest_matches_the_shipped_files():
    entries = zoo.entries()
    by_file = {e.file: e for e in entries.values()}
    shipped = sorted(MODELS.glob("*.pt"))
    assert shipped
    for path in shipped:               # every bundled file is listed, and its hash is right
        assert path.name in by_file and zoo.verify(path, by_file[path.name]), path.name
    for role in (zoo.default_model(), zoo.baseline_model()):   # the defaults are bundled
        assert (MODELS / entries[role].file).exists(), role
    for name, e in entries.items():    # earlier releases stay fetchable by URL
        assert (MODELS / e.file).exists() or e.urls, name


def test_a_block_model_fetches_its_baseline_and_loads_from_the_cache(server, no_local,
                                                                      monkeypatch):
    """The default text model ships as a fusion block over the baseline: fetching it on
    first use fetches the baseline too, and the pair loads from the cache alone."""
    from textcodec.checkpoint import load_release

    text = zoo.get_entry(zoo.default_model())
    assert text.base == zoo.baseline_model()
    base = zoo.get_entry(text.base)
    root, url = server
    _serve(root, text)
    _serve(root, base)
    monkeypatch.setenv("TEXTCODEC_OFFLINE", "0")
    monkeypatch.setenv("TEXTCODEC_MIRROR", url)
    path, _ = zoo.resolve(text.name, progress=False)
    assert {p.name for p in zoo.cache_dir().iterdir()} == {text.file, base.file}
    model, blob = load_release(path)
    assert model.fusion is not None and blob["base"]["sha256"] == base.sha256
