#!/usr/bin/env bash
# Idempotent set-up: installs what is missing and prints the environment
# that the build needs. Safe to run again and again; it only does work the
# first time (or after something was removed).
#
#   scripts/setup.sh            install what is missing
#   scripts/setup.sh --env      print `export` lines for the build (used by make)
#
# What it installs:
#   - Debian packages: ffmpeg (video decoding), the libraries eframe and rfd
#     load at run time (GL, X11, xkbcommon, zenity for file dialogs), Xvfb and
#     ImageMagick for screenshots.
#   - A Python virtual environment in the user cache dir, keyed by the torch
#     version, with torch (whose libtorch tch links against) and numpy.
set -euo pipefail

TORCH_VERSION="2.13.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/stadyn"
VENV="${STADYN_VENV:-$CACHE_ROOT/venv-torch-$TORCH_VERSION}"

print_env() {
  echo "export LIBTORCH_USE_PYTORCH=1"
  echo "export STADYN_VENV=\"$VENV\""
  echo "export STADYN_PYTHON=\"$VENV/bin/python\""
  echo "export PATH=\"$VENV/bin:\$PATH\""
}

if [[ "${1:-}" == "--env" ]]; then
  print_env
  exit 0
fi

log() { echo "[setup] $*" >&2; }

# ---- Debian packages -------------------------------------------------------
DEB_PACKAGES=(
  ffmpeg
  libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libx11-6 libxcursor1
  libxrandr2 libxi6 zenity
  xvfb xauth imagemagick xdotool
)
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
  DEB_PACKAGES+=(python3-venv)
fi
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- Python virtual environment with torch ---------------------------------
# torchvision 0.28.0 is the release built against torch 2.13.0 (its video
# architectures are what tools/export_model.py is proven on).
PY_REQS="torch==$TORCH_VERSION torchvision==0.28.0 numpy"
MARKER="$VENV/.stadyn-complete"
if [[ ! -f "$MARKER" || "$(cat "$MARKER")" != "$PY_REQS" ]]; then
  log "preparing Python environment in $VENV ($PY_REQS; a few GB the first time)"
  mkdir -p "$CACHE_ROOT"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q $PY_REQS
  "$VENV/bin/python" -c "import torch, torchvision, numpy; assert torch.__version__.startswith('$TORCH_VERSION')"
  echo "$PY_REQS" > "$MARKER"
fi
log "ready (venv: $VENV)"
