// 2x2 max pooling with stride 2, the MNIST and CIFAR CNNs' pooling, in SIMD lanes
// (Sources/DendriteCore/Layers/MaxPool2D.swift calls it). Pooling is comparisons and
// copies only, so the lanes give exactly the scalar rule's values and indices:
// PyTorch's `v > max || isnan(v)` over the window in row-major order (top-left,
// top-right, bottom-left, bottom-right).
#include <immintrin.h>
#include <stdint.h>
#include "kernels.h"

// One window in scalar code: the rule every lane follows.
static inline void dendrite_pool2x2_one(const float *x, long corner, long width, float *y, int32_t *index) {
    long best = corner, at[3] = {corner + 1, corner + width, corner + width + 1};
    float m = x[corner];
    for (int i = 0; i < 3; i++) {
        float v = x[at[i]];
        int better = v > m || v != v;
        m = better ? v : m;
        best = better ? at[i] : best;
    }
    *y = m;
    *index = (int32_t)best;
}

// Eight neighbouring windows whose first corner is `corner`: the two input rows split
// into even and odd columns, each column compared lane-wise in window order.
__attribute__((target("avx2")))
static inline void dendrite_pool2x2_8(const float *x, long corner, long width, float *y, int32_t *index) {
    const float *top = x + corner, *bottom = top + width;
    __m256 t0 = _mm256_loadu_ps(top), t1 = _mm256_loadu_ps(top + 8);
    __m256 b0 = _mm256_loadu_ps(bottom), b1 = _mm256_loadu_ps(bottom + 8);
    // shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute puts the pairs in order.
    __m256 v[4] = {
        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(t0, t1, 0x88)), 0xD8)),
        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(t0, t1, 0xDD)), 0xD8)),
        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(b0, b1, 0x88)), 0xD8)),
        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(b0, b1, 0xDD)), 0xD8)),
    };
    __m256i first = _mm256_add_epi32(_mm256_set1_epi32((int32_t)corner), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14));
    __m256i at[4] = {first, _mm256_add_epi32(first, _mm256_set1_epi32(1)),
                     _mm256_add_epi32(first, _mm256_set1_epi32((int32_t)width)),
                     _mm256_add_epi32(first, _mm256_set1_epi32((int32_t)width + 1))};
    __m256 m = v[0], best = _mm256_castsi256_ps(at[0]);
    for (int i = 1; i < 4; i++) {
        __m256 better = _mm256_or_ps(_mm256_cmp_ps(v[i], m, _CMP_GT_OQ), _mm256_cmp_ps(v[i], v[i], _CMP_UNORD_Q));
        m = _mm256_blendv_ps(m, v[i], better);
        best = _mm256_blendv_ps(best, _mm256_castsi256_ps(at[i]), better);
    }
    _mm256_storeu_ps(y, m);
    _mm256_storeu_si256((__m256i *)index, _mm256_castps_si256(best));
}

// Four windows: dendrite_pool2x2_8 in 128-bit lanes (shuffle alone puts them in order).
__attribute__((target("avx2")))
static inline void dendrite_pool2x2_4(const float *x, long corner, long width, float *y, int32_t *index) {
    const float *top = x + corner, *bottom = top + width;
    __m128 t0 = _mm_loadu_ps(top), t1 = _mm_loadu_ps(top + 4);
    __m128 b0 = _mm_loadu_ps(bottom), b1 = _mm_loadu_ps(bottom + 4);
    __m128 v[4] = {_mm_shuffle_ps(t0, t1, 0x88), _mm_shuffle_ps(t0, t1, 0xDD),
                   _mm_shuffle_ps(b0, b1, 0x88), _mm_shuffle_ps(b0, b1, 0xDD)};
    __m128i first = _mm_add_epi32(_mm_set1_epi32((int32_t)corner), _mm_setr_epi32(0, 2, 4, 6));
    __m128i at[4] = {first, _mm_add_epi32(first, _mm_set1_epi32(1)),
                     _mm_add_epi32(first, _mm_set1_epi32((int32_t)width)),
                     _mm_add_epi32(first, _mm_set1_epi32((int32_t)width + 1))};
    __m128 m = v[0], best = _mm_castsi128_ps(at[0]);
    for (int i = 1; i < 4; i++) {
        __m128 better = _mm_or_ps(_mm_cmpgt_ps(v[i], m), _mm_cmpunord_ps(v[i], v[i]));
        m = _mm_blendv_ps(m, v[i], better);
        best = _mm_blendv_ps(best, _mm_castsi128_ps(at[i]), better);
    }
    _mm_storeu_ps(y, m);
    _mm_storeu_si128((__m128i *)index, _mm_castps_si128(best));
}

