# The two commands of the README, plus the ones developers use.
#   make run    build and open the app (installs what is missing first)
#   make test   run the whole test suite (installs what is missing first)
SHELL := /bin/bash
ENV := eval "$$(scripts/setup.sh --env)"

.PHONY: setup run test check bench

setup:
	@scripts/setup.sh

run: setup
	@$(ENV) && cargo run --release --locked --

test: setup
	@$(ENV) && cargo test --locked

check: setup
	@scripts/check.sh

bench: setup
	@$(ENV) && cargo bench --locked --bench ingest
