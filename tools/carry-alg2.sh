#!/usr/bin/env bash
# Copies the Algorithm 2 run's last complete checkpoint (weights, momentum, best weights, state; about 4 MB) and its
# learning curve into docs/results/preempt-alg2/carry, so that a session on a new machine resumes the run
# (tools/train-bundled.sh alg2 restores it when its output folder has no checkpoint). Run it before a session stops.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${ALG2_OUT:-$(cd "$ROOT/.." && pwd)/alg2-run/preempt-alg2}"
carry="$ROOT/docs/results/preempt-alg2/carry"
[ -f "$out/checkpoint/last/state.json" ] || { echo "no checkpoint in $out" >&2; exit 2; }
tmp="$(mktemp -d "$ROOT/docs/results/preempt-alg2/.carry.XXXXXX")"
cp -r "$out/checkpoint" "$tmp/"   # the trainer swaps checkpoint/last by rename: a copy sees one whole state
cp "$out/train.log.jsonl" "$tmp/" 2>/dev/null || true
rm -rf "$carry" && mv "$tmp" "$carry"
echo "carried: $(grep -E "\"(epochs_done|batches_done)\"" "$carry/checkpoint/last/state.json" | tr -d " \n")"
