#!/usr/bin/env bash
# Re-makes the main bench's textcodec and textcodec-nofusion rows at qualities 0-5 (where the
# encoder fits glyphs) of every set, keeping every other row, after the first archiving each
# set's results as docs/bench/ARCHIVE/SET.jsonl (session 42: bench-s41):
#   TEXTCODEC_DATA=../shared/data bash tools/remake_glyph_rows.sh ARCHIVE [WORK] [QMAX]
# WORK (default runs/remake) holds each set's run; its files are then copied over the set's.
# QMAX (default 5) is the highest quality re-made: 10 re-makes those rows at every rate (session
# 46, the side streams read by the light pipeline as `textcodec encode` reads them).
# Run it alone: the rows' timing columns are reported. Then python tools/write_benchmarks_md.py
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:?name the archive folder, e.g. bench-s41}
work=${2:-runs/remake}
qmax=${3:-5}
mkdir -p docs/bench/$archive
for spec in synthetic:3: funsd:2: funsd-tesseract:2:tesseract kodak:2: gimp:12: web:3: qt:12:; do
  IFS=: read -r name n ocr <<<"$spec"
  [ -f docs/bench/$archive/$name.jsonl ] || cp docs/bench/$name/results.jsonl docs/bench/$archive/$name.jsonl
  out=$work/$name
  rm -rf "$out" && mkdir -p "$out"
  python3 - "docs/bench/$archive/$name.jsonl" "$out/results.jsonl" "$qmax" <<'PY'
import json, sys
src, dst, qmax = sys.argv[1:]
rows = [json.loads(line) for line in open(src)]
keep = [r for r in rows
        if not (r["codec"] in ("textcodec", "textcodec-nofusion")
                and r["setting"] <= float(qmax))]
open(dst, "w").write("".join(json.dumps(r) + "\n" for r in keep))
PY
  extra=()
  [ -n "$ocr" ] && extra=(--ocr "$ocr")
  textcodec bench --dataset "${name%-tesseract}" --limit "$n" --points 5 \
    --codecs textcodec,textcodec-nofusion --anchor textcodec-baseline --out "$out" "${extra[@]}"
  cp "$out"/* docs/bench/$name/
done
