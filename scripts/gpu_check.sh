#!/usr/bin/env bash
# The GPU path, checked against the CPU: a subset of the embedded demo (one
# small demo checkpoint and TransNetV2, on generated clips plus Big Buck
# Bunny) analyzed with --device cpu and with --device cuda, TF32 off
# (NVIDIA_TF32_OVERRIDE=0) so that CUDA's float32 convolutions are float32.
#
# Checks, per model and layer:
#   - scores s_D, s_S within 1e-4 (absolute) of the CPU's;
#   - dims equal, except where p·C (p a softmax probability, C the channels)
#     lies within C·1e-4 of an integer: there a rounding difference may move
#     trunc(p·C) by one, and such layers are listed, not failed.
# Then prints `stadyn bench` (full pipeline / forward only) on the GPU.
#
#   scripts/gpu_check.sh            exits 0 when every check passes
#   GPU_CHECK_PAIRS=64 scripts/gpu_check.sh
#
# Needs a machine with an NVIDIA GPU and its driver; the torch wheel the
# set-up installs carries the CUDA runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
scripts/setup.sh
eval "$(scripts/setup.sh --env)"
PAIRS="${GPU_CHECK_PAIRS:-96}"
BENCH_PAIRS="${GPU_CHECK_BENCH_PAIRS:-200}"
# GPU_CHECK_DEVICE=cpu compares the CPU with itself (a dry run of this script).
DEVICE="${GPU_CHECK_DEVICE:-cuda}"

cargo build --release --locked
BIN="$ROOT/target/release/stadyn"
"$BIN" doctor

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/gpu.stadyn.toml" <<EOF
name = "gpu check"
[probe]
videos = "$WORK/probe"
pairs = $PAIRS
seed = 0
[probe.generate]
task = "scenes"
n = 24
seed = 11
include = ["$ROOT/sample_data/generated/footage/bigbuckbunny.mp4"]
[estimator]
bootstrap = 0
[[model]]
name = "cnn3d-motion"
path = "$ROOT/sample_data/models/cnn3d-motion/epoch_10.00.pt"
[[model]]
name = "TransNetV2"
path = "$ROOT/sample_data/generated/transnetv2/transnetv2.pt"
EOF

export NVIDIA_TF32_OVERRIDE=0
echo "== analyze on cpu"
"$BIN" analyze "$WORK/gpu.stadyn.toml" --device cpu --no-cache --out "$WORK/cpu"
echo "== analyze on $DEVICE"
"$BIN" analyze "$WORK/gpu.stadyn.toml" --device "$DEVICE" --no-cache --out "$WORK/other"

"$STADYN_PYTHON" - "$WORK/cpu/report.json" "$WORK/other/report.json" "$DEVICE" <<'EOF'
import json, sys
cpu, gpu = (json.load(open(p)) for p in sys.argv[1:3])
device = sys.argv[3]
failed, near = [], []
for mc, mg in zip(cpu["models"], gpu["models"]):
    for lc, lg in zip(mc["layers"], mg["layers"]):
        name = f'{mc["name"]}/{lc["name"]}'
        c = lc["channels"]
        for k in range(2):
            d = abs(lc["scores"][k] - lg["scores"][k])
            if d > 1e-4:
                failed.append(f"{name}: score {k} differs by {d:.2e}")
        if lc["dims"] != lg["dims"]:
            borderline = [abs(p * c - round(p * c)) < c * 1e-4 for p in lc["probs"]]
            if any(borderline):
                near.append(f'{name}: dims {lc["dims"]} vs {lg["dims"]} (p·C near an integer)')
            else:
                failed.append(f'{name}: dims {lc["dims"]} vs {lg["dims"]}')
        print(f'{name:40s} C={c:4d} cpu {lc["pct"]} {device} {lg["pct"]} '
              f'Δscores {abs(lc["scores"][0]-lg["scores"][0]):.1e} {abs(lc["scores"][1]-lg["scores"][1]):.1e}')
for n in near:
    print("listed:", n)
for f in failed:
    print("FAIL:", f)
print("PASS: the two devices agree" if not failed else "FAIL: the two devices differ")
sys.exit(1 if failed else 0)
EOF

echo "== bench on $DEVICE (full pipeline / forward only)"
for model in sample_data/models/cnn3d-motion/epoch_10.00.pt sample_data/generated/transnetv2/transnetv2.pt; do
  "$BIN" bench --model "$model" --videos "$WORK/probe" --device "$DEVICE" --pairs "$BENCH_PAIRS" --bootstrap 200
done
