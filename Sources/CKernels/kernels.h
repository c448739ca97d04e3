// Element-wise kernels that Swift will not vectorise on its own, in C with SIMD
// intrinsics. Each gives exactly the bits of the scalar Swift it replaces (tests and
// docs/reliability.md say how that was checked), so no trained number changes.
#pragma once
#include <immintrin.h>
#include <cpuid.h>
#include <math.h>
#include <stdint.h>

// Adam's element-wise update (Sources/DendriteCore/Optimizers/Adam.swift calls it): Swift
// lowers Float.squareRoot() on Linux to sqrtf with its errno check, which keeps the loop
// scalar. SSE2's sqrtps is the same correctly rounded square root, four
// lanes at a time; every lane does the arithmetic of the scalar tail, in the same order,
// and nothing is fused into an FMA, so the bits are those of the scalar rule.
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

// The logistic sigmoid 1 / (1 + expf(-z)), four lanes at a time, with glibc's expf
// computed inside the lanes: Swift calls expf once per value (through the PLT), and
// the sigmoid of the candidates' and dendrites' outputs was a fifth of a PB dendrite
// phase on the CNN. glibc (2.27 and later) picks its FMA variant of expf on a CPU with
// AVX2 and FMA; the lanes repeat that variant's arithmetic operation for operation: a
// table of 32 powers of two, one rounding step, a degree-3 polynomial in double, and
// the same fused multiply-adds. Checked against expf on every one of the 2^32 float
// inputs (docs/reliability.md). Inputs whose |-z| is large, infinite or NaN go through
// expf itself, as does everything on a CPU without AVX2 and FMA (where glibc's own
// expf takes another path).

// The scalar sigmoid every lane reproduces, and what runs where the lanes do not.
static inline float dendrite_sigmoid1(float z) { return 1.0f / (1.0f + expf(-z)); }

// 2^(i/32) as glibc's expf tabulates it: the double's bits minus i << 47, so adding the
// integer part's bits (k << 47) back gives 2^(k/32).
static const uint64_t dendrite_exp2_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540};

// glibc expf's other constants, as bits: N/ln 2 (N = 32), the rounding shift 1.5 * 2^52,
// and the polynomial's C0, C1, C2 (both lane widths load them from here).
enum { DENDRITE_INV_LN2_N, DENDRITE_SHIFT, DENDRITE_C0, DENDRITE_C1, DENDRITE_C2 };
static const union { uint64_t u; double d; } dendrite_expf_constants[5] = {
    {0x40471547652b82feULL}, {0x4338000000000000ULL},
    {0x3ebc6af84b912394ULL}, {0x3f2ebfce50fac4f3ULL}, {0x3f962e42ff0c52d6ULL}};

// The register states the OS saves (XCR0); call only once OSXSAVE is known to be set.
static inline unsigned dendrite_xcr0(void) {
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo;
}

