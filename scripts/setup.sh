#!/usr/bin/env bash
# Installs the system packages Dendrite Lab builds and runs with (Debian 12): the one
# package list, used by newcomers and by CI (.ci/run).
#   scripts/setup.sh            the Lab, the CLI and the tests
#   scripts/setup.sh --cluster  also Slurm and munge, for `dendrite-lab sweep --slurm` on a
#                               one-node cluster (scripts/slurm-local.sh) and its test
# Idempotent; needs root (or sudo) because it calls apt-get.
set -euo pipefail
PACKAGES=(libopenblas-dev zlib1g-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
          fonts-dejavu-core xvfb dataset-fashion-mnist)
for arg in "$@"; do
  case "$arg" in
    --cluster) PACKAGES+=(slurm-wlm munge) ;;
    *) echo "usage: scripts/setup.sh [--cluster]" >&2; exit 2 ;;
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
