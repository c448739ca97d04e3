#!/usr/bin/env bash
# Checks the C sigmoid kernel (Sources/CKernels/kernels.h) against glibc's expf on every
# one of the 2^32 float inputs: the kernel must give exactly the bits of
# 1 / (1 + expf(-z)), the scalar Swift it replaced. On a CPU with AVX-512 both the eight-
# and the four-lane kernel are checked. About 35 s per kernel on one core.
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
typedef void (*kernel)(const float *, float *, long);
// Every float input through `k`, against 1 / (1 + expf(-z)); prints and returns the differences.
static unsigned long long check(const char *name, kernel k) {
    long n = 1L << 20;
    float *z = malloc(4 * n), *a = malloc(4 * n), *b = malloc(4 * n);
    unsigned long long differ = 0, total = 0;
    uint64_t u = 0;
    while (u < (1ULL << 32)) {
        long m = 0;
        for (; m < n && u < (1ULL << 32); m++, u++) { uint32_t v = (uint32_t)u; memcpy(&z[m], &v, 4); }
        k(z, a, m);
        for (long j = 0; j < m; j++) b[j] = 1.0f / (1.0f + expf(-z[j]));
        for (long j = 0; j < m; j++, total++) {
            if (memcmp(&a[j], &b[j], 4) == 0) continue;
            if (differ++ < 5) printf("z = %a: kernel %a, expf %a\n", z[j], a[j], b[j]);
        }
    }
    printf("%s: %llu of %llu float inputs differ\n", name, differ, total);
    free(z); free(a); free(b);
    return differ;
}
int main(void) {
    int lanes = dendrite_sigmoid_lanes();
    printf("lanes that run here: %s\n", lanes == 2 ? "AVX-512 (checked, and the AVX2 lanes too)"
                                         : lanes == 1 ? "AVX2 and FMA" : "none (expf itself runs)");
    unsigned long long differ = check("dendrite_sigmoid", dendrite_sigmoid);
    if (lanes == 2) differ += check("dendrite_sigmoid_avx2", dendrite_sigmoid_avx2);
    return differ != 0;
}
C
cc -O2 -I "$here/Sources/CKernels" -o "$tmp/check" "$tmp/check.c" -lm
"$tmp/check"