static inline int dendrite_has_avx2_fma(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_FMA) || !(c & bit_OSXSAVE)) return 0;
    if ((dendrite_xcr0() & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

__attribute__((target("avx2,fma")))
static inline void dendrite_sigmoid_avx2(const float *z, float *out, long n) {
    const __m256d InvLn2N = _mm256_set1_pd(dendrite_expf_constants[DENDRITE_INV_LN2_N].d);
    const __m256d Shift = _mm256_set1_pd(dendrite_expf_constants[DENDRITE_SHIFT].d);
    const __m256d C0 = _mm256_set1_pd(dendrite_expf_constants[DENDRITE_C0].d);
    const __m256d C1 = _mm256_set1_pd(dendrite_expf_constants[DENDRITE_C1].d);
    const __m256d C2 = _mm256_set1_pd(dendrite_expf_constants[DENDRITE_C2].d);
    const __m256d One = _mm256_set1_pd(1.0);
    const __m128 OneF = _mm_set1_ps(1.0f), Sign = _mm_set1_ps(-0.0f);
    const __m128i Big = _mm_set1_epi32(0x42a), Mask11 = _mm_set1_epi32(0x7ff);
    const __m256i Low5 = _mm256_set1_epi64x(31);
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 x = _mm_xor_ps(_mm_loadu_ps(z + i), Sign);      // -z
        __m128i top = _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(x), 20), Mask11);
        if (_mm_movemask_epi8(_mm_cmpgt_epi32(top, Big))) {   // |x| large, inf or nan: libm's own path
            for (long j = i; j < i + 4; j++) out[j] = dendrite_sigmoid1(z[j]);
            continue;
        }
        __m256d xd = _mm256_cvtps_pd(x);
        __m256d t = _mm256_fmadd_pd(InvLn2N, xd, Shift);
        __m256i ki = _mm256_castpd_si256(t);
        __m256d kd = _mm256_sub_pd(t, Shift);
        __m256d r = _mm256_fmsub_pd(InvLn2N, xd, kd);
        __m256i tab = _mm256_i64gather_epi64((const long long *)dendrite_exp2_table, _mm256_and_si256(ki, Low5), 8);
        __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(tab, _mm256_slli_epi64(ki, 47)));
        __m256d p = _mm256_fmadd_pd(r, C0, C1);
        __m256d r2 = _mm256_mul_pd(r, r);
        __m256d q = _mm256_fmadd_pd(r, C2, One);
        __m256d y = _mm256_mul_pd(_mm256_fmadd_pd(p, r2, q), s);
        __m128 e = _mm256_cvtpd_ps(y);
        _mm_storeu_ps(out + i, _mm_div_ps(OneF, _mm_add_ps(OneF, e)));
    }
    for (; i < n; i++) out[i] = dendrite_sigmoid1(z[i]);
}

// AVX-512 as well (and its registers enabled by the OS): eight double lanes instead of
// four, the table read with two-register permutes instead of a gather.
static inline int dendrite_has_avx512(void) {
    if (!dendrite_has_avx2_fma()) return 0;
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_AVX512F)) return 0;
    return (dendrite_xcr0() & 0xe6) == 0xe6;
}

// dendrite_sigmoid_avx2 in eight lanes: the same operations on the same values, so the
// same bits (scripts/check-kernels.sh checks both against expf).
__attribute__((target("avx512f,avx2,fma")))
static inline void dendrite_sigmoid_avx512(const float *z, float *out, long n) {
    const __m512d InvLn2N = _mm512_set1_pd(dendrite_expf_constants[DENDRITE_INV_LN2_N].d);
    const __m512d Shift = _mm512_set1_pd(dendrite_expf_constants[DENDRITE_SHIFT].d);
    const __m512d C0 = _mm512_set1_pd(dendrite_expf_constants[DENDRITE_C0].d);
    const __m512d C1 = _mm512_set1_pd(dendrite_expf_constants[DENDRITE_C1].d);
    const __m512d C2 = _mm512_set1_pd(dendrite_expf_constants[DENDRITE_C2].d);
    const __m512d One = _mm512_set1_pd(1.0);
    const __m256 OneF = _mm256_set1_ps(1.0f), Sign = _mm256_set1_ps(-0.0f);
    const __m256i Big = _mm256_set1_epi32(0x42a), Mask11 = _mm256_set1_epi32(0x7ff);
    const __m512i Low5 = _mm512_set1_epi64(31), Bit4 = _mm512_set1_epi64(16);
    const __m512i T0 = _mm512_loadu_si512(dendrite_exp2_table), T1 = _mm512_loadu_si512(dendrite_exp2_table + 8);
    const __m512i T2 = _mm512_loadu_si512(dendrite_exp2_table + 16), T3 = _mm512_loadu_si512(dendrite_exp2_table + 24);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_xor_ps(_mm256_loadu_ps(z + i), Sign);   // -z
        __m256i top = _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(x), 20), Mask11);
        if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(top, Big))) {   // |x| large, inf or nan: libm's own path
            for (long j = i; j < i + 8; j++) out[j] = dendrite_sigmoid1(z[j]);
            continue;
        }
        __m512d xd = _mm512_cvtps_pd(x);
        __m512d t = _mm512_fmadd_pd(InvLn2N, xd, Shift);
        __m512i ki = _mm512_castpd_si512(t);
        __m512d kd = _mm512_sub_pd(t, Shift);
        __m512d r = _mm512_fmsub_pd(InvLn2N, xd, kd);
        __m512i j5 = _mm512_and_si512(ki, Low5);
        __m512i low = _mm512_permutex2var_epi64(T0, j5, T1), high = _mm512_permutex2var_epi64(T2, j5, T3);
        __m512i tab = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(j5, Bit4), low, high);
        __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(tab, _mm512_slli_epi64(ki, 47)));
        __m512d p = _mm512_fmadd_pd(r, C0, C1);
        __m512d r2 = _mm512_mul_pd(r, r);
        __m512d q = _mm512_fmadd_pd(r, C2, One);
        __m512d y = _mm512_mul_pd(_mm512_fmadd_pd(p, r2, q), s);
        __m256 e = _mm512_cvtpd_ps(y);
        _mm256_storeu_ps(out + i, _mm256_div_ps(OneF, _mm256_add_ps(OneF, e)));
    }
    dendrite_sigmoid_avx2(z + i, out + i, n - i);
}

