"""What a device call would send, against its 64 MiB limit, before the call is made.

    python tools/gpu/carry_size.py .whl .pack-lean [--away models/textcodec-base-v18.pt docs]

The working tree that travels is every tracked file still present plus untracked files git
does not ignore, and each carried path on top. ``--away`` names tracked paths the caller will
move out of the tree for the call (as session 31 did with base-v11 and docs/): they are left
out of the sum. Prints each part, the total and what is left under the limit, and the largest
tracked files when it does not fit; exits 1 then, so a script can stop before a call that
the device would refuse.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

LIMIT = 64 << 20
ROOT = Path(__file__).resolve().parents[2]


def _tree_files() -> list[Path]:
    """Tracked files and untracked, not-ignored ones (what a call sends besides carries)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / p for p in out.decode().split("\0") if p]


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _is_under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("carry", nargs="*", help="paths the call names in carry")
    p.add_argument("--away", nargs="*", default=[],
                   help="tracked paths moved out of the tree for the call")
    args = p.parse_args(argv)
    away = [(ROOT / a).resolve() for a in args.away]
    carried = [(ROOT / c).resolve() for c in args.carry]
    for c in carried:
        if not c.exists():
            print(f"error: carried path {c.relative_to(ROOT)} does not exist", file=sys.stderr)
            return 2
    files = [f for f in _tree_files()
             if f.is_file() and not _is_under(f, away) and not _is_under(f, carried)]
    tree = sum(f.stat().st_size for f in files)
    parts = [("tree", tree)] + [(str(c.relative_to(ROOT)), _size(c)) for c in carried]
    total = sum(n for _, n in parts)
    for name, n in parts:
        print(f"{name:<24} {n / 2**20:8.2f} MiB")
    print(f"{'total':<24} {total / 2**20:8.2f} MiB of {LIMIT / 2**20:.0f} MiB "
          f"({(LIMIT - total) / 2**20:+.2f} MiB left)")
    if total <= LIMIT:
        return 0
    print("over the limit; the largest files in the tree (move some out with --away):")
    for f in sorted(files, key=lambda f: f.stat().st_size, reverse=True)[:5]:
        print(f"  {f.stat().st_size / 2**20:8.2f} MiB  {f.relative_to(ROOT)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
