import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// The dendrite arithmetic of `PerforatedLayer` (the cascade of accepted sets) and of
/// PB's candidates as pointer kernels, forward above backward, shapes in comments. The
/// sgemms (W_d x, the candidates' W x, and their weight gradients) stay in the wrapped
/// layer's siblings; these kernels do what sits between them. A *pool* of P candidates per neuron runs as one
/// sibling layer with P*C outputs, pool-major: candidate p of neuron c is channel
/// p*C + c, so every candidate of pool member p is one contiguous block, and with
/// P = 1 the layout (and the order of every addition) is that of a single candidate.
///
/// Symbols: B samples, D accepted dendrite sets, C neurons, P candidates per neuron,
/// S spatial positions per neuron (1 for Dense, H*W for Conv2D).
///
/// Large enough calls run on `Parallel`'s workers: the forward kernels and the
/// element-wise backward ones split the batch (samples are independent), the ones that sum
/// over the batch split the neurons (every such sum stays within one worker, in sample order). Each value is therefore computed
/// by the same additions in the same order for any number of workers: the bits do not
/// depend on the thread count.
enum DendriteKernels {
    /// Work estimate of one activation against one multiply-add, for
    /// `Parallel.forRanges`' size threshold.
    static let activationCost = 8

    // MARK: Forward

    /// o = z + sum_{i<n} k[i * kStride] * v_i over S positions, v_i = v + i * vStride:
    /// one dendrite's pre-activation plus its cascade from earlier dendrites.
    @inline(__always)
    static func cascadeRow(_ o: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>,
                           v: UnsafePointer<Float>, vStride: Int, k: UnsafePointer<Float>, kStride: Int,
                           count n: Int, spatial s: Int) {
        for p in 0..<s { o[p] = z[p] }
        for i in 0..<n {
            let kk = k[i * kStride], vi = v + i * vStride
            for p in 0..<s { o[p] += kk * vi[p] }
        }
    }

    /// The accepted sets, in cascade order, and the layer output:
    ///
    ///     v[b, j, c] = f(z[b, j, c] + sum_{i<j} K[j, i, c] v[b, i, c])
    ///     y[b, c]   += sum_j A[j, c] v[b, j, c]
    ///
    ///     z: [B, D, C, S]  the bank's sgemm output      v: [B, D, C, S] out
    ///     y: [B, C, S]     holds the neurons' n on entry
    ///     k: [D, D, C]     K[j, i, c] (only i < j read)  a: [D, C]
    ///     keep: [B, D, C, S] or nil: the pre-activations, kept where f' needs them (dcaap)
    static func cascadeForward(z: UnsafePointer<Float>, v: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>,
                               keep: UnsafeMutablePointer<Float>? = nil,
                               k: UnsafePointer<Float>, a: UnsafePointer<Float>, batch: Int, sets d: Int,
                               neurons c: Int, spatial s: Int, activation: DendriteActivation) {
        // Set j's rows of one sample are contiguous ([C, S]): f runs over all of them in one
        // call, so a Dense layer (S = 1) gets vector lanes rather than one call per value.
        Parallel.forRanges(batch, cost: d * c * s * (d + activationCost)) { samples in
            for b in samples {
                for j in 0..<d {
                    let first = (b * d + j) * c * s
                    for ci in 0..<c {
                        let row = first + ci * s
                        cascadeRow(v + row, z: z + row, v: v + (b * d * c + ci) * s, vStride: c * s,
                                   k: k + j * d * c + ci, kStride: c, count: j, spatial: s)
                    }
                    if let keep { (keep + first).update(from: v + first, count: c * s) }
                    activation.apply(v + first, count: c * s)
                    for ci in 0..<c {
                        let aa = a[j * c + ci], vr = v + first + ci * s
                        let yr = y + (b * c + ci) * s
                        for p in 0..<s { yr[p] += aa * vr[p] }
                    }
                }
            }
        }
    }

