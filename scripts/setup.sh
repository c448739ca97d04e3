#!/usr/bin/env bash
# Installs the system packages Dendrite Lab builds and runs with (Debian 12): the one
# package list, used by newcomers and by CI (.ci/run).
#   scripts/setup.sh            the Lab, the CLI and the tests
#   scripts/setup.sh --cluster  also Slurm and munge, for `dendrite-lab sweep --slurm` on a
#                               one-node cluster (scripts/slurm-local.sh) and its test
#   scripts/setup.sh --python   also numpy and safetensors (pip) for examples/load_checkpoint.py
#                               and the test that runs it
# Idempotent; needs root (or sudo) because it calls apt-get.
set -euo pipefail
PYTHON=0
PACKAGES=(libopenblas-dev zlib1g-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
          fonts-dejavu-core xvfb dataset-fashion-mnist)
for arg in "$@"; do
  case "$arg" in
    --cluster) PACKAGES+=(slurm-wlm munge) ;;
    --python) PYTHON=1 ;;
    *) echo "usage: scripts/setup.sh [--cluster] [--python]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
if [ "$PYTHON" = 1 ] && ! python3 -c "import numpy, safetensors" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check numpy safetensors
fi