// One output row of `count` windows, the first with its corner at `corner` (flat input
// index): eight at a time (four in rows of 4-7 windows), a ragged end redone by an
// overlapping last block (the same values written twice), rows of 1-3 windows one by one.
__attribute__((target("avx2")))
static inline void dendrite_pool2x2_row_avx2(const float *x, long corner, long width, long count,
                                             float *y, int32_t *index) {
    if (count < 4) {
        for (long i = 0; i < count; i++) dendrite_pool2x2_one(x, corner + 2 * i, width, y + i, index + i);
        return;
    }
    long lanes = count < 8 ? 4 : 8;
    for (long i = 0;; i += lanes) {
        long start = i < count - lanes ? i : count - lanes;
        if (lanes == 8) dendrite_pool2x2_8(x, corner + 2 * start, width, y + start, index + start);
        else dendrite_pool2x2_4(x, corner + 2 * start, width, y + start, index + start);
        if (start == count - lanes) return;
    }
}

static inline void dendrite_pool2x2_row(const float *x, long corner, long width, long count,
                                        float *y, int32_t *index) {
    if (dendrite_avx2_lanes()) { dendrite_pool2x2_row_avx2(x, corner, width, count, y, index); return; }
    for (long i = 0; i < count; i++) dendrite_pool2x2_one(x, corner + 2 * i, width, y + i, index + i);
}

// The gradient of one output row of at least eight windows (MaxPool2D scatters shorter
// rows), written straight into the two input rows they cover (windows of stride 2 tile
// them): dy where the window's maximum was, +0 elsewhere. `0 + dy` as the scatter it
// replaces computed it (a -0 gradient arrives as +0), so the bits are the same. Columns
// past the last window are left alone.
static inline void dendrite_unpool2x2_one(const float *dy, const int32_t *index, long corner, long width, float *dx) {
    long at[4] = {corner, corner + 1, corner + width, corner + width + 1};
    for (int i = 0; i < 4; i++) dx[at[i]] = at[i] == *index ? 0.0f + *dy : 0.0f;
}

__attribute__((target("avx2")))
static inline void dendrite_unpool2x2_8(const float *dy, const int32_t *index, long corner, long width, float *dx) {
    __m256 g = _mm256_add_ps(_mm256_setzero_ps(), _mm256_loadu_ps(dy));
    __m256i arg = _mm256_loadu_si256((const __m256i *)index);
    __m256i first = _mm256_add_epi32(_mm256_set1_epi32((int32_t)corner), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14));
    for (int row = 0; row < 2; row++) {
        __m256i even = _mm256_add_epi32(first, _mm256_set1_epi32((int32_t)(row * width)));
        __m256i odd = _mm256_add_epi32(even, _mm256_set1_epi32(1));
        __m256 e = _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(arg, even)), g);
        __m256 o = _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(arg, odd)), g);
        // unpack gives [e0 o0 e1 o1 | e4 o4 e5 o5] and [e2 o2 e3 o3 | e6 o6 e7 o7].
        __m256 lo = _mm256_unpacklo_ps(e, o), hi = _mm256_unpackhi_ps(e, o);
        float *out = dx + corner + row * width;
        _mm256_storeu_ps(out, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    }
}

__attribute__((target("avx2")))
static inline void dendrite_unpool2x2_row_avx2(const float *dy, const int32_t *index, long corner, long width,
                                               long count, float *dx) {
    for (long i = 0;; i += 8) {
        long start = i < count - 8 ? i : count - 8;
        dendrite_unpool2x2_8(dy + start, index + start, corner + 2 * start, width, dx);
        if (start == count - 8) return;
    }
}

static inline void dendrite_unpool2x2_row(const float *dy, const int32_t *index, long corner, long width,
                                          long count, float *dx) {
    if (dendrite_avx2_lanes()) { dendrite_unpool2x2_row_avx2(dy, index, corner, width, count, dx); return; }
    for (long i = 0; i < count; i++) dendrite_unpool2x2_one(dy + i, index + i, corner + 2 * i, width, dx);
}
