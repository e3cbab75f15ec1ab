#!/usr/bin/env bash
# Training on the device machine, in three phases so a run outlives one 10-minute call:
#   bash tools/gpu/train.sh start MINUTES RUN...   starts each RUN in its own session (setsid)
#   bash tools/gpu/train.sh wait SECONDS           sleeps, then reports and returns checkpoints
# A RUN is NAME:LOSSES[:INIT[:EXTRA]], e.g. base:rd  logit:rd,logit:models/x.pt:--kappa=0.01
# (EXTRA may hold several flags, space-separated, in one quoted argument); A>B runs B after A.
# PACK names the carried data folder (default .pack).
set -u
source tools/gpu/env.sh
mode=$1; shift
mkdir -p runs
case $mode in
start)
  minutes=$1; shift
  nvidia-smi -L
  # NPROC=K: each run is one DDP job over K GPUs (torchrun), else one process on GPU 0
  launcher="python3 -m textcodec.train"
  [ "${NPROC:-1}" -gt 1 ] && launcher="python3 -m torch.distributed.run --standalone \
    --nproc-per-node $NPROC -m textcodec.train"
  touch runs/.started   # wait returns only checkpoints written after this (return limits)
  # the runs read the pack all along (fonts, pages): a carried folder is gone as soon as a
  # call does not name it, so they read a copy under runs/, which stays while the machine does
  rm -rf runs/.pack && cp -r "${PACK:-.pack}" runs/.pack
  # ... and the code and models too: every call copies the working tree afresh, and a run
  # that opens a file of it while a later call's copy is being made fails (session 32's
  # fusion run, chained after an 18-minute one, died on the render font so). The runs work
  # in a snapshot taken now, whose runs/ is the real one.
  root=$PWD; snap=$root/runs/.tree
  rm -rf "$snap" && mkdir -p "$snap" && cp -r textcodec models tools "$snap"/
  for f in * .[!.]*; do   # the rest (runs/, carried folders such as .init/) as links
    [ -e "$snap/$f" ] || ln -s "$root/$f" "$snap/$f"
  done
  for chain in "$@"; do
    # RUN>RUN...: runs one after another in one session, each for MINUTES (unless its
    # EXTRA says --max-minutes=M), so a later run can start from an earlier one's checkpoint
    script=""
    IFS='>' read -ra specs <<<"$chain"
    for spec in "${specs[@]}"; do
      IFS=: read -r name losses init more <<<"$spec"
      extra=""
      [ -n "${init:-}" ] && extra="--init $init"
      extra="$extra ${more:-}"
      script="$script $launcher --out runs/$name --name textcodec-$name \
        --losses $losses --pack runs/.pack --max-minutes $minutes --steps 10000000 \
        --workers 4 --save-every 1500 --log-every 250 --resume $extra >runs/$name.out 2>&1;"
    done
    setsid nohup env PYTHONPATH="/tmp/site:$snap" TEXTCODEC_OCR_MODELS="$root/runs/.pack/ocr" \
      bash -c "cd '$snap' && $script" </dev/null >/dev/null 2>&1 &
  done
  sleep 90
  tail -n 3 runs/*.out
  ;;
wait)
  secs=$1
  end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    sleep 20
    if ! pgrep -f textcodec.train >/dev/null; then break; fi
  done
  # RETURN=0: report only (spares the transfer of the checkpoints on intermediate calls)
  for d in runs/*/; do
    n=$(basename $d)
    tail -n 2 runs/$n.out
    f=$d/textcodec-$n.pt
    if [ "${RETURN:-1}" = 1 ] && [ $f -nt runs/.started ]; then
      # a file comes back only under 16 MiB: a wider codec's (20.8 MB at 192/192/96) comes
      # in parts, joined here by: cat textcodec-NAME.pt.part* > textcodec-NAME.pt
      if [ $(stat -c %s $f) -gt 16000000 ]; then
        split -b 15000000 -d $f $OUT/textcodec-$n.pt.part
      else
        cp $f $OUT/
      fi
    fi
    cp $d/log.jsonl runs/log-$n.jsonl 2>/dev/null
  done
  tar -cf $OUT/logs.tar runs/log-*.jsonl runs/*.out 2>/dev/null
  nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
  ls -la $OUT
  ;;
esac
