# The two commands of the README, plus the ones developers use.
#   make run    build and open the app (installs what is missing first)
#   make test   run the whole test suite (installs what is missing first)
SHELL := /bin/bash
ENV := eval "$$(scripts/setup.sh --env)"

.PHONY: setup run test check bench

setup:
	@scripts/setup.sh

# The app opens on the demo. The first time, it computes the demo's results in the
# background: the 45 small demo checkpoints first (bars within seconds, all of them in
# about a minute on 2 cores), then TransNetV2 (a few minutes); after that they are cached.
run: setup
	@$(ENV) && cargo build --release --locked && target/release/stadyn

test: setup
	@$(ENV) && cargo test --locked

check: setup
	@scripts/check.sh

bench: setup
	@$(ENV) && cargo bench --locked --bench ingest
