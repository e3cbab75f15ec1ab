"""Named benchmark datasets: a registry of archives (URL + sha256 + licence), fetched on first
use into the cache and verified, like the model zoo.

Resolution for a name: a local copy under ``$TEXTCODEC_DATA`` (or the checkout's sibling
``../shared/data``) -> the extracted cache ``$TEXTCODEC_HOME/datasets/NAME`` (default under
the XDG cache dir) -> download of the registry's archive (``$TEXTCODEC_MIRROR`` first if set),
sha256 check, safe extraction into a temporary folder, then an atomic rename.
``TEXTCODEC_OFFLINE=1`` forbids the download.

The archives are the project's own release assets, built reproducibly from the public sources
by ``tools/make_dataset_archive.py`` (fixed order and timestamps, so the same inputs give the
same sha256); each entry names the original source and its licence.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from textcodec import zoo
from textcodec.errors import InputError

REGISTRY_FILE = Path(__file__).resolve().parent.parent / "data" / "datasets.json"
MAX_MEMBERS = 10_000
MAX_UNPACKED = 2 << 30          # refuse archives that would unpack beyond 2 GiB


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    file: str                   # archive name
    sha256: str
    size: int
    urls: tuple[str, ...]
    licence: str
    source: str
    description: str
    local: str                  # folder name of a local copy under the data root

    @property
    def cache_folder(self) -> Path:
        return cache_dir() / self.name


@lru_cache(maxsize=1)
def registry() -> dict[str, DatasetEntry]:
    raw = json.loads(REGISTRY_FILE.read_text())
    return {name: DatasetEntry(name=name, file=d["file"], sha256=d["sha256"], size=d["size"],
                               urls=tuple(d["urls"]), licence=d["licence"], source=d["source"],
                               description=d["description"], local=d["local"])
            for name, d in raw["datasets"].items()}


def cache_dir() -> Path:
    return zoo.home() / "datasets"


def resolve(entry: DatasetEntry, data_root: Path, progress: bool = True) -> Path:
    """A folder holding the dataset: a local copy, the cache, or a fresh verified download."""
    local = data_root / entry.local
    if local.is_dir():
        return local
    if (entry.cache_folder / ".complete").is_file():
        return entry.cache_folder
    return fetch(entry, progress)


def fetch(entry: DatasetEntry, progress: bool = True) -> Path:
    try:
        return _fetch(entry, progress)
    except InputError as e:   # offline, or the download failed: say how to use a local copy
        raise InputError(f"{e} (or set TEXTCODEC_DATA to a folder that holds "
                         f"{entry.local}/)") from None


def _fetch(entry: DatasetEntry, progress: bool) -> Path:
    zoo.require_online("dataset", entry.name, InputError)
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{entry.name}.") as tmp:
        archive = Path(tmp) / entry.file
        zoo.download(entry, archive, progress, "dataset", InputError)
        unpacked = Path(tmp) / "unpacked"
        extract(archive, unpacked)
        (unpacked / ".complete").write_text(entry.sha256 + "\n")
        if entry.cache_folder.exists():
            shutil.rmtree(entry.cache_folder)
        os.replace(unpacked, entry.cache_folder)
    return entry.cache_folder


def extract(archive: Path, dest: Path) -> None:
    """Unzip with checks: no absolute paths or '..', bounded member count and size."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise InputError(f"{archive.name}: {len(members)} members, more than allowed")
            if sum(m.file_size for m in members) > MAX_UNPACKED:
                raise InputError(f"{archive.name}: unpacks beyond {MAX_UNPACKED >> 30} GiB")
            for m in members:
                parts = Path(m.filename).parts
                if m.filename.startswith("/") or ".." in parts:
                    raise InputError(f"{archive.name}: unsafe member path {m.filename!r}")
            z.extractall(dest)
    except zipfile.BadZipFile as e:
        raise InputError(f"{archive.name} is not a readable zip archive: {e}") from None