    /// V[b, pc] = f(Z[b, pc] + sum_{i<D} Kc[i, pc] v[b, i, pc mod C])
    ///
    ///     z:  [B, P*C, S]   the candidates' sgemm output
    ///     v:  [B, D, C, S]  the accepted dendrites' outputs (the cascade input)
    ///     k:  [D, P*C]      the candidates' cascade weights (unused when D = 0)
    ///     out:[B, P*C, S]
    ///     keep: [B, P*C, S] or nil: the pre-activations, kept where f' needs them (dcaap)
    static func candidateForward(z: UnsafePointer<Float>, v: UnsafePointer<Float>?, k: UnsafePointer<Float>?,
                                 out: UnsafeMutablePointer<Float>, keep: UnsafeMutablePointer<Float>? = nil, batch: Int, sets d: Int, neurons c: Int,
                                 pool: Int, spatial s: Int, activation: DendriteActivation) {
        let pc = pool * c
        // All P*C rows of a sample (of the samples in a range) are contiguous: f runs over them
        // in one call, so a Dense layer (S = 1) gets vector lanes rather than one call per value.
        Parallel.forRanges(batch, cost: pc * s * (d + activationCost)) { samples in
            let first = samples.lowerBound * pc * s, count = samples.count * pc * s
            guard let v, let k else {
                if keep == nil && activation == .sigmoid {
                    dendrite_sigmoid(z + first, out + first, count)   // no cascade: straight from z
                    return
                }
                (out + first).update(from: z + first, count: count)
                if let keep { (keep + first).update(from: out + first, count: count) }
                activation.apply(out + first, count: count)
                return
            }
            for b in samples {
                let sample = b * pc * s   // one sample's rows at a time, while they are in cache
                for ch in 0..<pc {
                    let row = sample + ch * s
                    cascadeRow(out + row, z: z + row, v: v + (b * d * c + ch % c) * s, vStride: c * s,
                               k: k + ch, kStride: pc, count: d, spatial: s)
                }
                if let keep { (keep + sample).update(from: out + sample, count: pc * s) }
                activation.apply(out + sample, count: pc * s)
            }
        }
    }

    // MARK: Backward

    /// Backward of `cascadeForward`, last set first:
    ///
    ///     dA[j, c]    += sum_{b,s} dy[b, c] v[b, j, c]
    ///     dz[b, j, c]  = f'(v_j) (A[j, c] dy[b, c] + sum_{l>j} K[l, j, c] dz[b, l, c])   (GD only)
    ///     dK[l, j, c] += sum_{b,s} dz[b, l, c] v[b, j, c]                                 (GD only)
    ///
    ///     dy: [B, C, S]   v, dz: [B, D, C, S] (dz nil: PB, the dendrites are constants)
    ///     k, kGrad: [D, D, C]   a, aGrad: [D, C]   (gradients accumulate)
    ///     z: [B, D, C, S] or nil: the kept pre-activations (needed by dcaap only)
    static func cascadeBackward(dy: UnsafePointer<Float>, v: UnsafePointer<Float>, z: UnsafePointer<Float>? = nil,
                                dz: UnsafeMutablePointer<Float>?,
                                k: UnsafePointer<Float>, a: UnsafePointer<Float>,
                                aGrad: UnsafeMutablePointer<Float>, kGrad: UnsafeMutablePointer<Float>,
                                batch: Int, sets d: Int, neurons c: Int, spatial s: Int,
                                activation: DendriteActivation) {
        Parallel.forRanges(c, cost: batch * d * s * (d + 2)) { neurons in
            for b in 0..<batch {
                for j in stride(from: d - 1, through: 0, by: -1) {
                    for ci in neurons {
                        let gy = dy + (b * c + ci) * s
                        let row = ((b * d + j) * c + ci) * s
                        let vj = v + row
                        var acc: Float = 0
                        for p in 0..<s { acc += gy[p] * vj[p] }
                        aGrad[j * c + ci] += acc
                        guard let dz else { continue }
                        let dzj = dz + row
                        let aa = a[j * c + ci]
                        for p in 0..<s { dzj[p] = aa * gy[p] }
                        for l in (j + 1)..<max(d, j + 1) {
                            let kk = k[(l * d + j) * c + ci]
                            let dzl = dz + ((b * d + l) * c + ci) * s
                            var gkAcc: Float = 0
                            for p in 0..<s {
                                dzj[p] += kk * dzl[p]
                                gkAcc += dzl[p] * vj[p]
                            }
                            kGrad[(l * d + j) * c + ci] += gkAcc
                        }
                        activation.multiplyByDerivative(dzj, output: vj, input: z.map { $0 + row }, count: s)
                    }
                }
            }
        }
    }

