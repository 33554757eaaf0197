# The two commands of the README, plus the ones developers use.
#   make run    build and open the app (installs what is missing first)
#   make test   run the whole test suite (installs what is missing first)
SHELL := /bin/bash
ENV := eval "$$(scripts/setup.sh --env)"

.PHONY: setup run test check bench

setup:
	@scripts/setup.sh

# The demo's results are computed once, headless, with a progress bar (a few minutes on 2
# cores: the pretrained TransNetV2 is the slow part), then cached: the app opens on them at once.
run: setup
	@$(ENV) && cargo build --release --locked \
	  && echo "[run] the demo's results (computed once, then cached):" \
	  && target/release/stadyn analyze sample_data/demo.stadyn.toml --out sample_data/generated/demo-results >/dev/null \
	  && target/release/stadyn

test: setup
	@$(ENV) && cargo test --locked

check: setup
	@scripts/check.sh

bench: setup
	@$(ENV) && cargo bench --locked --bench ingest
