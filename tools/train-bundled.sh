#!/usr/bin/env bash
# Trains (or resumes) the bundled models on this 2-core CPU. Two chains run side by side, one thread each.
# Every run checkpoints after each epoch; re-running this script resumes where the runs stopped.
# Usage: tools/train-bundled.sh [a|b|all|alg2|NAME]   (NAME trains one model of the chains; alg2: issue 18)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$ROOT/runs/train-logs"; mkdir -p "$LOGS"
source "$ROOT/tools/snapshot.sh" "${SNAP:-bin}"  # SNAP=name keeps parallel invocations apart
_run() { # name, then train flags
  local name=$1; shift
  if [ -f "$ROOT/models/$name/card.json" ] && grep -q '"command"' "$ROOT/models/$name/card.json"; then
    echo "$name: done"; return 0; fi
  local resume=""; [ -n "$(ls "$ROOT/models/$name"/checkpoint/*/state.json "$ROOT/models/$name"/checkpoint/state.json \
    2>/dev/null)" ] && resume="--resume"
  P train --threads 1 --no-progress --out "$ROOT/models/$name" $resume "$@" >>"$LOGS/$name.log" 2>&1
  echo "$name: exit $?"
}
# Algorithm 2 (issue 18): fine-tunes adv-linf, hours of CPU, so it trains outside the work tree (ALG2_OUT; the
# checkpoints must not be committed) and only its finished model.params + card.json are copied into models/.
# Starts or resumes (same flags; seed 0 keeps the held-out images unseen by adv-linf too). See
# docs/results/preempt-alg2/README.md.
alg2() {
  local out="${ALG2_OUT:-$(cd "$ROOT/.." && pwd)/alg2-run/preempt-alg2}" resume=""
  local carry="$ROOT/docs/results/preempt-alg2/carry"  # the last checkpoint a session committed (4 MB): a new
  # machine resumes from it (tools/carry-alg2.sh writes it before a session stops)
  if [ -z "$(ls "$out"/checkpoint/*/state.json 2>/dev/null)" ] && [ -f "$carry/checkpoint/last/state.json" ]; then
    mkdir -p "$out" && cp -r "$carry/checkpoint" "$out/" && cp "$carry/train.log.jsonl" "$out/" 2>/dev/null
  fi
  [ -n "$(ls "$out"/checkpoint/*/state.json 2>/dev/null)" ] && resume="--resume"
  (cd "$ROOT" && P train --threads 1 --no-progress --out "$out" $resume --method preempt --norm linf --eps 8/255 \
    --arch resnet20 --init models/adv-linf/model.params --epochs 8 --batch 128 --lr 0.05 --schedule onecycle \
    --robust-steps 2 --robust-step 0.5 --attack-steps 4 --attack-step 0.5 \
    --validation 500 --robustified-validation 200 --checkpoint-batches 40 --seed 0)
  local rc=$?; echo "preempt-alg2: exit $rc"
  if [ $rc -eq 0 ] && grep -q '"command"' "$out/card.json"; then
    mkdir -p "$ROOT/models/preempt-alg2" && cp "$out/model.params" "$out/card.json" "$ROOT/models/preempt-alg2/"
  fi
}
run() { _run "$@"; }
chain_a() {
  run adv-linf --method adv --norm linf --eps 8/255 --fast --arch resnet20 --epochs 15 --lr 0.2 --schedule onecycle
  run adv-l2 --method adv --norm l2 --eps 0.5 --fast --arch resnet20 --epochs 10 --lr 0.2 --schedule onecycle
  run preempt-linf --method preempt --norm linf --eps 8/255 --fast --fgsm-step 1.0 --arch resnet20 --epochs 8 --lr 0.15 --schedule onecycle
}
chain_b() {
  run standard --method standard --arch resnet20 --epochs 10 --lr 0.2 --schedule onecycle --validation 0
  run gaussian-0.25 --method gaussian --sigma 0.25 --arch resnet20 --epochs 10 --lr 0.2 --schedule onecycle --validation 0
  run gaussian-0.1 --method gaussian --sigma 0.1 --arch resnet20 --epochs 10 --lr 0.2 --schedule onecycle --validation 0
}
case "${1:-all}" in
  alg2) alg2 ;;
  a) chain_a ;;
  b) chain_b ;;
  all) chain_a & chain_b & wait ;;
  *) only=$1; run() { [ "$1" = "$only" ] && { shift; set -- "$only" "$@"; _run "$@"; } || true; }; chain_a; chain_b ;;
esac
