/// The candidate arithmetic of PB's dendrite phase as pointer kernels, forward above
/// backward (shapes in comments). A *pool* of P candidates per neuron runs as one
/// sibling layer with P*C outputs, pool-major: candidate p of neuron c is channel
/// p*C + c, so every candidate of pool member p is one contiguous block, and with
/// P = 1 the layout (and the order of every addition) is that of a single candidate.
///
/// Symbols: B samples, D accepted dendrite sets, C neurons, P candidates per neuron,
/// S spatial positions per neuron (1 for Dense, H*W for Conv2D).
enum DendriteKernels {
    // MARK: Forward

    /// V[b, pc] = f(Z[b, pc] + sum_{i<D} Kc[i, pc] v[b, i, pc mod C])
    ///
    ///     z:  [B, P*C, S]   the candidates' sgemm output
    ///     v:  [B, D, C, S]  the accepted dendrites' outputs (the cascade input)
    ///     k:  [D, P*C]      the candidates' cascade weights (unused when D = 0)
    ///     out:[B, P*C, S]
    static func candidateForward(z: UnsafePointer<Float>, v: UnsafePointer<Float>?, k: UnsafePointer<Float>?,
                                 out: UnsafeMutablePointer<Float>, batch: Int, sets d: Int, neurons c: Int,
                                 pool: Int, spatial s: Int, activation: DendriteActivation) {
        let pc = pool * c
        for b in 0..<batch {
            for ch in 0..<pc {
                let row = (b * pc + ch) * s
                let o = out + row
                o.update(from: z + row, count: s)
                if let v, let k {
                    for i in 0..<d {
                        let kk = k[i * pc + ch]
                        let vi = v + ((b * d + i) * c + ch % c) * s
                        for p in 0..<s { o[p] += kk * vi[p] }
                    }
                }
                activation.apply(o, count: s)
            }
        }
    }

    /// Each of P candidates per neuron sees its neuron's error E: [B, C, S] -> [B, P*C, S].
    static func tile(_ e: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                     batch: Int, neurons c: Int, pool: Int, spatial s: Int) {
        for b in 0..<batch {
            for p in 0..<pool {
                (out + (b * pool + p) * c * s).update(from: e + b * c * s, count: c * s)
            }
        }
    }

    // MARK: Backward

    /// In place dV -> dZ = dV * f'(V), then the cascade gradient
    /// dKc[i, pc] = sum_{b,s} dZ[b, pc] v[b, i, pc mod C] (overwritten).
    ///
    ///     grad: [B, P*C, S]  dObjective/dV in, dObjective/dZ out
    ///     out:  [B, P*C, S]  V of the forward
    ///     v:    [B, D, C, S]
    ///     kGrad:[D, P*C]
    static func candidateBackward(grad: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>,
                                  v: UnsafePointer<Float>?, kGrad: UnsafeMutablePointer<Float>?,
                                  batch: Int, sets d: Int, neurons c: Int, pool: Int, spatial s: Int,
                                  activation: DendriteActivation) {
        let pc = pool * c
        activation.multiplyByDerivative(grad, output: out, count: batch * pc * s)
        guard let v, let kGrad else { return }
        kGrad.update(repeating: 0, count: d * pc)
        for b in 0..<batch {
            for i in 0..<d {
                for ch in 0..<pc {
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
