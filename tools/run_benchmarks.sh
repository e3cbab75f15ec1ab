#!/usr/bin/env bash
# Regenerates the figures of docs/benchmarks.md on this machine (2-core CPU):
#   bash tools/run_benchmarks.sh [SCREENSHOTS] [OTHERS]
# Results are resumable: rerunning continues where an interrupted run stopped.
set -euo pipefail
n=${1:-3}
m=${2:-2}
codecs=textcodec,textcodec-nofusion,textcodec-baseline,jpeg,webp,avif,jxl
textcodec bench --dataset synthetic --limit $n --points 5 --codecs $codecs \
  --out docs/bench/synthetic --anchor textcodec-baseline
for ds in funsd kodak; do
  textcodec bench --dataset $ds --limit $m --points 5 --codecs $codecs \
    --out docs/bench/$ds --anchor textcodec-baseline
done
# the same forms judged by an independent engine (needs: apt-get install tesseract-ocr)
if command -v tesseract >/dev/null; then
  textcodec bench --dataset funsd --limit $m --points 5 --codecs $codecs \
    --out docs/bench/funsd-tesseract --anchor textcodec-baseline --ocr tesseract
fi
# real GTK dialogs (needs: apt-get install gimp-help-en); no ground truth
if [ -d /usr/share/gimp/2.0/help/en/images/dialogs ]; then
  textcodec bench --dataset gimp --limit 12 --points 5 --codecs $codecs \
    --out docs/bench/gimp --anchor textcodec-baseline
fi
# web pages rendered by headless Chromium (needs: apt-get install chromium, and for the same
# pages as docs/bench/web the fonts of textcodec.bench.datasets.web's docstring)
if command -v chromium >/dev/null; then
  textcodec bench --dataset web --limit $n --points 5 --codecs $codecs \
    --out docs/bench/web --anchor textcodec-baseline
fi
# screenshots of Qt's example programs (needs: apt-get install qtbase5-doc-html); no ground truth
if [ -d /usr/share/qt5/doc/qtwidgets/images ]; then
  textcodec bench --dataset qt --limit 12 --points 5 --codecs $codecs \
    --out docs/bench/qt --anchor textcodec-baseline
fi
[ "${SPEED:-1}" = 1 ] && python3 tools/bench_speed.py --device cpu --ocr --repeat 3 | tee docs/bench/speed-cpu.json
python3 tools/write_benchmarks_md.py
