#!/usr/bin/env bash
# The parameter fronts of issue 13 (docs/fronts.md): one `compare` per family, each over widths
# and seeds 1,2,3, then one merged table and front.png per dataset. Resumable: run it again and
# finished runs are read back, interrupted ones continue.
#   scripts/fronts.sh [mnist|fashion|conv|all] [JOBS]
# Needs the release binary (swift build -c release --product dendrite-lab) and the cached data
# (dendrite-lab data mnist; dendrite-lab data fashion-mnist).
# The matched baselines are skipped (--no-matched): the plain family is the baseline of every
# size, so each point is held against the plain front instead (compare.md's second table).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
jobs=${2:-1}
bin=${DENDRITE_LAB:-.build/release/dendrite-lab}
out=${FRONTS_OUT:-runs/fronts}
seeds=1,2,3

family() { # DATASET FAMILY FILE MODES WIDTHS
    "$bin" compare "experiments/$3" --modes "$4" --widths "$5" --seeds "$seeds" \
        --threads 1 --jobs "$jobs" --no-matched --out "$out/$1/$2"
}

mlp_front() { # DATASET PREFIX
    family "$1" plain "$2-plain-mlp.yaml" none 6,8,12,16,24,32,64
    family "$1" dann-local "$2-dann-local.yaml" none 16,32,64,128
    family "$1" dann-random "$2-dann-random.yaml" none 32,64,128
    family "$1" narrow "$2-narrow-mlp.yaml" gd,pb 4,8,16
    family "$1" narrow-local "$2-narrow-mlp-local.yaml" gd,pb 4,8,16
    "$bin" compare --from "$out/$1/plain" --from "$out/$1/dann-local" --from "$out/$1/dann-random" \
        --from "$out/$1/narrow" --from "$out/$1/narrow-local" --out "$out/$1"
}

conv_front() {
    family fashion-conv conv fashion-conv.yaml none,gd,pb 2,4,8
    # A plain net larger than the widest dendrite net, so every point has a plain match.
    family fashion-conv conv-plain-wide fashion-conv.yaml none 16
    "$bin" compare --from "$out/fashion-conv/conv" --from "$out/fashion-conv/conv-plain-wide" --out "$out/fashion-conv"
}

case $which in
    mnist) mlp_front mnist mnist ;;
    fashion) mlp_front fashion-mnist fashion ;;
    conv) conv_front ;;
    all) mlp_front mnist mnist; mlp_front fashion-mnist fashion
         conv_front ;;
    *) echo "usage: scripts/fronts.sh [mnist|fashion|conv|all] [JOBS]" >&2; exit 2 ;;
esac
