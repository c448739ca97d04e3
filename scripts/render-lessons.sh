#!/usr/bin/env bash
# Renders the first step of every lesson offscreen into docs/lessons/NAME.png (no display
# needed), as linked from README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dendrite-lab
mkdir -p docs/lessons
for f in lessons/[0-9]*.md; do
  name=$(basename "$f" .md)
  .build/release/dendrite-lab render --lesson "$f" --out "docs/lessons/$name.png"
done
