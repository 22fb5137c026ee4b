#!/usr/bin/env bash
# Trains (or resumes) the bundled models on this 2-core CPU. Two chains run side by side, one thread each.
# Every run checkpoints after each epoch; re-running this script resumes where the runs stopped.
# Usage: tools/train-bundled.sh [a|b|all|alg2|alg2-pgd10|NAME]   (NAME trains one model of the chains; alg2*: issue 18)
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
# Algorithm 2 (issue 18): fine-tunes adv-linf, hours of CPU, so each run trains outside the work tree
# (ALG2_OUT, default ../alg2-run/NAME; the checkpoints must not be committed). Starts or resumes (same flags; seed 0
# keeps the held-out images unseen by adv-linf too). See docs/results/preempt-alg2/README.md.
#   alg2         run 1 (done; models/preempt-alg2): x̂ PGD-2 of ε/2, x_adv PGD-4 of ε/2, 8 epochs, kept by PGD-20
#   alg2-pgd10   run 2: x̂ PGD-4 of ε/4, x_adv the paper's PGD-10 of ε/4, 6 epochs, kept by robustified APGD-CE
#                (run 1's gain did not hold under AutoAttack); its model stays in its output folder until measured
alg2_run() { # name, install (yes: copy the finished model to models/NAME), then the recipe's flags
  local name=$1 install=$2; shift 2
  local out="${ALG2_OUT:-$(cd "$ROOT/.." && pwd)/alg2-run/$name}" resume=""
  local carry="$ROOT/docs/results/preempt-alg2/carry/$name"  # the last checkpoint a session committed (4 MB): a
  # new machine resumes from it (tools/carry-alg2.sh NAME writes it before a session stops)
  if [ -z "$(ls "$out"/checkpoint/*/state.json 2>/dev/null)" ] && [ -f "$carry/checkpoint/last/state.json" ]; then
    mkdir -p "$out" && cp -r "$carry/checkpoint" "$out/" && cp "$carry/train.log.jsonl" "$out/" 2>/dev/null
  fi
  [ -n "$(ls "$out"/checkpoint/*/state.json 2>/dev/null)" ] && resume="--resume"
  (cd "$ROOT" && P train --threads 1 --no-progress --out "$out" $resume --method preempt --norm linf --eps 8/255 \
    --arch resnet20 --init models/adv-linf/model.params --batch 128 --lr 0.05 --schedule onecycle \
    --validation 500 --robustified-validation 200 --checkpoint-batches 40 --seed 0 "$@")
  local rc=$?; echo "$name: exit $rc"
  if [ $rc -eq 0 ] && [ "$install" = yes ] && grep -q '"command"' "$out/card.json"; then
    mkdir -p "$ROOT/models/$name" && cp "$out/model.params" "$out/card.json" "$ROOT/models/$name/"
  fi
}
alg2() {
  alg2_run preempt-alg2 yes --epochs 8 --robust-steps 2 --robust-step 0.5 --attack-steps 4 --attack-step 0.5
}
alg2_pgd10() {
  alg2_run preempt-alg2-pgd10 no --epochs 6 --robust-steps 4 --robust-step 0.25 --attack-steps 10 --attack-step 0.25 \
    --robustified-attack apgd-ce
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
  alg2-pgd10) alg2_pgd10 ;;
  a) chain_a ;;
  b) chain_b ;;
  all) chain_a & chain_b & wait ;;
  *) only=$1; run() { [ "$1" = "$only" ] && { shift; set -- "$only" "$@"; _run "$@"; } || true; }; chain_a; chain_b ;;
esac
