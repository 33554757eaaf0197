# The two commands of the README, plus the ones developers use.
#   make run    build and open the app (installs what is missing first)
#   make test   run the whole test suite (installs what is missing first)
SHELL := /bin/bash
ENV := eval "$$(scripts/setup.sh --env)"

.PHONY: setup run test check bench fuzz

setup:
	@scripts/setup.sh

# The app opens on the demo. The first time, it computes the demo's results in the
# background: the 45 small demo checkpoints first (first bars after about 12 s, all of them in
# about a minute on a quiet 2-core machine), then TransNetV2 (3 minutes more); then they are cached.
run: setup
	@$(ENV) && cargo build --release --locked && target/release/stadyn

test: setup
	@$(ENV) && cargo test --locked

check: setup
	@scripts/check.sh

bench: setup
	@$(ENV) && cargo bench --locked --bench ingest

# The long fuzz run (10 minutes per parser, two at a time; FUZZ_ARGS="npz --seconds 60" to narrow).
# Debug build: overflow checks on. Results go into BENCHMARKS.md.
fuzz: setup
	@$(ENV) && cargo run --locked --example fuzz -- $(FUZZ_ARGS)
