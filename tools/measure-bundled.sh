#!/usr/bin/env bash
# Reproduces the figures quoted in the closing notes for a bundled model.
# Usage: tools/measure-bundled.sh MODEL [N_EVAL]   (outputs into runs/measure/MODEL/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M=${1:?model name}; N=${2:-50}
OUT="$ROOT/runs/measure/$M"; mkdir -p "$OUT"
source "$ROOT/tools/snapshot.sh" bin-measure
NORM=linf; case "$M" in *l2*) NORM=l2 ;; esac
P attack pgd --model "$M" --n 1000 --norm "$NORM" --seed 0 --json "$OUT/pgd20-1000.json" --no-progress | tee "$OUT/pgd20-1000.txt"
P attack autoattack --model "$M" --n 100 --norm "$NORM" --seed 0 --json "$OUT/aa-100.json" --state "$OUT/aa-100.state.json" --no-progress | tee "$OUT/aa-100.txt"
P bench robustify --model "$M" --norm "$NORM" --n 16 --batch 16 --json "$OUT/bench-robustify.json" --no-progress | tee "$OUT/bench-robustify.txt"
P eval --model "$M" --norm "$NORM" --n "$N" --fast --attacks pgd --json "$OUT/eval-fast-$N.json" --figures "$OUT/figures" --no-progress | tee "$OUT/eval-fast-$N.txt"
