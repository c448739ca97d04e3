#!/usr/bin/env bash
# Checks the C sigmoid kernel (Sources/CKernels/kernels.h) against glibc's expf on every
# one of the 2^32 float inputs: the kernel must give exactly the bits of
# 1 / (1 + expf(-z)), the scalar Swift it replaced. About 35 s on one core.
#   scripts/check-kernels.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/check.c" <<'C'
#include "kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    printf("CPU with AVX2 and FMA (the lanes run): %s\n", dendrite_has_avx2_fma() ? "yes" : "no (expf itself runs)");
    long n = 1L << 20;
    float *z = malloc(4 * n), *a = malloc(4 * n), *b = malloc(4 * n);
    unsigned long long differ = 0, total = 0;
    uint64_t u = 0;
    while (u < (1ULL << 32)) {
        long m = 0;
        for (; m < n && u < (1ULL << 32); m++, u++) { uint32_t v = (uint32_t)u; memcpy(&z[m], &v, 4); }
        dendrite_sigmoid(z, a, m);
        for (long j = 0; j < m; j++) b[j] = 1.0f / (1.0f + expf(-z[j]));
        for (long j = 0; j < m; j++, total++) {
            if (memcmp(&a[j], &b[j], 4) == 0) continue;
            if (differ++ < 5) printf("z = %a: kernel %a, expf %a\n", z[j], a[j], b[j]);
        }
    }
    printf("%llu of %llu float inputs differ\n", differ, total);
    return differ != 0;
}
C
cc -O2 -I "$here/Sources/CKernels" -o "$tmp/check" "$tmp/check.c" -lm
"$tmp/check"
