// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h, which also declares
// openblas_set_num_threads, on clang's default include path).
#include <cblas.h>

// Adam's element-wise update (Sources/DendriteCore/Optimizers/Adam.swift says why it is
// here): Swift lowers Float.squareRoot() on Linux to sqrtf with its errno check, which
// keeps the loop scalar. SSE2's sqrtps is the same correctly rounded square root, four
// lanes at a time; every lane does the arithmetic of the scalar tail, in the same order,
// and nothing is fused into an FMA, so the bits are those of the scalar rule.
#include <emmintrin.h>
static inline void dendrite_adam_update(long n, const float *g, float *w, float *m, float *v,
                                        float b1, float b2, float wd, float stepSize,
                                        float invSqrtC2, float eps) {
    #pragma STDC FP_CONTRACT OFF
    const __m128 B1 = _mm_set1_ps(b1), B2 = _mm_set1_ps(b2), WD = _mm_set1_ps(wd);
    const __m128 A1 = _mm_set1_ps(1 - b1), A2 = _mm_set1_ps(1 - b2);
    const __m128 S = _mm_set1_ps(stepSize), C = _mm_set1_ps(invSqrtC2), E = _mm_set1_ps(eps);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 wi = _mm_loadu_ps(w + i);
        __m128 d = _mm_add_ps(_mm_loadu_ps(g + i), _mm_mul_ps(WD, wi));
        __m128 mi = _mm_add_ps(_mm_mul_ps(B1, _mm_loadu_ps(m + i)), _mm_mul_ps(A1, d));
        __m128 vi = _mm_add_ps(_mm_mul_ps(B2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(A2, d), d));
        _mm_storeu_ps(m + i, mi);
        _mm_storeu_ps(v + i, vi);
        __m128 den = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), C), E);
        _mm_storeu_ps(w + i, _mm_sub_ps(wi, _mm_div_ps(_mm_mul_ps(S, mi), den)));
    }
    for (; i < n; i++) {
        float d = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1 - b1) * d;
        v[i] = b2 * v[i] + (1 - b2) * d * d;
        float den = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(v[i]))) * invSqrtC2 + eps;
        w[i] -= stepSize * m[i] / den;
    }
}
