#!/usr/bin/env bash
# Starts the real app under Xvfb, waits, and saves a screenshot.
#   scripts/screenshot.sh [OUT.png] [SECONDS] [-- ARGS for stadyn]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshot.png}"
wait_s="${2:-6}"
shift $(( $# > 2 ? 2 : $# ))
[[ "${1:-}" == "--" ]] && shift
eval "$(scripts/setup.sh --env)"
cargo build --release --locked
display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
sleep 1
unset WGPU_BACKEND
DISPLAY="$display" target/release/stadyn "$@" &
app=$!
sleep "$wait_s"
mkdir -p "$(dirname "$out")"
DISPLAY="$display" import -window root "$out"
echo "saved $out"
