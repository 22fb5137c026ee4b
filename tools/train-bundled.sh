#!/usr/bin/env bash
# Trains (or resumes) the bundled models on this 2-core CPU. Two chains run side by side, one thread each.
# Every run checkpoints after each epoch; re-running this script resumes where the runs stopped.
# Usage: tools/train-bundled.sh [a|b|all|NAME]   (NAME trains one model of the chains)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOGS="$ROOT/runs/train-logs"; mkdir -p "$LOGS"
source "$ROOT/tools/snapshot.sh" "${SNAP:-bin}"  # SNAP=name keeps parallel invocations apart
_run() { # name, then train flags
  local name=$1; shift
  if [ -f "$ROOT/models/$name/card.json" ] && grep -q '"command"' "$ROOT/models/$name/card.json"; then
    echo "$name: done"; return 0; fi
  local resume=""; [ -f "$ROOT/models/$name/checkpoint/state.json" ] && resume="--resume"
  P train --threads 1 --no-progress --out "$ROOT/models/$name" $resume "$@" >>"$LOGS/$name.log" 2>&1
  echo "$name: exit $?"
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
  a) chain_a ;;
  b) chain_b ;;
  all) chain_a & chain_b & wait ;;
  *) only=$1; run() { [ "$1" = "$only" ] && { shift; set -- "$only" "$@"; _run "$@"; } || true; }; chain_a; chain_b ;;
esac
