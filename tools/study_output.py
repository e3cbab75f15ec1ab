"""The one way the study tools write their results: the command's arguments and the
payload, as JSON, to ``out`` (its folder made), and a line saying where."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def write_study(out: Path, args: argparse.Namespace, **payload) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, **payload},
                              indent=1))
    print(f"wrote {out}")