// Which lanes run: 2 = AVX-512, 1 = AVX2 and FMA, 0 = expf itself.
static inline int dendrite_sigmoid_lanes(void) {
    static int lanes = -1;
    if (lanes < 0) lanes = dendrite_has_avx512() ? 2 : dendrite_has_avx2_fma() ? 1 : 0;
    return lanes;
}

// Whether the AVX2 lanes of the kernels below and in pooling.h may run (AVX2 and FMA).
static inline int dendrite_avx2_lanes(void) { return dendrite_sigmoid_lanes() > 0; }

static inline void dendrite_sigmoid(const float *z, float *out, long n) {
    switch (dendrite_sigmoid_lanes()) {
    case 2: dendrite_sigmoid_avx512(z, out, n); return;
    case 1: dendrite_sigmoid_avx2(z, out, n); return;
    default: for (long i = 0; i < n; i++) out[i] = dendrite_sigmoid1(z[i]);
    }
}

// Asks for the cache lines of [p, p + bytes) ahead of their use: a shuffled batch reads
// its samples from all over a dataset larger than the cache, and the hardware prefetcher
// only follows a sample once its first line has missed.
static inline void dendrite_prefetch(const void *p, long bytes) {
    for (long o = 0; o < bytes; o += 64) __builtin_prefetch((const char *)p + o, 0, 3);
}

// d[j] = (float)s[j] * scale + shift, rounded after the product and after the sum (no
// fused multiply-add), as Swift's `Float(byte) * scale + shift` computes it: the same bits.
// Byte images are converted batch by batch; eight lanes keep that conversion from being
// the one part of an MLP step the second core cannot shorten.
// Converts the first n rounded down to a multiple of 8 and returns how many it did.
__attribute__((target("avx2")))
static inline long dendrite_bytes_to_floats_avx2(const uint8_t *s, float *d, long n, float scale, float shift) {
    const __m256 a = _mm256_set1_ps(scale), b = _mm256_set1_ps(shift);
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(s + j)));
        _mm256_storeu_ps(d + j, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(v), a), b));
    }
    return j;
}

static inline void dendrite_bytes_to_floats(const uint8_t *s, float *d, long n, float scale, float shift) {
    long j = dendrite_avx2_lanes() ? dendrite_bytes_to_floats_avx2(s, d, n, scale, shift) : 0;
    for (; j < n; j++) { float p = (float)s[j] * scale; d[j] = p + shift; }
}
