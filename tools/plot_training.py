"""docs/img/training-curves.png from the JSONL logs in docs/training-logs/.

    python tools/plot_training.py
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "docs" / "training-logs"
# (label, [(file, step offset)]): stage-1b resumed the baseline at step 6220; the fine-tunes
# started from the baseline at 9850
RUNS = [("baseline R+D", [("base-stage1.jsonl", 0), ("base-stage1b.jsonl", 6220)]),
        ("logit loss from scratch", [("logit-scratch.jsonl", 0)]),
        ("OCR loss from scratch", [("ocr-scratch.jsonl", 0)]),
        ("logit fine-tune (default)", [("logit-finetune.jsonl", 9850)]),
        ("OCR fine-tune", [("ocr-finetune.jsonl", 9850)])]


def main() -> None:
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), dpi=100)
    for label, parts in RUNS:
        rows = []
        for name, offset in parts:
            for line in (LOGS / name).read_text().splitlines():
                r = json.loads(line)
                rows.append((r["step"] + offset, r))
        if not rows:
            continue
        steps = [s for s, _ in rows]
        for ax, key in zip(axes, ("psnr", "bpp", "loss")):
            ax.plot(steps, [r[key] for _, r in rows], label=label)
    for ax, title in zip(axes, ("training PSNR (dB), all 8 rates mixed", "training bpp",
                                "total loss")):
        ax.set_title(title)
        ax.set_xlabel("step (batch 16, 256x256)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "training-curves.png"
    fig.savefig(out)
    print(out)


if __name__ == "__main__":
    main()
