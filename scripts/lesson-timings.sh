#!/usr/bin/env bash
# Measures, for every lesson step that states an expectation, the seconds the Lab takes
# at its default (auto) speed to reach the step's moment under xvfb-run, and whether the
# step's goals hold there; writes the table to docs/lesson-timings.md.
# Usage: scripts/lesson-timings.sh [lesson files...]   (default: lessons/[0-9]*.md)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product dendrite-lab >/dev/null
bin=.build/release/dendrite-lab
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(lessons/[0-9]*.md)
out=docs/lesson-timings.md
tmp=$(mktemp)
{
  echo "# Seconds to each lesson step's expectation"
  echo
  echo "Produced by \`scripts/lesson-timings.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average"
  echo "$(cut -d' ' -f1 /proc/loadavg) when it started): the Lab in a window under \`xvfb-run\`, default (auto) speed,"
  echo "from opening the step to the moment its text describes, where its goals are judged."
  echo "Seconds include drawing every frame; on a shared machine they vary from run to run."
  echo "The Lab draws on a fixed 60 Hz schedule while the network trains on its own thread; \"fps\""
  echo "counts from opening the step (its first frame reads the model and draws everything once),"
  echo "\"after the first frame\" is the rate the window then keeps; \"behind\" counts frames that ended more than a"
  echo "frame late (the schedule then restarts)."
  echo
  echo "| lesson | step | seconds | frames | fps | fps after the first frame | behind | epoch | goals |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
} > "$tmp"
for f in "${files[@]}"; do
  steps=$("$bin" lessons --check "$f" | sed -n 's/.*: \([0-9]*\) steps.*/\1/p')
  for k in $(seq 1 "$steps"); do
    # Only steps with expectations: lessons --check --run lists them.
    line=$(xvfb-run -a "$bin" lab "$f" --step "$k" --frames 5400 --until-moment 2>/dev/null | tail -1)
    case "$line" in
      moment*)
        secs=$(echo "$line" | sed -n 's/.* after \([0-9.]*\) s .*/\1/p')
        frames=$(echo "$line" | sed -n 's/.*(\([0-9]*\) frames.*/\1/p')
        fps=$(echo "$line" | sed -n 's/.*frames, \([0-9.]*\) fps.*/\1/p')
        steady=$(echo "$line" | sed -n 's/.*fps, \([0-9.]*\) after the first frame.*/\1/p')
        behind=$(echo "$line" | sed -n 's/.*first frame, \([0-9]*\) behind.*/\1/p')
        epoch=$(echo "$line" | sed -n 's/.*epoch \([0-9]*\)).*/\1/p')
        verdict=${line#*: }
        echo "| $(basename "$f" .md) | $k | $secs | $frames | $fps | $steady | $behind | $epoch | $verdict |" >> "$tmp";;
      *) echo "| $(basename "$f" .md) | $k | – | – | – | – | – | – | $line |" >> "$tmp";;
    esac
  done
done
mv "$tmp" "$out"
cat "$out"
