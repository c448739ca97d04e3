import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Adam (Kingma & Ba) with bias correction, matching torch.optim.Adam including its
/// coupled weight decay. Each parameter keeps its own step count so parameters added
/// later (new dendrites) start their bias correction from scratch.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float

    struct Moments { var m: [Float]; var v: [Float]; var t: Int }
    /// Per-parameter moments (internal so checkpoints can save them: OptimizerState.swift).
    var state = ParameterState<Moments>()

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        for p in parameters where p.trainable {
            let n = p.count
            var s = state.removeValue(for: p)
                ?? Moments(m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n), t: 0)
            if s.m.count != n { s = Moments(m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n), t: 0) }
            s.t += 1
            let c1 = 1 - powf(b1, Float(s.t)), c2 = 1 - powf(b2, Float(s.t))
            let stepSize = learningRate * p.learningRateScale / c1
            let invSqrtC2 = 1 / c2.squareRoot()
            p.grad.withUnsafeBufferPointer { g in
                p.value.withUnsafeMutableBufferPointer { w in
                    s.m.withUnsafeMutableBufferPointer { m in
                        s.v.withUnsafeMutableBufferPointer { v in
                            // Element-wise: large parameters split over the workers, same bits.
                            guard let g = g.baseAddress, let w = w.baseAddress,
                                  let m = m.baseAddress, let v = v.baseAddress else { return }
                            // In C (CKernels/kernels.h): Swift keeps this loop scalar, as its square
                            // root carries libm's errno check on Linux; at 1.3 ns a parameter
                            // it cost as much as a PB candidate step's matrix products.
                            Parallel.forRanges(n, cost: 8) { r in
                                let o = r.lowerBound
                                dendrite_adam_update(r.count, g + o, w + o, m + o, v + o,
                                                     b1, b2, wd, stepSize, invSqrtC2, eps)
                            }
                        }
                    }
                }
            }
            state[p] = s
        }
    }

    public func reset() { state.removeAll() }
}
