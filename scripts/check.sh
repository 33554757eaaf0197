#!/usr/bin/env bash
# What to run before every commit: formatting, lints (default features and
# none), and the tests. Same build cache for every step.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh --env)"
export RUSTFLAGS="${RUSTFLAGS:-}"

echo "== fmt"; cargo fmt --all -- --check
echo "== clippy (default features)"; cargo clippy --locked --all-targets -- -D warnings
echo "== clippy (no default features)"; cargo clippy --locked --all-targets --no-default-features -- -D warnings
echo "== test"; cargo test --locked
echo "== test (no default features)"; cargo test --locked --no-default-features
echo "all checks passed"
