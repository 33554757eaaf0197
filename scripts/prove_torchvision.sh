#!/usr/bin/env bash
# Proves tools/export_model.py on torchvision's video architectures (random
# weights: no weights can be downloaded here): each one is exported, checked
# with `stadyn inspect-model`, and run through `stadyn analyze` on a few
# pairs of a small generated probe set. Heavy (the 224-pixel transformers
# take minutes on 2 cores), so it is not part of `make test`.
#
#   scripts/prove_torchvision.sh [WORKDIR] [ARCH ...]
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh --env)"
work="${1:-${TMPDIR:-/tmp}/stadyn-torchvision}"
shift || true
archs=("$@")
[[ ${#archs[@]} -gt 0 ]] || archs=(r3d_18 mc3_18 r2plus1d_18 s3d mvit_v2_s swin3d_t)
cargo build --release --locked -q
bin=target/release/stadyn
mkdir -p "$work/probe"
for i in 0 1 2 3; do
  [[ -f "$work/probe/clip$i.mp4" ]] || ffmpeg -loglevel error -y -f lavfi \
    -i "testsrc2=size=320x240:rate=25,hue=h=$((i * 60))" -frames:v 80 "$work/probe/clip$i.mp4"
done
for arch in "${archs[@]}"; do
  echo "== $arch"
  model="$work/$arch.pt"
  [[ -f "$model" ]] || "$STADYN_PYTHON" tools/export_model.py --arch "$arch" --out "$model"
  $bin inspect-model "$model" --device cpu --batch 1
  $bin analyze --model "$model" --videos "$work/probe" --out "$work/out-$arch" \
    --pairs 10 --batch 2 --bootstrap 0 --no-cache --device cpu -q
  echo "analyze: ok ($(grep -c '"name"' "$work/out-$arch/report.json") names in the report)"
done
