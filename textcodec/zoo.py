"""The model zoo: a manifest of checkpoints, resolved, fetched on first use and verified.

Resolution order for a model name: an explicit path -> the user cache
(``$TEXTCODEC_HOME/models``, default ``$XDG_CACHE_HOME/textcodec/models``) -> the checkout's
(or installed package's) ``models/`` -> download from the manifest's URLs (``$TEXTCODEC_MIRROR``
first, if set) with a progress bar, sha256 check and atomic rename into the cache.
``TEXTCODEC_OFFLINE=1`` forbids downloads. No torch here: only files and hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from textcodec.errors import ModelError

CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"
PACKAGE_MODELS = Path(__file__).resolve().parent / "_models"
DOWNLOAD_TIMEOUT = 30


@dataclass(frozen=True)
class ModelEntry:
    name: str
    file: str
    arch: str
    sha256: str
    size: int
    urls: tuple[str, ...]
    description: str
    config: dict
    base: str | None = None   # a fusion-block file's baseline, which it loads with

    @property
    def hash_prefix(self) -> bytes:
        return bytes.fromhex(self.sha256[:8])


def models_dir() -> Path:
    return CHECKOUT_MODELS if (CHECKOUT_MODELS / "manifest.json").is_file() else PACKAGE_MODELS


@lru_cache(maxsize=1)
def manifest() -> dict:
    path = models_dir() / "manifest.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ModelError(f"model manifest {path} is unreadable: {e}") from None


def entries() -> dict[str, ModelEntry]:
    return {name: ModelEntry(name=name, file=e["file"], arch=e["arch"], sha256=e["sha256"],
                             size=int(e["size"]), urls=tuple(e.get("urls", ())),
                             description=e.get("description", ""), config=e.get("config", {}),
                             base=e.get("base"))
            for name, e in manifest()["models"].items()}


def default_model() -> str:
    return manifest()["default"]


def baseline_model() -> str:
    return manifest()["baseline"]


def get_entry(name: str) -> ModelEntry:
    try:
        return entries()[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; known: {', '.join(entries())}") from None


def home() -> Path:
    """textcodec's cache root: $TEXTCODEC_HOME, else $XDG_CACHE_HOME/textcodec."""
    env = os.environ.get("TEXTCODEC_HOME")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "textcodec"


def cache_dir() -> Path:
    return home() / "models"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=64)
def _verified(path: Path, mtime: float, size: int, sha256: str) -> bool:
    return sha256_file(path) == sha256


def verify(path: Path, entry: ModelEntry) -> bool:
    return file_matches(path, entry.sha256, entry.size)


def file_matches(path: Path, sha256: str, size: int | None = None) -> bool:
    """Whether the file hashes to ``sha256`` (and has ``size``); hashed once per version of
    the file (path, mtime, size), however often a process asks."""
    try:
        st = path.stat()
    except OSError:
        return False
    return (size is None or st.st_size == size) and \
        _verified(path, st.st_mtime, st.st_size, sha256)


def local_candidates(entry: ModelEntry) -> list[Path]:
    return [cache_dir() / entry.file, CHECKOUT_MODELS / entry.file, PACKAGE_MODELS / entry.file]


def resolve(name_or_path: str | os.PathLike, download: bool = True,
            progress: bool = True) -> tuple[Path, ModelEntry | None]:
    """A verified local checkpoint path for a model name (or an explicit file)."""
    p = Path(name_or_path)
    if (p.suffix == ".pt" and p.exists()) or os.sep in str(name_or_path):
        if not p.is_file():
            raise ModelError(f"checkpoint {p} does not exist")
        return p, None
    entry = get_entry(str(name_or_path))
    if entry.base:  # a block file is of no use without its baseline: fetch that first
        resolve(entry.base, download, progress)
    for candidate in local_candidates(entry):
        if candidate.is_file():
            if verify(candidate, entry):
                return candidate, entry
    if not download:
        raise ModelError(f"model {entry.name} is not available locally")
    return fetch(entry, progress=progress), entry


def _urls(entry) -> list[str]:
    mirror = os.environ.get("TEXTCODEC_MIRROR")
    urls = [mirror.rstrip("/") + "/" + entry.file] if mirror else []
    return urls + list(entry.urls)


def fetch(entry: ModelEntry, progress: bool = True) -> Path:
    """Download into the cache: stream, hash, check, then rename atomically. A model that
    can be neither found nor fetched is an error that says where to put the file by hand."""
    dest = cache_dir() / entry.file
    try:
        require_online("model", entry.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        download(entry, dest, progress, "model")
    except ModelError as e:
        raise ModelError(f"{e}. Without a network: copy {entry.file} (sha256 "
                         f"{entry.sha256[:12]}...) into {cache_dir()}, or set TEXTCODEC_MIRROR "
                         "to a server that holds it") from None
    return dest


def require_online(kind: str, name: str, error=ModelError) -> None:
    if os.environ.get("TEXTCODEC_OFFLINE") == "1":
        raise error(f"{kind} {name} is not available locally and TEXTCODEC_OFFLINE=1 "
                    f"forbids downloading it")


def download(entry, dest: Path, progress: bool, kind: str, error=ModelError) -> None:
    """``entry.file`` from the mirror, else from each of ``entry.urls`` in turn, verified."""
    errors = []
    for url in _urls(entry):
        try:
            _download(url, dest, entry, progress, error)
            return
        except error as e:
            errors.append(str(e))
    raise error(f"could not fetch {kind} {entry.name}: " + "; ".join(errors or ["no URL"]))


def _download(url: str, dest: Path, entry, progress: bool, error=ModelError) -> None:
    """Stream ``url`` to ``dest`` through a temporary file, checking ``entry.size`` and
    ``entry.sha256`` (any entry with name, size and sha256: models and datasets)."""
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    received = 0
    bar = None
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:
            total = int(resp.headers.get("Content-Length") or entry.size)
            bar = _progress(progress, entry.name, total)
            while True:
                chunk = resp.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                h.update(chunk)
                received += len(chunk)
                if received > entry.size:
                    raise error(f"{url} sends more than the expected {entry.size} bytes")
                bar(len(chunk))
        if received != entry.size:
            raise error(f"download from {url} was interrupted at {received} of "
                        f"{entry.size} bytes")
        if h.hexdigest() != entry.sha256:
            raise error(f"{url} gave a file whose sha256 {h.hexdigest()[:12]}... does not "
                        f"match the manifest's {entry.sha256[:12]}...")
        os.replace(tmp, dest)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise error(f"download from {url} failed: {getattr(e, 'reason', e)}") from None
    finally:
        if bar is not None:
            bar(None)
        tmp.unlink(missing_ok=True)


def _progress(enabled: bool, name: str, total: int):
    if not enabled:
        return lambda n: None
    from rich.progress import (BarColumn, DownloadColumn, Progress, TransferSpeedColumn)

    p = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                 TransferSpeedColumn(), transient=True)
    task = p.add_task(f"fetching {name}", total=total)
    p.start()

    def advance(n):
        if n is None:
            p.stop()
        else:
            p.advance(task, n)
    return advance
