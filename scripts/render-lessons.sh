#!/usr/bin/env bash
# Renders every lesson's picture offscreen into docs/lessons/NAME.png (no display
# needed), as linked from README.md and lessons/README.md: each lesson's picture step
# (marked `picture: true`, else the first step that selects a neuron or dendrite),
# trained to the moment its text describes, with its selection shown.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dendrite-lab
mkdir -p docs/lessons
.build/release/dendrite-lab lessons --pictures docs/lessons
