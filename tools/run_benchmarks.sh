#!/usr/bin/env bash
# Regenerates the figures of docs/benchmarks.md on this machine (2-core CPU):
#   bash tools/run_benchmarks.sh [IMAGES_PER_SET]
# Results are resumable: rerunning continues where an interrupted run stopped.
set -euo pipefail
n=${1:-4}
codecs=textcodec,textcodec-baseline,jpeg,webp,avif,jxl
for ds in synthetic funsd kodak; do
  textcodec bench --dataset $ds --limit $n --points 5 --codecs $codecs \
    --out docs/bench/$ds --anchor textcodec-baseline
done
python3 tools/bench_speed.py --device cpu --ocr --repeat 3 | tee docs/bench/speed-cpu.json
