#!/bin/bash
# Peak resident memory of the service when N full-size photos arrive at once (issue 15's memory question).
# usage: docs/results/serve/fullsize-memory.sh [extra serve options...]   (env: PHOTO, N, PORT)
# Prints VmHWM (peak resident) idle and after the N answers, the wall time and the status codes.
set -u
PHOTO=${PHOTO:-samples/astronaut.png}; N=${N:-64}; PORT=${PORT:-18087}
OUT=$(mktemp -d)
./preempt serve --port "$PORT" --max-wait-ms 3000 --queue 256 --timeout-ms 3600000 "$@" > "$OUT/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break; sleep 1; done
JAVA=$(pgrep -P "$PID" java || echo "$PID")
grep VmHWM "/proc/$JAVA/status" | sed 's/^/idle /'
START=$(date +%s)
for i in $(seq 1 "$N"); do
  curl -s -o /dev/null -w "%{http_code}\n" -H 'Content-Type: image/png' --data-binary @"$PHOTO" \
      "http://127.0.0.1:$PORT/v1/robustify" >> "$OUT/codes.txt" &
done
wait $(jobs -p | grep -v "^$PID$")
echo "wall $(( $(date +%s) - START )) s"
grep VmHWM "/proc/$JAVA/status"
sort "$OUT/codes.txt" | uniq -c
kill "$PID"
