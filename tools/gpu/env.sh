# Sourced at the start of every device-machine command: installs the carried wheels
# (see docs/training.md) and points textcodec at the carried OCR weights.
# A later call on the same warm machine may leave .whl behind (to carry something else in the
# 64 MiB): what an earlier call installed under /tmp/site is then used as it is.
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \
    >/tmp/pip.log 2>&1 || { cat /tmp/pip.log; exit 1; }
elif [ ! -d /tmp/site/compressai ]; then
  echo "no .whl carried and nothing installed under /tmp/site by an earlier call" >&2
  exit 1
fi
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TEXTCODEC_OCR_MODELS=$PWD/${PACK:-.pack}/ocr
# the rANS coder is a C extension: build it in place for this machine's Python
python3 -c "import textcodec._rans" 2>/dev/null || python3 setup.py -q build_ext --inplace \
  >/tmp/build.log 2>&1 || { cat /tmp/build.log; exit 1; }
