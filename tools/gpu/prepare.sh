#!/usr/bin/env bash
# Everything a training call on the device machine carries, made here in one go:
#   bash tools/gpu/prepare.sh [PAGES]        (default 40 web pages)
# 1. .whl: the cp312 wheels the device lacks (../shared/tools/gpu-wheels.sh), less the
#    english_g2 weights (the pack has them in fp16), zstandard (training does not use it) and
#    shapely and pyclipper (EasyOCR's DBNet detector alone imports them);
# 2. runs/web: PAGES random web pages rendered by headless Chromium (skipped where the folder
#    already holds as many, or where chromium is not installed: the pack then has no web/); the
#    pack takes the first PAGES of them (runs/web-PAGES);
# 3. .pack-lean: tools/make_pack.py --lean (+ --web runs/web);
# 4. the size check: tree + carries against the 64 MiB limit with base-v18 (the previous
#    default's codec; runs start from base-v19) and docs/ moved out for the call
#    (tools/gpu/carry_size.py), and the commands that move them out and back.
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-40}
if [ ! -d .whl ] || ! ls .whl/compressai-*.whl >/dev/null 2>&1; then
  bash ../shared/tools/gpu-wheels.sh .whl
fi
# english_g2 travels in the pack (fp16); zstandard is not used in training; shapely and
# pyclipper only by EasyOCR's DBNet detector, which textcodec never loads (3.3 MB)
rm -f .whl/english_g2.pth .whl/zstandard-* .whl/shapely-* .whl/pyclipper-*
web=()
if command -v chromium >/dev/null; then
  have=$(ls runs/web/*.png 2>/dev/null | wc -l || true)   # none yet: ls fails (pipefail)
  if [ "$have" -lt "$pages" ]; then
    rm -rf runs/web
    python3 tools/render_pages.py --out runs/web --count "$pages"
  fi
  # the first PAGES of them (runs/web may hold more, from a larger earlier run)
  rm -rf "runs/web-$pages" && mkdir -p "runs/web-$pages"
  for png in $(ls runs/web/*.png | sort | head -n "$pages"); do
    cp "$png" "${png%.png}.json" "runs/web-$pages/"
  done
  web=(--web "runs/web-$pages")
else
  echo "chromium is not installed: the pack gets no web pages (apt-get install chromium)"
fi
rm -rf .pack-lean
python3 tools/make_pack.py --out .pack-lean --lean "${web[@]}"
away=(models/textcodec-base-v18.pt docs)
python3 tools/gpu/carry_size.py .whl .pack-lean --away "${away[@]}"
cat <<EOF
Before the calls:  mkdir -p /tmp/away && mv ${away[*]} /tmp/away/
After them:        mv /tmp/away/textcodec-base-v18.pt models/ && mv /tmp/away/docs .
EOF
