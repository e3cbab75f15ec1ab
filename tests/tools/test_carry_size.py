"""tools/gpu/carry_size.py: what a device call sends, against the 64 MiB limit."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def carry_size():
    spec = importlib.util.spec_from_file_location("carry_size",
                                                  ROOT / "tools" / "gpu" / "carry_size.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _total(out: str) -> float:
    line, = [ln for ln in out.splitlines() if ln.startswith("total")]
    return float(line.split()[1])


def test_carried_folder_and_moved_away_paths_change_the_total(carry_size, capsys):
    """A carried folder adds its bytes; a tracked path moved away takes its own off."""
    assert carry_size.main([]) == 0
    tree = _total(capsys.readouterr().out)
    assert carry_size.main(["textcodec/data"]) == 0   # tracked: counted once, as a carry
    assert _total(capsys.readouterr().out) == pytest.approx(tree, abs=0.011)
    assert carry_size.main(["--away", "models"]) == 0
    without_models = _total(capsys.readouterr().out)
    models = sum(f.stat().st_size for f in (ROOT / "models").rglob("*") if f.is_file())
    assert tree - without_models == pytest.approx(models / 2**20, abs=0.011)


def test_over_the_limit_fails_and_names_the_largest_files(carry_size, capsys, monkeypatch):
    monkeypatch.setattr(carry_size, "LIMIT", 1 << 20)
    assert carry_size.main([]) == 1
    out = capsys.readouterr().out
    assert "over the limit" in out and "models/" in out


def test_a_missing_carried_path_is_an_error(carry_size, capsys):
    assert carry_size.main([".no-such-folder"]) == 2
    assert "does not exist" in capsys.readouterr().err
