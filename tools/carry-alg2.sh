#!/usr/bin/env bash
# Copies the Algorithm 2 run's last complete checkpoint (weights, momentum, best weights, state; about 4 MB) and its
# learning curve into docs/results/preempt-alg2/carry/NAME, so that a session on a new machine resumes the run
# (tools/train-bundled.sh alg2|alg2-pgd10 restores it when its output folder has no checkpoint). Run it before a
# session stops. Usage: tools/carry-alg2.sh [NAME]   (default preempt-alg2-pgd10, the run in progress)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-preempt-alg2-pgd10}"
out="${ALG2_OUT:-$(cd "$ROOT/.." && pwd)/alg2-run/$name}"
carry="$ROOT/docs/results/preempt-alg2/carry/$name"
[ -f "$out/checkpoint/last/state.json" ] || { echo "no checkpoint in $out" >&2; exit 2; }
mkdir -p "$(dirname "$carry")"
tmp="$(mktemp -d "$ROOT/docs/results/preempt-alg2/carry/.$name.XXXXXX")"
cp -r "$out/checkpoint" "$tmp/"   # the trainer swaps checkpoint/last by rename: a copy sees one whole state
cp "$out/train.log.jsonl" "$tmp/" 2>/dev/null || true
rm -rf "$carry" && mv "$tmp" "$carry"
echo "carried: $(grep -E "\"(epochs_done|batches_done)\"" "$carry/checkpoint/last/state.json" | tr -d " \n")"
