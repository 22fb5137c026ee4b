# Sourced by the long-running tools: builds the project once, copies the tool to a private folder, and
# defines P to run that copy, so that rebuilding the project cannot pull jars from under a run of hours.
# Usage: source tools/snapshot.sh NAME   (copy lands in runs/NAME)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/preempt" --version >/dev/null
BIN="${SNAP_DIR:-$ROOT/runs/${1:-bin}}"; rm -rf "$BIN"; mkdir -p "$BIN"  # SNAP_DIR: an absolute folder instead
cp -r "$ROOT/preempt-cli/target/lib" "$ROOT"/preempt-cli/target/preempt-cli-*.jar "$BIN/"
if [ -z "${PREEMPT_DATA:-}" ] && [ -d "$ROOT/../shared/data/cifar-10-batches-bin" ]; then
  export PREEMPT_DATA="$ROOT/../shared/data/cifar-10-batches-bin"
fi
export PREEMPT_MODELS="${PREEMPT_MODELS:-$ROOT/models}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-268435456}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-1073741824}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
P() { java -Xmx8g -cp "$BIN/*:$BIN/lib/*" ai.preempt.cli.PreemptCli "$@"; }
