"""Are the "substitutions" counted against Tesseract's reading misreadings at all?

    python tools/substitution_truth_check.py docs/bench/substitution-glyphs.json ...
                                             [--out docs/bench/truthcheck-substitution-glyphs.json]

tools/substitution_rate.py counts a token as substituted against Tesseract where the decode
reads as the side stream has it and Tesseract's reading of the original does not. Where
Tesseract misreads the original and the side stream is right, that is no misreading painted
in. On sets with ground truth (synthetic screenshots, FUNSD forms) this looks each such token
up in the truth of its image: how many of the fused decodes' Tesseract-counted substitutions
the ground truth holds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from textcodec.bench import datasets
from textcodec.words import normalise_token

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("runs", nargs="+", type=Path)
    p.add_argument("--out", type=Path,
                   default=ROOT / "docs" / "bench" / "truthcheck-substitution-glyphs.json")
    args = p.parse_args()
    truths: dict[tuple[str, str], set[str]] = {}
    result = []
    for path in args.runs:
        d = json.loads(path.read_text())
        rows = [r for r in d["rows"] if r["reference"] == "tesseract" and r["fusion"]]
        for ds in sorted({r["dataset"] for r in rows}):
            images = {r["image"] for r in rows if r["dataset"] == ds}
            for item in datasets.load(ds, d.get("skip", 0) + len(images)):
                if item.truth is not None:
                    truths[ds, item.id] = {normalise_token(t) for w in item.truth
                                           for t in w.text.split()}
        examples = [(r["dataset"], r["image"], r["quality"], e) for r in rows
                    for e in r["examples"]]
        outside = [{"dataset": ds, "image": im, "quality": q, "token": e}
                   for ds, im, q, e in examples
                   if normalise_token(e) not in truths.get((ds, im), set())]
        counted = sum(r["substituted"] for r in rows)
        result.append({"run": path.name, "substituted": counted, "listed": len(examples),
                       "in_truth": len(examples) - len(outside), "not_in_truth": outside})
        print(f"{path.name}: {counted} counted against Tesseract, {len(examples)} listed, "
              f"{len(examples) - len(outside)} of them in the ground truth; the others: "
              f"{[o['token'] for o in outside]}")
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
