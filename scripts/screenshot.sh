#!/usr/bin/env bash
# Starts the real app under Xvfb, waits until it shows results, and saves a screenshot.
#   scripts/screenshot.sh [OUT.png] [TIMEOUT_S] [-- ARGS for stadyn]
# It waits for the line the app prints when results are on screen ("stadyn: results
# shown (…)": complete results, cached or computed); SHOT_WAIT_FOR=PATTERN waits for
# another (e.g. "partial results shown"). Without ARGS the app opens the demo; an
# uncached demo is computed first (a few minutes), so the timeout defaults to 15 min.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshot.png}"
timeout_s="${2:-900}"
shift $(( $# > 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
pattern="${SHOT_WAIT_FOR:-stadyn: results shown}"
eval "$(scripts/setup.sh --env)"
cargo build --release --locked
display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
log="$(mktemp)"
app=""
trap 'kill $app $xvfb 2>/dev/null || true; rm -f "$log"' EXIT
sleep 1
unset WGPU_BACKEND
DISPLAY="$display" target/release/stadyn "$@" 2>"$log" &
app=$!
waited=0
until grep -q "$pattern" "$log"; do
  if ! kill -0 "$app" 2>/dev/null; then
    cat "$log" >&2
    echo "the app ended before showing results" >&2
    exit 1
  fi
  if (( waited >= timeout_s )); then
    cat "$log" >&2
    echo "no '$pattern' after ${timeout_s}s" >&2
    exit 1
  fi
  sleep 1
  waited=$(( waited + 1 ))
done
grep "$pattern" "$log" | head -1
# the line comes as the results arrive: let a few frames draw them, with the
# pointer in a corner (no tooltip)
command -v xdotool >/dev/null && DISPLAY="$display" xdotool mousemove 1279 799 || true
sleep 2
mkdir -p "$(dirname "$out")"
DISPLAY="$display" import -window root "$out"
echo "saved $out after ${waited}s"