    /// dV -> dZ = dV * f'(V) (in place, or from `source` when given).
    ///
    ///     grad: [B, P*C, S]  dObjective/dV in (unless `source`), dObjective/dZ out
    ///     source: [B, P*C, S] or nil: dObjective/dV, left alone
    ///     out:  [B, P*C, S]  V of the forward
    ///     z:    [B, P*C, S] or nil: the kept pre-activations (needed by dcaap only)
    static func candidateBackward(grad: UnsafeMutablePointer<Float>, source: UnsafePointer<Float>? = nil,
                                  out: UnsafePointer<Float>, z: UnsafePointer<Float>? = nil,
                                  batch: Int, neurons c: Int, pool: Int, spatial s: Int,
                                  activation: DendriteActivation) {
        Parallel.forRanges(batch * pool * c * s, cost: 2) { r in
            if let source { (grad + r.lowerBound).update(from: source + r.lowerBound, count: r.count) }
            activation.multiplyByDerivative(grad + r.lowerBound, output: out + r.lowerBound,
                                            input: z.map { $0 + r.lowerBound }, count: r.count)
        }
    }

    /// `candidateBackward` with dObjective/dV never stored: the correlation objective's
    /// gradient (`CorrelationObjective.slope`, from each candidate's coefficients) is
    /// written a sample at a time and multiplied by f'(V) while it is still in cache.
    /// The same values as writing dV out and then calling `candidateBackward`, in one
    /// pass over V instead of four, with each candidate reading its neuron's E directly.
    ///
    ///     coef: [3, P*C]     all a, all b, all k (`CorrelationObjective.update`'s coefficients)
    ///     e:    [B, C, S]    the neurons' errors
    ///     out:  [B, P*C, S]  V of the forward     grad: [B, P*C, S] dObjective/dZ out
    ///     z:    [B, P*C, S] or nil: the kept pre-activations (needed by dcaap only)
    static func candidateObjectiveBackward(grad: UnsafeMutablePointer<Float>, coef: UnsafePointer<Float>,
                                           e: UnsafePointer<Float>, out: UnsafePointer<Float>,
                                           z: UnsafePointer<Float>? = nil, batch: Int, neurons c: Int,
                                           pool: Int, spatial s: Int, activation: DendriteActivation) {
        let pc = pool * c, ca = coef, cb = coef + pc, ck = coef + 2 * pc
        Parallel.forRanges(batch, cost: 3 * pc * s) { samples in
            for b in samples {
                let sample = b * pc * s, g = grad + sample, v = out + sample, eb = e + b * c * s
                for p in 0..<pool {
                    if s == 1 {   // Dense: a pool member's C candidates side by side
                        let q = p * c
                        for ci in 0..<c { g[q + ci] = CorrelationObjective.slope(ca[q + ci], cb[q + ci], ck[q + ci], e: eb[ci], v: v[q + ci]) }
                        continue
                    }
                    for ci in 0..<c {
                        // One candidate's row, its coefficients in registers (grad may alias
                        // nothing the compiler can prove, so they would be reloaded every value).
                        // Row pointers, not row + i: checked index arithmetic keeps the loop scalar.
                        let ch = p * c + ci, gr = g + ch * s, vr = v + ch * s, er = eb + ci * s
                        let a = ca[ch], bb = cb[ch], k = ck[ch]
                        for i in 0..<s { gr[i] = CorrelationObjective.slope(a, bb, k, e: er[i], v: vr[i]) }
                    }
                }
                activation.multiplyByDerivative(g, output: v, input: z.map { $0 + sample }, count: pc * s)
            }
        }
    }

    /// The candidates' cascade gradient dKc[i, pc] = sum_{b,s} dZ[b, pc] v[b, i, pc mod C]
    /// (overwritten).
    ///
    ///     grad: [B, P*C, S]  dObjective/dZ     v: [B, D, C, S]     kGrad: [D, P*C]
    static func candidateCascadeGradient(grad: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                         kGrad: UnsafeMutablePointer<Float>, batch: Int, sets d: Int,
                                         neurons c: Int, pool: Int, spatial s: Int) {
        let pc = pool * c
        kGrad.update(repeating: 0, count: d * pc)
        Parallel.forRanges(pc, cost: batch * d * s) { channels in
            for b in 0..<batch {
                for i in 0..<d {
                    for ch in channels {
                        let g = grad + (b * pc + ch) * s
                        let vi = v + ((b * d + i) * c + ch % c) * s
                        var acc: Float = 0
                        for p in 0..<s { acc += g[p] * vi[p] }
                        kGrad[i * pc + ch] += acc
                    }
                }
            }
        }
    }
}
