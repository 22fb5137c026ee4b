#!/usr/bin/env bash
# Checks that `preempt spark` writes, byte for byte, the PNGs `preempt robustify --batch 1` writes with the same
# options. Usage: tools/spark-vs-robustify.sh INPUT_DIR WORK_DIR [robustify options...]
# (INPUT_DIR: image files directly inside it, as robustify lists a folder.) SPARK_CMD replaces the Spark side's
# command (default: ./preempt spark; tools/spark-cluster-jar.sh runs the cluster jar instead).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IN="$1"; WORK="$2"; shift 2
rm -rf "$WORK/robustify" "$WORK/spark"
"$ROOT/preempt" robustify "$IN" --out "$WORK/robustify" --batch 1 --no-progress "$@" > /dev/null
${SPARK_CMD:-"$ROOT/preempt" spark} --master 'local[2]' --input "$IN" --out "$WORK/spark" "$@" > /dev/null
same=0; differ=0
for f in "$IN"/*; do
  case "${f,,}" in *.png|*.jpg|*.jpeg|*.bmp) ;; *) continue ;; esac
  base="$(basename "${f%.*}")"
  hash="$(sha256sum "$f" | cut -d' ' -f1)"
  if cmp -s "$WORK/robustify/$base.png" "$WORK/spark/images/${hash:0:2}/$hash.png"; then
    same=$((same + 1))
  else
    differ=$((differ + 1)); echo "DIFFERENT: $f" >&2
  fi
done
echo "$same identical, $differ different"
[ "$differ" -eq 0 ]
