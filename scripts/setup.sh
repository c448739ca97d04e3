#!/usr/bin/env bash
# Installs the system packages Dendrite Lab builds and runs with (Debian 12).
# Idempotent; needs root (or sudo) because it calls apt-get.
set -euo pipefail
PACKAGES=(libopenblas-dev zlib1g-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
          fonts-dejavu-core xvfb dataset-fashion-mnist)
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
