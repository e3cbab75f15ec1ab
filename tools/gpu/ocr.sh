#!/usr/bin/env bash
# EasyOCR's full weights on the device machine, for the GPU tests and the encoder's timing.
# CRAFT's 83 MB file does not fit one 64 MiB carry beside the tree, so it crosses in three
# parts, one per call, and is put together under /tmp/ocr, which lasts while the machine stays
# warm (it is released 30 s after a call: issue the calls back to back).
#
#   here:    bash tools/gpu/ocr.sh split     runs/oa, runs/ob, runs/oc (CRAFT in three parts)
#                                            and runs/g2 (english_g2), all ignored by git
#   device:  bash tools/gpu/ocr.sh collect   keeps whatever part this call carried; once all
#                                            three and english_g2 are there, joins them and
#                                            checks EasyOCR's md5s
#   device:  bash tools/gpu/ocr.sh check     tests/test_gpu.py, then the encode timing and the
#                                            decoding timing, into $OUT
#
# The carries that fit 64 MiB (the tree with both models is ~31 MB; session 16):
#   call 1: runs/oa            collect
#   call 2: runs/g2 runs/ob    collect (move models/textcodec-base-v8.pt out of the tree for
#                              this call only, and put it back)
#   call 3: .whl runs/oc       collect && check (both models in the tree: the GPU tests use
#                              the baseline too)
# Beside a training run, the parts can ride on its wait calls instead (no .whl needed once the
# start call installed it, tools/gpu/env.sh), one part per call, e.g. with carry runs/oa:
#   bash tools/gpu/ocr.sh collect; RETURN=0 bash tools/gpu/train.sh wait 420
# then runs/ob, runs/oc, and last runs/g2 with `collect && check` once training has ended.
set -eu
CRAFT=craft_mlt_25k.pth
G2=english_g2.pth
CRAFT_MD5=2f8227d2def4037cdb3b34389dcf9ec1
G2_MD5=5864788e1821be9e454ec108d61b887d
mode=$1
case $mode in
split)
  src=$(python3 -c "import easyocr_en_models, os; \
print(os.path.join(os.path.dirname(easyocr_en_models.__file__), 'models'))")
  mkdir -p runs/oa runs/ob runs/oc runs/g2
  head -c 28000000 "$src/$CRAFT" >runs/oa/part
  tail -c +28000001 "$src/$CRAFT" | head -c 31000000 >runs/ob/part
  tail -c +59000001 "$src/$CRAFT" >runs/oc/part
  cp "$src/$G2" runs/g2/
  cat runs/oa/part runs/ob/part runs/oc/part | md5sum | grep -q $CRAFT_MD5
  du -b runs/oa/part runs/ob/part runs/oc/part runs/g2/$G2
  ;;
collect)
  mkdir -p /tmp/ocr/parts
  for p in oa ob oc; do
    [ -f runs/$p/part ] && cp runs/$p/part /tmp/ocr/parts/$p
  done
  [ -f runs/g2/$G2 ] && cp runs/g2/$G2 /tmp/ocr/
  missing=""
  for p in oa ob oc; do [ -f /tmp/ocr/parts/$p ] || missing="$missing $p"; done
  [ -f /tmp/ocr/$G2 ] || missing="$missing g2"
  if [ -n "$missing" ]; then
    echo "still to carry:$missing"
    exit 0
  fi
  cat /tmp/ocr/parts/oa /tmp/ocr/parts/ob /tmp/ocr/parts/oc >/tmp/ocr/$CRAFT
  (cd /tmp/ocr && echo "$CRAFT_MD5  $CRAFT" | md5sum -c && echo "$G2_MD5  $G2" | md5sum -c)
  ;;
check)
  [ -f /tmp/ocr/$CRAFT ] || { echo "no /tmp/ocr/$CRAFT: collect all three parts first"; exit 1; }
  source tools/gpu/env.sh
  export TEXTCODEC_OCR_MODELS=/tmp/ocr
  python3 -m pytest -q tests/test_gpu.py 2>&1 | tee "$OUT/gpu-tests.log" | tail -n 3
  python3 tools/bench_speed.py --device cuda --ocr --repeat 9 >"$OUT/speed-gpu.json" \
    2>"$OUT/speed.err" && cat "$OUT/speed-gpu.json"
  python3 tools/time_decode_paths.py --out "$OUT/decode-paths-gpu.json" 2>>"$OUT/speed.err"
  ;;
*)
  echo "usage: bash tools/gpu/ocr.sh split|collect|check" >&2
  exit 2
  ;;
esac
